// Lesson 02 — Saliency: each exercise declared once (number, title, stub, reference, mistakes).
// The graders, `workbook verify`, `workbook grade` and the scoreboard all read these.

import LessonSupport
import TensorEngine

public enum SaliencyExercises {
    public static let saliency = Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>(
        "2.1", "Vanilla saliency", stub: "saliency(of:images:targets:)",
        reference: { try SaliencySolutions.saliency(of: $0, images: $1, targets: $2) },
        mistakes: SaliencyMistakes.Saliency.allCases,
        wrong: { id in { try SaliencyMistakes.saliency(id, of: $0, images: $1, targets: $2) } })

    public static let saliencyMagnitude = Exercise<@Sendable (Tensor) throws -> Tensor>(
        "2.2", "The saliency map as Simonyan et al. draw it", stub: "saliencyMagnitude(_:)",
        reference: { try SaliencySolutions.saliencyMagnitude($0) },
        mistakes: SaliencyMistakes.SaliencyMagnitude.allCases,
        wrong: { id in { try SaliencyMistakes.saliencyMagnitude(id, $0) } })

    public static let gradientTimesInput = Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>(
        "2.3", "Gradient × input", stub: "gradientTimesInput(of:images:targets:)",
        reference: { try SaliencySolutions.gradientTimesInput(of: $0, images: $1, targets: $2) },
        mistakes: SaliencyMistakes.GradientTimesInput.allCases,
        wrong: { id in { try SaliencyMistakes.gradientTimesInput(id, of: $0, images: $1, targets: $2) } })

    public static let smoothGrad = Exercise<@Sendable (Module, Tensor, [Int], Int, Float, UInt64) throws -> Tensor>(
        "2.4", "SmoothGrad", stub: "smoothGrad(of:images:targets:samples:noiseLevel:seed:)",
        reference: { try SaliencySolutions.smoothGrad(of: $0, images: $1, targets: $2, samples: $3, noiseLevel: $4, seed: $5) },
        mistakes: SaliencyMistakes.SmoothGrad.allCases,
        wrong: { id in { try SaliencyMistakes.smoothGrad(id, of: $0, images: $1, targets: $2, samples: $3, noiseLevel: $4, seed: $5) } })

    public static let integrationPoints = Exercise<@Sendable (IntegrationMethod, Int) throws -> (alphas: [Double], weights: [Double])>(
        "2.5a", "Integration points and weights along the path", stub: "integrationPoints(_:steps:)",
        reference: { try SaliencySolutions.integrationPoints($0, steps: $1) },
        mistakes: SaliencyMistakes.IntegrationPoints.allCases,
        wrong: { id in { try SaliencyMistakes.integrationPoints(id, $0, steps: $1) } })

    public static let integratedGradients = Exercise<
        @Sendable (Module, Tensor, [Int], Tensor?, Int, IntegrationMethod) throws -> (attributions: Tensor, delta: [Float])
    >(
        "2.5", "Integrated Gradients", stub: "integratedGradients(of:images:targets:baseline:steps:method:)",
        reference: { try SaliencySolutions.integratedGradients(of: $0, images: $1, targets: $2, baseline: $3, steps: $4, method: $5) },
        mistakes: SaliencyMistakes.IntegratedGradients.allCases,
        wrong: { id in { try SaliencyMistakes.integratedGradients(id, of: $0, images: $1, targets: $2, baseline: $3, steps: $4, method: $5) } })

    public static let lesson = LessonDeclaration(
        number: 2, folder: "02-Saliency", title: "Saliency",
        exercises: [saliency.summary, saliencyMagnitude.summary, gradientTimesInput.summary, smoothGrad.summary,
                    integrationPoints.summary, integratedGradients.summary],
        figures: SaliencyFigures.self)
}
