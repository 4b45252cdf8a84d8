// Correct implementations of Lesson 09 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import Foundation
import LessonSupport
import TensorEngine

public enum EmbeddingsVariants {
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
