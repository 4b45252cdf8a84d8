import Foundation
import GradingWire
import LessonSupport
import Testing

/// The trait every lesson suite carries: `@Suite("Lesson 01 — Hooks", .graded(HooksExercises.lesson))`.
///
/// For each test named `"Exercise N.M: …"` it
/// - reports a stub's `ExerciseNotStarted` as *not started* (the test is cancelled, not failed);
/// - records the outcome on the scoreboard printed at the end of `swift test`;
/// - in student mode, moves each failure's source location to the student's stub (the test file
///   under `Tests/` is named in the message) and keeps the message short;
/// - skips the exercises `workbook grade` names in `WORKBOOK_SKIP_EXERCISES` (they crashed or
///   hung in an earlier run, so the other exercises can still be graded);
/// - checks that the exercise number is one the lesson declares.
public struct GradedLesson: SuiteTrait, TestTrait, TestScoping {
    public let lesson: LessonDeclaration
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let board = Scoreboard.shared
        board.register(lesson)
        guard let number = Self.exercise(of: test.displayName ?? test.name) else {
            try await function()                 // not graded (e.g. the reference-figure checks)
            return
        }
        guard let exercise = lesson.exercises.first(where: { $0.number == number }) else {
            Issue.record(Comment(rawValue: "test \"\(test.displayName ?? test.name)\" names exercise \(number), which \(lesson.folder) does not declare (declared: \(lesson.exercises.map(\.number).joined(separator: ", ")))"))
            return
        }
        let id = "\(test.id)#\(UUID().uuidString)"   // one record per test case
        let name = test.displayName ?? test.name
        board.start(id, lesson: lesson.number, exercise: number, test: name)
        if Self.skipped.contains(number) {
            board.finish(id, .skipped, message: "skipped: this exercise crashed or hung in an earlier run")
            try Test.cancel("skipped by the grader: exercise \(number) crashed or hung in an earlier run")
        }
        let first = Mutex<String?>(nil)
        let stub = StubLocator.location(of: exercise.stub, in: lesson.folder)
        let observer = IssueHandlingTrait.compactMapIssues { issue in
            var issue = issue
            if issue.isFailure { first.withLock { if $0 == nil { $0 = Self.shortened(issue.comments.map(\.rawValue).joined(separator: "\n")) } } }
            issue.comments = issue.comments.map { Comment(rawValue: Self.shortened($0.rawValue)) }
            if WorkbookMode.current == .student, let stub, let original = issue.sourceLocation {
                issue.comments.append(Comment(rawValue: "Exercise \(number) — \(exercise.stub) (checked at \(Self.relative(original.fileID)):\(original.line))"))
                issue.sourceLocation = SourceLocation(fileID: "\(lesson.topic)Lesson/\(URL(fileURLWithPath: stub.path).lastPathComponent)",
                                                      filePath: stub.path, line: stub.line, column: 1)
            }
            return issue
        }
        // A call the lesson runner did not answer (a crash, the time limit) is this test's verdict,
        // even where the test caught the error (a check that some input is refused would take a
        // crash for the refusal): the client logs every abort of the calls made in this scope.
        let aborts = RunnerAbortLog()
        func chargedAbort() -> RunnerAborted? {
            guard let aborted = aborts.first else { return nil }
            board.finish(id, aborted.timedOut ? .timeLimit : .crashed, message: Self.shortened(aborted.message))
            return aborted
        }
        do {
            try await RunnerAbortLog.$current.withValue(aborts) {
                try await observer.provideScope(for: test, testCase: testCase, performing: function)
            }
            if let aborted = chargedAbort() { throw aborted }
        } catch let error as RunnerAborted {
            // The student's code crashed or hung in the lesson runner (`WORKBOOK_RUNNER`): this
            // test's exercise, and nothing else, is charged; the next call starts a new runner.
            _ = chargedAbort()
            board.finish(id, error.timedOut ? .timeLimit : .crashed, message: Self.shortened(error.message))
            throw error
        } catch where chargedAbort() != nil {
            throw error
        } catch let error as ExerciseNotStarted
                    where error.exercise != number && StubLocator.isWritten(exercise.stub, number: number, in: lesson.folder) {
            // The student wrote this exercise, but it calls an earlier one that is still a stub.
            let waiting = WaitingForEarlierExercise(exercise: number, earlier: error.exercise, what: error.function, notStarted: true)
            board.finish(id, .waiting, message: waiting.description)
            try Test.cancel(Comment(rawValue: waiting.description))
        } catch let error as ExerciseNotStarted {
            board.finish(id, .notStarted, message: error.description)
            try Test.cancel(Comment(rawValue: "\(error.description); read \(lesson.readme)"))
        } catch let error as WaitingForEarlierExercise {
            board.finish(id, .waiting, message: error.description)
            try Test.cancel(Comment(rawValue: error.description))
        } catch {
            board.finish(id, .failed, message: Self.shortened("\(error)"))
            throw error
        }
        let message = first.withLock { $0 }
        board.finish(id, message == nil ? .passed : .failed, message: message)
    }

    /// "Exercise 2.5a: …" → "2.5a".
    public static func exercise(of testName: String) -> String? {
        guard testName.hasPrefix("Exercise "), let colon = testName.firstIndex(of: ":") else { return nil }
        return String(testName[testName.index(testName.startIndex, offsetBy: 9)..<colon])
    }

    /// `WORKBOOK_SKIP_EXERCISES=1.2,1.3`.
    static let skipped: Set<String> = Set((ProcessInfo.processInfo.environment["WORKBOOK_SKIP_EXERCISES"] ?? "")
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

    /// At most 8 lines of at most 300 characters: a failure shows the first differing values, not
    /// whole arrays.
    static func shortened(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.count <= 300 ? String(line) : line.prefix(280) + "… (\(line.count - 280) more characters)"
        }
        if lines.count > 8 { lines = Array(lines.prefix(7)) + ["… (\(lines.count - 7) more lines)"] }
        return lines.joined(separator: "\n")
    }

    static func relative(_ fileID: String) -> String {
        // fileID is "Module/File.swift"; graders live in Tests/<Module>/.
        "Tests/" + fileID
    }
}

extension Trait where Self == GradedLesson {
    /// Grades the suite's tests as the exercises of `lesson` (see `GradedLesson`).
    public static func graded(_ lesson: LessonDeclaration) -> Self { GradedLesson(lesson: lesson) }
}

/// Expects `body` to throw a real error (not "not started"), e.g. to check that a bad layer name
/// is reported. An `ExerciseNotStarted` is rethrown so the test reports *not started*.
public func expectRealError(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
    do {
        try body()
        Issue.record(Comment(rawValue: "expected an error: \(what)"), sourceLocation: sourceLocation)
    } catch let error as ExerciseNotStarted {
        throw error
    } catch let error as UnknownMistake {
        throw error          // a misnamed WORKBOOK_MISTAKE is the run's error, not the one expected
    } catch {
        // The error we wanted.
    }
}

/// Whether the reference-figure checks (and the reference engine's slow agreement suites) run: in
/// solutions mode only, so a student's grade never depends on the instructor's figures (`workbook
/// figures` and `verify` check them too); and not when the graders replay the recorded references
/// (`verify`'s second run), which those checks do not use.
public let checksReferenceFigures = WorkbookMode.current == .solutions && !ReferenceBook.replaysRecorded

/// Thrown by a test whose exercise calls the student's earlier exercises when one of those differs
/// from the reference on the very inputs the test will use: the later exercise is not graded
/// (*waiting*, counted as not done) until the earlier one passes, so one mistake fails its own
/// exercise only and never a later one as well.
public struct WaitingForEarlierExercise: Error, CustomStringConvertible, Sendable {
    public let exercise: String, earlier: String, what: String
    /// The earlier exercise is still a stub (rather than differing from the reference).
    public var notStarted = false
    public init(exercise: String, earlier: String, what: String, notStarted: Bool = false) {
        (self.exercise, self.earlier, self.what, self.notStarted) = (exercise, earlier, what, notStarted)
    }
    public var description: String {
        notStarted
            ? "exercise \(exercise) waits for \(earlier): your \(exercise) calls \(what), exercise \(earlier), which is not started yet — write \(earlier) first"
            : "exercise \(exercise) waits for \(earlier): your \(earlier) (\(what)) differs from the reference on this test's inputs, and \(exercise) calls it — make \(earlier)'s tests pass first"
    }
}

/// In student mode, that the student's earlier exercise `earlier`, which `exercise` calls, agrees
/// with the reference on the inputs the test will use (`agrees`); else `WaitingForEarlierExercise`.
/// A not-started earlier exercise is reported as such. With a correct variant injected by
/// `verify` the check runs too: `agrees` then sees the variant as the earlier exercise, so a
/// variant that a student's later exercise would wait for fails `verify` (a student whose earlier
/// exercise is correct but written differently must be graded on the later one). With the
/// reference or a mistake nothing is checked: the later exercise runs the reference's earlier
/// ones, and a mistake must fail its own exercise only.
public func requireEarlier(_ earlier: String, for exercise: String, _ what: String, agrees: () throws -> Bool) throws {
    switch WorkbookMode.current {
    case .student, .variant: break
    case .solutions, .mistake: return
    }
    let ok: Bool
    do { ok = try agrees() } catch let error as ExerciseNotStarted { throw error } catch { ok = false }
    if !ok { throw WaitingForEarlierExercise(exercise: exercise, earlier: earlier, what: what) }
}
