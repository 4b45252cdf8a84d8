// Lesson 06 — Guided backpropagation: each exercise declared once (number, title, stub,
// reference, mistakes). The graders, `workbook verify`, `workbook grade` and the scoreboard all
// read these.

import LessonSupport
import TensorEngine

public enum GuidedBackpropExercises {
    public static let guidedBackprop = Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>(
        "6.1", "Guided backpropagation", stub: "guidedBackprop(of:images:targets:)",
        reference: { try GuidedBackpropSolutions.guidedBackprop(of: $0, images: $1, targets: $2) },
        mistakes: GuidedBackpropMistakes.GuidedBackprop.allCases,
        wrong: { id in { try GuidedBackpropMistakes.guidedBackprop(id, of: $0, images: $1, targets: $2) } })

    public static let deconvnet = Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>(
        "6.2", "The deconvnet rule", stub: "deconvnet(of:images:targets:)",
        reference: { try GuidedBackpropSolutions.deconvnet(of: $0, images: $1, targets: $2) },
        mistakes: GuidedBackpropMistakes.Deconvnet.allCases,
        wrong: { id in { try GuidedBackpropMistakes.deconvnet(id, of: $0, images: $1, targets: $2) } })

    public static let guidedGradCAM = Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>(
        "6.3", "Guided Grad-CAM", stub: "guidedGradCAM(of:images:targets:layer:)",
        reference: { try GuidedBackpropSolutions.guidedGradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        mistakes: GuidedBackpropMistakes.GuidedGradCAM.allCases,
        wrong: { id in { try GuidedBackpropMistakes.guidedGradCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })

    public static let rankCorrelation = Exercise<@Sendable ([Float], [Float]) throws -> Double>(
        "6.4", "Spearman's rank correlation", stub: "rankCorrelation(_:_:)",
        reference: { try GuidedBackpropSolutions.rankCorrelation($0, $1) },
        mistakes: GuidedBackpropMistakes.RankCorrelation.allCases,
        wrong: { id in { try GuidedBackpropMistakes.rankCorrelation(id, $0, $1) } })

    public static let lesson = LessonDeclaration(
        number: 6, folder: "06-GuidedBackprop", title: "Guided backpropagation",
        exercises: [guidedBackprop.summary, deconvnet.summary, guidedGradCAM.summary, rankCorrelation.summary],
        figures: GuidedBackpropFigures.self)
}
