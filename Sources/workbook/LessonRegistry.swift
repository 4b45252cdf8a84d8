import HooksSolutions
import LessonSupport

/// The lessons `figures`, `verify` and `grade` know about, in course order.
struct LessonEntry {
    let number: Int
    /// `01-Hooks`
    let folder: String
    /// `Hooks`: the test target is `HooksLessonTests`.
    let topic: String
    let figures: any LessonFigures.Type
    let mistakes: [Mistake]

    var testTarget: String { "\(topic)LessonTests" }
}

enum LessonRegistry {
    static let all: [LessonEntry] = [
        LessonEntry(number: 1, folder: "01-Hooks", topic: "Hooks", figures: HooksFigures.self, mistakes: HooksMistakes.catalogue),
    ]

    /// The lessons selected by `--lesson N` (all when nil), or an error naming the known ones.
    static func selected(_ number: Int?) throws -> [LessonEntry] {
        guard let number else { return all }
        guard let lesson = all.first(where: { $0.number == number }) else {
            throw CommandLineError(message: "no lesson \(number); lessons: \(all.map { String($0.number) }.joined(separator: ", "))")
        }
        return [lesson]
    }
}
