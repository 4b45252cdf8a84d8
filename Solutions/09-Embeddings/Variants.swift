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
}
