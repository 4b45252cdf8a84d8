// Lesson 10 — ROAD, "remove and debias" (Rong, Leemann, Borisov, Kasneci & Kasneci 2022): the
// deletion idea with the removed pixels filled in by noisy linear imputation instead of a constant,
// so the model is not judged on the shock of a black hole whose *shape* gives the class away.
// pytorch-grad-cam 1.5.7's ROAD metrics (`pytorch_grad_cam.metrics.road`) are the reference; the
// one place this code differs is said at `linearImputation`.

import LessonSupport
import TensorEngine

/// The weight of each of the 8 neighbours (dy, dx) in the imputation: 1/6 for the four that share
/// an edge, 1/12 for the four diagonal ones (they sum to 1). The library's `neighbors_weights`.
let imputationNeighbours: [(dy: Int, dx: Int, weight: Double)] = [
    (1, 1, 1.0 / 12), (0, 1, 1.0 / 6), (-1, 1, 1.0 / 12), (1, -1, 1.0 / 12),
    (0, -1, 1.0 / 6), (-1, -1, 1.0 / 12), (1, 0, 1.0 / 6), (-1, 0, 1.0 / 6),
]

/// **10.6a** Linear imputation: every pixel with `keep == 0` becomes the weighted mean of its
/// in-image neighbours (weights `imputationNeighbours`, divided by the weights of the neighbours
/// that exist, so a border pixel averages fewer), kept neighbours at their values, removed ones at
/// their own imputed values — one linear system for all removed pixels of a plane:
///
///     s_i · x_i − Σ_{removed j ~ i} w_ij · x_j = Σ_{kept j ~ i} w_ij · v_j,   s_i = Σ_{j ~ i in image} w_ij
///
/// solved per channel. Kept pixels keep their values. `images` `[N, C, H, W]`, `keep` `[N, 1, H, W]`
/// (nonzero = kept). The matrix is symmetric (w_ij = w_ji) and, when some pixel is kept, positive
/// definite, so conjugate gradients with the diagonal as preconditioner solve it in Double to a
/// residual of 1e-12 of the right-hand side (scipy's `spsolve` factorises; both give the same
/// solution to Float precision). Where every pixel is removed the system is singular (spsolve
/// returns NaN); here the plane is filled with 0 — nothing is left to interpolate from.
/// Cost per plane: O(K · iterations), K removed pixels, iterations ≲ 3·max(H, W).
public func linearImputation(of images: Tensor, keeping keep: Tensor) throws -> Tensor {
    try linearImputation(of: images, keeping: keep, neighbours: imputationNeighbours)
}

/// The imputation with other neighbour weights, without the border's renormalisation (every s_i = 1)
/// or with removed neighbours taken as 0 instead of solved for (`coupled == false`): the mistakes.
func linearImputation(of images: Tensor, keeping keep: Tensor, neighbours: [(dy: Int, dx: Int, weight: Double)],
                      renormalised: Bool = true, coupled: Bool = true) throws -> Tensor {
    let (n, c, h, w) = try imageShape(images, "linear imputation")
    guard keep.shape == [n, 1, h, w] else {
        throw TensorError.invalidArgument(operation: "linear imputation", message: "keep must be [N, 1, H, W] = [\(n), 1, \(h), \(w)]; received \(keep.shape)")
    }
    let area = h * w
    var out = images.data
    for i in 0..<n {
        let kept = keep.data[(i * area)..<((i + 1) * area)].map { $0 != 0 }
        let system = ImputationSystem(kept: kept, height: h, width: w, neighbours: neighbours, renormalised: renormalised, coupled: coupled)
        for ch in 0..<c {
            let base = (i * c + ch) * area
            let solution = system.solve(values: images.data[base..<(base + area)])
            for (k, p) in system.unknowns.enumerated() { out[base + p] = Float(solution[k]) }
        }
    }
    return try Tensor(shape: images.shape, data: out)
}

/// The imputation system of one mask, set up once and solved for each channel.
///
/// The neighbour lists are stored flat (compressed rows: the entries of unknown i are
/// `start[i]..<start[i + 1]`), and `solve` works in buffers allocated once per plane: the same
/// sums in the same order as lists of pairs and a new array per iteration gave (the same bits),
/// without the allocations that made this solver a fifth of `workbook rank`'s time on Shapes.
struct ImputationSystem {
    /// The removed pixels (flat indices, ascending): the unknowns, in this order.
    let unknowns: [Int]
    /// Per unknown: s_i, the weights of its in-image neighbours.
    let diagonal: [Double]
    /// Per unknown i, entries `couplingStart[i]..<couplingStart[i + 1]`: (unknown index of a removed neighbour, weight).
    let couplingStart: [Int], couplingIndex: [Int], couplingWeight: [Double]
    /// Per unknown i, entries `knownStart[i]..<knownStart[i + 1]`: (flat index of a kept neighbour, weight).
    let knownStart: [Int], knownIndex: [Int], knownWeight: [Double]

    init(kept: [Bool], height h: Int, width w: Int, neighbours: [(dy: Int, dx: Int, weight: Double)] = imputationNeighbours,
         renormalised: Bool = true, coupled: Bool = true) {
        var unknownIndex = [Int](repeating: -1, count: kept.count)
        var unknowns = [Int]()
        for p in kept.indices where !kept[p] { unknownIndex[p] = unknowns.count; unknowns.append(p) }
        var diagonal = [Double]()
        var couplingStart = [0], couplingIndex = [Int](), couplingWeight = [Double]()
        var knownStart = [0], knownIndex = [Int](), knownWeight = [Double]()
        for p in unknowns {
            let (y, x) = (p / w, p % w)
            var s = renormalised ? 0.0 : neighbours.reduce(0) { $0 + $1.weight }
            for (dy, dx, weight) in neighbours where (0..<h).contains(y + dy) && (0..<w).contains(x + dx) {
                let q = (y + dy) * w + x + dx
                if renormalised { s += weight }
                if kept[q] { knownIndex.append(q); knownWeight.append(weight) }
                else if coupled { couplingIndex.append(unknownIndex[q]); couplingWeight.append(weight) }
            }
            diagonal.append(s); couplingStart.append(couplingIndex.count); knownStart.append(knownIndex.count)
        }
        (self.unknowns, self.diagonal) = (unknowns, diagonal)
        (self.couplingStart, self.couplingIndex, self.couplingWeight) = (couplingStart, couplingIndex, couplingWeight)
        (self.knownStart, self.knownIndex, self.knownWeight) = (knownStart, knownIndex, knownWeight)
    }

    /// x for the plane `values` (`H·W`, kept pixels read from it), by preconditioned conjugate
    /// gradients (Jacobi preconditioner), stopping when max|r| ≤ 10⁻¹² max|b| or after 4k + 50 steps.
    func solve(values: ArraySlice<Float>) -> [Double] {
        let k = unknowns.count, base = values.startIndex
        guard k > 0 else { return [] }
        guard k < values.count else { return [Double](repeating: 0, count: k) }   // nothing kept: singular
        // b_i = Σ (weight · kept value), in list order.
        var b = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var sum = 0.0
            for e in knownStart[i]..<knownStart[i + 1] { sum = sum + knownWeight[e] * Double(values[base + knownIndex[e]]) }
            b[i] = sum
        }
        var x = [Double](repeating: 0, count: k), r = b
        let scale = b.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return x }
        var z = [Double](repeating: 0, count: k), d = [Double](repeating: 0, count: k), q = [Double](repeating: 0, count: k)
        for i in 0..<k { z[i] = r[i] / diagonal[i] }
        d = z
        var rz = 0.0
        for i in 0..<k { rz = rz + r[i] * z[i] }
        for _ in 0..<(4 * k + 50) {
            // q = A d: s_i d_i minus each coupled neighbour's weight times its d, in list order.
            for i in 0..<k {
                var value = diagonal[i] * d[i]
                for e in couplingStart[i]..<couplingStart[i + 1] { value = value - couplingWeight[e] * d[couplingIndex[e]] }
                q[i] = value
            }
            var dq = 0.0
            for i in 0..<k { dq = dq + d[i] * q[i] }
            let alpha = rz / dq
            for i in 0..<k { x[i] += alpha * d[i]; r[i] -= alpha * q[i] }
            if r.reduce(0, { max($0, abs($1)) }) <= 1e-12 * scale { break }
            for i in 0..<k { z[i] = r[i] / diagonal[i] }
            var next = 0.0
            for i in 0..<k { next = next + r[i] * z[i] }
            for i in 0..<k { d[i] = z[i] + (next / rz) * d[i] }
            rz = next
        }
        return x
    }
}

/// The p-th percentile of `values` as `numpy.percentile` computes it for a float32 array (linear
/// interpolation between the sorted values at ⌊h⌋ and ⌊h⌋ + 1, h = (n − 1)·p/100, evaluated from
/// the nearer end in Float as numpy's `_lerp` does), so the thresholds — and with ties, which
/// pixels are removed — are the library's.
func numpyPercentile(_ values: [Float], _ percentile: Int) -> Float {
    let sorted = values.sorted()
    let h = Double(sorted.count - 1) * (Double(percentile) / 100)
    let lower = min(Int(h.rounded(.down)), sorted.count - 1), upper = min(lower + 1, sorted.count - 1)
    let t = h - Double(lower), (a, b) = (sorted[lower], sorted[upper]), difference = b - a
    return t >= 0.5 ? b - difference * Float(1 - t) : a + difference * Float(t)
}

/// The kept pixels of one map at a percentile (1 = kept): `map < percentile(map, p)` for MoRF, and
/// the same on `1 − map` for LeRF, as the library thresholds — pixels *equal* to the threshold are
/// removed, so a plateau is removed whole.
func roadKeepMask(_ map: ArraySlice<Float>, percentile: Int, order: RemovalOrder, keepsTies: Bool = false) -> [Float] {
    let values = order == .mostRelevantFirst ? Array(map) : map.map { 1 - $0 }
    let threshold = numpyPercentile(values, percentile)
    return values.map { $0 < threshold || (keepsTies && $0 == threshold) ? 1 : 0 }
}

/// Checks a ROAD percentile, or throws.
func checkPercentile(_ percentile: Int, _ operation: String) throws {
    guard (1...99).contains(percentile) else {
        throw TensorError.invalidArgument(operation: operation, message: "percentile must be in 1...99; received \(percentile)")
    }
}

/// **10.6b** ROAD at one percentile: per image, the pixels `roadKeepMask` removes are imputed
/// (`linearImputation`) and `noise` is added at the removed pixels only (the library adds
/// 0.01·N(0, 1) there; the caller draws it, so a run is reproducible); the score is the softmax
/// probability of the target after imputation minus before (`return_diff=True`). MoRF: the lower,
/// the more faithful; LeRF: the higher. `noise` is shaped like `images`. Cost: N imputations and
/// two forward passes of N images.
public func roadScores(of model: Module, images: Tensor, attributions: Tensor, targets: [Int], percentile: Int,
                       order: RemovalOrder, noise: Tensor) throws -> [Float] {
    try roadScores(of: model, images: images, attributions: attributions, targets: targets, percentile: percentile, order: order, noise: noise,
                   variant: ROADVariant())
}

/// Ways to get ROAD wrong (the mistakes): ties kept, noise on every pixel, the probability after
/// imputation instead of the change.
struct ROADVariant {
    var keepsTies = false, noiseEverywhere = false, difference = true
}

/// `before`: the softmax of the unperturbed images when the caller has it (`roadCombined` scores
/// 18 perturbations against one forward pass of the originals).
func roadScores(of model: Module, images: Tensor, attributions: Tensor, targets: [Int], percentile: Int,
                order: RemovalOrder, noise: Tensor, variant: ROADVariant, before known: Tensor? = nil) throws -> [Float] {
    let (n, c, h, w) = try imageShape(images, "ROAD")
    try checkMaps(attributions, "ROAD", batch: n, height: h, width: w)
    try checkPercentile(percentile, "ROAD")
    guard targets.count == n else { throw TensorError.invalidArgument(operation: "ROAD", message: "\(targets.count) targets for \(n) images") }
    guard noise.shape == images.shape else {
        throw TensorError.invalidArgument(operation: "ROAD", message: "noise must be shaped like the images \(images.shape); received \(noise.shape)")
    }
    let area = h * w
    var keep = [Float](); keep.reserveCapacity(n * area)
    for i in 0..<n { keep += roadKeepMask(attributions.data[(i * area)..<((i + 1) * area)], percentile: percentile, order: order, keepsTies: variant.keepsTies) }
    var imputed = try linearImputation(of: images, keeping: try Tensor(shape: [n, 1, h, w], data: keep)).data
    for i in 0..<n { for ch in 0..<c { for p in 0..<area where keep[i * area + p] == 0 || variant.noiseEverywhere { imputed[(i * c + ch) * area + p] += noise.data[(i * c + ch) * area + p] } } }
    let (before, after) = try withNoGrad {
        (try known ?? model(images).softmax(), try model(try Tensor(shape: images.shape, data: imputed)).softmax())
    }
    let classes = before.shape[1]
    guard targets.allSatisfy({ (0..<classes).contains($0) }) else {
        throw TensorError.invalidArgument(operation: "ROAD", message: "a target outside 0..<\(classes): \(targets)")
    }
    return (0..<n).map { after.data[$0 * classes + targets[$0]] - (variant.difference ? before.data[$0 * classes + targets[$0]] : 0) }
}

/// ROAD combined over `percentiles` (pytorch-grad-cam's `ROADCombined`): per image,
/// (mean LeRF − mean MoRF) / 2 — higher is better, 0 for a map no better than its reverse. The
/// noise is `noiseScale`·N(0, 1) drawn from `SeededGenerator(seed)`, a fresh draw per percentile
/// and order (the library draws anew for every call too). Cost: 2·|percentiles| imputations per
/// image and forward passes of N·(2·|percentiles| + 1) images (the originals once).
public func roadCombined(of model: Module, images: Tensor, attributions: Tensor, targets: [Int],
                         percentiles: [Int] = Array(stride(from: 10, through: 90, by: 10)),
                         noiseScale: Float = 0.01, seed: UInt64) throws -> [Float] {
    guard !percentiles.isEmpty else { throw TensorError.invalidArgument(operation: "ROAD", message: "no percentiles") }
    var generator = SeededGenerator(seed: seed)
    var total = [Float](repeating: 0, count: images.shape.first ?? 0)
    let before = try withNoGrad { try model(images).softmax() }
    for percentile in percentiles {
        for order in RemovalOrder.allCases {
            let noise = try Tensor(shape: images.shape, data: (0..<images.count).map { _ in noiseScale * generator.nextNormal() })
            let scores = try roadScores(of: model, images: images, attributions: attributions, targets: targets,
                                        percentile: percentile, order: order, noise: noise, variant: ROADVariant(), before: before)
            let sign: Float = order == .leastRelevantFirst ? 1 : -1
            for i in total.indices { total[i] += sign * scores[i] }
        }
    }
    return total.map { $0 / Float(2 * percentiles.count) }
}
