// Lesson 07 — Adversarial: each exercise's declaration (Sources/Course/Lessons/07-Adversarial.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum AdversarialExercises {
    public static let fgsm = AdversarialCourse.fgsm.bound(
        reference: { try AdversarialSolutions.fgsm(of: $0, images: $1, labels: $2, epsilon: $3) },
        wrong: { id in { try AdversarialMistakes.fgsm(id, of: $0, images: $1, labels: $2, epsilon: $3) } })
        .with(variants: AdversarialVariants.fgsm)

    public static let targetedFGSM = AdversarialCourse.targetedFGSM.bound(
        reference: { try AdversarialSolutions.targetedFGSM(of: $0, images: $1, targets: $2, epsilon: $3) },
        wrong: { id in { try AdversarialMistakes.targetedFGSM(id, of: $0, images: $1, targets: $2, epsilon: $3) } })
        .with(variants: AdversarialVariants.targetedFGSM)

    public static let pgd = AdversarialCourse.pgd.bound(
        reference: { try AdversarialSolutions.pgd(of: $0, images: $1, labels: $2, epsilon: $3, stepSize: $4, steps: $5, randomStart: $6, seed: $7) },
        wrong: { id in { try AdversarialMistakes.pgd(id, of: $0, images: $1, labels: $2, epsilon: $3, stepSize: $4, steps: $5, randomStart: $6, seed: $7) } })
        .with(variants: AdversarialVariants.pgd)

    public static let accuracyUnderFGSM = AdversarialCourse.accuracyUnderFGSM.bound(
        reference: { try AdversarialSolutions.accuracyUnderFGSM(of: $0, images: $1, labels: $2, epsilons: $3, batchSize: $4) },
        wrong: { id in { try AdversarialMistakes.accuracyUnderFGSM(id, of: $0, images: $1, labels: $2, epsilons: $3, batchSize: $4) } })
        .with(variants: AdversarialVariants.accuracyUnderFGSM)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = AdversarialCourse.lesson.with(exercises: [fgsm.summary, targetedFGSM.summary, pgd.summary, accuracyUnderFGSM.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = AdversarialFigures.self
}
