// Lesson 01 — Hooks: each exercise declared once (number, title, stub, reference, mistakes).
// The graders, `workbook verify`, `workbook grade` and the scoreboard all read these.

import LessonSupport
import TensorEngine

public enum HooksExercises {
    public static let activations = Exercise<@Sendable (Module, String, Tensor) throws -> Tensor>(
        "1.1", "A layer's output, with a forward hook", stub: "activations(of:at:for:)",
        reference: { try HooksSolutions.activations(of: $0, at: $1, for: $2) },
        mistakes: HooksMistakes.Activations.allCases,
        wrong: { id in { try HooksMistakes.activations(id, of: $0, at: $1, for: $2) } })
        .with(variants: HooksVariants.activations)

    public static let gradient = Exercise<@Sendable (Module, String, Tensor, [Int]) throws -> Tensor>(
        "1.2", "The target logit's gradient at a layer", stub: "gradient(of:at:for:targets:)",
        reference: { try HooksSolutions.gradient(of: $0, at: $1, for: $2, targets: $3) },
        mistakes: HooksMistakes.Gradient.allCases,
        wrong: { id in { try HooksMistakes.gradient(id, of: $0, at: $1, for: $2, targets: $3) } })
        .with(variants: HooksVariants.gradient)

    public static let convolutionActivations = Exercise<@Sendable (Module, Tensor) throws -> [(layer: String, activations: Tensor)]>(
        "1.3", "Every convolution's feature maps", stub: "convolutionActivations(of:for:)",
        reference: { try HooksSolutions.convolutionActivations(of: $0, for: $1) },
        mistakes: HooksMistakes.ConvolutionActivations.allCases,
        wrong: { id in { try HooksMistakes.convolutionActivations(id, of: $0, for: $1) } })
        .with(variants: HooksVariants.convolutionActivations)

    public static let confidence = Exercise<@Sendable (Module, Tensor) throws -> [(predicted: Int, probability: Float)]>(
        "1.4", "Softmax confidence", stub: "confidence(of:for:)",
        reference: { try HooksSolutions.confidence(of: $0, for: $1) },
        mistakes: HooksMistakes.Confidence.allCases,
        wrong: { id in { try HooksMistakes.confidence(id, of: $0, for: $1) } })
        .with(variants: HooksVariants.confidence)

    public static let lesson = LessonDeclaration(
        number: 1, folder: "01-Hooks", title: "Hooks",
        exercises: [activations.summary, gradient.summary, convolutionActivations.summary, confidence.summary],
        figures: HooksFigures.self)
}

