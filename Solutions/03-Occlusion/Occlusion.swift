// Reference solutions of Lesson 03 — Occlusion. Same API as Lessons/03-Occlusion/Occlusion.swift.

import TensorEngine

/// Exercise 3.1 (reference).
public func occlusionWindows(height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
    try checkWindowSizes(height: height, width: width, window: window, stride: stride)
    let rows = windowOffsets(length: height, window: window, stride: stride)
    let columns = windowOffsets(length: width, window: window, stride: stride)
    return rows.flatMap { r in
        columns.map { c in (rows: r..<min(r + window, height), columns: c..<min(c + window, width)) }
    }
}

/// The offsets 0, s, 2s, … of the ⌈(D − w)/s⌉ + 1 window positions along an axis of length D.
func windowOffsets(length: Int, window: Int, stride: Int) -> [Int] {
    let positions = (length - window + stride - 1) / stride + 1      // ⌈(D − w)/s⌉ + 1 for D ≥ w
    return (0..<positions).map { $0 * stride }
}

func checkWindowSizes(height: Int, width: Int, window: Int, stride: Int) throws {
    guard height >= 1, width >= 1, window >= 1, stride >= 1 else {
        throw TensorError.invalidArgument(operation: "occlusionWindows",
                                          message: "sizes must be positive: image \(height)×\(width), window \(window), stride \(stride)")
    }
    guard window <= height, window <= width else {
        throw TensorError.invalidArgument(operation: "occlusionWindows",
                                          message: "a \(window)×\(window) window does not fit in a \(height)×\(width) image")
    }
}

/// Exercise 3.2 (reference).
public func occlusion(of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                      baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: "occlusion", message: "images must be [N, C, H, W], got \(images.shape)")
    }
    let windows = try occlusionWindows(height: images.shape[2], width: images.shape[3], window: window, stride: stride)
    return try occlusionMap(of: model, images: images, targets: targets, windows: windows, baseline: baseline,
                            batchSize: batchSize, variant: OcclusionVariant())
}

/// The ways the mistake catalogue departs from the reference computation.
struct OcclusionVariant {
    var occludedMinusOriginal = false
    var sumOverWindows = false
    var softmaxScore = false
    var ignoresBaseline = false
    var firstChannelOnly = false
}

/// Occlusion for given windows: every occluded copy of every image, through the network in
/// chunks of `batchSize`; then each window's score drop, added into the pixels it covers and
/// divided by the number of windows covering each pixel (captum's `Occlusion`).
func occlusionMap(of model: Module, images: Tensor, targets: [Int], windows: [(rows: Range<Int>, columns: Range<Int>)],
                  baseline: Float, batchSize: Int, variant: OcclusionVariant) throws -> Tensor {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: "occlusion", message: "images must be [N, C, H, W], got \(images.shape)")
    }
    let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    guard targets.count == count else {
        throw TensorError.shapeMismatch(operation: "occlusion", lhs: [targets.count], rhs: images.shape, detail: "one target per image")
    }
    guard batchSize >= 1 else {
        throw TensorError.invalidArgument(operation: "occlusion", message: "batchSize must be at least 1, got \(batchSize)")
    }
    let area = height * width, plane = channels * area
    let fill = variant.ignoresBaseline ? 0 : baseline

    return try withNoGrad {
        func scores(_ x: Tensor) throws -> Tensor {
            let logits = try model(x)
            return variant.softmaxScore ? try logits.softmax() : logits
        }
        let original = try scores(images)
        guard original.rank == 2, original.shape[0] == count else {
            throw TensorError.invalidArgument(operation: "occlusion", message: "the model must return [N, classes], got \(original.shape)")
        }
        let classes = original.shape[1]
        if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
            throw TensorError.invalidArgument(operation: "occlusion", message: "target \(bad) outside 0..<\(classes)")
        }

        // drops[n · K + k] = F(xₙ) − F(xₙ with window k occluded), evaluated in chunks.
        let total = count * windows.count
        var drops = [Float](repeating: 0, count: total)
        var start = 0
        while start < total {
            let end = min(start + batchSize, total)
            var chunk = [Float]()
            chunk.reserveCapacity((end - start) * plane)
            for j in start..<end {
                let (n, k) = j.quotientAndRemainder(dividingBy: windows.count)
                var copy = Array(images.data[(n * plane)..<((n + 1) * plane)])
                for c in 0..<(variant.firstChannelOnly ? 1 : channels) {
                    for r in windows[k].rows {
                        for col in windows[k].columns { copy[c * area + r * width + col] = fill }
                    }
                }
                chunk += copy
            }
            let occluded = try scores(Tensor(shape: [end - start, channels, height, width], data: chunk))
            for j in start..<end {
                let n = j / windows.count
                let before = original.data[n * classes + targets[n]]
                let after = occluded.data[(j - start) * classes + targets[n]]
                drops[j] = variant.occludedMinusOriginal ? after - before : before - after
            }
            start = end
        }

        // Sum each window's drop into its pixels, count the windows covering each pixel.
        var coverage = [Float](repeating: 0, count: area)
        for w in windows {
            for r in w.rows { for col in w.columns { coverage[r * width + col] += 1 } }
        }
        var result = [Float](repeating: 0, count: count * plane)
        for n in 0..<count {
            var sums = [Float](repeating: 0, count: area)
            for (k, w) in windows.enumerated() {
                let drop = drops[n * windows.count + k]
                for r in w.rows { for col in w.columns { sums[r * width + col] += drop } }
            }
            for p in 0..<area {
                let value = variant.sumOverWindows ? sums[p] : (coverage[p] > 0 ? sums[p] / coverage[p] : 0)
                for c in 0..<channels { result[n * plane + c * area + p] = value }
            }
        }
        return try Tensor(shape: images.shape, data: result)
    }
}
