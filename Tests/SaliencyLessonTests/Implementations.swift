// The implementation each test grades: the student's (Lessons/02-Saliency), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/02-Saliency/Exercises.swift decides.

import Course
import GradingWire
import LessonSupport
import SaliencyLesson
#if canImport(SaliencySolutions)
import SaliencySolutions
#endif
import TensorEngine

#if canImport(SaliencySolutions)
typealias Exercises = SaliencyExercises
#else
typealias Exercises = SaliencyCourse
#endif

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Saliency.swift`,
// the same selection) under the key "02/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func saliency(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        if let runner {
            return try runner.call("02/\(#function)", model, images, targets)
        }
        return try Exercises.saliency.graded(student: SaliencyLesson.saliency)(model, images, targets)
    }
    static func saliencyMagnitude(_ gradient: Tensor) throws -> Tensor {
        if let runner {
            return try runner.call("02/\(#function)", gradient)
        }
        return try Exercises.saliencyMagnitude.graded(student: SaliencyLesson.saliencyMagnitude)(gradient)
    }
    static func gradientTimesInput(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        if let runner {
            return try runner.call("02/\(#function)", model, images, targets)
        }
        return try Exercises.gradientTimesInput.graded(student: SaliencyLesson.gradientTimesInput)(model, images, targets)
    }
    static func smoothGrad(of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
        if let runner {
            return try runner.call("02/\(#function)", model, images, targets, samples, noiseLevel, seed)
        }
        return try Exercises.smoothGrad.graded(student: SaliencyLesson.smoothGrad)(model, images, targets, samples, noiseLevel, seed)
    }
    static func integrationPoints(_ method: IntegrationMethod, steps: Int) throws -> (alphas: [Double], weights: [Double]) {
        if let runner {
            let pair: WirePair<[Double], [Double]> = try runner.call("02/\(#function)", method, steps)
            return (pair.first, pair.second)
        }
        return try Exercises.integrationPoints.graded(student: SaliencyLesson.integrationPoints)(method, steps)
    }
    static func integratedGradients(of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                    steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
        if let runner {
            let pair: WirePair<Tensor, [Float]> = try runner.call("02/\(#function)", model, images, targets, baseline, steps, method)
            return (pair.first, pair.second)
        }
        return try Exercises.integratedGradients.graded(student: SaliencyLesson.integratedGradients)(model, images, targets, baseline, steps, method)
    }
}
