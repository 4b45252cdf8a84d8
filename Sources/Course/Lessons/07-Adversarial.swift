// Lesson 07 — Adversarial: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/07-Adversarial/Exercises.swift.

import LessonSupport
import TensorEngine

public enum AdversarialCourse {
    public static let fgsm = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor, FGSM>(
        "7.1", "The fast gradient sign method, untargeted", stub: "fgsm(of:images:labels:epsilon:)")

    public static let targetedFGSM = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor, TargetedFGSM>(
        "7.2", "Targeted FGSM", stub: "targetedFGSM(of:images:targets:epsilon:)")

    public static let pgd = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], Float, Float, Int, Bool, UInt64) throws -> Tensor, PGD>(
        "7.3", "Iterative FGSM / PGD in the L∞ ball", stub: "pgd(of:images:labels:epsilon:stepSize:steps:randomStart:seed:)")

    public static let accuracyUnderFGSM = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], [Float], Int) throws -> [Double], AccuracyUnderFGSM>(
        "7.4", "Accuracy against ε", stub: "accuracyUnderFGSM(of:images:labels:epsilons:batchSize:)")

    public static let lesson = LessonDeclaration(
        number: 7, folder: "07-Adversarial", title: "Adversarial examples",
        exercises: [fgsm.summary, targetedFGSM.summary, pgd.summary, accuracyUnderFGSM.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/07-Adversarial/Mistakes.swift)

    public enum FGSM: String, MistakeKind {
        case minusSign = "minus-sign", noClamp = "no-clamp", rawGradient = "raw-gradient"
        public var summary: String {
            switch self {
            case .minusSign: "x − ε·sign(∇ₓ loss): lowers the loss instead of raising it"
            case .noClamp: "forgets to clamp the result to [0, 1]"
            case .rawGradient: "x + ε·∇ₓ loss without the sign"
            }
        }
    }

    public enum TargetedFGSM: String, MistakeKind {
        case plusSign = "plus-sign", noClamp = "no-clamp"
        public var summary: String {
            switch self {
            case .plusSign: "x + ε·sign(∇ₓ CE(f(x), t)): moves away from the target"
            case .noClamp: "forgets to clamp the result to [0, 1]"
            }
        }
    }

    public enum PGD: String, MistakeKind {
        case noProjection = "no-projection", l2Projection = "l2-projection", fixedGradient = "fixed-gradient"
        public var summary: String {
            switch self {
            case .noProjection: "clamps to [0, 1] but never projects back onto the ε-ball"
            case .l2Projection: "projects the perturbation onto the L2 ball of radius ε instead of the L∞ box"
            case .fixedGradient: "reuses the gradient of the clean image at every step"
            }
        }
    }

    public enum AccuracyUnderFGSM: String, MistakeKind {
        case cleanImages = "clean-images", lastBatchOnly = "last-batch-only"
        public var summary: String {
            switch self {
            case .cleanImages: "evaluates the clean images instead of the attacked ones"
            case .lastBatchOnly: "divides the correct count of the last batch only by the number of images"
            }
        }
    }
}
