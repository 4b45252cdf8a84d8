// The implementation each test grades: the student's (Lessons/07-Adversarial), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/07-Adversarial/Exercises.swift decides.

import Course
import AdversarialLesson
#if canImport(AdversarialSolutions)
import AdversarialSolutions
#endif
import TensorEngine

#if canImport(AdversarialSolutions)
typealias Exercises = AdversarialExercises
#else
typealias Exercises = AdversarialCourse
#endif

enum Graded {
    static func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
        try Exercises.fgsm.graded(student: AdversarialLesson.fgsm)(model, images, labels, epsilon)
    }
    static func targetedFGSM(of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
        try Exercises.targetedFGSM.graded(student: AdversarialLesson.targetedFGSM)(model, images, targets, epsilon)
    }
    static func pgd(of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                    randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
        try Exercises.pgd.graded(student: AdversarialLesson.pgd)(model, images, labels, epsilon, stepSize, steps, randomStart, seed)
    }
    static func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
        try Exercises.accuracyUnderFGSM.graded(student: AdversarialLesson.accuracyUnderFGSM)(model, images, labels, epsilons, batchSize)
    }
}
