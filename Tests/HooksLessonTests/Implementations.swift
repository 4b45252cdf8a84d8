// The implementation each test grades: the student's (Lessons/01-Hooks), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/01-Hooks/Exercises.swift decides.

import Course
import HooksLesson
#if canImport(HooksSolutions)
import HooksSolutions
#endif
import TensorEngine

#if canImport(HooksSolutions)
typealias Exercises = HooksExercises
#else
typealias Exercises = HooksCourse
#endif

enum Graded {
    static func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        try Exercises.activations.graded(student: HooksLesson.activations)(model, layer, images)
    }
    static func gradient(of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
        try Exercises.gradient.graded(student: HooksLesson.gradient)(model, layer, images, targets)
    }
    static func convolutionActivations(of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
        try Exercises.convolutionActivations.graded(student: HooksLesson.convolutionActivations)(model, images)
    }
    static func confidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        try Exercises.confidence.graded(student: HooksLesson.confidence)(model, images)
    }
}

