// The implementation each test grades: the student's (Lessons/07-Adversarial), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/07-Adversarial/Exercises.swift decides.

import Course
import GradingWire
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

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Adversarial.swift`,
// the same selection) under the key "07/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
        if let runner {
            return try runner.call("07/\(#function)", model, images, labels, epsilon)
        }
        return try Exercises.fgsm.graded(student: AdversarialLesson.fgsm)(model, images, labels, epsilon)
    }
    static func targetedFGSM(of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
        if let runner {
            return try runner.call("07/\(#function)", model, images, targets, epsilon)
        }
        return try Exercises.targetedFGSM.graded(student: AdversarialLesson.targetedFGSM)(model, images, targets, epsilon)
    }
    static func pgd(of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                    randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
        if let runner {
            return try runner.call("07/\(#function)", model, images, labels, epsilon, stepSize, steps, randomStart, seed)
        }
        return try Exercises.pgd.graded(student: AdversarialLesson.pgd)(model, images, labels, epsilon, stepSize, steps, randomStart, seed)
    }
    static func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
        if let runner {
            return try runner.call("07/\(#function)", model, images, labels, epsilons, batchSize)
        }
        return try Exercises.accuracyUnderFGSM.graded(student: AdversarialLesson.accuracyUnderFGSM)(model, images, labels, epsilons, batchSize)
    }
}
