import Foundation

/// Softmax, log-softmax and cross-entropy over the last axis (the class axis of `[N, classes]`).
///
/// All are computed with the max subtracted first, so large logits never overflow.
extension Tensor {
    private func rows(_ operation: String) throws -> (rows: Int, width: Int) {
        guard rank >= 1, let width = shape.last, width > 0 else {
            throw TensorError.invalidArgument(operation: operation, message: "needs a non-empty last axis, got shape \(shape)")
        }
        return (count / width, width)
    }

    /// softmax(z)ᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z). Backward: ∂zᵢ = yᵢ (gᵢ − Σⱼ gⱼ yⱼ).
    public func softmax() throws -> Tensor {
        let (rows, width) = try rows("softmax")
        var y = [Float](repeating: 0, count: count)
        for r in 0..<rows {
            let base = r * width
            var m = -Float.infinity
            for j in 0..<width { m = Swift.max(m, data[base + j]) }
            var s: Float = 0
            for j in 0..<width { let e = expf(data[base + j] - m); y[base + j] = e; s += e }
            for j in 0..<width { y[base + j] /= s }
        }
        let out = y
        return Tensor.makeResult("softmax", shape: shape, data: y, inputs: [self]) { g, _ in
            var dz = [Float](repeating: 0, count: out.count)
            for r in 0..<rows {
                let base = r * width
                var dot: Float = 0
                for j in 0..<width { dot += g[base + j] * out[base + j] }
                for j in 0..<width { dz[base + j] = out[base + j] * (g[base + j] - dot) }
            }
            return [dz]
        }
    }

    /// log softmax(z)ᵢ = zᵢ − max z − log Σⱼ e^(zⱼ − max z). Backward: ∂zᵢ = gᵢ − softmaxᵢ Σⱼ gⱼ.
    public func logSoftmax() throws -> Tensor {
        let (rows, width) = try rows("logSoftmax")
        var y = [Float](repeating: 0, count: count)
        for r in 0..<rows {
            let base = r * width
            var m = -Float.infinity
            for j in 0..<width { m = Swift.max(m, data[base + j]) }
            var s: Float = 0
            for j in 0..<width { s += expf(data[base + j] - m) }
            let logSum = m + logf(s)
            for j in 0..<width { y[base + j] = data[base + j] - logSum }
        }
        let out = y
        return Tensor.makeResult("logSoftmax", shape: shape, data: y, inputs: [self]) { g, _ in
            var dz = [Float](repeating: 0, count: out.count)
            for r in 0..<rows {
                let base = r * width
                var total: Float = 0
                for j in 0..<width { total += g[base + j] }
                for j in 0..<width { dz[base + j] = g[base + j] - expf(out[base + j]) * total }
            }
            return [dz]
        }
    }

    /// The mean cross-entropy of logits `[N, classes]` against integer labels, like
    /// `F.cross_entropy(logits, labels)`: −(1/N) Σₙ log softmax(zₙ)[labelₙ].
    /// Backward: (softmax(zₙ) − onehot(labelₙ)) / N.
    public func crossEntropy(labels: [Int]) throws -> Tensor {
        guard rank == 2, shape[0] == labels.count, shape[0] > 0 else {
            throw TensorError.shapeMismatch(operation: "crossEntropy", lhs: shape, rhs: [labels.count],
                                            detail: "logits must be [N, classes] with one label per row")
        }
        let classes = shape[1]
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
            throw TensorError.invalidArgument(operation: "crossEntropy", message: "label \(bad) outside 0..<\(classes)")
        }
        let n = shape[0]
        var probabilities = [Float](repeating: 0, count: count)
        var loss: Double = 0
        for r in 0..<n {
            let base = r * classes
            var m = -Float.infinity
            for j in 0..<classes { m = Swift.max(m, data[base + j]) }
            var s: Float = 0
            for j in 0..<classes { let e = expf(data[base + j] - m); probabilities[base + j] = e; s += e }
            for j in 0..<classes { probabilities[base + j] /= s }
            loss -= Double(data[base + labels[r]] - m - logf(s))
        }
        let p = probabilities
        return Tensor.makeResult("crossEntropy", shape: [], data: [Float(loss / Double(n))], inputs: [self]) { g, _ in
            var dz = p
            let scale = g[0] / Float(n)
            for r in 0..<n { dz[r * classes + labels[r]] -= 1 }
            for i in 0..<dz.count { dz[i] *= scale }
            return [dz]
        }
    }
}
