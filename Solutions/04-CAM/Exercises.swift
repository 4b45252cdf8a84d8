// Lesson 04 — CAM: each exercise declared once (number, title, stub, reference, mistakes).
// The graders, `workbook verify`, `workbook grade` and the scoreboard all read these.

import LessonSupport
import TensorEngine

public enum CAMExercises {
    public static let classActivationMap = Exercise<@Sendable (Module, Tensor, [Int], String, String) throws -> Tensor>(
        "4.1", "The class activation map", stub: "classActivationMap(of:images:targets:featureLayer:classifier:)",
        reference: { try CAMSolutions.classActivationMap(of: $0, images: $1, targets: $2, featureLayer: $3, classifier: $4) },
        mistakes: CAMMistakes.ClassActivationMap.allCases,
        wrong: { id in { try CAMMistakes.classActivationMap(id, of: $0, images: $1, targets: $2, featureLayer: $3, classifier: $4) } })

    public static let upsampleBilinear = Exercise<@Sendable (Tensor, Int, Int) throws -> Tensor>(
        "4.2", "Bilinear upsampling, like F.interpolate", stub: "upsampleBilinear(_:height:width:)",
        reference: { try CAMSolutions.upsampleBilinear($0, height: $1, width: $2) },
        mistakes: CAMMistakes.UpsampleBilinear.allCases,
        wrong: { id in { try CAMMistakes.upsampleBilinear(id, $0, height: $1, width: $2) } })

    public static let normalizedMaps = Exercise<@Sendable (Tensor) throws -> Tensor>(
        "4.3", "Min-max normalisation of each map", stub: "normalizedMaps(_:)",
        reference: { try CAMSolutions.normalizedMaps($0) },
        mistakes: CAMMistakes.NormalizedMaps.allCases,
        wrong: { id in { try CAMMistakes.normalizedMaps(id, $0) } })

    public static let lesson = LessonDeclaration(
        number: 4, folder: "04-CAM", title: "CAM",
        exercises: [classActivationMap.summary, upsampleBilinear.summary, normalizedMaps.summary],
        figures: CAMFigures.self)
}
