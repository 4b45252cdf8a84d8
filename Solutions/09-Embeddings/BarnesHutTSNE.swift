// The engine's t-SNE for whole data sets: scikit-learn's `TSNE(method="barnes_hut")` (its
// default), van der Maaten 2014. The exercise (9.3–9.5) is the exact O(N²) t-SNE; this is what
// `workbook embed` runs on all 10,000 test images.

import Foundation
import LargeScaleEmbedding
import LessonSupport
import TensorEngine

/// sklearn's `_joint_probabilities_nn`: each point's k = min(N − 1, ⌊3·perplexity + 1⌋) nearest
/// neighbours (exact, `nearestNeighbours`), their squared distances rounded to `Float`, the same
/// binary search as 9.3 over those k only, then P = (P + Pᵀ) / Σ (no floor: absent pairs are 0).
func barnesHutAffinities(_ data: Matrix, perplexity: Double) -> SparseAffinities {
    let n = data.rows
    let k = min(n - 1, Int(3 * perplexity + 1))
    let lists = nearestNeighbours(data, count: k)
    let desired = log(Double(Float(perplexity)))
    let conditional: [[Double]] = lists.distances.withUnsafeBufferPointer { d in
        Parallel.map(n) { i in
            let rounded = (0..<k).map { Double(Float(d[i * k + $0])) }
            return rounded.withUnsafeBufferPointer { perplexitySearch($0, skipping: nil, desiredEntropy: desired) }
        }
    }
    // Pᵢⱼ + Pⱼᵢ: every (i, j, p) also as (j, i, p), gathered per row, sorted by column, merged.
    var entries = [[(Int, Double)]](repeating: [], count: n)
    for i in 0..<n {
        for r in 0..<k {
            let j = lists.indices[i * k + r], p = conditional[i][r]
            entries[i].append((j, p)); entries[j].append((i, p))
        }
    }
    var rowStart = [0], columns: [Int] = [], values: [Double] = []
    for i in 0..<n {
        let row = entries[i].sorted { $0.0 < $1.0 }
        var r = 0
        while r < row.count {
            var sum = row[r].1
            var s = r + 1
            while s < row.count && row[s].0 == row[r].0 { sum += row[s].1; s += 1 }
            columns.append(row[r].0); values.append(sum)
            r = s
        }
        rowStart.append(columns.count)
    }
    let total = max(values.reduce(0, +), machineEpsilon)
    for e in values.indices { values[e] /= total }
    return SparseAffinities(count: n, rowStart: rowStart, columns: columns, values: values)
}

/// KL(P‖Q) and its gradient with the Barnes–Hut approximation (sklearn's `_kl_divergence_bh`):
///
///     ∂KL/∂yᵢ = 4 (Σⱼ p_ij w_ij (yᵢ − yⱼ) − Σⱼ w_ij² (yᵢ − yⱼ) / Z),  Z = Σ_{i≠j} w_ij
///
/// the attractive sum over P's non-zeros exactly, the repulsive sum and Z from the quadtree
/// (`QuadTree.repulsion`, θ = 0.5 by default; θ = 0 is exact). `factor` multiplies P (early
/// exaggeration). The KL, over P's non-zeros with q_ij = w_ij / Z, only when asked. Each point is
/// computed by one task and the sums are taken in point order: the same bits on any thread count.
func barnesHutGradient(_ p: SparseAffinities, factor: Double, _ y: [Double], theta: Double, computeError: Bool) -> (Double, [Double]) {
    let n = p.count
    let tree = QuadTree(y)
    var repulsion = [Double](repeating: 0, count: 3 * n)     // fx, fy, z per point
    repulsion.withUnsafeMutableBufferPointer { out in
        y.withUnsafeBufferPointer { y in
            Parallel.forEachRange(n, grain: 128) { range in
                tree.repulsion(range, y: y, squaredTheta: theta * theta, into: out)
            }
        }
    }
    var z = 0.0
    for i in 0..<n { z += repulsion[3 * i + 2] }
    z = max(z, machineEpsilon)
    var gradient = [Double](repeating: 0, count: 2 * n)
    var errors = [Double](repeating: 0, count: n)
    let forces = repulsion
    gradient.withUnsafeMutableBufferPointer { g in
        errors.withUnsafeMutableBufferPointer { errors in
            forces.withUnsafeBufferPointer { forces in
                y.withUnsafeBufferPointer { y in
                    p.rowStart.withUnsafeBufferPointer { rowStart in
                        p.columns.withUnsafeBufferPointer { columns in
                            p.values.withUnsafeBufferPointer { values in
                                Parallel.forEachRange(n, grain: 256) { range in
                                    for i in range {
                                        var ax = 0.0, ay = 0.0, kl = 0.0
                                        let xi = y[2 &* i], yi = y[2 &* i &+ 1]
                                        for e in rowStart[i]..<rowStart[i &+ 1] {
                                            let j = columns[e], pij = values[e] * factor
                                            let dx = xi - y[2 &* j], dy = yi - y[2 &* j &+ 1]
                                            let w = 1 / (1 + dx * dx + dy * dy)
                                            ax += pij * w * dx; ay += pij * w * dy
                                            if computeError { kl += pij * log(max(pij, machineEpsilon) / max(w / z, machineEpsilon)) }
                                        }
                                        g[2 &* i] = 4 * (ax - forces[3 &* i] / z)
                                        g[2 &* i &+ 1] = 4 * (ay - forces[3 &* i &+ 1] / z)
                                        errors[i] = kl
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return (computeError ? errors.reduce(0, +) : 0, gradient)
}

/// t-SNE as sklearn's `TSNE(method="barnes_hut", angle=theta)`: the sparse P of
/// `barnesHutAffinities`, the start of `tsneStart` (its PCA by `fastPCA`), and the optimiser of 9.5
/// (`optimiseEmbedding`: the same phases, momentum, gains and learning rate) with the Barnes–Hut
/// gradient. O(N log N) per iteration after an O(N²·D) neighbour search: 10,000 points in seconds.
public func barnesHutTSNE(_ data: Matrix, settings: TSNESettings, theta: Double = 0.5,
                          progress: ((Int, Double) -> Void)? = nil) throws -> TSNEResult {
    let n = data.rows
    guard n >= 4, settings.perplexity > 0, Double(n) > 3 * settings.perplexity, theta >= 0 else {
        throw TensorError.invalidArgument(operation: "tsne", message: "need N > 3·perplexity ≥ 0 and θ ≥ 0 (N \(n), perplexity \(settings.perplexity), θ \(theta))")
    }
    let p = barnesHutAffinities(data, perplexity: settings.perplexity)
    let start = try tsneStart(data, settings: settings, principalComponents: fastPCA)
    return try optimiseEmbedding(start: start, settings: settings, variant: TSNEVariant(), progress: progress) { y, phase, computeError in
        barnesHutGradient(p, factor: phase == .exaggerated ? settings.earlyExaggeration : 1, y, theta: theta, computeError: computeError)
    }
}
