// Correct implementations of Lesson 09 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import Foundation
import LessonSupport
import TensorEngine

public enum EmbeddingsVariants {
    /// 9.2 — PCA by the singular value decomposition of the centred data, X̃ = U Σ Vᵀ, with no
    /// covariance matrix: one-sided Jacobi (Hestenes) rotates pairs of columns until all are
    /// orthogonal; the column norms are the σⱼ, λⱼ = σⱼ²/(N − 1). Works on X̃ (D columns) when
    /// N ≥ D, on X̃ᵀ (N columns) when N < D. What scikit-learn itself does (`svd_solver="full"`).
    public static let pca: [Exercise<@Sendable (Matrix, Int) throws -> PCAResult>.Mistake] = [
        .init(id: "svd", summary: "the SVD of the centred data by one-sided Jacobi, no covariance matrix") { data, k in
            let (n, d) = (data.rows, data.columns)
            guard n >= 2, k >= 1, k <= min(n, d) else {
                throw TensorError.invalidArgument(operation: "pca", message: "need N ≥ 2 and 1 ≤ k ≤ min(N, D) (N \(n), D \(d), k \(k))")
            }
            var means = [Double](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d { means[j] += data.values[i * d + j] } }
            for j in 0..<d { means[j] /= Double(n) }
            let wide = n < d
            // The columns to orthogonalise: X̃'s (length N), or X̃ᵀ's — X̃'s rows — (length D).
            var columns: [[Double]] = wide
                ? (0..<n).map { i in (0..<d).map { data.values[i * d + $0] - means[$0] } }
                : (0..<d).map { j in (0..<n).map { data.values[$0 * d + j] - means[j] } }
            let count = columns.count, length = columns.first?.count ?? 0
            var rotations: [[Double]] = (0..<count).map { j in (0..<count).map { $0 == j ? 1 : 0 } }
            for _ in 0..<80 {
                var rotated = false
                for p in 0..<count {
                    for q in (p + 1)..<max(count, p + 1) {
                        var alpha = 0.0, beta = 0.0, gamma = 0.0
                        for i in 0..<length {
                            alpha += columns[p][i] * columns[p][i]; beta += columns[q][i] * columns[q][i]; gamma += columns[p][i] * columns[q][i]
                        }
                        guard gamma != 0, abs(gamma) > 1e-15 * (alpha * beta).squareRoot() else { continue }
                        rotated = true
                        let zeta = (beta - alpha) / (2 * gamma)
                        let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                        let c = 1 / (1 + t * t).squareRoot(), s = c * t
                        for i in 0..<length {
                            let (x, y) = (columns[p][i], columns[q][i])
                            columns[p][i] = c * x - s * y; columns[q][i] = s * x + c * y
                        }
                        for i in 0..<count {
                            let (x, y) = (rotations[p][i], rotations[q][i])
                            rotations[p][i] = c * x - s * y; rotations[q][i] = s * x + c * y
                        }
                    }
                }
                if !rotated { break }
            }
            let squares = columns.map { $0.reduce(0) { $0 + $1 * $1 } }
            let order = squares.indices.sorted { (squares[$0], -$0) > (squares[$1], -$1) }
            let total = squares.reduce(0, +)
            var components = [Double](), projection = [Double](repeating: 0, count: n * k)
            for (j, index) in order.prefix(k).enumerated() {
                let sigma = squares[index].squareRoot()
                // N ≥ D: vⱼ is the rotation's column, X̃vⱼ the rotated column. N < D: the rotated
                // column is σⱼvⱼ, and X̃vⱼ = σⱼ times the rotation's column.
                var component = wide ? columns[index].map { $0 / sigma } : rotations[index]
                var scores = wide ? rotations[index].map { $0 * sigma } : columns[index]
                let largest = component.indices.max { abs(component[$0]) < abs(component[$1]) || (abs(component[$0]) == abs(component[$1]) && $0 > $1) }!
                if component[largest] < 0 { component = component.map { -$0 }; scores = scores.map { -$0 } }
                components += component
                for i in 0..<n { projection[i * k + j] = scores[i] }
            }
            return PCAResult(components: try Matrix(rows: k, columns: d, values: components),
                             explainedVarianceRatio: order.prefix(k).map { total > 0 ? squares[$0] / total : 0 },
                             projection: try Matrix(rows: n, columns: k, values: projection))
        },
    ]

    /// 9.4 — the gradient as matrix products: with W = (1 + D)⁻¹ (zero diagonal), Q = max(W / ΣW, ε)
    /// and M = (P − Q) ∘ W, the gradient is 4 (diag(M·1) Y − M Y): two N×N matrix products, no
    /// per-pair loop over the coordinates. The KL summed over the whole matrix at the end.
    public static let tsneGradient: [Exercise<@Sendable (Matrix, Matrix) throws -> (kl: Double, gradient: Matrix)>.Mistake] = [
        .init(id: "matrix-products", summary: "4 (diag(M·1) Y − M Y) with M = (P − Q) ∘ W, as matrix products") { p, y in
            guard p.rows == p.columns, p.rows == y.rows else {
                throw TensorError.invalidArgument(operation: "tsneGradient", message: "P is \(p.rows) × \(p.columns), Y has \(y.rows) rows")
            }
            let (n, m) = (y.rows, y.columns)
            // Squared distances from the Gram matrix: D = r 1ᵀ + 1 rᵀ − 2 Y Yᵀ, r = row norms².
            let norms = (0..<n).map { i in (0..<m).reduce(0.0) { $0 + y.values[i * m + $1] * y.values[i * m + $1] } }
            var w = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n where j != i {
                    var dot = 0.0
                    for c in 0..<m { dot += y.values[i * m + c] * y.values[j * m + c] }
                    w[i * n + j] = 1 / (1 + max(norms[i] + norms[j] - 2 * dot, 0))
                }
            }
            let z = w.reduce(0, +)
            var matrixM = [Double](repeating: 0, count: n * n), kl = 0.0
            for index in 0..<(n * n) where index / n != index % n {
                let q = max(w[index] / z, machineEpsilon)
                matrixM[index] = (p.values[index] - q) * w[index]
                kl += p.values[index] * log(max(p.values[index], machineEpsilon) / q)
            }
            var gradient = [Double](repeating: 0, count: n * m)
            for i in 0..<n {
                let rowSum = (0..<n).reduce(0.0) { $0 + matrixM[i * n + $1] }
                for c in 0..<m {
                    var product = 0.0                                   // (M Y)[i, c]
                    for j in 0..<n { product += matrixM[i * n + j] * y.values[j * m + c] }
                    gradient[i * m + c] = 4 * (rowSum * y.values[i * m + c] - product)
                }
            }
            return (kl, try Matrix(rows: n, columns: m, values: gradient))
        },
    ]

    /// 9.1 — a hook registered for each batch and removed right after it, each batch's output
    /// flattened with `reshaped` and the batches joined with `Tensor.concatenate`.
    public static let features: [Exercise<@Sendable (Module, String, Tensor, Int) throws -> Tensor>.Mistake] = [
        .init(id: "hook-per-batch-concatenate", summary: "a hook per batch, the flattened batches concatenated") { model, layer, images, batchSize in
            guard batchSize >= 1 else { throw TensorError.invalidArgument(operation: "features", message: "batchSize must be ≥ 1") }
            guard images.rank >= 2 else { throw TensorError.invalidArgument(operation: "features", message: "[N, …] images") }
            let n = images.shape[0]
            if layer == "pixels" { return try images.reshaped([n, images.count / Swift.max(n, 1)]).detached() }
            let module = try model.module(named: layer)
            var parts: [Tensor] = []
            var start = 0
            while start < n {
                let end = Swift.min(start + batchSize, n)
                var output: Tensor?
                let handle = module.registerForwardHook { _, _, out in output = out }
                defer { handle.remove() }
                _ = try withNoGrad { try model(try images.sliced(axis: 0, start..<end)) }
                let batch = try output.orThrow("'\(layer)' did not run")
                parts.append(try batch.reshaped([end - start, batch.count / (end - start)]).detached())
                start = end
            }
            return try Tensor.concatenate(parts, axis: 0)
        },
    ]

    /// 9.3 — each row's search on the unnormalised weights eᵢⱼ = exp(−dᵢⱼβ): H = ln Σe + β Σ d e / Σe,
    /// normalised only when the search ends; the joint's total as 2 Σ p_{j|i} (Σ(P + Pᵀ) = 2 ΣP);
    /// every distance computed twice (no symmetry used).
    /// Second: the distances as ‖a‖² + ‖b‖² − 2a·b (then rounded to Float), the exponentials
    /// shifted by the row's nearest distance.
    public static let tsneAffinities: [Exercise<@Sendable (Matrix, Double) throws -> LessonSupport.Affinities>.Mistake] = [
        .init(id: "unnormalised-search", summary: "entropy from unnormalised weights, the total as 2 Σ P") { data, perplexity in
            let (n, d) = (data.rows, data.columns)
            guard n >= 2, perplexity > 0 else { throw TensorError.invalidArgument(operation: "tsneAffinities", message: "2+ points, perplexity > 0") }
            let target = Foundation.log(Double(Float(perplexity)))
            let tolerance = Double(Float(1e-5))
            var conditional = Matrix(zeros: n, n)
            for i in 0..<n {
                let distances = (0..<n).map { j -> Double in
                    var s = 0.0
                    for c in 0..<d { let t = data.values[i * d + c] - data.values[j * d + c]; s += t * t }
                    return Double(Float(s))
                }
                var beta = 1.0, low = -Double.infinity, high = Double.infinity
                var weights = [Double](repeating: 0, count: n), total = 0.0
                var step = 0
                while step < 100 {
                    step += 1
                    total = 0
                    var moment = 0.0
                    for j in 0..<n where j != i {
                        weights[j] = Foundation.exp(-distances[j] * beta)
                        total += weights[j]
                        moment += distances[j] * weights[j]
                    }
                    if total == 0 { total = Double(Float(1e-8)) }
                    let entropy = Foundation.log(total) + beta * moment / total
                    if Swift.abs(entropy - target) <= tolerance { break }
                    if entropy > target {
                        low = beta
                        beta = high.isInfinite ? 2 * beta : (beta + high) / 2
                    } else {
                        high = beta
                        beta = low.isInfinite ? beta / 2 : (beta + low) / 2
                    }
                }
                for j in 0..<n where j != i { conditional.values[i * n + j] = weights[j] / total }
            }
            let total = Swift.max(2 * conditional.values.reduce(0, +), machineEpsilon)
            var joint = Matrix(zeros: n, n)
            for i in 0..<n {
                for j in 0..<n where i != j {
                    joint.values[i * n + j] = Swift.max((conditional[i, j] + conditional[j, i]) / total, machineEpsilon)
                }
            }
            return LessonSupport.Affinities(conditional: conditional, joint: joint)
        },
        .init(id: "gram-distances-shifted", summary: "distances by ‖a‖² + ‖b‖² − 2a·b; the bisection with exponentials shifted by the nearest distance") { data, perplexity in
            let (n, width) = (data.rows, data.columns)
            guard n > 1, perplexity > 0 else {
                throw TensorError.invalidArgument(operation: "tsneAffinities", message: "N = \(n) points, perplexity \(perplexity): need N ≥ 2 and perplexity > 0")
            }
            let squaredNorms = (0..<n).map { i in (0..<width).reduce(0.0) { $0 + data.values[i * width + $1] * data.values[i * width + $1] } }
            var distance = [Double](repeating: 0, count: n * n)
            for a in 1..<n {
                for b in 0..<a {
                    var dot = 0.0
                    for c in 0..<width { dot += data.values[a * width + c] * data.values[b * width + c] }
                    let value = Double(Float(max(squaredNorms[a] + squaredNorms[b] - 2 * dot, 0)))
                    distance[a * n + b] = value; distance[b * n + a] = value
                }
            }
            let target = log(perplexity)
            var conditional = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                let others = (0..<n).filter { $0 != i }
                let nearest = others.map { distance[i * n + $0] }.min()!
                var beta = 1.0
                var lower: Double?, upper: Double?
                var row = [Double](repeating: 0, count: n)
                for _ in 0..<100 {
                    var z = 0.0
                    for j in others { row[j] = exp(-beta * (distance[i * n + j] - nearest)); z += row[j] }
                    var shiftedMean = 0.0
                    for j in others { row[j] /= z; shiftedMean += row[j] * (distance[i * n + j] - nearest) }
                    let gap = log(z) + beta * shiftedMean - target
                    if abs(gap) <= 1e-5 { break }
                    if gap > 0 {                               // too wide: a larger β
                        lower = beta
                        beta = upper.map { (beta + $0) / 2 } ?? 2 * beta
                    } else {
                        upper = beta
                        beta = lower.map { (beta + $0) / 2 } ?? beta / 2
                    }
                }
                for j in others { conditional[i * n + j] = row[j] }
            }
            var joint = [Double](repeating: 0, count: n * n), total = 0.0
            for a in 1..<n {
                for b in 0..<a {
                    let both = conditional[a * n + b] + conditional[b * n + a]
                    joint[a * n + b] = both; joint[b * n + a] = both; total += 2 * both
                }
            }
            total = max(total, machineEpsilon)
            for index in joint.indices where index / n != index % n { joint[index] = max(joint[index] / total, machineEpsilon) }
            return LessonSupport.Affinities(conditional: try Matrix(rows: n, columns: n, values: conditional),
                                            joint: try Matrix(rows: n, columns: n, values: joint))
        },
    ]

    /// 9.5 — one loop over every iteration with the phase switched inside it (instead of one call
    /// per phase), the start's standard deviation by Welford's one-pass update, the gradient from
    /// 9.4 on a `Matrix` of P (× 12 in the first phase).
    /// Second: the gradient inline over the pairs i < j, the phases from a table, the KL only when
    /// it is recorded.
    public static let tsne: [Exercise<@Sendable (Matrix, TSNESettings) throws -> TSNEResult>.Mistake] = [
        .init(id: "one-loop-phase-switch", summary: "a single loop that switches phase, the start's std by Welford") { data, settings in
            let n = data.rows
            guard n >= 4 else { throw TensorError.invalidArgument(operation: "tsne", message: "need at least 4 points") }
            let p = try EmbeddingsSolutions.tsneAffinities(data, perplexity: settings.perplexity).joint
            let exaggerated = try Matrix(rows: n, columns: n, values: p.values.map { $0 * settings.earlyExaggeration })
            var y: Matrix
            switch settings.initialisation {
            case .pca:
                y = try EmbeddingsSolutions.pca(data, components: 2).projection
                var mean = 0.0, m2 = 0.0
                for i in 0..<n {
                    let v = y[i, 0], delta = v - mean
                    mean += delta / Double(i + 1)
                    m2 += delta * (v - mean)
                }
                let std = (m2 / Double(n)).squareRoot()
                y.values = y.values.map { $0 / std * 1e-4 }
            case .random:
                var generator = SeededGenerator(seed: settings.seed)
                y = try Matrix(rows: n, columns: 2, values: Tensor.randomNormal([n, 2], mean: 0, std: 1, using: &generator).data.map { 1e-4 * Double($0) })
            }
            let rate = settings.learningRate(count: n)
            let first = Swift.min(settings.exaggerationIterations, settings.iterations)
            var history: [(iteration: Int, value: Double)] = []
            var update = [Double](repeating: 0, count: 2 * n), gains = [Double](repeating: 1, count: 2 * n)
            var best = Double.greatestFiniteMagnitude, bestIteration = 0
            var exaggerating = first > 0
            var phaseEnd = exaggerating ? first : settings.iterations
            var i = 0, last = -1
            while i < phaseEnd {
                let (kl, g) = try EmbeddingsSolutions.tsneGradient(exaggerating ? exaggerated : p, y)
                let momentum = exaggerating ? TSNESettings.earlyMomentum : TSNESettings.finalMomentum
                var norm = 0.0
                for q in 0..<(2 * n) {
                    gains[q] = update[q] * g.values[q] < 0 ? gains[q] + 0.2 : gains[q] * 0.8
                    if gains[q] < TSNESettings.minGain { gains[q] = TSNESettings.minGain }
                    let scaled = gains[q] * g.values[q]
                    norm += scaled * scaled
                    update[q] = momentum * update[q] - rate * scaled
                    y.values[q] += update[q]
                }
                let check = (i + 1) % TSNESettings.checkEvery == 0
                if check || i == phaseEnd - 1 { history.append((i + 1, kl)) }
                last = i
                var stop = false
                if check {
                    if kl < best { best = kl; bestIteration = i }
                    else if i - bestIteration > (exaggerating ? TSNESettings.withoutProgressEarly : TSNESettings.withoutProgressFinal) { stop = true }
                    if !stop && norm.squareRoot() <= TSNESettings.minGradientNorm { stop = true }
                }
                i += 1
                if stop || i == phaseEnd {
                    // The second phase runs when the first stopped before its last iteration or
                    // iterations remain (sklearn's two calls of _gradient_descent).
                    guard exaggerating, i < phaseEnd || settings.iterations > first else { break }
                    exaggerating = false
                    phaseEnd = settings.iterations
                    update = [Double](repeating: 0, count: 2 * n); gains = [Double](repeating: 1, count: 2 * n)
                    best = Double.greatestFiniteMagnitude; bestIteration = i
                }
            }
            return TSNEResult(embedding: y, kl: history, iterations: last + 1)
        },
        .init(id: "pairwise-gradient", summary: "the gradient inline over pairs i < j (each w once), phases from a table, KL only when recorded") { data, settings in
            let n = data.rows
            guard n >= 4 else { throw TensorError.invalidArgument(operation: "tsne", message: "t-SNE of \(n) points: need 4 or more") }
            let p = try EmbeddingsSolutions.tsneAffinities(data, perplexity: settings.perplexity).joint.values
            var y: [Double]
            if settings.initialisation == .random {
                var generator = SeededGenerator(seed: settings.seed)
                y = Tensor.randomNormal([n, 2], mean: 0, std: 1, using: &generator).data.map { 1e-4 * Double($0) }
            } else {
                y = try EmbeddingsSolutions.pca(data, components: 2).projection.values
                var (sum, sumOfSquares) = (0.0, 0.0)
                for i in 0..<n { sum += y[2 * i]; sumOfSquares += y[2 * i] * y[2 * i] }
                let spread = (sumOfSquares / Double(n) - (sum / Double(n)) * (sum / Double(n))).squareRoot()
                y = y.map { $0 * 1e-4 / spread }
            }
            // KL (when asked) and ∂KL/∂y for P scaled by `factor`, every pair once.
            func pairs(_ factor: Double, _ y: [Double], kl wanted: Bool) -> (Double, [Double]) {
                var w = [Double](repeating: 0, count: n * n), z = 0.0
                for a in 0..<n {
                    for b in (a + 1)..<max(n, a + 1) {
                        let dx = y[2 * a] - y[2 * b], dy = y[2 * a + 1] - y[2 * b + 1]
                        w[a * n + b] = 1 / (1 + dx * dx + dy * dy)
                        z += 2 * w[a * n + b]
                    }
                }
                var gradient = [Double](repeating: 0, count: 2 * n), kl = 0.0
                for a in 0..<n {
                    for b in (a + 1)..<max(n, a + 1) {
                        let pab = factor * p[a * n + b], wab = w[a * n + b]
                        let q = max(wab / z, machineEpsilon)
                        let f = 4 * (pab - q) * wab
                        for c in 0..<2 {
                            let pull = f * (y[2 * a + c] - y[2 * b + c])
                            gradient[2 * a + c] += pull; gradient[2 * b + c] -= pull
                        }
                        if wanted { kl += 2 * pab * log(max(pab, machineEpsilon) / q) }
                    }
                }
                return (kl, gradient)
            }
            let rate = settings.learningRate(count: n)
            let phases = [(factor: settings.earlyExaggeration, end: min(settings.exaggerationIterations, settings.iterations),
                           momentum: TSNESettings.earlyMomentum, patience: TSNESettings.withoutProgressEarly),
                          (factor: 1.0, end: settings.iterations, momentum: TSNESettings.finalMomentum, patience: TSNESettings.withoutProgressFinal)]
            var history: [(iteration: Int, value: Double)] = []
            var begin = 0, last = -1
            for phase in phases {
                var velocity = [Double](repeating: 0, count: 2 * n), gain = [Double](repeating: 1, count: 2 * n)
                var lowest = Double.greatestFiniteMagnitude, lowestAt = begin
                last = phase.end - 1
                var t = begin
                while t < phase.end {
                    let checked = (t + 1) % TSNESettings.checkEvery == 0, final = t == phase.end - 1
                    let (kl, gradient) = pairs(phase.factor, y, kl: checked || final)
                    var squares = 0.0
                    for k in 0..<(2 * n) {
                        gain[k] = max(velocity[k] * gradient[k] < 0 ? gain[k] + 0.2 : gain[k] * 0.8, TSNESettings.minGain)
                        velocity[k] = phase.momentum * velocity[k] - rate * gain[k] * gradient[k]
                        squares += (gain[k] * gradient[k]) * (gain[k] * gradient[k])
                        y[k] += velocity[k]
                    }
                    if checked || final { history.append((t + 1, kl)) }
                    if checked {
                        if kl < lowest { lowest = kl; lowestAt = t } else if t - lowestAt > phase.patience { last = t; break }
                        if squares.squareRoot() <= TSNESettings.minGradientNorm { last = t; break }
                    }
                    t += 1
                }
                begin = last + 1
            }
            return TSNEResult(embedding: try Matrix(rows: n, columns: 2, values: y), kl: history, iterations: last + 1)
        },
    ]

    /// 9.6 — ranks by counting: for each of i's k nearest points in the embedding (kept by
    /// insertion into a short list), its rank in the original space is 1 + the number of points
    /// nearer to i (equal distances: smaller index first); no sort of the original distances.
    public static let trustworthiness: [Exercise<@Sendable (Matrix, Matrix, Int) throws -> Double>.Mistake] = [
        .init(id: "ranks-by-counting", summary: "the embedding's k nearest by insertion, original ranks by counting") { high, low, k in
            let n = high.rows
            guard low.rows == n, k >= 1, 2 * k < n else {
                throw TensorError.invalidArgument(operation: "trustworthiness", message: "the same N in both and 1 ≤ k < N/2")
            }
            func distance(_ m: Matrix, _ a: Int, _ b: Int) -> Double {
                var s = 0.0
                for c in 0..<m.columns { let t = m[a, c] - m[b, c]; s += t * t }
                return s
            }
            var penalty = 0
            for i in 0..<n {
                var nearest: [(d: Double, j: Int)] = []
                for j in 0..<n where j != i {
                    let candidate = (d: distance(low, i, j), j: j)
                    let at = nearest.firstIndex { (candidate.d, candidate.j) < ($0.d, $0.j) } ?? nearest.count
                    if at < k { nearest.insert(candidate, at: at); if nearest.count > k { nearest.removeLast() } }
                }
                for (_, j) in nearest {
                    let dij = distance(high, i, j)
                    var rank = 1
                    for l in 0..<n where l != i && l != j {
                        let dil = distance(high, i, l)
                        if dil < dij || (dil == dij && l < j) { rank += 1 }
                    }
                    if rank > k { penalty += rank - k }
                }
            }
            let (nn, kk) = (Double(n), Double(k))
            return 1 - 2 * Double(penalty) / (nn * kk * (2 * nn - 3 * kk - 1))
        },
    ]

    /// 9.7 — the k nearest by insertion into a short list (no full sort), the votes in an array
    /// indexed by label, the winner the first label with the most votes.
    public static let knnAccuracy: [Exercise<@Sendable (Matrix, [Int], Int) throws -> Double>.Mistake] = [
        .init(id: "insertion-and-vote-array", summary: "k nearest by insertion, votes counted in an array") { points, labels, k in
            let n = points.rows
            guard labels.count == n, k >= 1, k < n else { throw TensorError.invalidArgument(operation: "knnAccuracy", message: "one label per point and 1 ≤ k < N") }
            let classes = (labels.max() ?? 0) + 1
            var right = 0
            for i in 0..<n {
                var nearest: [(d: Double, j: Int)] = []
                for j in 0..<n where j != i {
                    var s = 0.0
                    for c in 0..<points.columns { let t = points[i, c] - points[j, c]; s += t * t }
                    let at = nearest.firstIndex { (s, j) < ($0.d, $0.j) } ?? nearest.count
                    if at < k { nearest.insert((s, j), at: at); if nearest.count > k { nearest.removeLast() } }
                }
                var votes = [Int](repeating: 0, count: classes)
                for (_, j) in nearest { votes[labels[j]] += 1 }
                var winner = 0
                for label in 0..<classes where votes[label] > votes[winner] { winner = label }
                if winner == labels[i] { right += 1 }
            }
            return Double(right) / Double(n)
        },
    ]
}
