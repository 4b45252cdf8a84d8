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
            (mean, inverseStd) = Tensor.evaluationStatistics(runningMean: runningMean.data, runningVariance: runningVariance.data, epsilon: epsilon)
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
            var dx = needed[0] ? [Float](repeating: 0, count: g.count) : []
            let sums = g.withUnsafeBufferPointer { gp in
                xhat.withUnsafeBufferPointer { xhp in
                    input.withUnsafeBufferPointer { xp in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            // (An empty array may still have a base address: test `training`, not nil.)
                            BatchNormBackward(batch: batch, channels: channels, area: area, training: training,
                                              grad: gp.baseAddress!, saved: training ? xhp.baseAddress : nil, input: xp.baseAddress!,
                                              dx: needed[0] ? dxp.baseAddress : nil)
                                .run(mean: mean, inverseStd: inverseStd, gamma: gamma, needsSums: needed[1] || needed[2], grain: grain)
                        }
                    }
                }
            }
            return [needed[0] ? dx : nil, needed[1] ? Array(sums[channels...]) : nil, needed[2] ? Array(sums[..<channels]) : nil]
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

extension Tensor {
    /// `(x − mean[c]) / std[c]` on `[N, C, H, W]`, one op ("normalize"): the input normalisation
    /// of an ImageNet network (`Normalize`), one pass where `-` and `/` with broadcast `[1, C, 1,
    /// 1]` operands took two, reading those through a table of indices (a second per 729
    /// occlusion windows of ResNet-50). The same bits as the two ops, both ways: each value is
    /// `x − m` then `/ s`; ∂x is `g · (1 / s)`, what `/`'s backward writes (`-` passes it on × 1).
    /// The statistics are constants (no gradient), as the module's are.
    func channelNormalized(mean: [Float], std: [Float]) -> Tensor {
        precondition(rank == 4 && mean.count == shape[1] && std.count == shape[1], "one mean and std per channel of [N, C, H, W]")
        let (channels, area) = (shape[1], shape[2] * shape[3])
        let x = data
        let y = [Float](uninitializedCount: count) { out in
            x.withUnsafeBufferPointer { input in
                for plane in 0..<(count / Swift.max(area, 1)) {
                    let (m, s) = (mean[plane % channels], std[plane % channels])
                    let (src, dst) = (input.baseAddress! + plane &* area, out.baseAddress! + plane &* area)
                    for i in 0..<area { dst[i] = (src[i] - m) / s }
                }
            }
        }
        return Tensor.makeResult("normalize", shape: shape, data: y, inputs: [self]) { g, _ in
            [[Float](uninitializedCount: g.count) { dx in
                g.withUnsafeBufferPointer { grad in
                    for plane in 0..<(g.count / Swift.max(area, 1)) {
                        let scale = 1 / std[plane % channels]
                        let (src, dst) = (grad.baseAddress! + plane &* area, dx.baseAddress! + plane &* area)
                        for i in 0..<area { dst[i] = src[i] * scale }
                    }
                }
            }]
        }
    }
}

/// Batch-norm's backward pass for one channel c of `[N, C, H, W]` (the loops the parallel split
/// in `batchNorm2d` calls; channels are independent, so each writes only its own ∂x).
///
/// With G = ∂L/∂y and the m = N·H·W values of the channel: ∂β = Σ G, ∂γ = Σ G·x̂;
/// training: ∂x = γ/σ · (G − ∂β/m − x̂·∂γ/m); evaluation (fixed statistics): ∂x = γ/σ · G.
/// Both sums run over n, then h·w, in order.
struct BatchNormBackward {
    let batch: Int, channels: Int, area: Int, training: Bool
    /// G, the saved x̂ (training only; nil to recompute it from x) and x, all `[N, C, H, W]`.
    let grad: UnsafePointer<Float>, saved: UnsafePointer<Float>?, input: UnsafePointer<Float>
    /// ∂x, or nil when the input needs no gradient.
    let dx: UnsafeMutablePointer<Float>?
    /// A ReLU's output after this batch norm, when the two are one op: G is then the gradient
    /// where it is > 0, else 0 (ReLU's backward, applied as G is read).
    var reluOutput: UnsafePointer<Float>? = nil

    /// Every channel, split across the cores: writes ∂x and returns ∂β and ∂γ side by side,
    /// `sums[c] = Σ G`, `sums[C + c] = Σ G·x̂` (zeros when `needsSums` is false in evaluation mode).
    func run(mean: [Float], inverseStd: [Float], gamma: [Float], needsSums: Bool, grain: Int) -> [Float] {
        var sums = [Float](repeating: 0, count: 2 * channels)
        sums.withUnsafeMutableBufferPointer { sp in
            let (pass, out) = (UncheckedSendable(self), UncheckedSendable(sp.baseAddress!))
            Parallel.forEachRange(channels, grain: grain) { range in
                for c in range {
                    let (sumG, sumGX) = pass.value.channel(c, mean: mean[c], inverseStd: inverseStd[c], gamma: gamma[c], needsSums: needsSums)
                    out.value[c] = sumG
                    out.value[pass.value.channels &+ c] = sumGX
                }
            }
        }
        return sums
    }

    /// Returns (Σ G, Σ G·x̂) for channel c and writes its ∂x. In evaluation mode, when neither
    /// ∂γ nor ∂β is wanted (`needsSums` false: an explanation's backward pass to the image), ∂x is
    /// γ/σ · G alone and the sums (returned as 0) are skipped.
    @inline(__always)
    func channel(_ c: Int, mean: Float, inverseStd: Float, gamma: Float, needsSums: Bool = true) -> (sumG: Float, sumGX: Float) {
        if let reluOutput {
            return channel(c, mean: mean, inverseStd: inverseStd, gamma: gamma, needsSums: needsSums) { reluOutput[$0] > 0 ? grad[$0] : 0 }
        }
        return channel(c, mean: mean, inverseStd: inverseStd, gamma: gamma, needsSums: needsSums) { grad[$0] }
    }

    @inline(__always)
    private func channel(_ c: Int, mean: Float, inverseStd: Float, gamma: Float, needsSums: Bool,
                         gradient: (Int) -> Float) -> (sumG: Float, sumGX: Float) {
        @inline(__always) func xHat(_ index: Int) -> Float {
            if let saved { return saved[index] }
            return (input[index] - mean) * inverseStd
        }
        if !training && !needsSums {
            guard let dx else { return (0, 0) }
            let scale = gamma * inverseStd
            for n in 0..<batch {
                let base = (n &* channels &+ c) &* area
                for i in 0..<area { dx[base &+ i] = scale * gradient(base &+ i) }
            }
            return (0, 0)
        }
        var sumG: Float = 0, sumGX: Float = 0
        for n in 0..<batch {
            let base = (n &* channels &+ c) &* area
            for i in 0..<area { let v = gradient(base &+ i); sumG += v; sumGX += v * xHat(base &+ i) }
        }
        guard let dx else { return (sumG, sumGX) }
        let m = Float(batch * area)
        let scale = gamma * inverseStd
        let mg = training ? sumG / m : 0, mgx = training ? sumGX / m : 0
        for n in 0..<batch {
            let base = (n &* channels &+ c) &* area
            for i in 0..<area { dx[base &+ i] = scale * (gradient(base &+ i) - mg - xHat(base &+ i) * mgx) }
        }
        return (sumG, sumGX)
    }
}

extension BatchNorm2d {
    /// μ, σ⁻¹ (`Tensor.evaluationStatistics`), γ and β, one block of `channels` values each (the
    /// layout of `ConvolutionEpilogue.normalization`), or nil when a parameter is not `[channels]`.
    func evaluationParameters(channels: Int) -> [Float]? {
        guard [weight, bias, runningMean, runningVariance].allSatisfy({ $0.shape == [channels] }) else { return nil }
        let (mean, inverseStd) = Tensor.evaluationStatistics(runningMean: runningMean.data, runningVariance: runningVariance.data,
                                                             epsilon: epsilon)
        return mean + inverseStd + weight.data + bias.data
    }
}

extension Tensor {
    /// Evaluation mode's per-channel mean and 1/√(σ² + ε), from the running statistics: the one
    /// computation both `batchNorm2d` and the fused inference epilogue use, so their bits agree.
    static func evaluationStatistics(runningMean: [Float], runningVariance: [Float], epsilon: Float) -> (mean: [Float], inverseStd: [Float]) {
        (runningMean, runningVariance.map { 1 / ($0 + epsilon).squareRoot() })
    }
}
