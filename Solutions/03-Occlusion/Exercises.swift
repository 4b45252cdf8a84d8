// Lesson 03 — Occlusion: each exercise's declaration (Sources/Course/Lessons/03-Occlusion.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum OcclusionExercises {
    public static let occlusionWindows = OcclusionCourse.occlusionWindows.bound(
        reference: { try OcclusionSolutions.occlusionWindows(height: $0, width: $1, window: $2, stride: $3) },
        wrong: { id in { try OcclusionMistakes.occlusionWindows(id, height: $0, width: $1, window: $2, stride: $3) } })
        .with(variants: OcclusionVariants.occlusionWindows)

    public static let occlusion = OcclusionCourse.occlusion.bound(
        reference: { try OcclusionSolutions.occlusion(of: $0, images: $1, targets: $2, window: $3, stride: $4, baseline: $5, batchSize: $6) },
        wrong: { id in { try OcclusionMistakes.occlusion(id, of: $0, images: $1, targets: $2, window: $3, stride: $4, baseline: $5, batchSize: $6) } })
        .with(variants: OcclusionVariants.occlusion)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = OcclusionCourse.lesson.with(exercises: [occlusionWindows.summary, occlusion.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = OcclusionFigures.self
}
