// Lesson 05 — GradCAM: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/05-GradCAM/Exercises.swift.

import LessonSupport
import TensorEngine

public enum GradCAMCourse {
    public static let activationsAndGradients = ExerciseDeclaration<@Sendable (Module, String, Tensor, [Int]) throws -> (activations: Tensor, gradients: Tensor), ActivationsAndGradients>(
        "5.1", "A layer's activations and the target logits' gradients", stub: "activationsAndGradients(of:at:images:targets:)")

    public static let gradCAM = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], String) throws -> Tensor, GradCAM>(
        "5.2", "Grad-CAM", stub: "gradCAM(of:images:targets:layer:)")

    public static let upsampledAndNormalized = ExerciseDeclaration<@Sendable (Tensor, Int, Int) throws -> Tensor, UpsampledAndNormalized>(
        "5.3", "The map resized to the input and scaled to [0, 1]", stub: "upsampledAndNormalized(_:height:width:)")

    public static let gradCAMPlusPlus = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], String) throws -> Tensor, GradCAMPlusPlus>(
        "5.4", "Grad-CAM++ (stretch)", stub: "gradCAMPlusPlus(of:images:targets:layer:)")

    public static let lesson = LessonDeclaration(
        number: 5, folder: "05-GradCAM", title: "Grad-CAM",
        exercises: [activationsAndGradients.summary, gradCAM.summary, upsampledAndNormalized.summary, gradCAMPlusPlus.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/05-GradCAM/Mistakes.swift)

    public enum ActivationsAndGradients: String, MistakeKind {
        case keepsHooks = "keeps-hooks", gradInput = "grad-input", softmaxScore = "softmax-score"
        public var summary: String {
            switch self {
            case .keepsHooks: "never removes the forward and backward hooks"
            case .gradInput: "keeps the backward hook's gradInput (∂yᶜ/∂ the layer's input) instead of gradOutput"
            case .softmaxScore: "backpropagates the softmax probability instead of the raw logit"
            }
        }
    }

    public enum GradCAM: String, MistakeKind {
        case sumsGradients = "sums-gradients", maxGradients = "max-gradients", noReLU = "no-relu"
        case capturesInput = "captures-input", batchMeanWeights = "batch-mean-weights"
        public var summary: String {
            switch self {
            case .sumsGradients: "αₖ = sum of the gradients over positions instead of their mean"
            case .maxGradients: "αₖ = maximum of the gradients over positions instead of their mean"
            case .noReLU: "forgets the final ReLU"
            case .capturesInput: "weights the layer's input (conv3, before the ReLU) instead of its output"
            case .batchMeanWeights: "averages the gradients over the batch too, mixing the images' targets"
            }
        }
    }

    public enum UpsampledAndNormalized: String, MistakeKind {
        case alignCorners = "align-corners", batchMinMax = "batch-min-max", normalizesFirst = "normalizes-first", noEpsilon = "no-epsilon"
        public var summary: String {
            switch self {
            case .alignCorners: "bilinear resize with align_corners=True"
            case .batchMinMax: "normalises with the min and max of the whole batch"
            case .normalizesFirst: "normalises the small map, then resizes (and never renormalises)"
            case .noEpsilon: "divides by max − min without the 1e-7: a constant map becomes NaN"
            }
        }
    }

    public enum GradCAMPlusPlus: String, MistakeKind {
        case noReLUGradients = "no-relu-gradients", localActivationSum = "local-activation-sum"
        public var summary: String {
            switch self {
            case .noReLUGradients: "wₖ = Σ aᵢⱼ · gᵢⱼ without the ReLU of the gradients"
            case .localActivationSum: "uses Aᵢⱼ instead of Σₐᵦ Aₐᵦ in the denominator of aᵢⱼ"
            }
        }
    }
}
