// UMAP (McInnes, Healy & Melville 2018): what lesson 09's "next thing to try" looks like, in
// umap-learn's conventions (`umap.UMAP` 0.5 defaults, `init="pca"`). Not an exercise; `workbook
// embed --method umap` runs it, in both editions (the PCA of its start is passed in: the
// reference's `fastPCA`, or a student's exercise 9.2).

import Foundation
import LessonSupport
import TensorEngine

/// umap-learn's parameters that matter here (its defaults).
public struct UMAPSettings: Sendable, Equatable {
    /// k, counting the point itself, as umap-learn does (`n_neighbors=15`).
    public var neighbours = 15
    public var minimumDistance = 0.1, spread = 1.0
    /// nil: 500 for up to 10,000 points, else 200 (umap-learn's default).
    public var epochs: Int? = nil
    public var learningRate = 1.0, negativeSampleRate = 5, repulsionStrength = 1.0
    public var seed: UInt64 = 0

    public init(neighbours: Int = 15, minimumDistance: Double = 0.1, epochs: Int? = nil, seed: UInt64 = 0) {
        self.neighbours = neighbours; self.minimumDistance = minimumDistance; self.epochs = epochs; self.seed = seed
    }

    public func epochCount(points n: Int) -> Int { epochs ?? (n <= 10_000 ? 500 : 200) }
}

/// UMAP of the rows of `data` to 2-D:
///
/// 1. **Fuzzy neighbourhoods.** Each point's k − 1 nearest others (exact, `nearestNeighbours`),
///    ρᵢ = the distance to the nearest, σᵢ by binary search so that Σⱼ exp(−(dᵢⱼ − ρᵢ)/σᵢ) = log₂ k
///    (`smooth_knn_dist`); wᵢⱼ = exp(−(dᵢⱼ − ρᵢ)/σᵢ), 1 for the nearest.
/// 2. **Fuzzy union.** P = W + Wᵀ − W∘Wᵀ; weights below max/epochs dropped.
/// 3. **Start.** PCA (`principalComponents`, the 2-D projection of `data`) scaled to a largest |coordinate| of 10, plus N(0, 10⁻⁴) noise, then
///    each axis rescaled to [0, 10] (umap-learn's `init="pca"`).
/// 4. **Layout by SGD.** Each edge is sampled every max(P)/pᵢⱼ epochs: attraction along it with
///    −2ab·d^{2(b−1)} / (1 + a·d^{2b}), then `negativeSampleRate` random points repelled with
///    2γb / ((0.001 + d²)(1 + a·d^{2b})); every step clipped to ±4 and scaled by a learning rate
///    falling linearly to 0. a and b fit 1/(1 + a·x^{2b}) to the target curve (`curveParameters`).
///
/// Sequential (as umap-learn with a `random_state`), so the same seed gives the same bits.
public func umap(_ data: Matrix, settings: UMAPSettings = UMAPSettings(), principalComponents: (Matrix) throws -> Matrix,
                 progress: ((Int, Int) -> Void)? = nil) throws -> Matrix {
    let n = data.rows, k = settings.neighbours
    guard k >= 2, n > k, settings.minimumDistance >= 0, settings.minimumDistance < settings.spread else {
        throw TensorError.invalidArgument(operation: "umap", message: "need N > k ≥ 2 and 0 ≤ min distance < spread (N \(n), k \(k))")
    }
    let graph = fuzzySimplicialSet(data, neighbours: k)
    let epochs = settings.epochCount(points: n)
    let (a, b) = curveParameters(minimumDistance: settings.minimumDistance, spread: settings.spread)

    // Edges (both directions, as umap-learn's COO graph), the weak ones dropped.
    let largest = graph.values.max() ?? 0
    var heads: [Int] = [], tails: [Int] = [], weights: [Double] = []
    for i in 0..<n {
        for e in graph.rowStart[i]..<graph.rowStart[i + 1] where graph.values[e] >= largest / Double(epochs) {
            heads.append(i); tails.append(graph.columns[e]); weights.append(graph.values[e])
        }
    }
    let maxWeight = weights.max() ?? 1
    let epochsPerSample = weights.map { w -> Double in
        let samples = Double(epochs) * w / maxWeight
        return samples > 0 ? Double(epochs) / samples : -1
    }

    // The start: PCA, noisy scaling, then [0, 10] per axis.
    var generator = SeededGenerator(seed: settings.seed)
    var y = try principalComponents(data).values
    guard y.count == 2 * n else {
        throw TensorError.invalidArgument(operation: "umap", message: "the PCA start must be [\(n), 2], received \(y.count) values")
    }
    let expansion = 10 / max(y.map(abs).max() ?? 1, .leastNormalMagnitude)
    let noise = Tensor.randomNormal([n * 2], mean: 0, std: 1, using: &generator).data
    for t in y.indices { y[t] = Double(Float(y[t] * expansion)) + 1e-4 * Double(noise[t]) }
    for axis in 0..<2 {
        let column = stride(from: axis, to: 2 * n, by: 2).map { y[$0] }
        let low = column.min()!, high = column.max()!
        for i in 0..<n { y[2 * i + axis] = 10 * (y[2 * i + axis] - low) / max(high - low, .leastNormalMagnitude) }
    }

    let layout = UMAPLayout(points: n, heads: heads, tails: tails, epochsPerSample: epochsPerSample, epochs: epochs, a: a, b: b,
                            settings: settings)
    layout.optimise(&y, using: &generator, progress: progress)
    return try Matrix(rows: n, columns: 2, values: y)
}

/// UMAP's fuzzy simplicial set (steps 1 and 2 of `umap`), as a sparse symmetric matrix.
public func fuzzySimplicialSet(_ data: Matrix, neighbours k: Int) -> SparseAffinities {
    let n = data.rows
    let lists = nearestNeighbours(data, count: k - 1)
    let distances = lists.distances.map { $0.squareRoot() }              // [N, k − 1], self left out
    let meanDistance = distances.reduce(0, +) / Double(max(distances.count + n, 1))   // umap-learn's mean includes the zeros to self
    let target = log2(Double(k))
    var memberships = [[Double]](repeating: [], count: n)
    for i in 0..<n {
        let row = Array(distances[(i * (k - 1))..<((i + 1) * (k - 1))])
        let rho = row.first { $0 > 0 } ?? 0
        var (low, high, sigma) = (0.0, Double.infinity, 1.0)
        for _ in 0..<64 {
            var sum = 0.0
            for d in row { let excess = d - rho; sum += excess > 0 ? exp(-excess / sigma) : 1 }
            if abs(sum - target) < 1e-5 { break }
            if sum > target { high = sigma; sigma = (low + high) / 2 } else { low = sigma; sigma = high == .infinity ? sigma * 2 : (low + high) / 2 }
        }
        let rowMean = row.reduce(0, +) / Double(k)                      // over k entries, the self 0 included
        sigma = max(sigma, 1e-3 * (rho > 0 ? rowMean : meanDistance))
        memberships[i] = row.map { d in d - rho <= 0 ? 1 : exp(-(d - rho) / sigma) }
    }
    // W + Wᵀ − W∘Wᵀ: gather w_ij and w_ji per row, by column.
    var entries = [[Int: (Double, Double)]](repeating: [:], count: n)
    for i in 0..<n {
        for r in 0..<(k - 1) {
            let j = lists.indices[i * (k - 1) + r], w = memberships[i][r]
            entries[i][j, default: (0, 0)].0 = w
            entries[j][i, default: (0, 0)].1 = w
        }
    }
    var rowStart = [0], columns: [Int] = [], values: [Double] = []
    for i in 0..<n {
        for (j, w) in entries[i].sorted(by: { $0.key < $1.key }) {
            let value = w.0 + w.1 - w.0 * w.1
            if value > 0 { columns.append(j); values.append(value) }
        }
        rowStart.append(columns.count)
    }
    return SparseAffinities(count: n, rowStart: rowStart, columns: columns, values: values)
}

/// umap-learn's `find_ab_params`: the least-squares fit of 1/(1 + a·x^{2b}) to 1 for x < min_dist
/// and exp(−(x − min_dist)/spread) beyond, on 300 points of [0, 3·spread], by Levenberg–Marquardt
/// from (1, 1) (scipy's `curve_fit`). Defaults give a ≈ 1.577, b ≈ 0.895.
public func curveParameters(minimumDistance: Double, spread: Double) -> (a: Double, b: Double) {
    let xs = (0..<300).map { 3 * spread * Double($0) / 299 }
    let targets = xs.map { $0 < minimumDistance ? 1 : exp(-($0 - minimumDistance) / spread) }
    func residuals(_ a: Double, _ b: Double) -> [Double] { zip(xs, targets).map { 1 / (1 + a * pow($0, 2 * b)) - $1 } }
    func cost(_ a: Double, _ b: Double) -> Double { residuals(a, b).reduce(0) { $0 + $1 * $1 } }
    var (a, b, lambda) = (1.0, 1.0, 1e-3)
    for _ in 0..<500 {
        // Jacobian of f = 1 / (1 + a x^{2b}): ∂f/∂a = −x^{2b} f², ∂f/∂b = −2a ln(x) x^{2b} f².
        var jtj = (0.0, 0.0, 0.0), jtr = (0.0, 0.0)
        for (x, t) in zip(xs, targets) where x > 0 {
            let p = pow(x, 2 * b), f = 1 / (1 + a * p), r = f - t
            let ja = -p * f * f, jb = -2 * a * log(x) * p * f * f
            jtj.0 += ja * ja; jtj.1 += ja * jb; jtj.2 += jb * jb
            jtr.0 += ja * r; jtr.1 += jb * r
        }
        let m00 = jtj.0 * (1 + lambda), m11 = jtj.2 * (1 + lambda), m01 = jtj.1
        let det = m00 * m11 - m01 * m01
        guard det != 0 else { break }
        let da = -(m11 * jtr.0 - m01 * jtr.1) / det, db = -(m00 * jtr.1 - m01 * jtr.0) / det
        if cost(a + da, b + db) < cost(a, b) {
            a += da; b += db; lambda /= 10
            if abs(da) < 1e-12 * abs(a) && abs(db) < 1e-12 * abs(b) { break }
        } else {
            lambda *= 10
            if lambda > 1e12 { break }
        }
    }
    return (a, b)
}

/// UMAP's layout by SGD (step 4 of `umap`) over the directed edges `heads[e] → tails[e]`: the fast
/// path `optimise` and its naive twin `optimiseNaively`, which give the same bits (tested).
///
/// Where the time goes (10,000 MNIST pixels, 500 epochs): 3.2·10⁷ attractions and 1.6·10⁸
/// repulsions, each a chain of dependent operations on the moving point — d², d^{2b}, one
/// division — so the loop runs at the latency of that chain (~30 ns), not its throughput.
/// d^{2b} is `powf` in single precision (3 ns against 8 ns for `pow` here): umap-learn keeps
/// the coordinates themselves in float32, so every step is rounded to ~6·10⁻⁸ anyway; this took
/// the layout from 6.5 s to 5.3 s, with trustworthiness T(5) 0.9619–0.9638 over seeds 0–3 against
/// 0.9620–0.9634 with `pow` and umap-learn's 0.9613–0.9643 (BENCHMARKS.md).
struct UMAPLayout {
    let points: Int
    let heads: [Int], tails: [Int]
    let epochsPerSample: [Double]
    let epochs: Int
    let a: Double, b: Double
    let settings: UMAPSettings

    init(points: Int, heads: [Int], tails: [Int], epochsPerSample: [Double], epochs: Int, a: Double, b: Double, settings: UMAPSettings) {
        self.points = points; self.heads = heads; self.tails = tails; self.epochsPerSample = epochsPerSample
        self.epochs = epochs; self.a = a; self.b = b; self.settings = settings
    }

    /// The fast path: the edge arrays through base pointers (no bounds checks, no copy-on-write
    /// checks in the inner loop), wrapping index arithmetic, the epoch's schedule kept in two
    /// arrays the loop owns. The same operations in the same order as `optimiseNaively`.
    func optimise(_ y: inout [Double], using generator: inout SeededGenerator, progress: ((Int, Int) -> Void)?) {
        let edges = heads.count, n = UInt64(points), a = a, b = b, power32 = Float(b)
        let negativeRate = Double(settings.negativeSampleRate), gamma = settings.repulsionStrength
        var nextSample = epochsPerSample
        let epochsPerNegative = epochsPerSample.map { $0 / negativeRate }
        var nextNegative = epochsPerNegative
        var alpha = settings.learningRate
        @inline(__always) func clip(_ v: Double) -> Double { min(max(v, -4), 4) }
        heads.withUnsafeBufferPointer { heads in
        tails.withUnsafeBufferPointer { tails in
        epochsPerSample.withUnsafeBufferPointer { perSample in
        epochsPerNegative.withUnsafeBufferPointer { perNegative in
        nextSample.withUnsafeMutableBufferPointer { nextSample in
        nextNegative.withUnsafeMutableBufferPointer { nextNegative in
        y.withUnsafeMutableBufferPointer { y in
            for epoch in 0..<epochs {
                let e = Double(epoch)
                var edge = 0
                while edge < edges {
                    defer { edge &+= 1 }
                    guard nextSample[edge] <= e else { continue }
                    let j = 2 &* heads[edge], t = 2 &* tails[edge]
                    var yj0 = y[j], yj1 = y[j &+ 1]
                    var dx = yj0 - y[t], dy = yj1 - y[t &+ 1]
                    var d2 = dx * dx + dy * dy
                    if d2 > 0 {
                        let power = Double(powf(Float(d2), power32))
                        let coefficient = -2 * a * b * (power / d2) / (a * power + 1)
                        let gx = clip(coefficient * dx), gy = clip(coefficient * dy)
                        yj0 += gx * alpha; yj1 += gy * alpha
                        y[j] = yj0; y[j &+ 1] = yj1
                        y[t] -= gx * alpha; y[t &+ 1] -= gy * alpha
                    }
                    nextSample[edge] += perSample[edge]
                    let negatives = max(Int((e - nextNegative[edge]) / perNegative[edge]), 0)
                    for _ in 0..<negatives {
                        let other = 2 &* Int(generator.next() % n)
                        if other == j { continue }
                        dx = yj0 - y[other]; dy = yj1 - y[other &+ 1]
                        d2 = dx * dx + dy * dy
                        guard d2 > 0 else { continue }
                        let coefficient = 2 * gamma * b / ((0.001 + d2) * (a * Double(powf(Float(d2), power32)) + 1))
                        yj0 += clip(coefficient * dx) * alpha; yj1 += clip(coefficient * dy) * alpha
                        y[j] = yj0; y[j &+ 1] = yj1
                    }
                    nextNegative[edge] += Double(negatives) * perNegative[edge]
                }
                alpha = settings.learningRate * (1 - Double(epoch + 1) / Double(epochs))
                progress?(epoch + 1, epochs)
            }
        } } } } } } }
    }

    /// The naive twin of `optimise`: umap-learn's `optimize_layout_euclidean` loop as written.
    func optimiseNaively(_ y: inout [Double], using generator: inout SeededGenerator, progress: ((Int, Int) -> Void)?) {
        let (heads, tails, epochsPerSample, epochs, a, b, n) = (heads, tails, epochsPerSample, epochs, a, b, points)
        let power32 = Float(b)
        func clip(_ v: Double) -> Double { min(max(v, -4), 4) }
        var nextSample = epochsPerSample
        let epochsPerNegative = epochsPerSample.map { $0 / Double(settings.negativeSampleRate) }
        var nextNegative = epochsPerNegative
        var alpha = settings.learningRate
        let gamma = settings.repulsionStrength
        y.withUnsafeMutableBufferPointer { y in
            for epoch in 0..<epochs {
                let e = Double(epoch)
                for edge in heads.indices where nextSample[edge] <= e {
                    let j = heads[edge], t = tails[edge]
                    var dx = y[2 &* j] - y[2 &* t], dy = y[2 &* j &+ 1] - y[2 &* t &+ 1]
                    var d2 = dx * dx + dy * dy
                    if d2 > 0 {
                        // −2ab·d^{2(b−1)} / (1 + a·d^{2b}), with d^{2(b−1)} = d^{2b} / d² (one pow).
                        let power = Double(powf(Float(d2), power32))
                        let coefficient = -2 * a * b * (power / d2) / (a * power + 1)
                        let gx = clip(coefficient * dx), gy = clip(coefficient * dy)
                        y[2 &* j] += gx * alpha; y[2 &* j &+ 1] += gy * alpha
                        y[2 &* t] -= gx * alpha; y[2 &* t &+ 1] -= gy * alpha
                    }
                    nextSample[edge] += epochsPerSample[edge]
                    let negatives = max(Int((e - nextNegative[edge]) / epochsPerNegative[edge]), 0)
                    for _ in 0..<negatives {
                        let other = Int(generator.next() % UInt64(n))
                        if other == j { continue }
                        dx = y[2 &* j] - y[2 &* other]; dy = y[2 &* j &+ 1] - y[2 &* other &+ 1]
                        d2 = dx * dx + dy * dy
                        guard d2 > 0 else { continue }
                        let coefficient = 2 * gamma * b / ((0.001 + d2) * (a * Double(powf(Float(d2), power32)) + 1))
                        y[2 &* j] += clip(coefficient * dx) * alpha; y[2 &* j &+ 1] += clip(coefficient * dy) * alpha
                    }
                    nextNegative[edge] += Double(negatives) * epochsPerNegative[edge]
                }
                alpha = settings.learningRate * (1 - Double(epoch + 1) / Double(epochs))
                progress?(epoch + 1, epochs)
            }
        }
    }
}
