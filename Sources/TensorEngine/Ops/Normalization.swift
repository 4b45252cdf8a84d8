/// Batch normalisation over the channels of NCHW, with PyTorch's semantics.
///
/// Training: μ, σ² are the batch mean and biased variance over (N, H, W) per channel;
/// y = γ·(x − μ)/√(σ² + ε) + β; the running statistics move by
/// `running = (1 − momentum)·running + momentum·batch` with the **unbiased** variance.
/// Evaluation: the running statistics replace μ and σ².
extension Tensor {
    public func batchNorm2d(
        weight: Tensor, bias: Tensor, runningMean: Tensor, runningVariance: Tensor,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5
    ) throws -> Tensor {
        guard rank == 4 else {
            throw TensorError.invalidArgument(operation: "batchNorm2d", message: "input must be [N, C, H, W], got \(shape)")
        }
        let channels = shape[1], batch = shape[0], area = shape[2] * shape[3]
        for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVariance)]
        where t.shape != [channels] {
            throw TensorError.shapeMismatch(operation: "batchNorm2d \(name)", lhs: t.shape, rhs: [channels])
        }
        let m = batch * area
        if training && m < 2 {
            throw TensorError.invalidArgument(operation: "batchNorm2d", message: "training needs more than one value per channel, got input \(shape)")
        }
        var mean = [Float](repeating: 0, count: channels)
        var inverseStd = [Float](repeating: 0, count: channels)
        if training {
            for c in 0..<channels {
                var s: Double = 0, s2: Double = 0
                for n in 0..<batch {
                    let base = (n * channels + c) * area
                    for i in 0..<area { let v = Double(data[base + i]); s += v; s2 += v * v }
                }
                let mu = s / Double(m)
                let variance = Swift.max(s2 / Double(m) - mu * mu, 0)
                mean[c] = Float(mu)
                inverseStd[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
                let unbiased = variance * Double(m) / Double(m - 1)
                runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * Float(mu)
                runningVariance.data[c] = (1 - momentum) * runningVariance.data[c] + momentum * Float(unbiased)
            }
        } else {
            for c in 0..<channels {
                mean[c] = runningMean.data[c]
                inverseStd[c] = 1 / (runningVariance.data[c] + epsilon).squareRoot()
            }
        }
        var normalised = [Float](repeating: 0, count: count)
        var out = [Float](repeating: 0, count: count)
        let gamma = weight.data, beta = bias.data
        for n in 0..<batch {
            for c in 0..<channels {
                let base = (n * channels + c) * area
                for i in 0..<area {
                    let xh = (data[base + i] - mean[c]) * inverseStd[c]
                    normalised[base + i] = xh
                    out[base + i] = gamma[c] * xh + beta[c]
                }
            }
        }
        let xhat = normalised
        return Tensor.makeResult("batchNorm2d", shape: shape, data: out, inputs: [self, weight, bias]) { g, needed in
            var dgamma = [Float](repeating: 0, count: channels), dbeta = [Float](repeating: 0, count: channels)
            for n in 0..<batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * area
                    for i in 0..<area { dbeta[c] += g[base + i]; dgamma[c] += g[base + i] * xhat[base + i] }
                }
            }
            var dx: [Float]? = nil
            if needed[0] {
                var d = [Float](repeating: 0, count: g.count)
                for n in 0..<batch {
                    for c in 0..<channels {
                        let base = (n * channels + c) * area
                        let scale = gamma[c] * inverseStd[c]
                        if training {
                            // dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂))
                            let mg = dbeta[c] / Float(m), mgx = dgamma[c] / Float(m)
                            for i in 0..<area { d[base + i] = scale * (g[base + i] - mg - xhat[base + i] * mgx) }
                        } else {
                            for i in 0..<area { d[base + i] = scale * g[base + i] }
                        }
                    }
                }
                dx = d
            }
            return [dx, needed[1] ? dgamma : nil, needed[2] ? dbeta : nil]
        }
    }

    /// Inverted dropout: in training each value is zeroed with probability `p` and the survivors
    /// are scaled by 1/(1 − p), so evaluation needs no rescaling. The mask comes from `generator`.
    public func dropout(probability p: Float, training: Bool, using generator: inout SeededGenerator) throws -> Tensor {
        guard p >= 0 && p < 1 else {
            throw TensorError.invalidArgument(operation: "dropout", message: "probability must be in [0, 1), got \(p)")
        }
        guard training && p > 0 else { return self }
        let scale = 1 / (1 - p)
        let mask = (0..<count).map { _ in generator.nextFloat() >= p ? scale : Float(0) }
        let out = zip(data, mask).map { $0 * $1 }
        return Tensor.makeResult("dropout", shape: shape, data: out, inputs: [self]) { g, _ in
            [zip(g, mask).map { $0 * $1 }]
        }
    }
}
