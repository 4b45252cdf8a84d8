// Lesson 09 — Embeddings: the reference solutions (scikit-learn's conventions throughout).

import Foundation
import LessonSupport
import TensorEngine

// MARK: 9.1 Features

/// **9.1** The activations of `layer` (or the pixels, `layer == "pixels"`) for every image,
/// flattened to `[N, D]`, in batches of `batchSize` under `withNoGrad`.
public func features(of model: Module, at layer: String, for images: Tensor, batchSize: Int) throws -> Tensor {
    guard batchSize > 0 else { throw TensorError.invalidArgument(operation: "features", message: "batchSize must be positive, got \(batchSize)") }
    guard images.rank >= 2 else { throw TensorError.invalidArgument(operation: "features", message: "images must be [N, …], got \(images.shape)") }
    let n = images.shape[0]
    if layer == "pixels" { return try images.detached().reshaped([n, images.count / max(n, 1)]) }
    let module = try model.module(named: layer)
    var captured: Tensor?
    let handle = module.registerForwardHook { _, _, output in captured = output }
    defer { handle.remove() }
    var values: [Float] = []
    var width = 0
    for start in stride(from: 0, to: n, by: batchSize) {
        let batch = try images.sliced(axis: 0, start..<min(start + batchSize, n))
        captured = nil
        _ = try withNoGrad { try model(batch) }
        let output = try captured.orThrow("layer '\(layer)' did not run")
        width = output.count / batch.shape[0]
        if values.isEmpty { values.reserveCapacity(n * width) }
        values += output.data
    }
    return try Tensor(shape: [n, width], data: values)
}

// MARK: 9.2 PCA

/// The eigenvalues (descending) and unit eigenvectors (the columns of `vectors`, n × n) of a
/// symmetric matrix, by cyclic Jacobi rotations: each sweep zeroes every off-diagonal pair once,
/// O(n³) per sweep, a handful of sweeps to machine precision.
public func symmetricEigen(_ matrix: Matrix) -> (values: [Double], vectors: Matrix) {
    let n = matrix.rows
    var a = matrix.values
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    a.withUnsafeMutableBufferPointer { a in
        v.withUnsafeMutableBufferPointer { v in
            for _ in 0..<100 {
                var off = 0.0, diagonal = 0.0
                for i in 0..<n {
                    diagonal += a[i * n + i] * a[i * n + i]
                    for j in (i + 1)..<max(n, i + 1) { off += a[i * n + j] * a[i * n + j] }
                }
                if off <= 1e-30 * diagonal || off == 0 { break }
                for p in 0..<n {
                    for q in (p + 1)..<max(n, p + 1) {
                        let apq = a[p * n + q]
                        if apq == 0 { continue }
                        let app = a[p * n + p], aqq = a[q * n + q]
                        // Skip what is already below the rounding of both diagonal entries.
                        if abs(apq) < 1e-18 * (abs(app) + abs(aqq)) { a[p * n + q] = 0; a[q * n + p] = 0; continue }
                        let theta = (aqq - app) / (2 * apq)
                        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                        let c = 1 / (t * t + 1).squareRoot(), s = t * c
                        // Columns p and q of A (then rows, by symmetry).
                        for k in 0..<n {
                            let akp = a[k * n + p], akq = a[k * n + q]
                            a[k * n + p] = c * akp - s * akq
                            a[k * n + q] = s * akp + c * akq
                        }
                        for k in 0..<n {
                            let apk = a[p * n + k], aqk = a[q * n + k]
                            a[p * n + k] = c * apk - s * aqk
                            a[q * n + k] = s * apk + c * aqk
                        }
                        a[p * n + q] = 0; a[q * n + p] = 0
                        for k in 0..<n {
                            let vkp = v[k * n + p], vkq = v[k * n + q]
                            v[k * n + p] = c * vkp - s * vkq
                            v[k * n + q] = s * vkp + c * vkq
                        }
                    }
                }
            }
        }
    }
    let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] || (a[$0 * n + $0] == a[$1 * n + $1] && $0 < $1) }
    var vectors = Matrix(zeros: n, n)
    for (column, index) in order.enumerated() { for k in 0..<n { vectors.values[k * n + column] = v[k * n + index] } }
    return (order.map { a[$0 * n + $0] }, vectors)
}

/// **9.2** PCA as `sklearn.decomposition.PCA(n_components=k)`: centre, eigen-decompose the
/// covariance (ddof 1) — or, when N < D, the N × N Gram matrix of the centred points, which has
/// the same non-zero eigenvalues — sort descending, flip each component so that its
/// largest-magnitude entry is positive (`svd_flip(u_based_decision=False)`), project.
public func pca(_ data: Matrix, components k: Int) throws -> PCAResult {
    let (n, d) = (data.rows, data.columns)
    guard n >= 2, k >= 1, k <= min(n, d) else {
        throw TensorError.invalidArgument(operation: "pca", message: "need 2+ points and 1 ≤ k ≤ min(N, D); got N \(n), D \(d), k \(k)")
    }
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<n { for j in 0..<d { mean[j] += data.values[i * d + j] } }
    for j in 0..<d { mean[j] /= Double(n) }
    var x = data.values
    for i in 0..<n { for j in 0..<d { x[i * d + j] -= mean[j] } }
    let total = x.reduce(0) { $0 + $1 * $1 } / Double(n - 1)

    var components = Matrix(zeros: k, d)
    var eigenvalues: [Double]
    if n < d {
        // Gram G = X Xᵀ / (N − 1); a component is Xᵀu normalised.
        var gram = Matrix(zeros: n, n)
        gram.values.withUnsafeMutableBufferPointer { g in
            x.withUnsafeBufferPointer { x in
                for i in 0..<n { for j in i..<n {
                    var s = 0.0
                    for c in 0..<d { s += x[i * d + c] * x[j * d + c] }
                    g[i * n + j] = s / Double(n - 1); g[j * n + i] = s / Double(n - 1)
                } }
            }
        }
        let (values, u) = symmetricEigen(gram)
        eigenvalues = Array(values.prefix(k))
        for c in 0..<k {
            var axis = [Double](repeating: 0, count: d)
            for i in 0..<n { let w = u.values[i * n + c]; for j in 0..<d { axis[j] += w * x[i * d + j] } }
            let norm = axis.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<d { components.values[c * d + j] = norm > 0 ? axis[j] / norm : 0 }
        }
    } else {
        var covariance = Matrix(zeros: d, d)
        covariance.values.withUnsafeMutableBufferPointer { cov in
            x.withUnsafeBufferPointer { x in
                for i in 0..<n { for a in 0..<d {
                    let xa = x[i * d + a]
                    if xa == 0 { continue }
                    for b in a..<d { cov[a * d + b] += xa * x[i * d + b] }
                } }
                for a in 0..<d { for b in a..<d { cov[a * d + b] /= Double(n - 1); cov[b * d + a] = cov[a * d + b] } }
            }
        }
        let (values, vectors) = symmetricEigen(covariance)
        eigenvalues = Array(values.prefix(k))
        for c in 0..<k { for j in 0..<d { components.values[c * d + j] = vectors.values[j * d + c] } }
    }
    flipSigns(&components)
    return PCAResult(components: components, explainedVarianceRatio: eigenvalues.map { total > 0 ? $0 / total : 0 },
                     projection: project(x, rows: n, on: components))
}

/// sklearn's `svd_flip(u_based_decision=False)`: each row's largest |entry| (the first of equal
/// ones) made positive.
func flipSigns(_ components: inout Matrix) {
    let d = components.columns
    for c in 0..<components.rows {
        var best = 0
        for j in 0..<d where abs(components.values[c * d + j]) > abs(components.values[c * d + best]) { best = j }
        if components.values[c * d + best] < 0 { for j in 0..<d { components.values[c * d + j] = -components.values[c * d + j] } }
    }
}

/// The centred points `x` (rows × D) times the components' transpose: `[rows, k]`.
func project(_ x: [Double], rows n: Int, on components: Matrix) -> Matrix {
    let (k, d) = (components.rows, components.columns)
    var out = Matrix(zeros: n, k)
    for i in 0..<n { for c in 0..<k {
        var s = 0.0
        for j in 0..<d { s += x[i * d + j] * components.values[c * d + j] }
        out.values[i * k + c] = s
    } }
    return out
}

// MARK: 9.3 Affinities

/// Squared Euclidean distances of the rows, rounded to `Float` as sklearn does before its
/// perplexity search (`distances.astype(np.float32)`).
public func squaredDistances(_ data: Matrix) -> Matrix {
    let (n, d) = (data.rows, data.columns)
    var out = Matrix(zeros: n, n)
    data.values.withUnsafeBufferPointer { x in
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) {
            var s = 0.0
            for c in 0..<d { let t = x[i * d + c] - x[j * d + c]; s += t * t }
            let rounded = Double(Float(s))
            out.values[i * n + j] = rounded; out.values[j * n + i] = rounded
        } }
    }
    return out
}

/// sklearn's `_binary_search_perplexity` for one row: returns p_{j|i} (p_{i|i} = 0).
func conditionalRow(_ distances: UnsafeBufferPointer<Double>, row i: Int, count n: Int, desiredEntropy: Double) -> [Double] {
    perplexitySearch(UnsafeBufferPointer(rebasing: distances[(i * n)..<((i + 1) * n)]), skipping: i, desiredEntropy: desiredEntropy)
}

/// The binary search on β for one point, given its squared distances to the others (the entry
/// `skipping`, the point itself, is left out and gets probability 0): the Gaussian
/// exp(−β·d) / Σ whose entropy is within sklearn's tolerance (1e-5 in `Float`) of `desiredEntropy`,
/// at most 100 steps. Shared by the exact affinities (9.3) and the Barnes–Hut ones (k neighbours).
func perplexitySearch(_ distances: UnsafeBufferPointer<Double>, skipping own: Int?, desiredEntropy: Double) -> [Double] {
    let n = distances.count
    var p = [Double](repeating: 0, count: n)
    var (beta, betaMin, betaMax) = (1.0, -Double.infinity, Double.infinity)
    let tolerance = Double(Float(1e-5))
    for _ in 0..<100 {
        var sum = 0.0
        for j in 0..<n where j != own { p[j] = exp(-distances[j] * beta); sum += p[j] }
        if sum == 0 { sum = Double(Float(1e-8)) }
        var weighted = 0.0
        for j in 0..<n { p[j] /= sum; weighted += distances[j] * p[j] }
        let entropy = log(sum) + beta * weighted
        let difference = entropy - desiredEntropy
        if abs(difference) <= tolerance { break }
        if difference > 0 {
            betaMin = beta
            beta = betaMax == .infinity ? beta * 2 : (beta + betaMax) / 2
        } else {
            betaMax = beta
            beta = betaMin == -.infinity ? beta / 2 : (beta + betaMin) / 2
        }
    }
    return p
}

/// **9.3** t-SNE's P as sklearn's `_joint_probabilities`: a binary search per point for the β
/// whose Gaussian has entropy ln(perplexity) (natural log), then P = (P + Pᵀ) / Σ, floored at
/// `machineEpsilon` off the diagonal.
public func tsneAffinities(_ data: Matrix, perplexity: Double) throws -> Affinities {
    let n = data.rows
    guard n >= 2, perplexity > 0 else {
        throw TensorError.invalidArgument(operation: "tsneAffinities", message: "need 2+ points and a positive perplexity")
    }
    let distances = squaredDistances(data)
    let desired = log(Double(Float(perplexity)))
    var conditional = Matrix(zeros: n, n)
    distances.values.withUnsafeBufferPointer { d in
        let rows = Parallel.map(n) { i in conditionalRow(d, row: i, count: n, desiredEntropy: desired) }
        for i in 0..<n { conditional.values.replaceSubrange((i * n)..<((i + 1) * n), with: rows[i]) }
    }
    return Affinities(conditional: conditional, joint: joint(conditional))
}

/// (P + Pᵀ) / max(Σ, ε), each off-diagonal entry floored at ε, the diagonal 0.
public func joint(_ conditional: Matrix) -> Matrix {
    let n = conditional.rows
    var p = Matrix(zeros: n, n)
    var sum = 0.0
    for i in 0..<n { for j in 0..<n { sum += conditional.values[i * n + j] + conditional.values[j * n + i] } }
    sum = max(sum, machineEpsilon)
    for i in 0..<n { for j in 0..<n where j != i {
        p.values[i * n + j] = max((conditional.values[i * n + j] + conditional.values[j * n + i]) / sum, machineEpsilon)
    } }
    return p
}

// MARK: 9.4 KL divergence and its gradient

/// **9.4** KL(P‖Q) and its gradient for an embedding `y` (`[N, 2]`), as sklearn's
/// `_kl_divergence` with one degree of freedom: w_ij = (1 + ‖yᵢ − yⱼ‖²)⁻¹, q_ij = max(w_ij / Σ w, ε),
/// KL = Σ_{i≠j} p_ij log(max(p_ij, ε) / q_ij), ∂KL/∂yᵢ = 4 Σⱼ (p_ij − q_ij) w_ij (yᵢ − yⱼ).
public func tsneGradient(_ p: Matrix, _ y: Matrix) throws -> (kl: Double, gradient: Matrix) {
    guard p.rows == p.columns, p.rows == y.rows else {
        throw TensorError.invalidArgument(operation: "tsneGradient", message: "P is \(p.rows) × \(p.columns), Y has \(y.rows) rows")
    }
    let (kl, gradient) = klAndGradient(p.values, y.values, count: y.rows, dimensions: y.columns, computeError: true)
    return (kl, try Matrix(rows: y.rows, columns: y.columns, values: gradient))
}

/// The O(N²) kernel of 9.4, rows on several cores; the KL only when asked (it needs a log per pair).
func klAndGradient(_ p: [Double], _ y: [Double], count n: Int, dimensions m: Int, computeError: Bool) -> (Double, [Double]) {
    // Row sums of the kernel w_ij, then the gradient with q_ij = max(w_ij / Z, ε).
    let rowSums: [Double] = y.withUnsafeBufferPointer { y in
        Parallel.map(n) { i in
            var s = 0.0
            for j in 0..<n where j != i {
                var d2 = 0.0
                for c in 0..<m { let t = y[i * m + c] - y[j * m + c]; d2 += t * t }
                s += 1 / (1 + d2)
            }
            return s
        }
    }
    let z = rowSums.reduce(0, +)
    let rows: [(Double, [Double])] = p.withUnsafeBufferPointer { p in
        y.withUnsafeBufferPointer { y in
            Parallel.map(n) { i in
                var g = [Double](repeating: 0, count: m)
                var kl = 0.0
                for j in 0..<n where j != i {
                    var d2 = 0.0
                    for c in 0..<m { let t = y[i * m + c] - y[j * m + c]; d2 += t * t }
                    let w = 1 / (1 + d2)
                    let q = max(w / z, machineEpsilon)
                    let pij = p[i * n + j]
                    let f = (pij - q) * w
                    for c in 0..<m { g[c] += f * (y[i * m + c] - y[j * m + c]) }
                    if computeError { kl += pij * log(max(pij, machineEpsilon) / q) }
                }
                for c in 0..<m { g[c] *= 4 }
                return (kl, g)
            }
        }
    }
    return (rows.reduce(0) { $0 + $1.0 }, rows.flatMap { $0.1 })
}

// MARK: 9.5 The optimiser

/// The starting embedding: sklearn's `init="pca"` (the first two components, scaled so that the
/// first has population standard deviation 1e-4) or `init="random"` (1e-4 · N(0, 1)).
public func tsneStart(_ data: Matrix, settings: TSNESettings, scaled: Bool = true) throws -> Matrix {
    try tsneStart(data, settings: settings, scaled: scaled, principalComponents: pca)
}

/// `tsneStart` with another PCA (the engine's `fastPCA` for large data).
func tsneStart(_ data: Matrix, settings: TSNESettings, scaled: Bool = true,
               principalComponents: (Matrix, Int) throws -> PCAResult) throws -> Matrix {
    let n = data.rows
    switch settings.initialisation {
    case .pca:
        var y = try principalComponents(data, 2).projection
        let column = y.column(0)
        let mean = column.reduce(0, +) / Double(n)
        let std = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
        if scaled { for k in y.values.indices { y.values[k] = y.values[k] / std * 1e-4 } }
        return y
    case .random:
        var g = SeededGenerator(seed: settings.seed)
        let noise = Tensor.randomNormal([n, 2], mean: 0, std: 1, using: &g)
        return try Matrix(rows: n, columns: 2, values: noise.data.map { 1e-4 * Double($0) })
    }
}

/// **9.5** Exact t-SNE as sklearn's `TSNE(method="exact")`: P from 9.3; the start of `tsneStart`;
/// then two runs of `_gradient_descent` — 250 iterations with P × 12 and momentum 0.5, then the
/// rest with P and momentum 0.8, each starting from zero update and unit gains:
///
///     gains  += 0.2 where update · grad < 0, else gains ×= 0.8; gains = max(gains, 0.01)
///     update  = momentum · update − learningRate · gains · grad;  y += update
///
/// with learningRate = max(N / 12 / 4, 50). The KL is checked every 50 iterations (and at the last);
/// a phase stops early after 250 / 300 iterations without a better KL or at gradient norm ≤ 1e-7.
public func tsne(_ data: Matrix, settings: TSNESettings, progress: ((Int, Double) -> Void)? = nil) throws -> TSNEResult {
    try tsne(data, settings: settings, variant: TSNEVariant(), progress: progress)
}

/// What the mistake catalogue changes in the optimiser (everything on: the reference).
struct TSNEVariant {
    var switchOffExaggeration = true, scaleStart = true, raiseMomentum = true
}

func tsne(_ data: Matrix, settings: TSNESettings, variant: TSNEVariant, progress: ((Int, Double) -> Void)? = nil) throws -> TSNEResult {
    let n = data.rows
    guard n >= 4 else { throw TensorError.invalidArgument(operation: "tsne", message: "need at least 4 points, got \(n)") }
    let affinities = try tsneAffinities(data, perplexity: settings.perplexity)
    let start = try tsneStart(data, settings: settings, scaled: variant.scaleStart)
    let exaggerated = affinities.joint.values.map { $0 * settings.earlyExaggeration }
    return try optimiseEmbedding(start: start, settings: settings, variant: variant, progress: progress) { y, phase, computeError in
        let p = phase == .exaggerated || !variant.switchOffExaggeration ? exaggerated : affinities.joint.values
        return klAndGradient(p, y, count: n, dimensions: 2, computeError: computeError)
    }
}

/// The two phases of t-SNE's optimisation: with P exaggerated, then with P itself.
enum TSNEPhase { case exaggerated, final }

/// sklearn's two calls of `_gradient_descent` (see `tsne(_:settings:progress:)`), for any way of
/// computing the gradient: `gradient(y, phase, computeError)` returns (KL, ∂KL/∂y), the KL only
/// when asked. The exact t-SNE (9.5) and the Barnes–Hut one share it.
func optimiseEmbedding(start: Matrix, settings: TSNESettings, variant: TSNEVariant, progress: ((Int, Double) -> Void)?,
                       gradient: ([Double], TSNEPhase, Bool) -> (Double, [Double])) throws -> TSNEResult {
    var y = start.values
    let rate = settings.learningRate(count: start.rows)
    var history: [(iteration: Int, value: Double)] = []
    var lastKL = Double.nan
    func descend(_ phase: TSNEPhase, from start: Int, to end: Int, momentum: Double, patience: Int) -> Int {
        var update = [Double](repeating: 0, count: y.count)
        var gains = [Double](repeating: 1, count: y.count)
        var best = Double.greatestFiniteMagnitude, bestIteration = start
        var i = start
        while i < end {
            let check = (i + 1) % TSNESettings.checkEvery == 0
            let (kl, gradient) = gradient(y, phase, check || i == end - 1)
            var norm = 0.0
            for k in y.indices {
                var g = gradient[k]
                if update[k] * g < 0 { gains[k] += 0.2 } else { gains[k] *= 0.8 }
                gains[k] = max(gains[k], TSNESettings.minGain)
                g *= gains[k]
                norm += g * g
                update[k] = momentum * update[k] - rate * g
                y[k] += update[k]
            }
            if check || i == end - 1 { history.append((i + 1, kl)); lastKL = kl }
            progress?(i + 1, lastKL)
            if check {
                if kl < best { best = kl; bestIteration = i } else if i - bestIteration > patience { return i }
                if norm.squareRoot() <= TSNESettings.minGradientNorm { return i }
            }
            i += 1
        }
        return end - 1
    }
    let first = min(settings.exaggerationIterations, settings.iterations)
    var last = descend(.exaggerated, from: 0, to: first, momentum: TSNESettings.earlyMomentum, patience: TSNESettings.withoutProgressEarly)
    if last < first - 1 || settings.iterations > first {
        last = descend(.final, from: last + 1, to: settings.iterations,
                       momentum: variant.raiseMomentum ? TSNESettings.finalMomentum : TSNESettings.earlyMomentum,
                       patience: TSNESettings.withoutProgressFinal)
    }
    return TSNEResult(embedding: try Matrix(rows: start.rows, columns: start.columns, values: y), kl: history, iterations: last + 1)
}

// MARK: 9.6 Trustworthiness, 9.7 kNN accuracy

/// Squared Euclidean distances in Double (no rounding): for neighbour ranks.
func exactSquaredDistances(_ data: Matrix) -> [Double] {
    let (n, d) = (data.rows, data.columns)
    var out = [Double](repeating: 0, count: n * n)
    data.values.withUnsafeBufferPointer { x in
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) {
            var s = 0.0
            for c in 0..<d { let t = x[i * d + c] - x[j * d + c]; s += t * t }
            out[i * n + j] = s; out[j * n + i] = s
        } }
    }
    return out
}

/// The other points ordered by distance from `i` (equal distances: smaller index first).
func neighbourOrder(_ distances: [Double], row i: Int, count n: Int) -> [Int] {
    (0..<n).filter { $0 != i }.sorted { (distances[i * n + $0], $0) < (distances[i * n + $1], $1) }
}

/// **9.6** `sklearn.manifold.trustworthiness(high, low, n_neighbors=k)` (Venna & Kaski 2001):
///
///     T(k) = 1 − 2 / (N k (2N − 3k − 1)) · Σᵢ Σ_{j ∈ U_k(i)} (r(i, j) − k)
///
/// where U_k(i) are i's k nearest neighbours in the embedding that are not among its k nearest
/// in the original space, and r(i, j) is j's rank among i's original neighbours (1 = nearest; i
/// itself is not ranked). Requires k < N / 2.
public func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
    let n = high.rows
    guard low.rows == n, k >= 1, Double(k) < Double(n) / 2 else {
        throw TensorError.invalidArgument(operation: "trustworthiness", message: "need the same N in both and 1 ≤ k < N/2 (N \(n), k \(k))")
    }
    let dh = exactSquaredDistances(high), dl = exactSquaredDistances(low)
    let penalties: [Int] = Parallel.map(n) { i in
        var rank = [Int](repeating: 0, count: n)
        for (r, j) in neighbourOrder(dh, row: i, count: n).enumerated() { rank[j] = r + 1 }
        return neighbourOrder(dl, row: i, count: n).prefix(k).reduce(0) { $0 + max(rank[$1] - k, 0) }
    }
    return trustworthiness(penalty: penalties.reduce(0, +), count: n, neighbours: k)
}

/// T(k) from the summed rank penalty Σᵢ Σ_{j ∈ U_k(i)} (r(i, j) − k).
func trustworthiness(penalty: Int, count n: Int, neighbours k: Int) -> Double {
    1 - Double(penalty) * (2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)))
}

/// The label most of `neighbours` carry; a tie goes to the smaller label.
func majorityLabel(of neighbours: some Sequence<Int>, labels: [Int]) -> Int {
    var votes: [Int: Int] = [:]
    for j in neighbours { votes[labels[j], default: 0] += 1 }
    return votes.max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key
}

/// **9.7** Leave-one-out k-nearest-neighbour accuracy of `points` (`[N, m]`): each point's class
/// is predicted by the majority of its k nearest other points (equal distances: the smaller
/// index first), a tied vote going to the smaller class label; returns the fraction right.
public func knnAccuracy(_ points: Matrix, labels: [Int], neighbours k: Int = 5) throws -> Double {
    let n = points.rows
    guard labels.count == n, k >= 1, k < n else {
        throw TensorError.invalidArgument(operation: "knnAccuracy", message: "\(labels.count) labels for \(n) points, k \(k)")
    }
    let distances = exactSquaredDistances(points)
    let right: [Bool] = Parallel.map(n) { i in
        majorityLabel(of: neighbourOrder(distances, row: i, count: n).prefix(k), labels: labels) == labels[i]
    }
    return Double(right.filter { $0 }.count) / Double(n)
}
