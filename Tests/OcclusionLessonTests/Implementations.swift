// Which implementation each test grades: the student's (Lessons/03-Occlusion), the reference
// (Solutions/03-Occlusion, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import LessonSupport
import OcclusionLesson
import OcclusionSolutions
import TensorEngine

let readme = "Lessons/03-Occlusion/README.md"

/// The implementation under test.
enum Graded {
    static func occlusionWindows(height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
        switch WorkbookMode.implementation(for: "3.1") {
        case .student: return try OcclusionLesson.occlusionWindows(height: height, width: width, window: window, stride: stride)
        case .reference: return try OcclusionSolutions.occlusionWindows(height: height, width: width, window: window, stride: stride)
        case .mistake(let id): return try OcclusionMistakes.occlusionWindows(id, height: height, width: width, window: window, stride: stride)
        }
    }

    static func occlusion(of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                          baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
        switch WorkbookMode.implementation(for: "3.2") {
        case .student:
            return try OcclusionLesson.occlusion(of: model, images: images, targets: targets, window: window, stride: stride,
                                                 baseline: baseline, batchSize: batchSize)
        case .reference:
            return try OcclusionSolutions.occlusion(of: model, images: images, targets: targets, window: window, stride: stride,
                                                    baseline: baseline, batchSize: batchSize)
        case .mistake(let id):
            return try OcclusionMistakes.occlusion(id, of: model, images: images, targets: targets, window: window, stride: stride,
                                                   baseline: baseline, batchSize: batchSize)
        }
    }
}

/// The reference, for comparison.
typealias Reference = OcclusionSolutions.OcclusionReference
