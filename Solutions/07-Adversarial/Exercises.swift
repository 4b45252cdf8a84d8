// Lesson 07 — Adversarial examples: each exercise declared once (number, title, stub, reference,
// mistakes). The graders, `workbook verify`, `workbook grade` and the scoreboard all read these.

import LessonSupport
import TensorEngine

public enum AdversarialExercises {
    public static let fgsm = Exercise<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor>(
        "7.1", "The fast gradient sign method, untargeted", stub: "fgsm(of:images:labels:epsilon:)",
        reference: { try AdversarialSolutions.fgsm(of: $0, images: $1, labels: $2, epsilon: $3) },
        mistakes: AdversarialMistakes.FGSM.allCases,
        wrong: { id in { try AdversarialMistakes.fgsm(id, of: $0, images: $1, labels: $2, epsilon: $3) } })

    public static let targetedFGSM = Exercise<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor>(
        "7.2", "Targeted FGSM", stub: "targetedFGSM(of:images:targets:epsilon:)",
        reference: { try AdversarialSolutions.targetedFGSM(of: $0, images: $1, targets: $2, epsilon: $3) },
        mistakes: AdversarialMistakes.TargetedFGSM.allCases,
        wrong: { id in { try AdversarialMistakes.targetedFGSM(id, of: $0, images: $1, targets: $2, epsilon: $3) } })

    /// (model, images, labels, epsilon, stepSize, steps, randomStart, seed).
    public static let pgd = Exercise<@Sendable (Module, Tensor, [Int], Float, Float, Int, Bool, UInt64) throws -> Tensor>(
        "7.3", "Iterative FGSM / PGD in the L∞ ball", stub: "pgd(of:images:labels:epsilon:stepSize:steps:randomStart:seed:)",
        reference: { try AdversarialSolutions.pgd(of: $0, images: $1, labels: $2, epsilon: $3, stepSize: $4, steps: $5, randomStart: $6, seed: $7) },
        mistakes: AdversarialMistakes.PGD.allCases,
        wrong: { id in { try AdversarialMistakes.pgd(id, of: $0, images: $1, labels: $2, epsilon: $3, stepSize: $4, steps: $5, randomStart: $6, seed: $7) } })

    public static let accuracyUnderFGSM = Exercise<@Sendable (Module, Tensor, [Int], [Float], Int) throws -> [Double]>(
        "7.4", "Accuracy against ε", stub: "accuracyUnderFGSM(of:images:labels:epsilons:batchSize:)",
        reference: { try AdversarialSolutions.accuracyUnderFGSM(of: $0, images: $1, labels: $2, epsilons: $3, batchSize: $4) },
        mistakes: AdversarialMistakes.AccuracyUnderFGSM.allCases,
        wrong: { id in { try AdversarialMistakes.accuracyUnderFGSM(id, of: $0, images: $1, labels: $2, epsilons: $3, batchSize: $4) } })

    public static let lesson = LessonDeclaration(
        number: 7, folder: "07-Adversarial", title: "Adversarial examples",
        exercises: [fgsm.summary, targetedFGSM.summary, pgd.summary, accuracyUnderFGSM.summary],
        figures: AdversarialFigures.self)
}
