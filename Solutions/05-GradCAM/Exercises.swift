// Lesson 05 — Grad-CAM: each exercise declared once (number, title, stub, reference, mistakes).
// The graders, `workbook verify`, `workbook grade` and the scoreboard all read these.

import LessonSupport
import TensorEngine

public enum GradCAMExercises {
    public static let activationsAndGradients = Exercise<@Sendable (Module, String, Tensor, [Int]) throws -> (activations: Tensor, gradients: Tensor)>(
        "5.1", "A layer's activations and the target logits' gradients", stub: "activationsAndGradients(of:at:images:targets:)",
        reference: { try GradCAMSolutions.activationsAndGradients(of: $0, at: $1, images: $2, targets: $3) },
        mistakes: GradCAMMistakes.ActivationsAndGradients.allCases,
        wrong: { id in { try GradCAMMistakes.activationsAndGradients(id, of: $0, at: $1, images: $2, targets: $3) } })

    public static let gradCAM = Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>(
        "5.2", "Grad-CAM", stub: "gradCAM(of:images:targets:layer:)",
        reference: { try GradCAMSolutions.gradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        mistakes: GradCAMMistakes.GradCAM.allCases,
        wrong: { id in { try GradCAMMistakes.gradCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })

    public static let upsampledAndNormalized = Exercise<@Sendable (Tensor, Int, Int) throws -> Tensor>(
        "5.3", "The map resized to the input and scaled to [0, 1]", stub: "upsampledAndNormalized(_:height:width:)",
        reference: { try GradCAMSolutions.upsampledAndNormalized($0, height: $1, width: $2) },
        mistakes: GradCAMMistakes.UpsampledAndNormalized.allCases,
        wrong: { id in { try GradCAMMistakes.upsampledAndNormalized(id, $0, height: $1, width: $2) } })

    public static let gradCAMPlusPlus = Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>(
        "5.4", "Grad-CAM++ (stretch)", stub: "gradCAMPlusPlus(of:images:targets:layer:)",
        reference: { try GradCAMSolutions.gradCAMPlusPlus(of: $0, images: $1, targets: $2, layer: $3) },
        mistakes: GradCAMMistakes.GradCAMPlusPlus.allCases,
        wrong: { id in { try GradCAMMistakes.gradCAMPlusPlus(id, of: $0, images: $1, targets: $2, layer: $3) } })

    public static let lesson = LessonDeclaration(
        number: 5, folder: "05-GradCAM", title: "Grad-CAM",
        exercises: [activationsAndGradients.summary, gradCAM.summary, upsampledAndNormalized.summary, gradCAMPlusPlus.summary],
        figures: GradCAMFigures.self)
}
