// The implementation each test grades: the student's (Lessons/05-GradCAM), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/05-GradCAM/Exercises.swift decides.

import Course
import GradingWire
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

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/GradCAM.swift`,
// the same selection) under the key "05/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func activationsAndGradients(of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
        if let runner {
            let pair: WirePair<Tensor, Tensor> = try runner.call("05/\(#function)", model, layer, images, targets)
            return (pair.first, pair.second)
        }
        return try Exercises.activationsAndGradients.graded(student: GradCAMLesson.activationsAndGradients)(model, layer, images, targets)
    }
    static func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        if let runner {
            return try runner.call("05/\(#function)", model, images, targets, layer)
        }
        return try Exercises.gradCAM.graded(student: GradCAMLesson.gradCAM)(model, images, targets, layer)
    }
    static func upsampledAndNormalized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        if let runner {
            return try runner.call("05/\(#function)", maps, height, width)
        }
        return try Exercises.upsampledAndNormalized.graded(student: GradCAMLesson.upsampledAndNormalized)(maps, height, width)
    }
    static func gradCAMPlusPlus(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        if let runner {
            return try runner.call("05/\(#function)", model, images, targets, layer)
        }
        return try Exercises.gradCAMPlusPlus.graded(student: GradCAMLesson.gradCAMPlusPlus)(model, images, targets, layer)
    }
}
