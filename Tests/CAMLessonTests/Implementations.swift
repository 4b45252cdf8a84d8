// The implementation each test grades: the student's (Lessons/04-CAM), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/04-CAM/Exercises.swift decides.

import Course
import GradingWire
import CAMLesson
#if canImport(CAMSolutions)
import CAMSolutions
#endif
import TensorEngine

#if canImport(CAMSolutions)
typealias Exercises = CAMExercises
#else
typealias Exercises = CAMCourse
#endif

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/CAM.swift`,
// the same selection) under the key "04/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func classActivationMap(of model: Module, images: Tensor, targets: [Int],
                                   featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
        if let runner {
            return try runner.call("04/\(#function)", model, images, targets, featureLayer, classifier)
        }
        return try Exercises.classActivationMap.graded(student: CAMLesson.classActivationMap)(model, images, targets, featureLayer, classifier)
    }
    static func upsampleBilinear(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        if let runner {
            return try runner.call("04/\(#function)", maps, height, width)
        }
        return try Exercises.upsampleBilinear.graded(student: CAMLesson.upsampleBilinear)(maps, height, width)
    }
    static func normalizedMaps(_ maps: Tensor) throws -> Tensor {
        if let runner {
            return try runner.call("04/\(#function)", maps)
        }
        return try Exercises.normalizedMaps.graded(student: CAMLesson.normalizedMaps)(maps)
    }
}
