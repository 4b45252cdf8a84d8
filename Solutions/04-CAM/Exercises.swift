// Lesson 04 — CAM: each exercise's declaration (Sources/Course/Lessons/04-CAM.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum CAMExercises {
    public static let classActivationMap = CAMCourse.classActivationMap.bound(
        reference: { try CAMSolutions.classActivationMap(of: $0, images: $1, targets: $2, featureLayer: $3, classifier: $4) },
        wrong: { id in { try CAMMistakes.classActivationMap(id, of: $0, images: $1, targets: $2, featureLayer: $3, classifier: $4) } })
        .with(variants: CAMVariants.classActivationMap)

    public static let upsampleBilinear = CAMCourse.upsampleBilinear.bound(
        reference: { try CAMSolutions.upsampleBilinear($0, height: $1, width: $2) },
        wrong: { id in { try CAMMistakes.upsampleBilinear(id, $0, height: $1, width: $2) } })
        .with(variants: CAMVariants.upsampleBilinear)

    public static let normalizedMaps = CAMCourse.normalizedMaps.bound(
        reference: { try CAMSolutions.normalizedMaps($0) },
        wrong: { id in { try CAMMistakes.normalizedMaps(id, $0) } })
        .with(variants: CAMVariants.normalizedMaps)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = CAMCourse.lesson.with(exercises: [classActivationMap.summary, upsampleBilinear.summary, normalizedMaps.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = CAMFigures.self
}
