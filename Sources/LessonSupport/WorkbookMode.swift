import Foundation

/// Which implementation the tests grade, read once from the environment.
///
/// - *student* (default): the stubs in `Lessons/`, as the student edited them.
/// - *solutions* (`WORKBOOK_SOLUTIONS=1`): the reference in `Solutions/`; every test passes.
/// - *mistake* (`WORKBOOK_MISTAKE=<exercise>/<id>`, used by `workbook verify`): the reference
///   everywhere except one exercise, which runs a catalogued wrong implementation.
/// - *variant* (`WORKBOOK_VARIANT=<exercise>/<id>`, used by `workbook verify`): the reference
///   everywhere except one exercise, which runs a catalogued correct implementation written
///   differently (another loop order, a matrix product, a hook instead of `.grad`): every test
///   must pass it.
public enum WorkbookMode: Equatable, Sendable {
    case student, solutions
    case mistake(exercise: String, id: String)
    case variant(exercise: String, id: String)

    public static let current: WorkbookMode = {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["WORKBOOK_MISTAKE"], let slash = value.firstIndex(of: "/") {
            return .mistake(exercise: String(value[..<slash]), id: String(value[value.index(after: slash)...]))
        }
        if let value = environment["WORKBOOK_VARIANT"], let slash = value.firstIndex(of: "/") {
            return .variant(exercise: String(value[..<slash]), id: String(value[value.index(after: slash)...]))
        }
        if let value = environment["WORKBOOK_SOLUTIONS"], value != "0", !value.isEmpty { return .solutions }
        return .student
    }()
}
