// The mistake catalogue of Lesson 03: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise (`swift run workbook verify` checks it). Never shown
// to students.

import Course
import LessonSupport
import TensorEngine

public enum OcclusionMistakes {
    // MARK: 3.1

    public typealias OcclusionWindows = OcclusionCourse.OcclusionWindows

    public static func occlusionWindows(_ id: OcclusionWindows, height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
        try checkWindowSizes(height: height, width: width, window: window, stride: stride)
        func offsets(_ length: Int) -> [Int] {
            switch id {
            case .floorCount:
                return (0..<((length - window) / stride + 1)).map { $0 * stride }
            case .shiftedLastWindow:
                return windowOffsets(length: length, window: window, stride: stride).map { min($0, length - window) }
            case .columnMajor:
                return windowOffsets(length: length, window: window, stride: stride)
            }
        }
        let rows = offsets(height), columns = offsets(width)
        func span(_ r: Int, _ c: Int) -> (rows: Range<Int>, columns: Range<Int>) {
            (rows: r..<min(r + window, height), columns: c..<min(c + window, width))
        }
        switch id {
        case .columnMajor:
            return columns.flatMap { c in rows.map { r in span(r, c) } }
        case .floorCount, .shiftedLastWindow:
            return rows.flatMap { r in columns.map { c in span(r, c) } }
        }
    }

    // MARK: 3.2

    public typealias Occlusion = OcclusionCourse.Occlusion

    public static func occlusion(_ id: Occlusion, of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                                 baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
        guard images.rank == 4 else {
            throw TensorError.invalidArgument(operation: "occlusion", message: "images must be [N, C, H, W], got \(images.shape)")
        }
        let windows = try OcclusionSolutions.occlusionWindows(height: images.shape[2], width: images.shape[3], window: window, stride: stride)
        var variant = OcclusionVariant()
        switch id {
        case .occludedMinusOriginal: variant.occludedMinusOriginal = true
        case .sumOverWindows: variant.sumOverWindows = true
        case .softmaxScore: variant.softmaxScore = true
        case .ignoresBaseline: variant.ignoresBaseline = true
        case .firstChannelOnly: variant.firstChannelOnly = true
        }
        return try occlusionMap(of: model, images: images, targets: targets, windows: windows, baseline: baseline,
                                batchSize: batchSize, variant: variant)
    }
}
