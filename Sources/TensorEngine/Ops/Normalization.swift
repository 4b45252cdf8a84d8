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
        // Channels are independent: they are split across the cores, and each channel's sums run
        // over (n, h, w) in the same order whatever the split. The batch statistics accumulate
        // Σx and Σx² in Double (one pass; σ² = Σx²/m − μ², which in Float would cancel badly);
        // backward's Σg and Σg·x̂ are Float.
        let grain = Swift.max(1, (1 << 16) / Swift.max(m, 1))
        var mean = [Float](repeating: 0, count: channels)
        var inverseStd = [Float](repeating: 0, count: channels)
        if training {
            var batchMean = [Double](repeating: 0, count: channels), batchVariance = [Double](repeating: 0, count: channels)
            data.withUnsafeBufferPointer { x in
                batchMean.withUnsafeMutableBufferPointer { meanOut in
                    batchVariance.withUnsafeMutableBufferPointer { varianceOut in
                        let (xs, ms, vs) = (UncheckedSendable(x.baseAddress!), UncheckedSendable(meanOut.baseAddress!), UncheckedSendable(varianceOut.baseAddress!))
                        Parallel.forEachRange(channels, grain: grain) { range in
                            for c in range {
                                var s: Double = 0, s2: Double = 0
                                for n in 0..<batch {
                                    let row = xs.value + (n &* channels &+ c) &* area
                                    for i in 0..<area { let v = Double(row[i]); s += v; s2 += v * v }
                                }
                                let mu = s / Double(m)
                                ms.value[c] = mu
                                vs.value[c] = Swift.max(s2 / Double(m) - mu * mu, 0)
                            }
                        }
                    }
                }
            }
            for c in 0..<channels {
                let (mu, variance) = (batchMean[c], batchVariance[c])
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
        let gamma = weight.data, beta = bias.data
        var normalised = [Float](repeating: 0, count: training ? count : 0)
        var out = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { x in
            normalised.withUnsafeMutableBufferPointer { xh in
                out.withUnsafeMutableBufferPointer { y in
                    let (xs, xhs, ys) = (UncheckedSendable(x.baseAddress!), UncheckedSendable(training ? xh.baseAddress : nil), UncheckedSendable(y.baseAddress!))
                    Parallel.forEachRange(channels, grain: grain) { range in
                        for c in range {
                            let (mu, inv, gm, bt) = (mean[c], inverseStd[c], gamma[c], beta[c])
                            for n in 0..<batch {
                                let base = (n &* channels &+ c) &* area
                                let (src, dst) = (xs.value + base, ys.value + base)
                                if training, let keep = xhs.value {
                                    let saved = keep + base
                                    for i in 0..<area { let v = (src[i] - mu) * inv; saved[i] = v; dst[i] = gm * v + bt }
                                } else {
                                    for i in 0..<area { dst[i] = gm * ((src[i] - mu) * inv) + bt }
                                }
                            }
                        }
                    }
                }
            }
        }
        // In evaluation mode x̂ is not kept; backward recomputes it from x.
        let xhat = normalised, input = data
        return Tensor.makeResult("batchNorm2d", shape: shape, data: out, inputs: [self, weight, bias]) { g, needed in
            var dgamma = [Float](repeating: 0, count: channels), dbeta = [Float](repeating: 0, count: channels)
            var dx = needed[0] ? [Float](repeating: 0, count: g.count) : []
            g.withUnsafeBufferPointer { gp in
                xhat.withUnsafeBufferPointer { xhp in
                    input.withUnsafeBufferPointer { xp in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            dgamma.withUnsafeMutableBufferPointer { dgp in
                                dbeta.withUnsafeMutableBufferPointer { dbp in
                                    // (An empty array may still have a base address: test `training`, not nil.)
                                    let (gs, xhs, xs) = (UncheckedSendable(gp.baseAddress!), UncheckedSendable(training ? xhp.baseAddress : nil), UncheckedSendable(xp.baseAddress!))
                                    let (ds, dgs, dbs) = (UncheckedSendable(needed[0] ? dxp.baseAddress : nil), UncheckedSendable(dgp.baseAddress!), UncheckedSendable(dbp.baseAddress!))
                                    Parallel.forEachRange(channels, grain: grain) { range in
                                        for c in range {
                                            @inline(__always) func xh(_ base: Int, _ i: Int) -> Float {
                                                if let saved = xhs.value { return saved[base &+ i] }
                                                return (xs.value[base &+ i] - mean[c]) * inverseStd[c]
                                            }
                                            var sumG: Float = 0, sumGX: Float = 0
                                            for n in 0..<batch {
                                                let base = (n &* channels &+ c) &* area
                                                for i in 0..<area { let v = gs.value[base &+ i]; sumG += v; sumGX += v * xh(base, i) }
                                            }
                                            dbs.value[c] = sumG
                                            dgs.value[c] = sumGX
                                            guard let d = ds.value else { continue }
                                            let scale = gamma[c] * inverseStd[c]
                                            // Training: dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)); evaluation: γ/σ · g.
                                            let mg = training ? sumG / Float(m) : 0, mgx = training ? sumGX / Float(m) : 0
                                            for n in 0..<batch {
                                                let base = (n &* channels &+ c) &* area
                                                for i in 0..<area { d[base &+ i] = scale * (gs.value[base &+ i] - mg - xh(base, i) * mgx) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return [needed[0] ? dx : nil, needed[1] ? dgamma : nil, needed[2] ? dbeta : nil]
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
