// TEMPORARY: the string-based grading API, until every lesson declares its exercises.
extension WorkbookMode {
    public static func implementation(for exercise: String) -> Implementation {
        switch current {
        case .student: return .student
        case .solutions: return .reference
        case let .mistake(e, id): return e == exercise ? .mistake(id) : .reference
        }
    }
    public enum Implementation: Equatable, Sendable { case student, reference, mistake(String) }
}
public struct Mistake: Sendable {
    public let exercise: String, id: String, summary: String
    public init(exercise: String, id: String, summary: String) { self.exercise = exercise; self.id = id; self.summary = summary }
}
