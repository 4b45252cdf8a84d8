// The implementation each test grades: the student's (Lessons/05-GradCAM), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/05-GradCAM/Exercises.swift decides.

import Course
import GradCAMLesson
#if canImport(GradCAMSolutions)
import GradCAMSolutions
#endif
import TensorEngine

#if canImport(GradCAMSolutions)
typealias Exercises = GradCAMExercises
#else
typealias Exercises = GradCAMCourse
#endif

enum Graded {
    static func activationsAndGradients(of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
        try Exercises.activationsAndGradients.graded(student: GradCAMLesson.activationsAndGradients)(model, layer, images, targets)
    }
    static func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        try Exercises.gradCAM.graded(student: GradCAMLesson.gradCAM)(model, images, targets, layer)
    }
    static func upsampledAndNormalized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        try Exercises.upsampledAndNormalized.graded(student: GradCAMLesson.upsampledAndNormalized)(maps, height, width)
    }
    static func gradCAMPlusPlus(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        try Exercises.gradCAMPlusPlus.graded(student: GradCAMLesson.gradCAMPlusPlus)(model, images, targets, layer)
    }
}
