// The implementation each test grades: the student's (Lessons/02-Saliency), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/02-Saliency/Exercises.swift decides.

import Course
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

enum Graded {
    static func saliency(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try Exercises.saliency.graded(student: SaliencyLesson.saliency)(model, images, targets)
    }
    static func saliencyMagnitude(_ gradient: Tensor) throws -> Tensor {
        try Exercises.saliencyMagnitude.graded(student: SaliencyLesson.saliencyMagnitude)(gradient)
    }
    static func gradientTimesInput(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try Exercises.gradientTimesInput.graded(student: SaliencyLesson.gradientTimesInput)(model, images, targets)
    }
    static func smoothGrad(of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
        try Exercises.smoothGrad.graded(student: SaliencyLesson.smoothGrad)(model, images, targets, samples, noiseLevel, seed)
    }
    static func integrationPoints(_ method: IntegrationMethod, steps: Int) throws -> (alphas: [Double], weights: [Double]) {
        try Exercises.integrationPoints.graded(student: SaliencyLesson.integrationPoints)(method, steps)
    }
    static func integratedGradients(of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                    steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
        try Exercises.integratedGradients.graded(student: SaliencyLesson.integratedGradients)(model, images, targets, baseline, steps, method)
    }
}
