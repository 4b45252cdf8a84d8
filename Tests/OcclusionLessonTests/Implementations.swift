// The implementation each test grades: the student's (Lessons/03-Occlusion), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/03-Occlusion/Exercises.swift decides.

import Course
import GradingWire
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

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Occlusion.swift`,
// the same selection) under the key "03/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func occlusionWindows(height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
        if let runner {
            let pairs: [WirePair<Range<Int>, Range<Int>>] = try runner.call("03/\(#function)", height, width, window, stride)
            return pairs.map { ($0.first, $0.second) }
        }
        return try Exercises.occlusionWindows.graded(student: OcclusionLesson.occlusionWindows)(height, width, window, stride)
    }
    static func occlusion(of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                          baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
        if let runner {
            return try runner.call("03/\(#function)", model, images, targets, window, stride, baseline, batchSize)
        }
        return try Exercises.occlusion.graded(student: OcclusionLesson.occlusion)(model, images, targets, window, stride, baseline, batchSize)
    }
}
