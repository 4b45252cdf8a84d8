// Lesson 02 — Saliency: each exercise's declaration (Sources/Course/Lessons/02-Saliency.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum SaliencyExercises {
    public static let saliency = SaliencyCourse.saliency.bound(
        reference: { try SaliencySolutions.saliency(of: $0, images: $1, targets: $2) },
        wrong: { id in { try SaliencyMistakes.saliency(id, of: $0, images: $1, targets: $2) } })
        .with(variants: SaliencyVariants.saliency)

    public static let saliencyMagnitude = SaliencyCourse.saliencyMagnitude.bound(
        reference: { try SaliencySolutions.saliencyMagnitude($0) },
        wrong: { id in { try SaliencyMistakes.saliencyMagnitude(id, $0) } })
        .with(variants: SaliencyVariants.saliencyMagnitude)

    public static let gradientTimesInput = SaliencyCourse.gradientTimesInput.bound(
        reference: { try SaliencySolutions.gradientTimesInput(of: $0, images: $1, targets: $2) },
        wrong: { id in { try SaliencyMistakes.gradientTimesInput(id, of: $0, images: $1, targets: $2) } })
        .with(variants: SaliencyVariants.gradientTimesInput)

    public static let smoothGrad = SaliencyCourse.smoothGrad.bound(
        reference: { try SaliencySolutions.smoothGrad(of: $0, images: $1, targets: $2, samples: $3, noiseLevel: $4, seed: $5) },
        wrong: { id in { try SaliencyMistakes.smoothGrad(id, of: $0, images: $1, targets: $2, samples: $3, noiseLevel: $4, seed: $5) } })
        .with(variants: SaliencyVariants.smoothGrad)

    public static let integrationPoints = SaliencyCourse.integrationPoints.bound(
        reference: { try SaliencySolutions.integrationPoints($0, steps: $1) },
        wrong: { id in { try SaliencyMistakes.integrationPoints(id, $0, steps: $1) } })
        .with(variants: SaliencyVariants.integrationPoints)

    public static let integratedGradients = SaliencyCourse.integratedGradients.bound(
        reference: { try SaliencySolutions.integratedGradients(of: $0, images: $1, targets: $2, baseline: $3, steps: $4, method: $5) },
        wrong: { id in { try SaliencyMistakes.integratedGradients(id, of: $0, images: $1, targets: $2, baseline: $3, steps: $4, method: $5) } })
        .with(variants: SaliencyVariants.integratedGradients)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = SaliencyCourse.lesson.with(exercises: [saliency.summary, saliencyMagnitude.summary, gradientTimesInput.summary, smoothGrad.summary, integrationPoints.summary, integratedGradients.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = SaliencyFigures.self
}
