// The implementation each test grades: the student's (Lessons/01-Hooks), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/01-Hooks/Exercises.swift decides.

import Course
import GradingWire
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

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Hooks.swift`,
// the same selection) under the key "01/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        if let runner { return try runner.call("01/\(#function)", model, layer, images) }
        return try Exercises.activations.graded(student: HooksLesson.activations)(model, layer, images)
    }
    static func gradient(of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
        if let runner { return try runner.call("01/\(#function)", model, layer, images, targets) }
        return try Exercises.gradient.graded(student: HooksLesson.gradient)(model, layer, images, targets)
    }
    static func convolutionActivations(of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
        if let runner {
            let pairs: [WirePair<String, Tensor>] = try runner.call("01/\(#function)", model, images)
            return pairs.map { ($0.first, $0.second) }
        }
        return try Exercises.convolutionActivations.graded(student: HooksLesson.convolutionActivations)(model, images)
    }
    static func confidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        if let runner {
            let pairs: [WirePair<Int, Float>] = try runner.call("01/\(#function)", model, images)
            return pairs.map { ($0.first, $0.second) }
        }
        return try Exercises.confidence.graded(student: HooksLesson.confidence)(model, images)
    }
}

