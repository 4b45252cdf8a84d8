import AdversarialSolutions
import CAMSolutions
import OcclusionSolutions
import SaliencySolutions
import GradCAMSolutions
import GuidedBackpropSolutions
import HooksSolutions
import LessonSupport

/// The lessons `figures`, `verify` and `grade` know about, in course order.
struct LessonEntry: Sendable {
    let number: Int
    /// `01-Hooks`
    let folder: String
    /// `Hooks`: the test target is `HooksLessonTests`.
    let topic: String
    let figures: any LessonFigures.Type
    let mistakes: [Mistake]
    /// False while a lesson has reference figures but no graded exercises yet.
    var graded = true

    var testTarget: String { "\(topic)LessonTests" }
}

enum LessonRegistry {
    static let all: [LessonEntry] = [
        LessonEntry(number: 1, folder: "01-Hooks", topic: "Hooks", figures: HooksFigures.self, mistakes: HooksMistakes.catalogue),
        LessonEntry(number: 2, folder: "02-Saliency", topic: "Saliency", figures: SaliencyFigures.self, mistakes: SaliencyMistakes.catalogue),
        LessonEntry(number: 3, folder: "03-Occlusion", topic: "Occlusion", figures: OcclusionFigures.self, mistakes: OcclusionMistakes.catalogue),
        LessonEntry(number: 4, folder: "04-CAM", topic: "CAM", figures: CAMFigures.self, mistakes: CAMMistakes.catalogue),
        LessonEntry(number: 5, folder: "05-GradCAM", topic: "GradCAM", figures: GradCAMFigures.self, mistakes: GradCAMMistakes.catalogue),
        LessonEntry(number: 6, folder: "06-GuidedBackprop", topic: "GuidedBackprop", figures: GuidedBackpropFigures.self, mistakes: GuidedBackpropMistakes.catalogue),
        LessonEntry(number: 7, folder: "07-Adversarial", topic: "Adversarial", figures: AdversarialFigures.self, mistakes: AdversarialMistakes.catalogue),
    ]

    /// The lessons with graded exercises (what `verify` and `grade` run).
    static func gradedSelection(_ number: Int?) throws -> [LessonEntry] { try selected(number).filter(\.graded) }

    /// The lessons selected by `--lesson N` (all when nil), or an error naming the known ones.
    static func selected(_ number: Int?) throws -> [LessonEntry] {
        guard let number else { return all }
        guard let lesson = all.first(where: { $0.number == number }) else {
            throw CommandLineError(message: "no lesson \(number); lessons: \(all.map { String($0.number) }.joined(separator: ", "))")
        }
        return [lesson]
    }
}
