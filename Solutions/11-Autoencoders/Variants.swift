// Correct implementations of Lesson 11 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import EmbeddingsSolutions
import Foundation
import LessonSupport
import TensorEngine

public enum AutoencodersVariants {
    /// 11.1 — the PyTorch-tutorial way: matrix products with transposed weights (`permuted`), the
    /// mean subtracted as a broadcast row, the squared error summed and divided by N·D by hand.
    public static let reconstructionError: [Exercise<@Sendable (Tensor, Tensor, Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "matmul-and-sum", summary: "X̃ Eᵀ Dᵀ with matmul and permuted weights, Σ(·)² / (N·D)") { data, encoder, decoder in
            guard data.rank == 2, encoder.rank == 2, decoder.rank == 2, encoder.shape[1] == data.shape[1], decoder.shape == [data.shape[1], encoder.shape[0]] else {
                throw TensorError.invalidArgument(operation: "reconstructionError", message: "data [N, D], encoder [k, D], decoder [D, k] (received \(data.shape), \(encoder.shape), \(decoder.shape))")
            }
            let (n, d) = (data.shape[0], data.shape[1])
            var mean = [Float](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d { mean[j] += data.data[i * d + j] } }
            let centred = try data - Tensor(shape: [1, d], data: mean.map { $0 / Float(n) })
            let difference = try centred.matmul(encoder.permuted([1, 0])).matmul(decoder.permuted([1, 0])) - centred
            return try (difference * difference).sum() / Float(n * d)
        },
    ]

    /// 11.2 — Adam written out by hand (the moments in Double, PyTorch's update formula) around the
    /// variant's 11.1: the same trajectory up to rounding.
    public static let trainLinearAutoencoder: [Exercise<@Sendable (Tensor, Int, LinearAutoencoderSettings) throws -> LinearAutoencoder>.Mistake] = [
        .init(id: "adam-by-hand", summary: "Adam's moments and bias correction written out, gradients read from .grad") { data, k, settings in
            guard data.rank == 2, data.shape[0] >= 2, k >= 1, k <= data.shape[1], settings.steps >= 1 else {
                throw TensorError.invalidArgument(operation: "trainLinearAutoencoder", message: "need data [N ≥ 2, D], 1 ≤ k ≤ D, steps ≥ 1")
            }
            let d = data.shape[1]
            var generator = SeededGenerator(seed: settings.seed)
            let parameters = [Tensor.randomNormal([k, d], std: settings.initialScale, using: &generator),
                              Tensor.randomNormal([d, k], std: settings.initialScale, using: &generator)]
            var m = parameters.map { [Double](repeating: 0, count: $0.count) }, v = m
            let loss = reconstructionError[0].implementation
            var losses: [Float] = []
            for step in 1...settings.steps {
                for p in parameters { p.requiresGrad = true; p.zeroGrad() }
                let value = try loss(data, parameters[0], parameters[1])
                losses.append(try value.item())
                try value.backward()
                let (c1, c2) = (1 - pow(0.9, Double(step)), 1 - pow(0.999, Double(step)))
                for (index, p) in parameters.enumerated() {
                    let g = try p.grad.orThrow("no gradient").data
                    var values = p.data
                    for i in values.indices {
                        m[index][i] = 0.9 * m[index][i] + 0.1 * Double(g[i])
                        v[index][i] = 0.999 * v[index][i] + 0.001 * Double(g[i]) * Double(g[i])
                        values[i] -= Float(Double(settings.learningRate) * (m[index][i] / c1) / ((v[index][i] / c2).squareRoot() + 1e-8))
                    }
                    try p.assign(values)
                }
            }
            var mean = [Float](repeating: 0, count: d)
            for i in 0..<data.shape[0] { for j in 0..<d { mean[j] += data.data[i * d + j] / Float(data.shape[0]) } }
            return LinearAutoencoder(encoder: parameters[0].detached(), decoder: parameters[1].detached(),
                                     mean: try Tensor(shape: [d], data: mean), losses: losses)
        },
    ]

    /// 11.3 — two other routes to the same angles: (a) the projection onto A's span, P = A(AᵀA)⁻¹Aᵀ
    /// by normal equations (no orthonormal basis of A), and the eigenvalues of Q_bᵀ P Q_b = cos²θ;
    /// (b) the singular values of QₐᵀQ_b by one-sided Jacobi (the SVD itself, no squared matrix).
    public static let principalAngles: [Exercise<@Sendable (Matrix, Matrix) throws -> [Double]>.Mistake] = [
        .init(id: "projection", summary: "cos²θ = eigenvalues of Q_bᵀ A(AᵀA)⁻¹Aᵀ Q_b (normal equations for A)") { a, b in
            guard a.rows == b.rows, a.columns >= 1, b.columns >= 1, a.columns <= a.rows, b.columns <= b.rows else {
                throw TensorError.invalidArgument(operation: "principalAngles", message: "bases must be D × k with 1 ≤ k ≤ D and the same D")
            }
            let swap = a.columns < b.columns          // project the wider basis' vectors onto the narrower span
            let (wide, narrow) = swap ? (b, a) : (a, b)
            let qb = try orthonormalColumns(narrow)
            // P·x for each column x of Q_b: A (AᵀA)⁻¹ Aᵀ x, with AᵀA solved by Cholesky.
            let gram = matrixProduct(wide.transposed, wide)
            let chol = try cholesky(gram)
            let projected = matrixProduct(wide, solveCholesky(chol, matrixProduct(wide.transposed, qb)))
            let s = matrixProduct(qb.transposed, projected)
            let symmetric = try Matrix(rows: s.rows, columns: s.columns, values: (0..<s.rows * s.columns).map { i in
                (s.values[i] + s.values[(i % s.columns) * s.columns + i / s.columns]) / 2 })
            return symmetricEigenvalues(symmetric).map { min(max($0, 0), 1).squareRoot() }.sorted(by: >).map { acos($0) * 180 / .pi }
        },
        .init(id: "one-sided-jacobi-svd", summary: "singular values of QₐᵀQ_b by one-sided Jacobi, no MᵀM") { a, b in
            try checkSubspaces(a, b)
            var m = matrixProduct(try orthonormalColumns(a).transposed, try orthonormalColumns(b))
            if m.rows < m.columns { m = m.transposed }
            var columns = (0..<m.columns).map { m.column($0) }
            for _ in 0..<60 {
                var rotated = false
                for p in 0..<columns.count {
                    for q in (p + 1)..<max(columns.count, p + 1) {
                        let alpha = columns[p].reduce(0) { $0 + $1 * $1 }, beta = columns[q].reduce(0) { $0 + $1 * $1 }
                        let gamma = zip(columns[p], columns[q]).reduce(0) { $0 + $1.0 * $1.1 }
                        guard abs(gamma) > 1e-16 * (alpha * beta).squareRoot() else { continue }
                        rotated = true
                        let zeta = (beta - alpha) / (2 * gamma)
                        let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                        let c = 1 / (1 + t * t).squareRoot(), s = c * t
                        for i in columns[p].indices {
                            let (x, y) = (columns[p][i], columns[q][i])
                            columns[p][i] = c * x - s * y; columns[q][i] = s * x + c * y
                        }
                    }
                }
                if !rotated { break }
            }
            return columns.map { min($0.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1) }.sorted(by: >).map { acos($0) * 180 / .pi }
        },
    ]

    /// 11.4 — the decoder built first, then the encoder (other random draws: the graders load the
    /// shipped weights, so they never depend on the initial ones), layers named explicitly.
    public static let convolutionalAutoencoder: [Exercise<@Sendable (Int, UInt64) throws -> Sequential>.Mistake] = [
        .init(id: "decoder-first", summary: "the decoder built and initialised first, every layer named by hand") { code, seed in
            guard code >= 1 else { throw TensorError.invalidArgument(operation: "convolutionalAutoencoder", message: "code must be ≥ 1") }
            var g = SeededGenerator(seed: seed &+ 1)
            let decoder = Sequential(named: [
                ("0", Linear(code, 64, generator: &g)), ("1", ReLU()), ("2", Linear(64, 1568, generator: &g)), ("3", ReLU()),
                ("4", Unflatten([32, 7, 7])),
                ("5", ConvTranspose2d(32, 16, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, generator: &g)), ("6", ReLU()),
                ("7", ConvTranspose2d(16, 1, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, generator: &g)), ("8", Sigmoid()),
            ])
            let encoder = Sequential(named: [
                ("0", Conv2d(1, 16, kernelSize: 3, stride: 2, padding: 1, generator: &g)), ("1", ReLU()),
                ("2", Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, generator: &g)), ("3", ReLU()),
                ("4", Flatten()), ("5", Linear(1568, 64, generator: &g)), ("6", ReLU()), ("7", Linear(64, code, generator: &g)),
            ])
            return Sequential(named: [("encoder", encoder), ("decoder", decoder)])
        },
    ]

    /// 11.5 — a forward hook on the encoder catches its output while the whole autoencoder runs on
    /// each batch (more work, the same codes), instead of calling the encoder alone.
    public static let encode: [Exercise<@Sendable (Tensor, Module, Int) throws -> Matrix>.Mistake] = [
        .init(id: "hook-on-encoder", summary: "a forward hook on \"encoder\" while the whole model runs, batch by batch") { images, model, batchSize in
            guard batchSize > 0, images.rank == 4, images.shape[0] >= 1 else {
                throw TensorError.invalidArgument(operation: "encode", message: "need images [N ≥ 1, C, H, W] and batchSize > 0")
            }
            var codes: Tensor?
            let handle = try model.module(named: "encoder").registerForwardHook { _, _, output in codes = output }
            defer { handle.remove() }
            let n = images.shape[0]
            var rows: [[Double]] = []
            for start in stride(from: 0, to: n, by: batchSize) {
                _ = try withNoGrad { try model(images.sliced(axis: 0, start..<min(start + batchSize, n))) }
                let batch = try codes.orThrow("the encoder did not run")
                let width = batch.shape[1]
                for i in 0..<batch.shape[0] { rows.append(batch.data[(i * width)..<((i + 1) * width)].map(Double.init)) }
            }
            return try Matrix(rows: n, columns: rows[0].count, values: rows.flatMap { $0 })
        },
    ]
}

extension AutoencodersVariants {
    /// 11.6 — both halves encoded in one call (one batch of 2N images, split afterwards), the
    /// pixels read straight from `.data`.
    public static let mapComparison: [Exercise<@Sendable (Module, Tensor, Tensor, Matrix, Int) throws -> MapComparison>.Mistake] = [
        .init(id: "one-encoding", summary: "the two halves concatenated and encoded together, then split") { model, fitted, heldOut, map, k in
            guard fitted.rank == 4, heldOut.rank == 4, fitted.shape.dropFirst() == heldOut.shape.dropFirst(), map.rows == fitted.shape[0] else {
                throw TensorError.invalidArgument(operation: "mapComparison", message: "two [N, C, H, W] halves and one map row per fitted image")
            }
            let (n, m) = (fitted.shape[0], heldOut.shape[0])
            let both = try AutoencodersSolutions.encode(try Tensor.concatenate([fitted, heldOut], axis: 0), with: model, batchSize: 256)
            let width = both.columns
            let codes = try Matrix(rows: n, columns: width, values: Array(both.values[0..<(n * width)]))
            let newCodes = try Matrix(rows: m, columns: width, values: Array(both.values[(n * width)...]))
            let size = fitted.count / n
            let pixels = try Matrix(rows: n, columns: size, values: fitted.data.map(Double.init))
            let newPixels = try Matrix(rows: m, columns: size, values: heldOut.data.map(Double.init))
            return MapComparison(tsne: try trustworthiness(high: pixels, low: map, neighbours: k),
                                 codes: try trustworthiness(high: pixels, low: codes, neighbours: k),
                                 newCodes: try trustworthiness(high: newPixels, low: newCodes, neighbours: k))
        },
    ]
}

/// The lower-triangular L with L Lᵀ = s (s symmetric positive definite).
private func cholesky(_ s: Matrix) throws -> Matrix {
    var l = Matrix(zeros: s.rows, s.columns)
    for i in 0..<s.rows {
        for j in 0...i {
            var sum = s[i, j]
            for p in 0..<j { sum -= l[i, p] * l[j, p] }
            if i == j {
                guard sum > 0 else { throw TensorError.invalidArgument(operation: "principalAngles", message: "the columns are linearly dependent") }
                l[i, i] = sum.squareRoot()
            } else {
                l[i, j] = sum / l[j, j]
            }
        }
    }
    return l
}

/// X with (L Lᵀ) X = B, by forward and back substitution column by column.
private func solveCholesky(_ l: Matrix, _ b: Matrix) -> Matrix {
    let n = l.rows
    var x = b
    for c in 0..<b.columns {
        for i in 0..<n { var sum = x[i, c]; for p in 0..<i { sum -= l[i, p] * x[p, c] }; x[i, c] = sum / l[i, i] }
        for i in stride(from: n - 1, through: 0, by: -1) { var sum = x[i, c]; for p in (i + 1)..<n { sum -= l[p, i] * x[p, c] }; x[i, c] = sum / l[i, i] }
    }
    return x
}
