// Which implementation each test grades: the student's (Lessons/07-Adversarial), the reference
// (Solutions/07-Adversarial, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import AdversarialLesson
import AdversarialSolutions
import LessonSupport
import TensorEngine

let readme = "Lessons/07-Adversarial/README.md"

/// The implementation under test.
enum Graded {
    static func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
        switch WorkbookMode.implementation(for: "7.1") {
        case .student: return try AdversarialLesson.fgsm(of: model, images: images, labels: labels, epsilon: epsilon)
        case .reference: return try AdversarialSolutions.fgsm(of: model, images: images, labels: labels, epsilon: epsilon)
        case .mistake(let id): return try AdversarialMistakes.fgsm(id, of: model, images: images, labels: labels, epsilon: epsilon)
        }
    }

    static func targetedFGSM(of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
        switch WorkbookMode.implementation(for: "7.2") {
        case .student: return try AdversarialLesson.targetedFGSM(of: model, images: images, targets: targets, epsilon: epsilon)
        case .reference: return try AdversarialSolutions.targetedFGSM(of: model, images: images, targets: targets, epsilon: epsilon)
        case .mistake(let id): return try AdversarialMistakes.targetedFGSM(id, of: model, images: images, targets: targets, epsilon: epsilon)
        }
    }

    static func pgd(of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                    randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
        switch WorkbookMode.implementation(for: "7.3") {
        case .student:
            return try AdversarialLesson.pgd(of: model, images: images, labels: labels, epsilon: epsilon, stepSize: stepSize, steps: steps,
                                             randomStart: randomStart, seed: seed)
        case .reference:
            return try AdversarialSolutions.pgd(of: model, images: images, labels: labels, epsilon: epsilon, stepSize: stepSize, steps: steps,
                                                randomStart: randomStart, seed: seed)
        case .mistake(let id):
            return try AdversarialMistakes.pgd(id, of: model, images: images, labels: labels, epsilon: epsilon, stepSize: stepSize, steps: steps,
                                               randomStart: randomStart, seed: seed)
        }
    }

    static func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
        switch WorkbookMode.implementation(for: "7.4") {
        case .student: return try AdversarialLesson.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: epsilons, batchSize: batchSize)
        case .reference: return try AdversarialSolutions.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: epsilons, batchSize: batchSize)
        case .mistake(let id): return try AdversarialMistakes.accuracyUnderFGSM(id, of: model, images: images, labels: labels, epsilons: epsilons, batchSize: batchSize)
        }
    }
}

/// The reference, for comparison.
typealias Reference = AdversarialSolutions.AdversarialReference
