// The mistake catalogue of Lesson 03: plausible wrong answers, each of which must fail at least
// one test of its exercise (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum OcclusionMistakes {
    public static let catalogue = [
        Mistake(exercise: "3.1", id: "floor-count", summary: "⌊(D − w)/s⌋ + 1 positions: the last, cropped window is missing"),
        Mistake(exercise: "3.1", id: "shifted-last-window", summary: "moves the last window back inside the image instead of cropping it"),
        Mistake(exercise: "3.1", id: "column-major", summary: "lists the windows column by column"),
        Mistake(exercise: "3.2", id: "occluded-minus-original", summary: "F(x with the window occluded) − F(x): the sign is flipped"),
        Mistake(exercise: "3.2", id: "sum-over-windows", summary: "sums the drops over the covering windows instead of averaging them"),
        Mistake(exercise: "3.2", id: "softmax-score", summary: "uses the softmax probability instead of the raw logit"),
        Mistake(exercise: "3.2", id: "ignores-baseline", summary: "always fills the window with 0, whatever the baseline"),
    ]

    // MARK: 3.1

    public static func occlusionWindows(_ id: String, height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
        try checkWindowSizes(height: height, width: width, window: window, stride: stride)
        func offsets(_ length: Int) -> [Int] {
            switch id {
            case "floor-count":
                return (0..<((length - window) / stride + 1)).map { $0 * stride }
            case "shifted-last-window":
                return windowOffsets(length: length, window: window, stride: stride).map { min($0, length - window) }
            default:
                return windowOffsets(length: length, window: window, stride: stride)
            }
        }
        let rows = offsets(height), columns = offsets(width)
        if id == "column-major" {
            return columns.flatMap { c in rows.map { r in (rows: r..<min(r + window, height), columns: c..<min(c + window, width)) } }
        }
        return rows.flatMap { r in columns.map { c in (rows: r..<min(r + window, height), columns: c..<min(c + window, width)) } }
    }

    // MARK: 3.2

    public static func occlusion(_ id: String, of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                                 baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
        guard images.rank == 4 else {
            throw TensorError.invalidArgument(operation: "occlusion", message: "images must be [N, C, H, W], got \(images.shape)")
        }
        let windows = try OcclusionSolutions.occlusionWindows(height: images.shape[2], width: images.shape[3], window: window, stride: stride)
        var variant = OcclusionVariant()
        switch id {
        case "occluded-minus-original": variant.occludedMinusOriginal = true
        case "sum-over-windows": variant.sumOverWindows = true
        case "softmax-score": variant.softmaxScore = true
        case "ignores-baseline": variant.ignoresBaseline = true
        default: break
        }
        return try occlusionMap(of: model, images: images, targets: targets, windows: windows, baseline: baseline,
                                batchSize: batchSize, variant: variant)
    }
}
