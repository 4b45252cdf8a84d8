// The engine's PCA for whole data sets (`workbook embed`, the Barnes–Hut t-SNE's start): the same
// answer as the exercise's `pca` (9.2), computed so that 10,000 × 784 takes a fraction of a second
// instead of the Jacobi sweeps' seconds. Tested against `pca` in EmbeddingsEngineTests.

import Foundation
import LessonSupport
import TensorEngine

/// PCA as `pca(_:components:)` (sklearn's conventions: centred, ddof 1, `svd_flip` signs), for
/// large N and D:
///
/// - the covariance XᵀX / (N − 1) by a blocked kernel (`covarianceUpperTriangle`), O(N·D²/2);
/// - its top k eigenvectors by **subspace iteration** with Rayleigh–Ritz: Q ← orth(C·Q) on a block
///   of k + 10 vectors, the small projected matrix QᵀCQ diagonalised by Jacobi, until every wanted
///   Ritz pair has ‖Cv − θv‖ ≤ 1e-12·θ₁. Each step costs O(D²·(k + 10)) and the error shrinks by
///   λ_{k+11}/λ_k per step; when k + 10 ≥ D/4 the full Jacobi of `symmetricEigen` is cheaper.
///
/// Cost for 10,000 × 784, k = 2: ~3·10⁹ multiply-adds for C, then ~10⁷ per iteration.
public func fastPCA(_ data: Matrix, components k: Int) throws -> PCAResult {
    let (n, d) = (data.rows, data.columns)
    guard n >= 2, k >= 1, k <= min(n, d) else {
        throw TensorError.invalidArgument(operation: "pca", message: "need 2+ points and 1 ≤ k ≤ min(N, D); got N \(n), D \(d), k \(k)")
    }
    guard n >= d, d > 64 else { return try pca(data, components: k) }
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<n { for j in 0..<d { mean[j] += data.values[i * d + j] } }
    for j in 0..<d { mean[j] /= Double(n) }
    var x = data.values
    for i in 0..<n { for j in 0..<d { x[i * d + j] -= mean[j] } }
    // Columns that are constant (MNIST's border pixels: 67 of 784 in the test set) are zero once
    // centred: they add nothing to the covariance and their entries in every component are 0.
    // Leaving them out is exact and saves their share of the O(N·D²) work.
    var varies = [Bool](repeating: false, count: d)
    for i in 0..<n { for j in 0..<d where x[i * d + j] != 0 { varies[j] = true } }
    let kept = (0..<d).filter { varies[$0] }
    let m = kept.count
    guard k <= m else { return try pca(data, components: k) }
    var packed = [Double](repeating: 0, count: n * m)
    for i in 0..<n { for (c, j) in kept.enumerated() { packed[i * m + c] = x[i * d + j] } }
    var c = Double(n) * Double(m) * Double(m) >= singlePrecisionWork ? singlePrecisionCovariance(packed, rows: n, columns: m)
                                                                    : covarianceUpperTriangle(packed, rows: n, columns: m)
    for a in 0..<m { for b in a..<m { c[a * m + b] /= Double(n - 1); c[b * m + a] = c[a * m + b] } }
    var total = 0.0
    for a in 0..<m { total += c[a * m + a] }

    let (values, vectors) = m >= 4 * (k + 10) ? topEigenvectors(c, size: m, count: k) : jacobiTop(c, size: m, count: k)
    var components = Matrix(zeros: k, d)
    for r in 0..<k { for (col, j) in kept.enumerated() { components.values[r * d + j] = vectors[r * m + col] } }
    flipSigns(&components)
    return PCAResult(components: components, explainedVarianceRatio: values.map { total > 0 ? $0 / total : 0 },
                     projection: project(x, rows: n, on: components))
}

/// The top `count` eigenpairs by the full Jacobi of `symmetricEigen`, rows as in `topEigenvectors`.
private func jacobiTop(_ c: [Double], size m: Int, count k: Int) -> (values: [Double], vectors: [Double]) {
    let (values, vectors) = symmetricEigen((try? Matrix(rows: m, columns: m, values: c)) ?? Matrix(zeros: m, m))
    var rows = [Double](repeating: 0, count: k * m)
    for r in 0..<k { for j in 0..<m { rows[r * m + j] = vectors.values[j * m + r] } }
    return (Array(values.prefix(k)), rows)
}

/// From N·D² = 2·10⁹ multiply-adds on (10,000 MNIST pixels: 5·10⁹), `fastPCA` forms XᵀX with the
/// engine's single-precision `GEMM` (~10× faster than the double kernel below): each entry is then
/// within ~10⁻⁶ of its double value relative to the largest, so the components agree to ~10⁻⁵ —
/// what scikit-learn itself gets from float32 data, and far below what a plot can show.
let singlePrecisionWork = 2e9

/// XᵀX by `GEMM` in single precision (the centred values rounded to `Float`), returned in double.
func singlePrecisionCovariance(_ x: [Double], rows n: Int, columns d: Int) -> [Double] {
    let xf = x.map(Float.init)
    var c = [Float](repeating: 0, count: d * d)
    xf.withUnsafeBufferPointer { xf in
        c.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(m: d, n: d, k: n, a: xf.baseAddress!, lda: d, transposeA: true, b: xf.baseAddress!, ldb: d,
                          c: c.baseAddress!, ldc: d, accumulate: false)
        }
    }
    return c.map(Double.init)
}

/// The upper triangle (b ≥ a) of XᵀX for row-major `x` (`rows × columns`); entries below the
/// diagonal are unspecified (callers mirror the upper triangle). Tiles of 8 × 16 entries are
/// accumulated in SIMD registers (two 8-wide loads of row i and eight broadcasts per 128
/// multiply-adds, sixteen independent sums to hide the multiply-add latency) over 256 rows at a
/// time, which stay in cache while every tile reads them; tile rows are spread over the cores.
/// Every entry is the same sum, in row order, on any thread count.
func covarianceUpperTriangle(_ x: [Double], rows n: Int, columns d: Int) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    let tileRows = (d + 7) / 8, chunkRows = 256
    x.withUnsafeBufferPointer { x in
        c.withUnsafeMutableBufferPointer { c in
            let xp = x.baseAddress!, cp = c.baseAddress!
            var first = 0
            while first < n {
                let last = min(n, first + chunkRows)
                // Tile row t covers a in 8t..<8t+8; early (long) and late (short) tile rows
                // alternate so that the cores get even work.
                Parallel.forEach(chunks: tileRows) { chunk in
                    let t = chunk % 2 == 0 ? chunk / 2 : tileRows - 1 - chunk / 2
                    let a0 = 8 * t
                    var b0 = a0
                    while b0 < d {
                        if a0 + 8 <= d && b0 + 16 <= d {
                            accumulateTile(xp, cp, d: d, a0: a0, b0: b0, rows: first..<last)
                        } else {
                            for a in a0..<min(a0 + 8, d) { for b in max(a, b0)..<min(b0 + 16, d) {
                                var s = cp[a * d + b]
                                for i in first..<last { s += xp[i &* d &+ a] * xp[i &* d &+ b] }
                                cp[a * d + b] = s
                            } }
                        }
                        b0 += 16
                    }
                }
                first = last
            }
        }
    }
    return c
}

/// C[a0+r, b0..<b0+16] += Σ_{i ∈ rows} x[i, a0+r] · x[i, b0..<b0+16] for r < 8, in registers.
@inline(__always)
private func accumulateTile(_ x: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, d: Int, a0: Int, b0: Int, rows: Range<Int>) {
    typealias V = SIMD8<Double>
    let base = UnsafeMutableRawPointer(c + (a0 &* d &+ b0)), stride = d &* 8
    var lo = (V(), V(), V(), V(), V(), V(), V(), V()), hi = lo
    withUnsafeMutableBytes(of: &lo) { lo in
        withUnsafeMutableBytes(of: &hi) { hi in
            for r in 0..<8 {
                lo.storeBytes(of: (base + r &* stride).loadUnaligned(as: V.self), toByteOffset: r * 64, as: V.self)
                hi.storeBytes(of: (base + r &* stride + 64).loadUnaligned(as: V.self), toByteOffset: r * 64, as: V.self)
            }
        }
    }
    for i in rows {
        let row = x + i &* d
        let v0 = UnsafeRawPointer(row + b0).loadUnaligned(as: V.self)
        let v1 = UnsafeRawPointer(row + b0 + 8).loadUnaligned(as: V.self)
        var s = V(repeating: row[a0]); lo.0 += s * v0; hi.0 += s * v1
        s = V(repeating: row[a0 &+ 1]); lo.1 += s * v0; hi.1 += s * v1
        s = V(repeating: row[a0 &+ 2]); lo.2 += s * v0; hi.2 += s * v1
        s = V(repeating: row[a0 &+ 3]); lo.3 += s * v0; hi.3 += s * v1
        s = V(repeating: row[a0 &+ 4]); lo.4 += s * v0; hi.4 += s * v1
        s = V(repeating: row[a0 &+ 5]); lo.5 += s * v0; hi.5 += s * v1
        s = V(repeating: row[a0 &+ 6]); lo.6 += s * v0; hi.6 += s * v1
        s = V(repeating: row[a0 &+ 7]); lo.7 += s * v0; hi.7 += s * v1
    }
    withUnsafeBytes(of: lo) { lo in
        withUnsafeBytes(of: hi) { hi in
            for r in 0..<8 {
                (base + r &* stride).storeBytes(of: lo.loadUnaligned(fromByteOffset: r * 64, as: V.self), as: V.self)
                (base + r &* stride + 64).storeBytes(of: hi.loadUnaligned(fromByteOffset: r * 64, as: V.self), as: V.self)
            }
        }
    }
}

/// The `count` largest eigenvalues of the symmetric `size × size` matrix `c` and their unit
/// eigenvectors (row r of `vectors` is the r-th), by subspace iteration with Rayleigh–Ritz from a
/// fixed seeded start (see `fastPCA`). Gives up refining after 2,000 steps (the subspace is then
/// as good as the spectrum allows: equal eigenvalues at the cut have no unique vectors anyway).
func topEigenvectors(_ c: [Double], size d: Int, count k: Int) -> (values: [Double], vectors: [Double]) {
    let b = min(d, k + 10)
    var generator = SeededGenerator(seed: 0)
    var q = Tensor.randomNormal([b, d], mean: 0, std: 1, using: &generator).data.map(Double.init)   // b rows of length d
    orthonormaliseRows(&q, count: b, length: d)
    var ritzValues = [Double](repeating: 0, count: b)
    for _ in 0..<2000 {
        let z = multiplyRows(q, count: b, by: c, size: d)               // z_r = C q_r
        var t = Matrix(zeros: b, b)                                     // T = Q C Qᵀ
        for r in 0..<b { for s in r..<b {
            var sum = 0.0
            for j in 0..<d { sum += q[r * d + j] * z[s * d + j] }
            t.values[r * b + s] = sum; t.values[s * b + r] = sum
        } }
        let (theta, w) = symmetricEigen(t)
        // Ritz vectors V = Wᵀ Q and their images CV = Wᵀ Z.
        var v = [Double](repeating: 0, count: b * d), cv = v
        for r in 0..<b { for s in 0..<b {
            let weight = w.values[s * b + r]
            if weight == 0 { continue }
            for j in 0..<d { v[r * d + j] += weight * q[s * d + j]; cv[r * d + j] += weight * z[s * d + j] }
        } }
        ritzValues = theta
        var converged = true
        for r in 0..<k {
            var residual = 0.0
            for j in 0..<d { let e = cv[r * d + j] - theta[r] * v[r * d + j]; residual += e * e }
            if residual.squareRoot() > 1e-12 * max(abs(theta[0]), .leastNormalMagnitude) { converged = false; break }
        }
        if converged { return (Array(theta.prefix(k)), Array(v.prefix(k * d))) }
        q = cv
        orthonormaliseRows(&q, count: b, length: d)
    }
    return (Array(ritzValues.prefix(k)), Array(q.prefix(k * d)))
}

/// Rows of `q` times the symmetric `c`: `count × size`.
private func multiplyRows(_ q: [Double], count b: Int, by c: [Double], size d: Int) -> [Double] {
    var z = [Double](repeating: 0, count: b * d)
    q.withUnsafeBufferPointer { q in
        c.withUnsafeBufferPointer { c in
            z.withUnsafeMutableBufferPointer { z in
                let zp = z.baseAddress!
                Parallel.forEach(chunks: b) { r in
                    for j in 0..<d {
                        let w = q[r * d + j]
                        if w == 0 { continue }
                        for l in 0..<d { zp[r * d + l] += w * c[j * d + l] }
                    }
                }
            }
        }
    }
    return z
}

/// Modified Gram–Schmidt, twice (enough for orthogonality to rounding); a row that vanishes is
/// replaced by the first unit vector orthogonal to the others.
private func orthonormaliseRows(_ q: inout [Double], count b: Int, length d: Int) {
    for _ in 0..<2 {
        for r in 0..<b {
            for s in 0..<r {
                var dot = 0.0
                for j in 0..<d { dot += q[r * d + j] * q[s * d + j] }
                for j in 0..<d { q[r * d + j] -= dot * q[s * d + j] }
            }
            var norm = 0.0
            for j in 0..<d { norm += q[r * d + j] * q[r * d + j] }
            norm = norm.squareRoot()
            if norm > 1e-300 { for j in 0..<d { q[r * d + j] /= norm } }
        }
    }
}
