// Correct implementations of Lesson 10 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum EvaluationVariants {
    /// 10.6a — the same system solved by Gauss–Seidel sweeps in Double (the reference uses
    /// preconditioned conjugate gradients): each removed pixel becomes the weighted mean of its
    /// neighbours' current values, until no pixel moves by more than 1e-11.
    public static let linearImputation: [Exercise<@Sendable (Tensor, Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "gauss-seidel", summary: "Gauss–Seidel sweeps in Double until the largest change is below 1e-11") { images, keep in
            guard images.rank == 4 else {
                throw TensorError.invalidArgument(operation: "linear imputation", message: "images must be [N, C, H, W]; received \(images.shape)")
            }
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            guard keep.shape == [n, 1, h, w] else {
                throw TensorError.invalidArgument(operation: "linear imputation", message: "keep must be [\(n), 1, \(h), \(w)]; received \(keep.shape)")
            }
            var out = images.data
            let neighbours: [(Int, Int, Double)] = [(-1, 0, 1.0 / 6), (1, 0, 1.0 / 6), (0, -1, 1.0 / 6), (0, 1, 1.0 / 6),
                                                    (-1, -1, 1.0 / 12), (-1, 1, 1.0 / 12), (1, -1, 1.0 / 12), (1, 1, 1.0 / 12)]
            for i in 0..<n {
                let removed = (0..<(h * w)).filter { keep.data[i * h * w + $0] == 0 }
                for ch in 0..<c {
                    let base = (i * c + ch) * h * w
                    var x = (0..<(h * w)).map { Double(images.data[base + $0]) }
                    for p in removed { x[p] = 0 }
                    guard removed.count < h * w else {
                        for p in removed { out[base + p] = 0 }
                        continue
                    }
                    for _ in 0..<200_000 {
                        var change = 0.0
                        for p in removed {
                            let (y0, x0) = (p / w, p % w)
                            var sum = 0.0, weight = 0.0
                            for (dy, dx, wt) in neighbours where (0..<h).contains(y0 + dy) && (0..<w).contains(x0 + dx) {
                                sum += wt * x[(y0 + dy) * w + x0 + dx]
                                weight += wt
                            }
                            let value = sum / weight
                            change = max(change, abs(value - x[p]))
                            x[p] = value
                        }
                        if change < 1e-11 { break }
                    }
                    for p in removed { out[base + p] = Float(x[p]) }
                }
            }
            return try Tensor(shape: images.shape, data: out)
        },
    ]

    /// Throws unless `maps` is `[N, 1, H, W]` and `masks` (when given) has its shape.
    static func checkPlanes(_ maps: Tensor, _ masks: Tensor? = nil, _ operation: String) throws {
        guard maps.rank == 4, maps.shape[1] == 1 else {
            throw TensorError.invalidArgument(operation: operation, message: "maps must be [N, 1, H, W]; received \(maps.shape)")
        }
        if let masks, masks.shape != maps.shape {
            throw TensorError.invalidArgument(operation: operation, message: "masks \(masks.shape) for maps \(maps.shape)")
        }
    }

    /// 10.1a — the pixel order from one sort of (−value, index) keys; each copy mixed from start
    /// and end with a 0/1 mask (x·(1 − m) + y·m, exact for m ∈ {0, 1}) as tensor arithmetic, the
    /// S + 1 copies in one batch; the softmax written out in Double.
    /// Second: ranks from sorted packed integer keys, each copy built from the ranks.
    public static let perturbationCurve: [Exercise<@Sendable (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor>.Mistake] = [
        .init(id: "masks-and-double-softmax", summary: "copies mixed by 0/1 masks, softmax in Double") { model, start, end, attributions, targets, pixelsPerStep in
            guard start.rank == 4, end.shape == start.shape else {
                throw TensorError.invalidArgument(operation: "perturbation curve", message: "start and end must be the same [N, C, H, W]")
            }
            let (n, h, w) = (start.shape[0], start.shape[2], start.shape[3])
            try checkPlanes(attributions, nil, "perturbation curve")
            guard attributions.shape == [n, 1, h, w], targets.count == n, pixelsPerStep >= 1 else {
                throw TensorError.invalidArgument(operation: "perturbation curve", message: "one [1, H, W] map and one target per image, pixelsPerStep ≥ 1")
            }
            let area = h * w
            let steps = Int((Double(area) / Double(pixelsPerStep)).rounded(.up))
            var rows: [[Float]] = []
            for i in 0..<n {
                let keys = (0..<area).map { (value: -attributions.data[i * area + $0], index: $0) }
                let order = keys.sorted { ($0.value, $0.index) < ($1.value, $1.index) }.map(\.index)
                let from = try start.sliced(axis: 0, i..<(i + 1)), to = try end.sliced(axis: 0, i..<(i + 1))
                var copies: [Tensor] = []
                var mask = [Float](repeating: 0, count: area)
                for k in 0...steps {
                    if k > 0 { for p in order[((k - 1) * pixelsPerStep)..<Swift.min(k * pixelsPerStep, area)] { mask[p] = 1 } }
                    let m = try Tensor(shape: [1, 1, h, w], data: mask), keep = try Tensor(shape: [1, 1, h, w], data: mask.map { 1 - $0 })
                    copies.append(try from * keep + to * m)
                }
                let logits = try withNoGrad { try model(try Tensor.concatenate(copies, axis: 0)) }
                let classes = logits.shape[1]
                guard (0..<classes).contains(targets[i]) else {
                    throw TensorError.invalidArgument(operation: "perturbation curve", message: "target \(targets[i]) outside 0..<\(classes)")
                }
                rows.append((0...steps).map { k in
                    let row = (0..<classes).map { Double(logits.data[k * classes + $0]) }
                    let top = row.max()!
                    let total = row.reduce(0.0) { $0 + Foundation.exp($1 - top) }
                    return Float(Foundation.exp(row[targets[i]] - top) / total)
                })
            }
            return try Tensor(shape: [n, steps + 1], data: rows.flatMap { $0 })
        },
        .init(id: "packed-rank-keys", summary: "ranks by sorting (inverted order-preserving bits << 32 | index) keys, each copy built from the ranks, log-sum-exp in Double") { model, start, end, attributions, targets, pixelsPerStep in
            guard start.rank == 4 else {
                throw TensorError.invalidArgument(operation: "deletion/insertion", message: "the start images must be [N, C, H, W]; got \(start.shape)")
            }
            let (count, channels, height, width) = (start.shape[0], start.shape[1], start.shape[2], start.shape[3])
            guard end.shape == start.shape else {
                throw TensorError.invalidArgument(operation: "deletion/insertion", message: "the end images \(end.shape) differ from the start images \(start.shape)")
            }
            guard attributions.shape == [count, 1, height, width] else {
                throw TensorError.invalidArgument(operation: "deletion/insertion", message: "the maps must be [\(count), 1, \(height), \(width)]; got \(attributions.shape)")
            }
            guard targets.count == count else {
                throw TensorError.invalidArgument(operation: "deletion/insertion", message: "\(count) images but \(targets.count) targets")
            }
            guard pixelsPerStep >= 1 else {
                throw TensorError.invalidArgument(operation: "deletion/insertion", message: "pixelsPerStep \(pixelsPerStep) < 1")
            }
            let plane = height * width
            let steps = plane == 0 ? 0 : (plane - 1) / pixelsPerStep + 1
            let (from, to) = (start.data, end.data)
            var result: [Float] = []
            result.reserveCapacity(count * (steps + 1))
            for n in 0..<count {
                // Ascending UInt32 keys in the Floats' order (−0 folded onto +0, as −0 == 0), inverted
                // so the largest value sorts first; the index below breaks ties, lowest first.
                var keys = [UInt64]()
                keys.reserveCapacity(plane)
                for p in 0..<plane {
                    var value = attributions.data[n * plane + p]
                    if value == 0 { value = 0 }
                    let bits = value.bitPattern
                    let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
                    keys.append(UInt64(~ascending) << 32 | UInt64(p))
                }
                keys.sort()
                var rank = [Int](repeating: 0, count: plane)
                for (position, key) in keys.enumerated() { rank[Int(key & 0xFFFF_FFFF)] = position }

                let offset = n * channels * plane
                var copies = [Float](repeating: 0, count: (steps + 1) * channels * plane)
                for k in 0...steps {
                    let replaced = min(k * pixelsPerStep, plane)
                    for ch in 0..<channels {
                        for p in 0..<plane {
                            copies[(k * channels + ch) * plane + p] = rank[p] < replaced ? to[offset + ch * plane + p] : from[offset + ch * plane + p]
                        }
                    }
                }
                let logits = try withNoGrad { try model(try Tensor(shape: [steps + 1, channels, height, width], data: copies)) }
                let classes = logits.shape[1]
                guard targets[n] >= 0, targets[n] < classes else {
                    throw TensorError.invalidArgument(operation: "deletion/insertion", message: "target \(targets[n]) is not one of the \(classes) classes")
                }
                for k in 0...steps {
                    let row = (0..<classes).map { Double(logits.data[k * classes + $0]) }
                    let peak = row.max()!
                    let logNormaliser = peak + log(row.reduce(0.0) { $0 + exp($1 - peak) })
                    result.append(Float(exp(row[targets[n]] - logNormaliser)))
                }
            }
            return try Tensor(shape: [count, steps + 1], data: result)
        },
    ]

    /// 10.1b — (Σ y − y₀/2 − y_S/2) / S in Double, RISE's form, instead of summing trapezoids.
    public static let areaUnderCurve: [Exercise<@Sendable (Tensor) throws -> [Float]>.Mistake] = [
        .init(id: "sum-minus-half-ends", summary: "(Σ y − y₀/2 − y_S/2) / S in Double") { curves in
            guard curves.rank == 2, curves.shape[1] >= 2 else {
                throw TensorError.invalidArgument(operation: "area under curve", message: "curves must be [N, S + 1], S ≥ 1; received \(curves.shape)")
            }
            let points = curves.shape[1]
            return (0..<curves.shape[0]).map { i in
                let row = (0..<points).map { Double(curves.data[i * points + $0]) }
                return Float((row.reduce(0, +) - row[0] / 2 - row[points - 1] / 2) / Double(points - 1))
            }
        },
    ]

    /// 10.2a — each maximal pixel's squared distance to the *nearest* mask pixel found by scanning
    /// the whole mask, a hit when it is ≤ tolerance² (inclusive).
    public static let pointingGame: [Exercise<@Sendable (Tensor, Tensor, Int) throws -> [Float]>.Mistake] = [
        .init(id: "nearest-mask-pixel", summary: "the squared distance to the nearest mask pixel ≤ tolerance²") { attributions, masks, tolerance in
            try checkPlanes(attributions, masks, "pointing game")
            guard tolerance >= 0 else { throw TensorError.invalidArgument(operation: "pointing game", message: "tolerance must be ≥ 0") }
            let (h, w) = (attributions.shape[2], attributions.shape[3]), area = h * w
            return (0..<attributions.shape[0]).map { i in
                let map = Array(attributions.data[(i * area)..<((i + 1) * area)])
                let inside = (0..<area).filter { masks.data[i * area + $0] != 0 }
                let top = map.max()!
                let maxima = (0..<area).filter { map[$0] == top }
                let hits = maxima.filter { p in
                    inside.contains { q in
                        let (dy, dx) = (p / w - q / w, p % w - q % w)
                        return dy * dy + dx * dx <= tolerance * tolerance
                    }
                }
                return Float(hits.count) / Float(maxima.count)
            }
        },
    ]

    /// 10.2b — ReLU of the maps and the mask's 0/1 indicator as tensors, the two sums in Double.
    public static let relevanceMass: [Exercise<@Sendable (Tensor, Tensor) throws -> [Float]>.Mistake] = [
        .init(id: "relu-times-indicator", summary: "Σ relu(a)·1[m ≠ 0] / Σ relu(a), sums in Double") { attributions, masks in
            try checkPlanes(attributions, masks, "relevance mass")
            let positive = withNoGrad { attributions.relu() }.data
            let area = attributions.shape[2] * attributions.shape[3]
            return (0..<attributions.shape[0]).map { i in
                var inside = 0.0, total = 0.0
                for p in (i * area)..<((i + 1) * area) {
                    total += Double(positive[p])
                    inside += Double(positive[p]) * (masks.data[p] != 0 ? 1 : 0)
                }
                return total > 0 ? Float(inside / total) : 0
            }
        },
    ]

    /// 10.2c — no sort: pixel p is among the K highest iff fewer than K pixels come before it
    /// (a higher value, or an equal value at a lower index).
    public static let relevanceRankAccuracy: [Exercise<@Sendable (Tensor, Tensor) throws -> [Float]>.Mistake] = [
        .init(id: "ranks-by-counting", summary: "each mask pixel's rank by counting the pixels before it") { attributions, masks in
            try checkPlanes(attributions, masks, "relevance rank accuracy")
            let area = attributions.shape[2] * attributions.shape[3]
            return (0..<attributions.shape[0]).map { i in
                let a = Array(attributions.data[(i * area)..<((i + 1) * area)])
                let inMask = (0..<area).filter { masks.data[i * area + $0] != 0 }
                guard !inMask.isEmpty else { return 0 }
                let k = inMask.count
                let topInMask = inMask.filter { p in
                    var before = 0
                    for q in 0..<area where a[q] > a[p] || (a[q] == a[p] && q < p) { before += 1 }
                    return before < k
                }
                return Float(topInMask.count) / Float(k)
            }
        },
    ]

    /// 10.3 — the swatch summed over its own 4×4 range, the total over the plane, both in Double.
    public static let decoyShare: [Exercise<@Sendable (Tensor, [Int]) throws -> [Float]>.Mistake] = [
        .init(id: "swatch-range-in-double", summary: "the swatch summed over its own range, in Double") { attributions, corners in
            try checkPlanes(attributions, nil, "decoy share")
            let (n, h, w) = (attributions.shape[0], attributions.shape[2], attributions.shape[3])
            guard corners.count == n, corners.allSatisfy({ (0...3).contains($0) }), h >= 4, w >= 4 else {
                throw TensorError.invalidArgument(operation: "decoy share", message: "one corner in 0...3 per map, maps of at least 4×4")
            }
            return (0..<n).map { i in
                let plane = (0..<(h * w)).map { Swift.abs(Double(attributions.data[i * h * w + $0])) }
                let total = plane.reduce(0, +)
                let rows = corners[i] >= 2 ? (h - 4)..<h : 0..<4
                let columns = corners[i] % 2 == 1 ? (w - 4)..<w : 0..<4
                var swatch = 0.0
                for y in rows { for x in columns { swatch += plane[y * w + x] } }
                return total > 0 ? Float(swatch / total) : 0
            }
        },
    ]

    /// 10.4 — each ablation by multiplying the layer's output with a 0/1 channel mask (copy k has
    /// channel k at 0) in the hook; the weights in Double; the map as tensor arithmetic.
    /// Second: K + 1 copies per image, copy 0 left whole (yᶜ and A from it), the map as a matmul.
    public static let ablationCAM: [Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>.Mistake] = [
        .init(id: "mask-multiplying-hook", summary: "ablation as a product with a channel mask, the map by tensor ops") { model, images, targets, layer in
            guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "Ablation-CAM", message: "[N, C, H, W] images") }
            let module = try model.module(named: layer)
            var captured: Tensor?
            let look = module.registerForwardHook { _, _, out in captured = out }
            let logits: Tensor
            do { defer { look.remove() }; logits = try withNoGrad { try model(images) } }
            let a = try captured.orThrow("'\(layer)' did not run")
            guard a.rank == 4 else { throw TensorError.invalidArgument(operation: "Ablation-CAM", message: "no feature maps at '\(layer)'") }
            let (n, k) = (a.shape[0], a.shape[1]), classes = logits.shape[1]
            guard targets.count == n, targets.allSatisfy({ (0..<classes).contains($0) }) else {
                throw TensorError.invalidArgument(operation: "Ablation-CAM", message: "one target in 0..<\(classes) per image")
            }
            var weights = [Float]()
            for i in 0..<n {
                let ablate = module.registerForwardHook(replacingOutput: { _, _, out in
                    let plane = out.shape[2] * out.shape[3]
                    let mask = (0..<out.count).map { q -> Float in (q / plane) % k == q / (k * plane) ? 0 : 1 }
                    return try out * Tensor(shape: out.shape, data: mask)
                })
                defer { ablate.remove() }
                let copies = try Tensor.concatenate(Array(repeating: try images.sliced(axis: 0, i..<(i + 1)), count: k), axis: 0)
                let ablated = try withNoGrad { try model(copies) }
                let y = Double(logits.data[i * classes + targets[i]])
                for c in 0..<k { weights.append(Float((y - Double(ablated.data[c * classes + targets[i]])) / y)) }
            }
            return try withNoGrad {
                try (try Tensor(shape: [n, k, 1, 1], data: weights) * a).sum(axes: [1], keepDims: true).relu()
            }
        },
        .init(id: "original-in-the-batch", summary: "K + 1 copies per image, copy 0 unablated (yᶜ and Aₖ from it); the map as a matmul") { model, images, targets, layer in
            guard images.rank == 4, images.shape[0] > 0 else {
                throw TensorError.invalidArgument(operation: "ablation", message: "images must be [N, C, H, W]; got \(images.shape)")
            }
            guard targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "ablation", message: "\(images.shape[0]) images but \(targets.count) targets")
            }
            let module = try model.module(named: layer)
            var firstCopy: [Float]?
            var mapShape: [Int] = []
            let handle = module.registerForwardHook(replacingOutput: { _, _, output in
                guard output.rank == 4 else { return nil }
                let (copies, k, area) = (output.shape[0], output.shape[1], output.shape[2] * output.shape[3])
                firstCopy = Array(output.data[0..<(k * area)])
                mapShape = Array(output.shape.dropFirst())
                guard copies > 1 else { return nil }
                var values = output.data
                for copy in 1..<min(copies, k + 1) {
                    let start = (copy * k + copy - 1) * area
                    values.replaceSubrange(start..<(start + area), with: repeatElement(0, count: area))
                }
                return try Tensor(shape: output.shape, data: values)
            })
            defer { handle.remove() }
            _ = try withNoGrad { try model(try images.sliced(axis: 0, 0..<1)) }
            guard mapShape.count == 3 else { throw TensorError.invalidArgument(operation: "ablation", message: "'\(layer)' gave no [N, K, h, w] maps") }
            let (k, area) = (mapShape[0], mapShape[1] * mapShape[2])
            var maps: [Float] = []
            for n in 0..<images.shape[0] {
                let image = try images.sliced(axis: 0, n..<(n + 1))
                let logits = try withNoGrad { try model(try Tensor.concatenate(Array(repeating: image, count: k + 1), axis: 0)) }
                let classes = logits.shape[1]
                guard targets[n] >= 0, targets[n] < classes else {
                    throw TensorError.invalidArgument(operation: "ablation", message: "target \(targets[n]) is not one of the \(classes) classes")
                }
                let a = try firstCopy.orThrow("no activations at '\(layer)'")
                let y = logits.data[targets[n]]
                let weights = (1...k).map { (y - logits.data[$0 * classes + targets[n]]) / y }
                let product = try Tensor(shape: [1, k], data: weights).matmul(try Tensor(shape: [k, area], data: a))
                maps += product.data.map { max($0, 0) }
            }
            return try Tensor(shape: [images.shape[0], 1, mapShape[1], mapShape[2]], data: maps)
        },
    ]

    /// 10.5 — the masks scaled with per-row min and max of a `[K, H·W]` view, the masked copies by
    /// broadcasting `[1, C, H, W] · [K, 1, H, W]`, the softmax of the K scores in Double.
    /// Second: the align-corners upsampling as two interpolation matrices, R_y·A·R_xᵀ, in Double.
    public static let scoreCAM: [Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>.Mistake] = [
        .init(id: "broadcast-masks", summary: "masks by row reductions, copies by broadcasting, softmax in Double") { model, images, targets, layer in
            guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "Score-CAM", message: "[N, C, H, W] images") }
            let (n, height, width) = (images.shape[0], images.shape[2], images.shape[3])
            let module = try model.module(named: layer)
            var captured: Tensor?
            let look = module.registerForwardHook { _, _, out in captured = out }
            let logits: Tensor
            do { defer { look.remove() }; logits = try withNoGrad { try model(images) } }
            let a = try captured.orThrow("'\(layer)' did not run").detached()
            guard a.rank == 4 else { throw TensorError.invalidArgument(operation: "Score-CAM", message: "no feature maps at '\(layer)'") }
            let k = a.shape[1], classes = logits.shape[1]
            guard targets.count == n, targets.allSatisfy({ (0..<classes).contains($0) }) else {
                throw TensorError.invalidArgument(operation: "Score-CAM", message: "one target in 0..<\(classes) per image")
            }
            var weights = [Float]()
            for i in 0..<n {
                let up = try withNoGrad { try a.sliced(axis: 0, i..<(i + 1)).resizedBilinear(height: height, width: width, alignCorners: true) }
                let rows = try up.reshaped([k, height * width])
                let low = try rows.min(axis: 1, keepDims: true), high = try rows.max(axis: 1, keepDims: true)
                let masks = try withNoGrad { try ((rows - low) / ((high - low) + 1e-8)).reshaped([k, 1, height, width]) }
                let copies = try withNoGrad { try images.sliced(axis: 0, i..<(i + 1)) * masks }
                let scores = try withNoGrad { try model(copies) }
                let s = (0..<k).map { Double(scores.data[$0 * classes + targets[i]]) }
                let top = s.max()!
                let total = s.reduce(0.0) { $0 + Foundation.exp($1 - top) }
                weights += s.map { Float(Foundation.exp($0 - top) / total) }
            }
            return try withNoGrad {
                try (try Tensor(shape: [n, k, 1, 1], data: weights) * a).sum(axes: [1], keepDims: true).relu()
            }
        },
        .init(id: "separable-upsampling-double", summary: "bilinear align-corners as R_y·A·R_xᵀ in Double, masks and softmax in Double") { model, images, targets, layer in
            guard images.rank == 4 else {
                throw TensorError.invalidArgument(operation: "score", message: "images must be [N, C, H, W]; got \(images.shape)")
            }
            let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            guard targets.count == count else {
                throw TensorError.invalidArgument(operation: "score", message: "\(count) images but \(targets.count) targets")
            }
            var captured: Tensor?
            let handle = try model.module(named: layer).registerForwardHook { _, _, output in captured = output }
            defer { handle.remove() }
            let logits = try withNoGrad { try model(images) }
            guard let activations = captured, activations.rank == 4 else {
                throw TensorError.invalidArgument(operation: "score", message: "'\(layer)' gave no [N, K, h, w] maps")
            }
            let a = activations.data
            let classes = logits.shape[1]
            if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
                throw TensorError.invalidArgument(operation: "score", message: "target \(bad) is not one of the \(classes) classes")
            }
            let (k, h, w) = (activations.shape[1], activations.shape[2], activations.shape[3])
            // R[o][i]: the weight of input i in output o, sampling input o·(in − 1)/(out − 1).
            func interpolation(_ outputs: Int, _ inputs: Int) -> [[Double]] {
                (0..<outputs).map { o in
                    var row = [Double](repeating: 0, count: inputs)
                    let source = outputs > 1 ? Double(o) * Double(inputs - 1) / Double(outputs - 1) : 0
                    let low = min(Int(source), inputs - 1), high = min(low + 1, inputs - 1)
                    let fraction = source - Double(low)
                    row[low] += 1 - fraction
                    row[high] += fraction
                    return row
                }
            }
            let (ry, rx) = (interpolation(height, h), interpolation(width, w))
            var result = [Float](repeating: 0, count: count * h * w)
            for n in 0..<count {
                var masked = [Float](repeating: 0, count: k * channels * height * width)
                for c in 0..<k {
                    let base = (n * k + c) * h * w
                    // Columns first: T = A · R_xᵀ  [h, W]; then U = R_y · T  [H, W].
                    let t = (0..<h).map { i in (0..<width).map { x in (0..<w).reduce(0.0) { $0 + Double(a[base + i * w + $1]) * rx[x][$1] } } }
                    var u = [Double](repeating: 0, count: height * width)
                    for y in 0..<height { for x in 0..<width { u[y * width + x] = (0..<h).reduce(0.0) { $0 + ry[y][$1] * t[$1][x] } } }
                    let (lo, hi) = (u.min()!, u.max()!)
                    for ch in 0..<channels {
                        for p in 0..<(height * width) {
                            let m = (u[p] - lo) / (hi - lo + 1e-8)
                            masked[(c * channels + ch) * height * width + p] = Float(Double(images.data[(n * channels + ch) * height * width + p]) * m)
                        }
                    }
                }
                let scores = try withNoGrad { try model(try Tensor(shape: [k, channels, height, width], data: masked)) }
                let s = (0..<k).map { Double(scores.data[$0 * scores.shape[1] + targets[n]]) }
                let top = s.max()!
                let e = s.map { exp($0 - top) }, z = e.reduce(0, +)
                for p in 0..<(h * w) {
                    var v = 0.0
                    for c in 0..<k { v += e[c] / z * Double(a[(n * k + c) * h * w + p]) }
                    result[n * h * w + p] = Float(max(v, 0))
                }
            }
            return try Tensor(shape: [count, 1, h, w], data: result)
        },
    ]

    /// 10.6b — the percentile as a + (b − a)·t in Double, the keep mask compared per image, and the
    /// originals and the imputed images through the model in one batch of 2N.
    public static let roadScores: [Exercise<@Sendable (Module, Tensor, Tensor, [Int], Int, RemovalOrder, Tensor) throws -> [Float]>.Mistake] = [
        .init(id: "one-batch-lerp-percentile", summary: "the percentile by a plain lerp in Double, both passes in one batch") { model, images, attributions, targets, percentile, order, noise in
            guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "ROAD", message: "[N, C, H, W] images") }
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            guard attributions.shape == [n, 1, h, w], noise.shape == images.shape, targets.count == n, (1...99).contains(percentile) else {
                throw TensorError.invalidArgument(operation: "ROAD", message: "maps [N, 1, H, W], noise like the images, one target per image, a percentile in 1...99")
            }
            let area = h * w
            var keep = [Float](repeating: 0, count: n * area)
            for i in 0..<n {
                let values = (0..<area).map { p -> Float in
                    let a = attributions.data[i * area + p]
                    return order == .mostRelevantFirst ? a : 1 - a
                }
                let sorted = values.sorted()
                let position = Double(area - 1) * Double(percentile) / 100
                let lower = Int(position), upper = Swift.min(lower + 1, area - 1)
                let threshold = Float(Double(sorted[lower]) + (Double(sorted[upper]) - Double(sorted[lower])) * (position - Double(lower)))
                for p in 0..<area where values[p] < threshold { keep[i * area + p] = 1 }
            }
            var imputed = try EvaluationSolutions.linearImputation(of: images, keeping: try Tensor(shape: [n, 1, h, w], data: keep)).data
            for q in imputed.indices where keep[(q / (c * area)) * area + q % area] == 0 { imputed[q] += noise.data[q] }
            let both = try withNoGrad {
                try model(try Tensor.concatenate([images, try Tensor(shape: images.shape, data: imputed)], axis: 0)).softmax()
            }
            let classes = both.shape[1]
            guard targets.allSatisfy({ (0..<classes).contains($0) }) else {
                throw TensorError.invalidArgument(operation: "ROAD", message: "a target outside 0..<\(classes)")
            }
            return (0..<n).map { both.data[(n + $0) * classes + targets[$0]] - both.data[$0 * classes + targets[$0]] }
        },
    ]
}
