// Lesson 05 — GradCAM: each exercise's declaration (Sources/Course/Lessons/05-GradCAM.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum GradCAMExercises {
    public static let activationsAndGradients = GradCAMCourse.activationsAndGradients.bound(
        reference: { try GradCAMSolutions.activationsAndGradients(of: $0, at: $1, images: $2, targets: $3) },
        wrong: { id in { try GradCAMMistakes.activationsAndGradients(id, of: $0, at: $1, images: $2, targets: $3) } })
        .with(variants: GradCAMVariants.activationsAndGradients)

    public static let gradCAM = GradCAMCourse.gradCAM.bound(
        reference: { try GradCAMSolutions.gradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        wrong: { id in { try GradCAMMistakes.gradCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })
        .with(variants: GradCAMVariants.gradCAM)

    public static let upsampledAndNormalized = GradCAMCourse.upsampledAndNormalized.bound(
        reference: { try GradCAMSolutions.upsampledAndNormalized($0, height: $1, width: $2) },
        wrong: { id in { try GradCAMMistakes.upsampledAndNormalized(id, $0, height: $1, width: $2) } })
        .with(variants: GradCAMVariants.upsampledAndNormalized)

    public static let gradCAMPlusPlus = GradCAMCourse.gradCAMPlusPlus.bound(
        reference: { try GradCAMSolutions.gradCAMPlusPlus(of: $0, images: $1, targets: $2, layer: $3) },
        wrong: { id in { try GradCAMMistakes.gradCAMPlusPlus(id, of: $0, images: $1, targets: $2, layer: $3) } })
        .with(variants: GradCAMVariants.gradCAMPlusPlus)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = GradCAMCourse.lesson.with(exercises: [activationsAndGradients.summary, gradCAM.summary, upsampledAndNormalized.summary, gradCAMPlusPlus.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = GradCAMFigures.self
}
