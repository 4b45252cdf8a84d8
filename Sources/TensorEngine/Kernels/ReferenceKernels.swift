/// The definitions, as plain loops: convolution, batch normalisation and max pooling, forward and
/// backward. No pointers, no SIMD, no threads; one output element per innermost sum, written the
/// way PyTorch's documentation states the operation. The fast kernels (`Ops/Convolution.swift`,
/// `Ops/Normalization.swift`, `Ops/Pooling.swift`) are tested against these
/// (`Tests/TensorEngineTests/ReferenceKernelTests.swift`); they are too slow for anything else.
///
/// Every tensor is a flat row-major `[Float]`; the comments give the shapes. Sums are Float,
/// accumulated in the loop order shown, so they differ from the fast kernels' (other orders,
/// SIMD lanes, Double accumulators) by rounding only.
public enum ReferenceKernels {
    // MARK: Convolution (`torch.nn.functional.conv2d`, groups = 1, dilation = 1)

    /// y[n, o, oy, ox] = b[o] + Σ_c Σ_ky Σ_kx x[n, c, oy·sy − py + ky, ox·sx − px + kx] · w[o, c, ky, kx],
    /// where pixels outside the image (the zero padding) contribute nothing.
    ///
    /// x `[N, C, H, W]`, weight `[O, C, kh, kw]`, bias `[O]` → y `[N, O, Ho, Wo]`,
    /// Ho = ⌊(H + 2·py − kh) / sy⌋ + 1, Wo = ⌊(W + 2·px − kw) / sx⌋ + 1.
    public static func conv2dForward(
        x: [Float], weight: [Float], bias: [Float]?, geometry g: ConvolutionGeometry, outChannels: Int
    ) -> [Float] {
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        var y = [Float](repeating: 0, count: g.batch * outChannels * ho * wo)
        for n in 0..<g.batch {
            for o in 0..<outChannels {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        var sum: Float = bias?[o] ?? 0
                        for c in 0..<g.channels {
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    let iy = oy * g.strideY - g.padY + ky
                                    let ix = ox * g.strideX - g.padX + kx
                                    if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                                    let xi = ((n * g.channels + c) * g.height + iy) * g.width + ix
                                    let wi = ((o * g.channels + c) * g.kernelHeight + ky) * g.kernelWidth + kx
                                    sum += x[xi] * weight[wi]
                                }
                            }
                        }
                        y[((n * outChannels + o) * ho + oy) * wo + ox] = sum
                    }
                }
            }
        }
        return y
    }

    /// The three gradients of `conv2dForward` given G = ∂L/∂y `[N, O, Ho, Wo]`:
    ///
    /// - ∂x `[N, C, H, W]`: ∂x[n, c, iy, ix] = Σ G[n, o, oy, ox] · w[o, c, ky, kx] over every
    ///   (o, oy, ox, ky, kx) whose window puts (ky, kx) on (iy, ix);
    /// - ∂w `[O, C, kh, kw]`: ∂w[o, c, ky, kx] = Σ_n Σ_oy Σ_ox G[n, o, oy, ox] · x[n, c, iy, ix];
    /// - ∂b `[O]`: ∂b[o] = Σ_n Σ_oy Σ_ox G[n, o, oy, ox],
    ///
    /// with iy = oy·sy − py + ky, ix = ox·sx − px + kx inside the image.
    public static func conv2dBackward(
        x: [Float], weight: [Float], gradOutput: [Float], geometry g: ConvolutionGeometry, outChannels: Int
    ) -> (dx: [Float], dWeight: [Float], dBias: [Float]) {
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        var dx = [Float](repeating: 0, count: x.count)
        var dw = [Float](repeating: 0, count: weight.count)
        var db = [Float](repeating: 0, count: outChannels)
        // ∂b and ∂w: one sum per parameter, over the images and output pixels.
        for o in 0..<outChannels {
            for n in 0..<g.batch {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        db[o] += gradOutput[((n * outChannels + o) * ho + oy) * wo + ox]
                    }
                }
            }
            for c in 0..<g.channels {
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        var sum: Float = 0
                        for n in 0..<g.batch {
                            for oy in 0..<ho {
                                for ox in 0..<wo {
                                    let iy = oy * g.strideY - g.padY + ky
                                    let ix = ox * g.strideX - g.padX + kx
                                    if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                                    sum += gradOutput[((n * outChannels + o) * ho + oy) * wo + ox]
                                        * x[((n * g.channels + c) * g.height + iy) * g.width + ix]
                                }
                            }
                        }
                        dw[((o * g.channels + c) * g.kernelHeight + ky) * g.kernelWidth + kx] = sum
                    }
                }
            }
        }
        // ∂x: every output pixel sends G · w back to the input pixels its window covered.
        for n in 0..<g.batch {
            for o in 0..<outChannels {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let gradient = gradOutput[((n * outChannels + o) * ho + oy) * wo + ox]
                        for c in 0..<g.channels {
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    let iy = oy * g.strideY - g.padY + ky
                                    let ix = ox * g.strideX - g.padX + kx
                                    if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                                    dx[((n * g.channels + c) * g.height + iy) * g.width + ix]
                                        += gradient * weight[((o * g.channels + c) * g.kernelHeight + ky) * g.kernelWidth + kx]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }

    // MARK: Transposed convolution (`torch.nn.functional.conv_transpose2d`, groups = 1, dilation = 1)

    /// y[n, co, iy·sy − py + ky, ix·sx − px + kx] += x[n, ci, iy, ix] · w[ci, co, ky, kx] for every
    /// input pixel and kernel tap that lands inside the output, then + b[co].
    ///
    /// x `[N, Cin, H, W]`, weight `[Cin, Cout, kh, kw]`, bias `[Cout]` → y `[N, Cout, Ho, Wo]`,
    /// Ho = (H − 1)·sy − 2·py + kh + output padding (given as `outputHeight`, `outputWidth`).
    public static func convTranspose2dForward(
        x: [Float], weight: [Float], bias: [Float]?, batch: Int, inChannels: Int, height: Int, width: Int,
        outChannels: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), outputHeight ho: Int, outputWidth wo: Int
    ) -> [Float] {
        var y = [Float](repeating: 0, count: batch * outChannels * ho * wo)
        for n in 0..<batch {
            for ci in 0..<inChannels {
                for iy in 0..<height {
                    for ix in 0..<width {
                        let value = x[((n * inChannels + ci) * height + iy) * width + ix]
                        for co in 0..<outChannels {
                            for ky in 0..<kernel.0 {
                                for kx in 0..<kernel.1 {
                                    let oy = iy * stride.0 - padding.0 + ky, ox = ix * stride.1 - padding.1 + kx
                                    if oy < 0 || oy >= ho || ox < 0 || ox >= wo { continue }
                                    y[((n * outChannels + co) * ho + oy) * wo + ox]
                                        += value * weight[((ci * outChannels + co) * kernel.0 + ky) * kernel.1 + kx]
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            for n in 0..<batch { for co in 0..<outChannels { for p in 0..<(ho * wo) { y[(n * outChannels + co) * ho * wo + p] += bias[co] } } }
        }
        return y
    }

    /// The three gradients of `convTranspose2dForward` given G = ∂L/∂y `[N, Cout, Ho, Wo]`, with
    /// (oy, ox) = (iy·sy − py + ky, ix·sx − px + kx) inside the output:
    /// - ∂x[n, ci, iy, ix] = Σ_co Σ_ky Σ_kx G[n, co, oy, ox] · w[ci, co, ky, kx];
    /// - ∂w[ci, co, ky, kx] = Σ_n Σ_iy Σ_ix x[n, ci, iy, ix] · G[n, co, oy, ox];
    /// - ∂b[co] = Σ_n Σ_oy Σ_ox G[n, co, oy, ox].
    public static func convTranspose2dBackward(
        x: [Float], weight: [Float], gradOutput: [Float], batch: Int, inChannels: Int, height: Int, width: Int,
        outChannels: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), outputHeight ho: Int, outputWidth wo: Int
    ) -> (dx: [Float], dWeight: [Float], dBias: [Float]) {
        var dx = [Float](repeating: 0, count: x.count)
        var dw = [Float](repeating: 0, count: weight.count)
        var db = [Float](repeating: 0, count: outChannels)
        for n in 0..<batch {
            for co in 0..<outChannels { for p in 0..<(ho * wo) { db[co] += gradOutput[(n * outChannels + co) * ho * wo + p] } }
            for ci in 0..<inChannels {
                for iy in 0..<height {
                    for ix in 0..<width {
                        let xi = ((n * inChannels + ci) * height + iy) * width + ix
                        for co in 0..<outChannels {
                            for ky in 0..<kernel.0 {
                                for kx in 0..<kernel.1 {
                                    let oy = iy * stride.0 - padding.0 + ky, ox = ix * stride.1 - padding.1 + kx
                                    if oy < 0 || oy >= ho || ox < 0 || ox >= wo { continue }
                                    let gradient = gradOutput[((n * outChannels + co) * ho + oy) * wo + ox]
                                    let wi = ((ci * outChannels + co) * kernel.0 + ky) * kernel.1 + kx
                                    dx[xi] += gradient * weight[wi]
                                    dw[wi] += gradient * x[xi]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }

    // MARK: Batch normalisation (`torch.nn.functional.batch_norm` on `[N, C, H, W]`)

    /// Training mode: per channel c, over the m = N·H·W values x[·, c, ·, ·],
    /// μ[c] = (1/m) Σ x,  σ²[c] = (1/m) Σ (x − μ)² (the biased variance),
    /// x̂ = (x − μ) / √(σ² + ε),  y = γ[c]·x̂ + β[c].
    ///
    /// x `[N, C, H, W]`, gamma and beta `[C]` → y `[N, C, H, W]`, mean and variance `[C]`.
    /// (The running statistics then move by `(1 − momentum)·running + momentum·batch` with the
    /// unbiased variance σ²·m/(m − 1); see `batchNorm2dRunningUpdate`.)
    public static func batchNorm2dTrainingForward(
        x: [Float], shape: [Int], gamma: [Float], beta: [Float], epsilon: Float
    ) -> (y: [Float], mean: [Float], variance: [Float]) {
        let (batch, channels, area) = (shape[0], shape[1], shape[2] * shape[3])
        let m = Float(batch * area)
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        var y = [Float](repeating: 0, count: x.count)
        for c in 0..<channels {
            var sum: Float = 0
            for n in 0..<batch {
                for i in 0..<area { sum += x[(n * channels + c) * area + i] }
            }
            mean[c] = sum / m
            var squares: Float = 0
            for n in 0..<batch {
                for i in 0..<area {
                    let d = x[(n * channels + c) * area + i] - mean[c]
                    squares += d * d
                }
            }
            variance[c] = squares / m
            let standardDeviation = (variance[c] + epsilon).squareRoot()
            for n in 0..<batch {
                for i in 0..<area {
                    let index = (n * channels + c) * area + i
                    y[index] = gamma[c] * ((x[index] - mean[c]) / standardDeviation) + beta[c]
                }
            }
        }
        return (y, mean, variance)
    }

    /// The running statistics after one training batch of m values per channel `[C]`:
    /// running_mean ← (1 − momentum)·running_mean + momentum·μ,
    /// running_var ← (1 − momentum)·running_var + momentum·σ²·m/(m − 1).
    public static func batchNorm2dRunningUpdate(
        runningMean: [Float], runningVariance: [Float], mean: [Float], variance: [Float], count m: Int, momentum: Float
    ) -> (mean: [Float], variance: [Float]) {
        var newMean = runningMean, newVariance = runningVariance
        for c in 0..<runningMean.count {
            newMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
            let unbiased = variance[c] * Float(m) / Float(m - 1)
            newVariance[c] = (1 - momentum) * runningVariance[c] + momentum * unbiased
        }
        return (newMean, newVariance)
    }

    /// The gradients of the training-mode forward, G = ∂L/∂y `[N, C, H, W]`, per channel c
    /// (μ and σ² depend on x, which gives ∂x its two extra terms):
    ///
    /// - ∂β[c] = Σ G,  ∂γ[c] = Σ G·x̂ (sums over n, h, w);
    /// - ∂x = γ[c] / √(σ² + ε) · (G − ∂β[c]/m − x̂·∂γ[c]/m).
    public static func batchNorm2dTrainingBackward(
        x: [Float], shape: [Int], gamma: [Float], gradOutput: [Float], epsilon: Float
    ) -> (dx: [Float], dGamma: [Float], dBeta: [Float]) {
        let (batch, channels, area) = (shape[0], shape[1], shape[2] * shape[3])
        let m = Float(batch * area)
        // The batch statistics and x̂, recomputed from their definition.
        let statistics = batchNorm2dTrainingForward(
            x: x, shape: shape, gamma: [Float](repeating: 1, count: channels),
            beta: [Float](repeating: 0, count: channels), epsilon: epsilon)
        let xHat = statistics.y
        var dx = [Float](repeating: 0, count: x.count)
        var dGamma = [Float](repeating: 0, count: channels), dBeta = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            for n in 0..<batch {
                for i in 0..<area {
                    let index = (n * channels + c) * area + i
                    dBeta[c] += gradOutput[index]
                    dGamma[c] += gradOutput[index] * xHat[index]
                }
            }
            let scale = gamma[c] / (statistics.variance[c] + epsilon).squareRoot()
            for n in 0..<batch {
                for i in 0..<area {
                    let index = (n * channels + c) * area + i
                    dx[index] = scale * (gradOutput[index] - dBeta[c] / m - xHat[index] * dGamma[c] / m)
                }
            }
        }
        return (dx, dGamma, dBeta)
    }

    /// Evaluation mode: the running statistics `[C]` stand in for the batch's, so the layer is
    /// affine per channel: y = γ[c]·(x − running_mean[c]) / √(running_var[c] + ε) + β[c].
    public static func batchNorm2dEvaluationForward(
        x: [Float], shape: [Int], gamma: [Float], beta: [Float], runningMean: [Float], runningVariance: [Float], epsilon: Float
    ) -> [Float] {
        let (batch, channels, area) = (shape[0], shape[1], shape[2] * shape[3])
        var y = [Float](repeating: 0, count: x.count)
        for n in 0..<batch {
            for c in 0..<channels {
                let standardDeviation = (runningVariance[c] + epsilon).squareRoot()
                for i in 0..<area {
                    let index = (n * channels + c) * area + i
                    y[index] = gamma[c] * ((x[index] - runningMean[c]) / standardDeviation) + beta[c]
                }
            }
        }
        return y
    }

    /// The gradients of the evaluation-mode forward (the statistics are constants):
    /// ∂x = γ[c] / √(running_var[c] + ε) · G,  ∂γ[c] = Σ G·x̂,  ∂β[c] = Σ G.
    public static func batchNorm2dEvaluationBackward(
        x: [Float], shape: [Int], gamma: [Float], runningMean: [Float], runningVariance: [Float],
        gradOutput: [Float], epsilon: Float
    ) -> (dx: [Float], dGamma: [Float], dBeta: [Float]) {
        let (batch, channels, area) = (shape[0], shape[1], shape[2] * shape[3])
        var dx = [Float](repeating: 0, count: x.count)
        var dGamma = [Float](repeating: 0, count: channels), dBeta = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let standardDeviation = (runningVariance[c] + epsilon).squareRoot()
            for n in 0..<batch {
                for i in 0..<area {
                    let index = (n * channels + c) * area + i
                    let xHat = (x[index] - runningMean[c]) / standardDeviation
                    dBeta[c] += gradOutput[index]
                    dGamma[c] += gradOutput[index] * xHat
                    dx[index] = gamma[c] / standardDeviation * gradOutput[index]
                }
            }
        }
        return (dx, dGamma, dBeta)
    }

    // MARK: Max pooling (`torch.nn.functional.max_pool2d`, dilation = 1, floor mode)

    /// The flat index into x `[N, C, H, W]` of the maximum of output (n, c, oy, ox)'s window:
    /// rows oy·sy − py ..< +kh, columns ox·sx − px ..< +kw, the padding counting as −∞ (never
    /// chosen). Ties go to the first in row-major order; a NaN wins (as in PyTorch).
    public static func maxPool2dArgmax(x: [Float], geometry g: ConvolutionGeometry, n: Int, c: Int, oy: Int, ox: Int) -> Int {
        var best = -1
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                let iy = oy * g.strideY - g.padY + ky
                let ix = ox * g.strideX - g.padX + kx
                if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                let index = ((n * g.channels + c) * g.height + iy) * g.width + ix
                if best < 0 || x[index] > x[best] || x[index].isNaN { best = index }
            }
        }
        return best
    }

    /// y[n, c, oy, ox] = max over the window (see `maxPool2dArgmax`).
    /// x `[N, C, H, W]` → y `[N, C, Ho, Wo]`, Ho = ⌊(H + 2·py − kh) / sy⌋ + 1.
    public static func maxPool2dForward(x: [Float], geometry g: ConvolutionGeometry) -> [Float] {
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        var y = [Float](repeating: 0, count: g.batch * g.channels * ho * wo)
        for n in 0..<g.batch {
            for c in 0..<g.channels {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        y[((n * g.channels + c) * ho + oy) * wo + ox] = x[maxPool2dArgmax(x: x, geometry: g, n: n, c: c, oy: oy, ox: ox)]
                    }
                }
            }
        }
        return y
    }

    /// ∂x `[N, C, H, W]`: each output's gradient G[n, c, oy, ox] goes to its window's arg-max,
    /// adding up where overlapping windows choose the same pixel; every other pixel gets 0.
    public static func maxPool2dBackward(x: [Float], geometry g: ConvolutionGeometry, gradOutput: [Float]) -> [Float] {
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        var dx = [Float](repeating: 0, count: x.count)
        for n in 0..<g.batch {
            for c in 0..<g.channels {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let argmax = maxPool2dArgmax(x: x, geometry: g, n: n, c: c, oy: oy, ox: ox)
                        dx[argmax] += gradOutput[((n * g.channels + c) * ho + oy) * wo + ox]
                    }
                }
            }
        }
        return dx
    }
}
