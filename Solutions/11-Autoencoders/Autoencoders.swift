// Lesson 11 — Autoencoders: the reference solutions.

#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions      // 11.6 scores with the reference's 9.6
#else
import EmbeddingsLesson         // this file copied over a student's stubs (the student-edition self-test): their 9.6
#endif
import Foundation
import LessonSupport
import TensorEngine

/// **Exercise 11.1** — the linear autoencoder's loss on centred data (see the stub for the maths).
public func reconstructionError(of data: Tensor, encoder: Tensor, decoder: Tensor) throws -> Tensor {
    try checkLinearAutoencoderShapes(data: data, encoder: encoder, decoder: decoder)
    // The mean is a property of the data, not of the weights: no gradient flows into it.
    let centred = try data - data.detached().mean(axes: [0], keepDims: true)
    let code = try centred.linear(weight: encoder, bias: nil)           // [N, k] = X̃ Eᵀ
    let reconstruction = try code.linear(weight: decoder, bias: nil)     // [N, D] = Z Dᵀ
    return try reconstruction.meanSquaredError(target: centred)          // (1 / ND) Σ (X̂ − X̃)²
}

/// The shapes 11.1 accepts: data `[N, D]`, encoder `[k, D]`, decoder `[D, k]`, else one line naming both.
func checkLinearAutoencoderShapes(data: Tensor, encoder: Tensor, decoder: Tensor) throws {
    guard data.rank == 2, data.shape[0] >= 1 else {
        throw TensorError.invalidArgument(operation: "reconstructionError", message: "data must be [N, D] with N ≥ 1, received \(data.shape)")
    }
    let d = data.shape[1]
    guard encoder.rank == 2, encoder.shape[1] == d else {
        throw TensorError.shapeMismatch(operation: "reconstructionError", lhs: encoder.shape, rhs: data.shape, detail: "the encoder must be [k, D] for data [N, D]")
    }
    guard decoder.shape == [d, encoder.shape[0]] else {
        throw TensorError.shapeMismatch(operation: "reconstructionError", lhs: decoder.shape, rhs: encoder.shape, detail: "the decoder must be [D, k] for an encoder [k, D]")
    }
}

/// **Exercise 11.2** — full-batch Adam on 11.1's loss from seeded N(0, scale²) weights.
public func trainLinearAutoencoder(_ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws -> LinearAutoencoder {
    guard data.rank == 2, data.shape[0] >= 2 else {
        throw TensorError.invalidArgument(operation: "trainLinearAutoencoder", message: "data must be [N, D] with N ≥ 2, received \(data.shape)")
    }
    let d = data.shape[1]
    guard k >= 1, k <= d else { throw TensorError.invalidArgument(operation: "trainLinearAutoencoder", message: "components \(k) outside 1...\(d)") }
    guard settings.steps >= 1 else { throw TensorError.invalidArgument(operation: "trainLinearAutoencoder", message: "steps \(settings.steps) must be ≥ 1") }
    var generator = SeededGenerator(seed: settings.seed)
    let encoder = Tensor.randomNormal([k, d], std: settings.initialScale, using: &generator)
    let decoder = Tensor.randomNormal([d, k], std: settings.initialScale, using: &generator)
    encoder.requiresGrad = true
    decoder.requiresGrad = true
    let adam = Adam(parameters: [encoder, decoder], learningRate: settings.learningRate)
    var losses: [Float] = []
    for _ in 0..<settings.steps {
        adam.zeroGrad()
        let loss = try reconstructionError(of: data, encoder: encoder, decoder: decoder)
        losses.append(try loss.item())
        try loss.backward()
        try adam.step()
    }
    return LinearAutoencoder(encoder: encoder.detached(), decoder: decoder.detached(),
                             mean: try data.mean(axes: [0]), losses: losses)
}

/// **Exercise 11.3** — the principal angles between the column spaces of `a` and `b`, in degrees,
/// smallest first: orthonormal bases by Gram–Schmidt, then the singular values of QₐᵀQ_b as the
/// square roots of the eigenvalues of the smaller of MᵀM and MMᵀ (cyclic Jacobi).
public func principalAngles(between a: Matrix, and b: Matrix) throws -> [Double] {
    try checkSubspaces(a, b)
    let qa = try orthonormalColumns(a), qb = try orthonormalColumns(b)
    let m = matrixProduct(qa.transposed, qb)                        // kₐ × k_b, entries = cosines between basis vectors
    let gram = m.rows >= m.columns ? matrixProduct(m.transposed, m) : matrixProduct(m, m.transposed)
    let cosines = symmetricEigenvalues(gram).map { min(max($0, 0).squareRoot(), 1) }.sorted(by: >)
    return cosines.map { acos($0) * 180 / .pi }
}

/// Both matrices D × k with D equal, 1 ≤ k ≤ D, finite.
func checkSubspaces(_ a: Matrix, _ b: Matrix) throws {
    guard a.rows == b.rows else {
        throw TensorError.shapeMismatch(operation: "principalAngles", lhs: [a.rows, a.columns], rhs: [b.rows, b.columns], detail: "both bases need D rows (one per coordinate)")
    }
    for m in [a, b] {
        guard m.columns >= 1, m.columns <= m.rows else {
            throw TensorError.invalidArgument(operation: "principalAngles", message: "a basis of k vectors in D dimensions needs 1 ≤ k ≤ D (received \(m.rows) × \(m.columns))")
        }
        guard m.values.allSatisfy(\.isFinite) else { throw TensorError.invalidArgument(operation: "principalAngles", message: "a basis has a non-finite entry") }
    }
}

/// Q (D × k) with orthonormal columns spanning the columns of `m`: modified Gram–Schmidt, run
/// twice per column ("twice is enough") so Q stays orthonormal to rounding even when the columns
/// are nearly parallel. Throws for linearly dependent columns.
func orthonormalColumns(_ m: Matrix) throws -> Matrix {
    var columns = (0..<m.columns).map { m.column($0) }
    for j in columns.indices {
        let original = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
        for _ in 0..<2 {
            for i in 0..<j {
                let dot = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for r in columns[j].indices { columns[j][r] -= dot * columns[i][r] }
            }
        }
        let norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-10 * max(original, .leastNormalMagnitude) else {
            throw TensorError.invalidArgument(operation: "principalAngles", message: "column \(j) is a combination of the ones before it: the columns span fewer than \(m.columns) dimensions")
        }
        columns[j] = columns[j].map { $0 / norm }
    }
    var q = Matrix(zeros: m.rows, m.columns)
    for (j, column) in columns.enumerated() { for r in 0..<m.rows { q[r, j] = column[r] } }
    return q
}

/// A · B.
func matrixProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    var out = Matrix(zeros: a.rows, b.columns)
    for i in 0..<a.rows { for l in 0..<a.columns { let x = a[i, l]; for j in 0..<b.columns { out[i, j] += x * b[l, j] } } }
    return out
}

/// The eigenvalues of a small symmetric matrix by cyclic Jacobi rotations (9.2's method, values only).
func symmetricEigenvalues(_ s: Matrix) -> [Double] {
    var a = s
    let n = a.rows
    for _ in 0..<100 {
        var off = 0.0, scale = 0.0
        for p in 0..<n { for q in 0..<n { if p != q { off += a[p, q] * a[p, q] } else { scale += a[p, p] * a[p, p] } } }
        if off <= 1e-30 * max(scale, .leastNormalMagnitude) { break }
        for p in 0..<n {
            for q in (p + 1)..<max(n, p + 1) where a[p, q] != 0 {
                let theta = (a[q, q] - a[p, p]) / (2 * a[p, q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), sn = t * c
                for r in 0..<n {
                    let (x, y) = (a[r, p], a[r, q])
                    a[r, p] = c * x - sn * y; a[r, q] = sn * x + c * y
                }
                for r in 0..<n {
                    let (x, y) = (a[p, r], a[q, r])
                    a[p, r] = c * x - sn * y; a[q, r] = sn * x + c * y
                }
            }
        }
    }
    return (0..<n).map { a[$0, $0] }
}

/// **Exercise 11.4** — the convolutional autoencoder `mnist-autoencoder` is, with a code of `code` numbers.
public func convolutionalAutoencoder(code: Int, seed: UInt64) throws -> Sequential {
    guard code >= 1 else { throw TensorError.invalidArgument(operation: "convolutionalAutoencoder", message: "code \(code) must be ≥ 1") }
    var g = SeededGenerator(seed: seed)
    let encoder = Sequential([
        Conv2d(1, 16, kernelSize: 3, stride: 2, padding: 1, generator: &g), ReLU(),      // [16, 14, 14]
        Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, generator: &g), ReLU(),     // [32, 7, 7]
        Flatten(), Linear(32 * 7 * 7, 64, generator: &g), ReLU(),
        Linear(64, code, generator: &g),                                                // [code]: no ReLU
    ])
    let decoder = Sequential([
        Linear(code, 64, generator: &g), ReLU(), Linear(64, 32 * 7 * 7, generator: &g), ReLU(), Unflatten([32, 7, 7]),
        ConvTranspose2d(32, 16, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, generator: &g), ReLU(),  // [16, 14, 14]
        ConvTranspose2d(16, 1, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, generator: &g),           // [1, 28, 28]
        Sigmoid(),
    ])
    return Sequential(named: [("encoder", encoder), ("decoder", decoder)])
}

/// **Exercise 11.5** — the encoder's codes for `images`, in batches, without a graph.
public func encode(_ images: Tensor, with autoencoder: Module, batchSize: Int) throws -> Matrix {
    guard batchSize > 0 else { throw TensorError.invalidArgument(operation: "encode", message: "batchSize \(batchSize) must be positive") }
    guard images.rank == 4, images.shape[0] >= 1 else {
        throw TensorError.invalidArgument(operation: "encode", message: "images must be [N, C, H, W] with N ≥ 1, received \(images.shape)")
    }
    let encoder = try autoencoder.module(named: "encoder")
    let n = images.shape[0]
    var values: [Double] = [], width = 0
    try withNoGrad {
        for start in stride(from: 0, to: n, by: batchSize) {
            let codes = try encoder(images.sliced(axis: 0, start..<min(start + batchSize, n)))
            guard codes.rank == 2 else {
                throw TensorError.invalidArgument(operation: "encode", message: "the encoder's output must be [N, code], received \(codes.shape)")
            }
            width = codes.shape[1]
            values += codes.data.map(Double.init)
        }
    }
    return try Matrix(rows: n, columns: width, values: values)
}

/// **Exercise 11.6** — T(k) of t-SNE's map and of the codes of the fitted images, against their
/// pixels, and of the codes of the held-out images, against theirs (9.6 and 11.5).
public func mapComparison(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> MapComparison {
    let fittedPixels = try pixelRows(fitted), heldOutPixels = try pixelRows(heldOut)
    guard tsneMap.rows == fittedPixels.rows else {
        throw TensorError.shapeMismatch(operation: "mapComparison", lhs: [tsneMap.rows, tsneMap.columns], rhs: fitted.shape, detail: "t-SNE's map needs one row per fitted image")
    }
    return MapComparison(
        tsne: try trustworthiness(high: fittedPixels, low: tsneMap, neighbours: k),
        codes: try trustworthiness(high: fittedPixels, low: try encode(fitted, with: autoencoder, batchSize: 256), neighbours: k),
        newCodes: try trustworthiness(high: heldOutPixels, low: try encode(heldOut, with: autoencoder, batchSize: 256), neighbours: k))
}

/// `[N, C, H, W]` images as the rows of an N × (C·H·W) matrix.
func pixelRows(_ images: Tensor) throws -> Matrix {
    guard images.rank == 4, images.shape[0] >= 1 else {
        throw TensorError.invalidArgument(operation: "mapComparison", message: "images must be [N, C, H, W] with N ≥ 1, received \(images.shape)")
    }
    return try Matrix(images.reshaped([images.shape[0], images.count / images.shape[0]]))
}
