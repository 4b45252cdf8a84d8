import Foundation

/// Which implementation the tests grade, read once from the environment.
///
/// - *student* (default): the stubs in `Lessons/`, as the student edited them.
/// - *solutions* (`WORKBOOK_SOLUTIONS=1`): the reference in `Solutions/`; every test passes.
/// - *mistake* (`WORKBOOK_MISTAKE=<exercise>/<id>`, used by `workbook verify`): the reference
///   everywhere except one exercise, which runs a catalogued wrong implementation.
public enum WorkbookMode: Equatable, Sendable {
    case student, solutions
    case mistake(exercise: String, id: String)

    public static let current: WorkbookMode = {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["WORKBOOK_MISTAKE"], let slash = value.firstIndex(of: "/") {
            return .mistake(exercise: String(value[..<slash]), id: String(value[value.index(after: slash)...]))
        }
        if let value = environment["WORKBOOK_SOLUTIONS"], value != "0", !value.isEmpty { return .solutions }
        return .student
    }()

    /// Which implementation to use for `exercise`.
    public static func implementation(for exercise: String) -> Implementation {
        switch current {
        case .student: return .student
        case .solutions: return .reference
        case let .mistake(e, id): return e == exercise ? .mistake(id) : .reference
        }
    }

    public enum Implementation: Equatable, Sendable {
        case student, reference
        case mistake(String)
    }
}

/// A catalogued wrong implementation of an exercise: what a student plausibly writes, what the
/// tests should say about it.
public struct Mistake: Sendable {
    public let exercise: String
    public let id: String
    public let summary: String
    public init(exercise: String, id: String, summary: String) {
        self.exercise = exercise; self.id = id; self.summary = summary
    }
}
