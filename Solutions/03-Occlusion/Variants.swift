// Correct implementations of Lesson 03 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum OcclusionVariants {
    /// 3.1 — the offsets by walking: start at 0, step by the stride until a window reaches the
    /// edge (the last one clipped there), columns inside rows. No ⌈·⌉ formula.
    public static let occlusionWindows: [Exercise<@Sendable (Int, Int, Int, Int) throws -> [(rows: Range<Int>, columns: Range<Int>)]>.Mistake] = [
        .init(id: "walking", summary: "offsets by stepping until a window reaches the edge") { height, width, window, stride in
            guard height >= 1, width >= 1, window >= 1, stride >= 1, window <= height, window <= width else {
                throw TensorError.invalidArgument(operation: "occlusionWindows",
                                                  message: "a \(window)×\(window) window with stride \(stride) does not fit a \(height)×\(width) image")
            }
            func spans(_ length: Int) -> [Range<Int>] {
                var result: [Range<Int>] = [], start = 0
                while true {
                    result.append(start..<Swift.min(start + window, length))
                    if start + window >= length { return result }
                    start += stride
                }
            }
            var windows: [(rows: Range<Int>, columns: Range<Int>)] = []
            for rows in spans(height) { for columns in spans(width) { windows.append((rows, columns)) } }
            return windows
        },
    ]

    /// 3.2 — the occluded copies made by masks (x · m + b · (1 − m), exact for m ∈ {0, 1}) with
    /// tensor ops, one chunk at a time; each pixel's mean *gathered* from the windows covering it
    /// (instead of scattering each window's drop), in Double.
        /// Second: window-major copies, the map as the product of the drops [N, K] and the normalised coverage [K, H·W].
public static let occlusion: [Exercise<@Sendable (Module, Tensor, [Int], Int, Int, Float, Int) throws -> Tensor>.Mistake] = [
        .init(id: "masks-and-gather", summary: "copies by masks, each pixel's mean gathered from its windows in Double") { model, images, targets, window, stride, baseline, batchSize in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "occlusion", message: "one target per image of [N, C, H, W] images")
            }
            guard batchSize >= 1 else { throw TensorError.invalidArgument(operation: "occlusion", message: "batchSize < 1") }
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            let windows = try OcclusionSolutions.occlusionWindows(height: h, width: w, window: window, stride: stride)
            return try withNoGrad {
                let before = try model(images)
                let classes = before.shape[1]
                guard targets.allSatisfy({ $0 >= 0 && $0 < classes }) else {
                    throw TensorError.invalidArgument(operation: "occlusion", message: "a target outside 0..<\(classes)")
                }
                // masks[k]: 0 inside window k, 1 outside, [1, 1, H, W].
                let masks = windows.map { win -> [Float] in
                    var m = [Float](repeating: 1, count: h * w)
                    for r in win.rows { for col in win.columns { m[r * w + col] = 0 } }
                    return m
                }
                var drops = [[Double]](repeating: [], count: n)
                var pairs = (0..<n).flatMap { i in windows.indices.map { (i, $0) } }[...]
                while !pairs.isEmpty {
                    let chunk = pairs.prefix(batchSize)
                    pairs = pairs.dropFirst(chunk.count)
                    var copies: [Tensor] = []
                    for (i, k) in chunk {
                        let image = try images.sliced(axis: 0, i..<(i + 1))
                        let mask = try Tensor(shape: [1, 1, h, w], data: masks[k])
                        let hole = try Tensor(shape: [1, 1, h, w], data: masks[k].map { (1 - $0) * baseline })
                        copies.append(try image * mask + hole)
                    }
                    let after = try model(try Tensor.concatenate(copies, axis: 0))
                    for (row, (i, _)) in chunk.enumerated() {
                        drops[i].append(Double(before.data[i * classes + targets[i]]) - Double(after.data[row * classes + targets[i]]))
                    }
                }
                var out = [Float](repeating: 0, count: images.count)
                for i in 0..<n {
                    for r in 0..<h {
                        for col in 0..<w {
                            let covering = windows.indices.filter { windows[$0].rows.contains(r) && windows[$0].columns.contains(col) }
                            let mean = covering.isEmpty ? 0 : covering.reduce(0.0) { $0 + drops[i][$1] } / Double(covering.count)
                            for k in 0..<c { out[((i * c + k) * h + r) * w + col] = Float(mean) }
                        }
                    }
                }
                return try Tensor(shape: images.shape, data: out)
            }
        },
        .init(id: "masks-and-coverage-matmul", summary: "window-major copies by masking, the mean drop as drops · (coverage / count)") { model, images, targets, window, stride, baseline, batchSize in
            guard images.rank == 4, targets.count == images.shape[0], batchSize > 0 else {
                throw TensorError.invalidArgument(operation: "occlusion",
                                                  message: "need [N, C, H, W] images, one target each and a positive batch size")
            }
            let (n, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            let windows = try OcclusionSolutions.occlusionWindows(height: height, width: width, window: window, stride: stride)
            let k = windows.count, area = height * width
            return try withNoGrad {
                let plain = try model(images).gathered(indices: targets)          // F(xₙ), [N]
                // keep[k] is 0 inside window k, 1 elsewhere.
                var copies: [Tensor] = []
                for w in windows {
                    var keep = [Float](repeating: 1, count: area)
                    for row in w.rows { for column in w.columns { keep[row * width + column] = 0 } }
                    let mask = try Tensor(shape: [1, 1, height, width], data: keep)
                    copies.append(try images * mask + (1 - mask) * baseline)
                }
                let all = try Tensor.concatenate(copies, axis: 0)                     // [K·N, C, H, W]
                var occluded = [Float](repeating: 0, count: k * n)                    // F, window-major
                for first in Swift.stride(from: 0, to: k * n, by: batchSize) {
                    let last = Swift.min(first + batchSize, k * n)
                    let rows = (first..<last).map { targets[$0 % n] }
                    let scores = try model(try all.sliced(axis: 0, first..<last)).gathered(indices: rows)
                    for (offset, value) in scores.data.enumerated() { occluded[first + offset] = value }
                }
                var drops = [Float](repeating: 0, count: n * k)                       // [N, K]
                for j in 0..<k { for i in 0..<n { drops[i * k + j] = plain.data[i] - occluded[j * n + i] } }
                var covered = [Float](repeating: 0, count: area)
                for w in windows { for row in w.rows { for column in w.columns { covered[row * width + column] += 1 } } }
                var coverage = [Float](repeating: 0, count: k * area)                 // [K, H·W]
                for (j, w) in windows.enumerated() {
                    for row in w.rows { for column in w.columns { coverage[j * area + row * width + column] = 1 / covered[row * width + column] } }
                }
                let map = try Tensor(shape: [n, k], data: drops).matmul(try Tensor(shape: [k, area], data: coverage))
                let planes = try map.reshaped([n, 1, height, width])
                return try Tensor.concatenate(Array(repeating: planes, count: channels), axis: 1)
            }
        },
    ]
}
