// The mistake catalogue of Lesson 03: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise (`swift run workbook verify` checks it). Never shown
// to students.

import LessonSupport
import TensorEngine

public enum OcclusionMistakes {
    // MARK: 3.1

    public enum OcclusionWindows: String, MistakeKind {
        case floorCount = "floor-count", shiftedLastWindow = "shifted-last-window", columnMajor = "column-major"
        public var summary: String {
            switch self {
            case .floorCount: "⌊(D − w)/s⌋ + 1 positions: the last, cropped window is missing"
            case .shiftedLastWindow: "moves the last window back inside the image instead of cropping it"
            case .columnMajor: "lists the windows column by column"
            }
        }
    }

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

    public enum Occlusion: String, MistakeKind {
        case occludedMinusOriginal = "occluded-minus-original", sumOverWindows = "sum-over-windows"
        case softmaxScore = "softmax-score", ignoresBaseline = "ignores-baseline"
        case firstChannelOnly = "first-channel-only"
        public var summary: String {
            switch self {
            case .occludedMinusOriginal: "F(x with the window occluded) − F(x): the sign is flipped"
            case .sumOverWindows: "sums the drops over the covering windows instead of averaging them"
            case .softmaxScore: "uses the softmax probability instead of the raw logit"
            case .ignoresBaseline: "always fills the window with 0, whatever the baseline"
            case .firstChannelOnly: "occludes channel 0 only (written for gray images): a colour image keeps green and blue under the patch"
            }
        }
    }

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
