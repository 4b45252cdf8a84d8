// Lesson 10 — Are the explanations right? Each exercise's declaration (Sources/Course/Lessons/10-Evaluation.swift) bound to its
// reference, its mistakes' code and its correct variants. The graders, `workbook verify`, `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum EvaluationExercises {
    public static let perturbationCurve = EvaluationCourse.perturbationCurve.bound(
        reference: { try EvaluationSolutions.perturbationCurve(of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5) },
        wrong: { id in { try EvaluationMistakes.perturbationCurve(id, of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5) } })
        .with(variants: EvaluationVariants.perturbationCurve)

    public static let areaUnderCurve = EvaluationCourse.areaUnderCurve.bound(
        reference: { try EvaluationSolutions.areaUnderCurve($0) },
        wrong: { id in { try EvaluationMistakes.areaUnderCurve(id, $0) } })
        .with(variants: EvaluationVariants.areaUnderCurve)

    public static let pointingGame = EvaluationCourse.pointingGame.bound(
        reference: { try EvaluationSolutions.pointingGame(attributions: $0, masks: $1, tolerance: $2) },
        wrong: { id in { try EvaluationMistakes.pointingGame(id, attributions: $0, masks: $1, tolerance: $2) } })
        .with(variants: EvaluationVariants.pointingGame)

    public static let relevanceMass = EvaluationCourse.relevanceMass.bound(
        reference: { try EvaluationSolutions.relevanceMass(attributions: $0, masks: $1) },
        wrong: { id in { try EvaluationMistakes.relevanceMass(id, attributions: $0, masks: $1) } })
        .with(variants: EvaluationVariants.relevanceMass)

    public static let relevanceRankAccuracy = EvaluationCourse.relevanceRankAccuracy.bound(
        reference: { try EvaluationSolutions.relevanceRankAccuracy(attributions: $0, masks: $1) },
        wrong: { id in { try EvaluationMistakes.relevanceRankAccuracy(id, attributions: $0, masks: $1) } })
        .with(variants: EvaluationVariants.relevanceRankAccuracy)

    public static let decoyShare = EvaluationCourse.decoyShare.bound(
        reference: { try EvaluationSolutions.decoyShare(attributions: $0, corners: $1) },
        wrong: { id in { try EvaluationMistakes.decoyShare(id, attributions: $0, corners: $1) } })
        .with(variants: EvaluationVariants.decoyShare)

    public static let ablationCAM = EvaluationCourse.ablationCAM.bound(
        reference: { try EvaluationSolutions.ablationCAM(of: $0, images: $1, targets: $2, layer: $3) },
        wrong: { id in { try EvaluationMistakes.ablationCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })
        .with(variants: EvaluationVariants.ablationCAM)

    public static let scoreCAM = EvaluationCourse.scoreCAM.bound(
        reference: { try EvaluationSolutions.scoreCAM(of: $0, images: $1, targets: $2, layer: $3) },
        wrong: { id in { try EvaluationMistakes.scoreCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })
        .with(variants: EvaluationVariants.scoreCAM)

    public static let linearImputation = EvaluationCourse.linearImputation.bound(
        reference: { try EvaluationSolutions.linearImputation(of: $0, keeping: $1) },
        wrong: { id in { try EvaluationMistakes.linearImputation(id, of: $0, keeping: $1) } })
        .with(variants: EvaluationVariants.linearImputation)

    public static let roadScores = EvaluationCourse.roadScores.bound(
        reference: { try EvaluationSolutions.roadScores(of: $0, images: $1, attributions: $2, targets: $3, percentile: $4, order: $5, noise: $6) },
        wrong: { id in { try EvaluationMistakes.roadScores(id, of: $0, images: $1, attributions: $2, targets: $3, percentile: $4, order: $5, noise: $6) } })
        .with(variants: EvaluationVariants.roadScores)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = EvaluationCourse.lesson.with(exercises: [perturbationCurve.summary, areaUnderCurve.summary, pointingGame.summary, relevanceMass.summary, relevanceRankAccuracy.summary, decoyShare.summary, ablationCAM.summary, scoreCAM.summary, linearImputation.summary, roadScores.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = EvaluationFigures.self
}
