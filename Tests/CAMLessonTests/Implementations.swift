// The implementation each test grades: the student's (Lessons/04-CAM), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/04-CAM/Exercises.swift decides.

import Course
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

enum Graded {
    static func classActivationMap(of model: Module, images: Tensor, targets: [Int],
                                   featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
        try Exercises.classActivationMap.graded(student: CAMLesson.classActivationMap)(model, images, targets, featureLayer, classifier)
    }
    static func upsampleBilinear(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        try Exercises.upsampleBilinear.graded(student: CAMLesson.upsampleBilinear)(maps, height, width)
    }
    static func normalizedMaps(_ maps: Tensor) throws -> Tensor {
        try Exercises.normalizedMaps.graded(student: CAMLesson.normalizedMaps)(maps)
    }
}
