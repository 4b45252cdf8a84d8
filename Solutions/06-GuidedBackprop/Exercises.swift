// Lesson 06 — GuidedBackprop: each exercise's declaration (Sources/Course/Lessons/06-GuidedBackprop.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum GuidedBackpropExercises {
    public static let guidedBackprop = GuidedBackpropCourse.guidedBackprop.bound(
        reference: { try GuidedBackpropSolutions.guidedBackprop(of: $0, images: $1, targets: $2) },
        wrong: { id in { try GuidedBackpropMistakes.guidedBackprop(id, of: $0, images: $1, targets: $2) } })
        .with(variants: GuidedBackpropVariants.guidedBackprop)

    public static let deconvnet = GuidedBackpropCourse.deconvnet.bound(
        reference: { try GuidedBackpropSolutions.deconvnet(of: $0, images: $1, targets: $2) },
        wrong: { id in { try GuidedBackpropMistakes.deconvnet(id, of: $0, images: $1, targets: $2) } })
        .with(variants: GuidedBackpropVariants.deconvnet)

    public static let guidedGradCAM = GuidedBackpropCourse.guidedGradCAM.bound(
        reference: { try GuidedBackpropSolutions.guidedGradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        wrong: { id in { try GuidedBackpropMistakes.guidedGradCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })
        .with(variants: GuidedBackpropVariants.guidedGradCAM)

    public static let rankCorrelation = GuidedBackpropCourse.rankCorrelation.bound(
        reference: { try GuidedBackpropSolutions.rankCorrelation($0, $1) },
        wrong: { id in { try GuidedBackpropMistakes.rankCorrelation(id, $0, $1) } })
        .with(variants: GuidedBackpropVariants.rankCorrelation)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = GuidedBackpropCourse.lesson.with(exercises: [guidedBackprop.summary, deconvnet.summary, guidedGradCAM.summary, rankCorrelation.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = GuidedBackpropFigures.self
}
