// Lesson 06 — GuidedBackprop: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/06-GuidedBackprop/Exercises.swift.

import LessonSupport
import TensorEngine

public enum GuidedBackpropCourse {
    public static let guidedBackprop = ExerciseDeclaration<@Sendable (Module, Tensor, [Int]) throws -> Tensor, GuidedBackprop>(
        "6.1", "Guided backpropagation", stub: "guidedBackprop(of:images:targets:)")

    public static let deconvnet = ExerciseDeclaration<@Sendable (Module, Tensor, [Int]) throws -> Tensor, Deconvnet>(
        "6.2", "The deconvnet rule", stub: "deconvnet(of:images:targets:)")

    public static let guidedGradCAM = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], String) throws -> Tensor, GuidedGradCAM>(
        "6.3", "Guided Grad-CAM", stub: "guidedGradCAM(of:images:targets:layer:)")

    public static let rankCorrelation = ExerciseDeclaration<@Sendable ([Float], [Float]) throws -> Double, RankCorrelation>(
        "6.4", "Spearman's rank correlation", stub: "rankCorrelation(_:_:)")

    public static let lesson = LessonDeclaration(
        number: 6, folder: "06-GuidedBackprop", title: "Guided backpropagation",
        exercises: [guidedBackprop.summary, deconvnet.summary, guidedGradCAM.summary, rankCorrelation.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/06-GuidedBackprop/Mistakes.swift)

    public enum GuidedBackprop: String, MistakeKind {
        case deconvnetRule = "deconvnet-rule", keepsHooks = "keeps-hooks", plainGradient = "plain-gradient"
        case firstReLUOnly = "first-relu-only"
        public var summary: String {
            switch self {
            case .deconvnetRule: "returns ReLU(gradOutput) (the deconvnet rule) instead of ReLU(gradInput)"
            case .keepsHooks: "never removes the ReLU hooks"
            case .plainGradient: "the hooks return nil: plain backpropagation"
            case .firstReLUOnly: "applies the guided rule at the first ReLU only; the later ReLUs pass the plain gradient"
            }
        }
    }

    public enum Deconvnet: String, MistakeKind {
        case guidedRule = "guided-rule", keepsHooks = "keeps-hooks"
        public var summary: String {
            switch self {
            case .guidedRule: "returns ReLU(gradInput) (guided backprop) instead of ReLU(gradOutput)"
            case .keepsHooks: "never removes the ReLU hooks"
            }
        }
    }

    public enum GuidedGradCAM: String, MistakeKind {
        case unnormalisedCAM = "unnormalised-cam", plainGradient = "plain-gradient"
        public var summary: String {
            switch self {
            case .unnormalisedCAM: "multiplies by the upsampled Grad-CAM without min-max scaling"
            case .plainGradient: "multiplies the plain gradient, not guided backprop, by the CAM"
            }
        }
    }

    public enum RankCorrelation: String, MistakeKind {
        case pearson, ordinalTies = "ordinal-ties"
        public var summary: String {
            switch self {
            case .pearson: "Pearson correlation of the values instead of their ranks"
            case .ordinalTies: "ties get consecutive ranks (by position) instead of their average rank"
            }
        }
    }
}
