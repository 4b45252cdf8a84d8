// The implementation each test grades: the student's (Lessons/06-GuidedBackprop), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/06-GuidedBackprop/Exercises.swift decides.

import Course
import GradingWire
import GuidedBackpropLesson
#if canImport(GuidedBackpropSolutions)
import GuidedBackpropSolutions
#endif
import TensorEngine

#if canImport(GuidedBackpropSolutions)
typealias Exercises = GuidedBackpropExercises
#else
typealias Exercises = GuidedBackpropCourse
#endif

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/GuidedBackprop.swift`,
// the same selection) under the key "06/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func guidedBackprop(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        if let runner {
            return try runner.call("06/\(#function)", model, images, targets)
        }
        return try Exercises.guidedBackprop.graded(student: GuidedBackpropLesson.guidedBackprop)(model, images, targets)
    }
    static func deconvnet(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        if let runner {
            return try runner.call("06/\(#function)", model, images, targets)
        }
        return try Exercises.deconvnet.graded(student: GuidedBackpropLesson.deconvnet)(model, images, targets)
    }
    static func guidedGradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        if let runner {
            return try runner.call("06/\(#function)", model, images, targets, layer)
        }
        return try Exercises.guidedGradCAM.graded(student: GuidedBackpropLesson.guidedGradCAM)(model, images, targets, layer)
    }
    static func rankCorrelation(_ a: [Float], _ b: [Float]) throws -> Double {
        if let runner {
            return try runner.call("06/\(#function)", a, b)
        }
        return try Exercises.rankCorrelation.graded(student: GuidedBackpropLesson.rankCorrelation)(a, b)
    }
}
