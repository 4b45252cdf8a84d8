// Lesson 01 — Hooks: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/01-Hooks/Exercises.swift.

import LessonSupport
import TensorEngine

public enum HooksCourse {
    public static let activations = ExerciseDeclaration<@Sendable (Module, String, Tensor) throws -> Tensor, Activations>(
        "1.1", "A layer's output, with a forward hook", stub: "activations(of:at:for:)")

    public static let gradient = ExerciseDeclaration<@Sendable (Module, String, Tensor, [Int]) throws -> Tensor, Gradient>(
        "1.2", "The target logit's gradient at a layer", stub: "gradient(of:at:for:targets:)")

    public static let convolutionActivations = ExerciseDeclaration<@Sendable (Module, Tensor) throws -> [(layer: String, activations: Tensor)], ConvolutionActivations>(
        "1.3", "Every convolution's feature maps", stub: "convolutionActivations(of:for:)")

    public static let confidence = ExerciseDeclaration<@Sendable (Module, Tensor) throws -> [(predicted: Int, probability: Float)], Confidence>(
        "1.4", "Softmax confidence", stub: "confidence(of:for:)")

    public static let lesson = LessonDeclaration(
        number: 1, folder: "01-Hooks", title: "Hooks",
        exercises: [activations.summary, gradient.summary, convolutionActivations.summary, confidence.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/01-Hooks/Mistakes.swift)

    public enum Activations: String, MistakeKind {
        case keepsHook = "keeps-hook", capturesInput = "captures-input"
        public var summary: String {
            switch self {
            case .keepsHook: "never removes the forward hook"
            case .capturesInput: "returns the hook's input instead of its output"
            }
        }
    }

    public enum Gradient: String, MistakeKind {
        case sumsAllLogits = "sums-all-logits", gradInput = "grad-input"
        public var summary: String {
            switch self {
            case .sumsAllLogits: "backpropagates the sum of all logits instead of the target logit"
            case .gradInput: "returns gradInput (∂score/∂input of the layer) instead of gradOutput"
            }
        }
    }

    public enum ConvolutionActivations: String, MistakeKind {
        case everyLayer = "every-layer"
        public var summary: String { "captures every layer, not only the convolutions" }
    }

    public enum Confidence: String, MistakeKind {
        case maxLogit = "max-logit"
        public var summary: String { "reports the largest logit as the probability" }
    }
}
