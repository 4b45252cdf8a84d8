// The implementation each test grades: the student's (Lessons/03-Occlusion), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/03-Occlusion/Exercises.swift decides.

import Course
import OcclusionLesson
#if canImport(OcclusionSolutions)
import OcclusionSolutions
#endif
import TensorEngine

#if canImport(OcclusionSolutions)
typealias Exercises = OcclusionExercises
#else
typealias Exercises = OcclusionCourse
#endif

enum Graded {
    static func occlusionWindows(height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
        try Exercises.occlusionWindows.graded(student: OcclusionLesson.occlusionWindows)(height, width, window, stride)
    }
    static func occlusion(of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                          baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
        try Exercises.occlusion.graded(student: OcclusionLesson.occlusion)(model, images, targets, window, stride, baseline, batchSize)
    }
}
