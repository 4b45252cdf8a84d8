import Foundation
import LessonSupport
import Testing

/// Runs the body of a graded test. If a stub throws `ExerciseNotStarted`, the test is cancelled
/// and reported as *not started* (with the file to edit and the README section), not failed.
public func grading(_ readme: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExerciseNotStarted {
        try Test.cancel(Comment(rawValue: "\(error.description); read \(readme)"))
    }
}

/// Expects `body` to throw a real error (not "not started"), e.g. to check that a bad layer name
/// is reported. An `ExerciseNotStarted` is rethrown so the test reports *not started*.
public func expectRealError(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
    do {
        try body()
        Issue.record(Comment(rawValue: "expected an error: \(what)"), sourceLocation: sourceLocation)
    } catch let error as ExerciseNotStarted {
        throw error
    } catch {
        // The error we wanted.
    }
}
