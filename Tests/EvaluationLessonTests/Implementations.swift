// The implementation each test grades: the student's (Lessons/10-Evaluation), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/10-Evaluation/Exercises.swift decides.

import Course
import GradingWire
import EvaluationLesson
#if canImport(EvaluationSolutions)
import EvaluationSolutions
#endif
import LessonSupport
import TensorEngine

#if canImport(EvaluationSolutions)
typealias Exercises = EvaluationExercises
#else
typealias Exercises = EvaluationCourse
#endif

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Evaluation.swift`,
// the same selection) under the key "10/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func perturbationCurve(of model: Module, from start: Tensor, to end: Tensor, attributions: Tensor, targets: [Int], pixelsPerStep: Int) throws -> Tensor {
        if let runner {
            return try runner.call("10/\(#function)", model, start, end, attributions, targets, pixelsPerStep)
        }
        return try Exercises.perturbationCurve.graded(student: EvaluationLesson.perturbationCurve)(model, start, end, attributions, targets, pixelsPerStep)
    }
    static func areaUnderCurve(_ curves: Tensor) throws -> [Float] {
        if let runner {
            return try runner.call("10/\(#function)", curves)
        }
        return try Exercises.areaUnderCurve.graded(student: EvaluationLesson.areaUnderCurve)(curves)
    }
    static func pointingGame(attributions: Tensor, masks: Tensor, tolerance: Int = 0) throws -> [Float] {
        if let runner {
            return try runner.call("10/\(#function)", attributions, masks, tolerance)
        }
        return try Exercises.pointingGame.graded(student: EvaluationLesson.pointingGame)(attributions, masks, tolerance)
    }
    static func relevanceMass(attributions: Tensor, masks: Tensor) throws -> [Float] {
        if let runner {
            return try runner.call("10/\(#function)", attributions, masks)
        }
        return try Exercises.relevanceMass.graded(student: EvaluationLesson.relevanceMass)(attributions, masks)
    }
    static func relevanceRankAccuracy(attributions: Tensor, masks: Tensor) throws -> [Float] {
        if let runner {
            return try runner.call("10/\(#function)", attributions, masks)
        }
        return try Exercises.relevanceRankAccuracy.graded(student: EvaluationLesson.relevanceRankAccuracy)(attributions, masks)
    }
    static func decoyShare(attributions: Tensor, corners: [Int]) throws -> [Float] {
        if let runner {
            return try runner.call("10/\(#function)", attributions, corners)
        }
        return try Exercises.decoyShare.graded(student: EvaluationLesson.decoyShare)(attributions, corners)
    }
    static func ablationCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        if let runner {
            return try runner.call("10/\(#function)", model, images, targets, layer)
        }
        return try Exercises.ablationCAM.graded(student: EvaluationLesson.ablationCAM)(model, images, targets, layer)
    }
    static func scoreCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        if let runner {
            return try runner.call("10/\(#function)", model, images, targets, layer)
        }
        return try Exercises.scoreCAM.graded(student: EvaluationLesson.scoreCAM)(model, images, targets, layer)
    }
    static func linearImputation(of images: Tensor, keeping keep: Tensor) throws -> Tensor {
        if let runner {
            return try runner.call("10/\(#function)", images, keep)
        }
        return try Exercises.linearImputation.graded(student: EvaluationLesson.linearImputation)(images, keep)
    }
    static func roadScores(of model: Module, images: Tensor, attributions: Tensor, targets: [Int], percentile: Int,
                           order: RemovalOrder, noise: Tensor? = nil) throws -> [Float] {
        if let runner {
            return try runner.call("10/\(#function)", model, images, attributions, targets, percentile, order, noise ?? Tensor.zeros(images.shape))
        }
        return try Exercises.roadScores.graded(student: EvaluationLesson.roadScores)(model, images, attributions, targets, percentile, order,
                                                                              noise ?? Tensor.zeros(images.shape))
    }
}
