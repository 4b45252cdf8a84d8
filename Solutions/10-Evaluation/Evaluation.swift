// Lesson 10 — Are the explanations right? The reference metrics: deletion and insertion curves and
// their area, the pointing game, relevance mass and rank accuracy, the decoy share.
//
// Every function takes attributions as `[N, 1, H, W]` (one map per image: a method that gives one
// value per channel reduces them first) and images as `[N, C, H, W]`, so the same code ranks MNIST
// (C = 1) and Shapes (C = 3). Cost is stated per function; the model's forward passes dominate.

import LessonSupport
import TensorEngine

/// The pixel order of a map: indices of `values` from the largest value to the smallest, ties by
/// the lower index first (a stable sort), so the order never depends on the sort algorithm.
func relevanceOrder(_ values: ArraySlice<Float>) -> [Int] {
    let base = values.startIndex
    return values.indices.map { $0 - base }.sorted { a, b in
        let (x, y) = (values[base + a], values[base + b])
        return x != y ? x > y : a < b
    }
}

/// Checks `attributions` is `[N, 1, H, W]` and matches `images`' batch and plane, or throws.
func checkMaps(_ attributions: Tensor, _ operation: String, batch: Int? = nil, height: Int? = nil, width: Int? = nil) throws {
    guard attributions.rank == 4, attributions.shape[1] == 1 else {
        throw TensorError.invalidArgument(operation: operation, message: "attributions must be [N, 1, H, W] (one map per image); received \(attributions.shape)")
    }
    if let batch, attributions.shape[0] != batch {
        throw TensorError.invalidArgument(operation: operation, message: "\(attributions.shape[0]) maps for \(batch) images")
    }
    if let height, let width, attributions.shape[2] != height || attributions.shape[3] != width {
        throw TensorError.invalidArgument(operation: operation, message: "maps are \(attributions.shape[2])×\(attributions.shape[3]), the images \(height)×\(width)")
    }
}

/// **10.1a** The perturbation curve of Petsiuk, Das & Saenko (2018), batched: step k replaces the
/// k·`pixelsPerStep` most relevant pixels (all channels) of `start` by those of `end` and records
/// the softmax probability of the target. `[N, S + 1]` with S = ⌈H·W / pixelsPerStep⌉; the last
/// step replaces every pixel. Deletion: start = image, end = baseline (0). Insertion: start =
/// blurred image, end = image. Cost: N forward passes of S + 1 images.
public func perturbationCurve(of model: Module, from start: Tensor, to end: Tensor, attributions: Tensor, targets: [Int], pixelsPerStep: Int) throws -> Tensor {
    try perturbationCurve(of: model, from: start, to: end, attributions: attributions, targets: targets, pixelsPerStep: pixelsPerStep) { try $0.softmax() }
}

/// The curve with `score` turning logits into what is recorded (the reference: softmax).
func perturbationCurve(of model: Module, from start: Tensor, to end: Tensor, attributions: Tensor, targets: [Int], pixelsPerStep: Int,
                       score: (Tensor) throws -> Tensor) throws -> Tensor {
    let (n, c, h, w) = try imageShape(start, "perturbation curve")
    guard end.shape == start.shape else {
        throw TensorError.invalidArgument(operation: "perturbation curve", message: "start is \(start.shape), end \(end.shape)")
    }
    try checkMaps(attributions, "perturbation curve", batch: n, height: h, width: w)
    guard targets.count == n else { throw TensorError.invalidArgument(operation: "perturbation curve", message: "\(targets.count) targets for \(n) images") }
    guard pixelsPerStep > 0 else { throw TensorError.invalidArgument(operation: "perturbation curve", message: "pixelsPerStep must be positive; received \(pixelsPerStep)") }
    let area = h * w, steps = (area + pixelsPerStep - 1) / pixelsPerStep
    var curves = [Float](repeating: 0, count: n * (steps + 1))
    for i in 0..<n {
        let order = relevanceOrder(attributions.data[(i * area)..<((i + 1) * area)])
        let source = start.data[(i * c * area)..<((i + 1) * c * area)], target = end.data[(i * c * area)..<((i + 1) * c * area)]
        var batch = [Float](); batch.reserveCapacity((steps + 1) * c * area)
        var current = Array(source)
        batch += current
        for k in 1...steps {
            for p in order[((k - 1) * pixelsPerStep)..<min(k * pixelsPerStep, area)] {
                for ch in 0..<c { current[ch * area + p] = target[target.startIndex + ch * area + p] }
            }
            batch += current
        }
        let probabilities = try withNoGrad { try score(try model(Tensor(shape: [steps + 1, c, h, w], data: batch))) }
        let classes = probabilities.shape[1]
        guard (0..<classes).contains(targets[i]) else {
            throw TensorError.invalidArgument(operation: "perturbation curve", message: "target \(targets[i]) outside 0..<\(classes)")
        }
        for k in 0...steps { curves[i * (steps + 1) + k] = probabilities.data[k * classes + targets[i]] }
    }
    return try Tensor(shape: [n, steps + 1], data: curves)
}

/// **10.1b** The area under each curve `[N, S + 1]` by the trapezoid rule on x = 0, 1/S, …, 1
/// (RISE's `auc`: (Σ y − y₀/2 − y_S/2) / S). One value per row. Cost O(N·S).
public func areaUnderCurve(_ curves: Tensor) throws -> [Float] {
    guard curves.rank == 2, curves.shape[1] >= 2 else {
        throw TensorError.invalidArgument(operation: "area under curve", message: "curves must be [N, S + 1] with S ≥ 1; received \(curves.shape)")
    }
    let (n, points) = (curves.shape[0], curves.shape[1])
    return (0..<n).map { i in
        let row = curves.data[(i * points)..<((i + 1) * points)]
        var area: Float = 0
        for k in 0..<(points - 1) { area += (row[row.startIndex + k] + row[row.startIndex + k + 1]) / 2 }
        return area / Float(points - 1)
    }
}

/// **10.2a** The pointing game (Zhang et al. 2016), with ties: per image, the fraction of the
/// map's maximal pixels (every pixel equal to the maximum) that lie within Euclidean distance
/// `tolerance` of a mask pixel. Tolerance 0: inside the mask. A constant map scores the share of
/// hit pixels: chance, never 1 or 0 by the accident of which maximum comes first. `masks` is
/// `[N, 1, H, W]`, nonzero = object. Cost O(N·H·W·(2·tolerance + 1)²).
public func pointingGame(attributions: Tensor, masks: Tensor, tolerance: Int = 0) throws -> [Float] {
    let (n, h, w) = try checkMasks(attributions, masks, "pointing game")
    guard tolerance >= 0 else { throw TensorError.invalidArgument(operation: "pointing game", message: "tolerance must be ≥ 0; received \(tolerance)") }
    let area = h * w
    return (0..<n).map { i in
        let map = attributions.data[(i * area)..<((i + 1) * area)]
        let top = map.max() ?? 0
        var maxima = 0, hits = 0
        for p in 0..<area where map[i * area + p] == top {
            maxima += 1
            if nearMask(masks.data, image: i, pixel: p, height: h, width: w, tolerance: tolerance) { hits += 1 }
        }
        return Float(hits) / Float(maxima)
    }
}

/// Whether pixel `p` of image `i` lies within `tolerance` (Euclidean) of a nonzero mask pixel.
func nearMask(_ masks: [Float], image i: Int, pixel p: Int, height h: Int, width w: Int, tolerance: Int) -> Bool {
    let (y, x) = (p / w, p % w), base = i * h * w
    for dy in -tolerance...tolerance where y + dy >= 0 && y + dy < h {
        for dx in -tolerance...tolerance where x + dx >= 0 && x + dx < w && dy * dy + dx * dx <= tolerance * tolerance {
            if masks[base + (y + dy) * w + x + dx] != 0 { return true }
        }
    }
    return false
}

/// **10.2b** Relevance mass accuracy (Arras, Osman & Samek 2022): the share of the *positive*
/// attribution that falls inside the mask, Σ_mask max(a, 0) / Σ max(a, 0); 0 for a map without
/// positive attribution. Cost O(N·H·W).
public func relevanceMass(attributions: Tensor, masks: Tensor) throws -> [Float] {
    let (n, h, w) = try checkMasks(attributions, masks, "relevance mass")
    let area = h * w
    return (0..<n).map { i in
        var inside: Float = 0, total: Float = 0
        for p in (i * area)..<((i + 1) * area) {
            let r = max(attributions.data[p], 0)
            total += r
            if masks.data[p] != 0 { inside += r }
        }
        return total > 0 ? inside / total : 0
    }
}

/// **10.2c** Relevance rank accuracy (Arras, Osman & Samek 2022): with K = the mask's pixel count,
/// the share of the K highest-attributed pixels (ties by the lower index) that lie in the mask;
/// 0 for an empty mask. Cost O(N·H·W·log(H·W)).
public func relevanceRankAccuracy(attributions: Tensor, masks: Tensor) throws -> [Float] {
    let (n, h, w) = try checkMasks(attributions, masks, "relevance rank accuracy")
    let area = h * w
    return (0..<n).map { i in
        let k = (0..<area).filter { masks.data[i * area + $0] != 0 }.count
        guard k > 0 else { return 0 }
        let order = relevanceOrder(attributions.data[(i * area)..<((i + 1) * area)])
        return Float(order.prefix(k).filter { masks.data[i * area + $0] != 0 }.count) / Float(k)
    }
}

/// **10.3** The decoy share: the share of the *absolute* attribution that falls in image n's 4×4
/// Decoy MNIST swatch, Σ_swatch |a| / Σ |a| (0 for an all-zero map). `corners[n]`: bit 0 set =
/// right columns (W − 4 ..< W), bit 1 set = bottom rows (H − 4 ..< H). A map spread evenly scores
/// 16 / (H·W), 2% on MNIST. Cost O(N·H·W).
public func decoyShare(attributions: Tensor, corners: [Int]) throws -> [Float] {
    try checkMaps(attributions, "decoy share")
    let (n, h, w) = (attributions.shape[0], attributions.shape[2], attributions.shape[3])
    guard corners.count == n, corners.allSatisfy({ (0..<4).contains($0) }) else {
        throw TensorError.invalidArgument(operation: "decoy share", message: "need one corner in 0...3 per map (\(n)); received \(corners.count)")
    }
    guard h >= 4, w >= 4 else { throw TensorError.invalidArgument(operation: "decoy share", message: "maps are \(h)×\(w), smaller than the 4×4 swatch") }
    let area = h * w
    return (0..<n).map { i in
        let top = corners[i] & 2 != 0 ? h - 4 : 0, left = corners[i] & 1 != 0 ? w - 4 : 0
        var inside: Float = 0, total: Float = 0
        for y in 0..<h {
            for x in 0..<w {
                let r = abs(attributions.data[i * area + y * w + x])
                total += r
                if (top..<(top + 4)).contains(y) && (left..<(left + 4)).contains(x) { inside += r }
            }
        }
        return total > 0 ? inside / total : 0
    }
}

/// `[N, C, H, W]` images, or throws.
func imageShape(_ images: Tensor, _ operation: String) throws -> (Int, Int, Int, Int) {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: operation, message: "images must be [N, C, H, W]; received \(images.shape)")
    }
    return (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
}

/// Maps `[N, 1, H, W]` and masks of the same shape, or throws.
func checkMasks(_ attributions: Tensor, _ masks: Tensor, _ operation: String) throws -> (Int, Int, Int) {
    try checkMaps(attributions, operation)
    guard masks.shape == attributions.shape else {
        throw TensorError.invalidArgument(operation: operation, message: "masks must be shaped like the maps \(attributions.shape); received \(masks.shape)")
    }
    return (attributions.shape[0], attributions.shape[2], attributions.shape[3])
}
