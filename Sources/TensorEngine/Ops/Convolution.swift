/// 2-D convolution (cross-correlation, as in PyTorch) by im2col + GEMM, one image at a time.
///
/// Shapes: x `[N, C, H, W]`, weight `[O, C, kh, kw]`, bias `[O]` → `[N, O, Ho, Wo]` with
/// `Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1`.
///
/// Per image n, with K = C·kh·kw and P = Ho·Wo:
/// Forward:   colsₙ = im2col(xₙ) `[K, P]`;  Yₙ = W · colsₙ `[O, P]` — already the NCHW layout.
/// Backward:  ∂xₙ = col2im(Wᵀ · Gₙ);  ∂W = Σₙ Gₙ · colsₙᵀ;  ∂b = Σₙ Σₚ Gₙ.
///
/// Images run in parallel; each one's im2col buffer is small enough to stay in cache, and the
/// columns are recomputed in backward instead of being kept (a batch of 128 would otherwise
/// hold megabytes per layer). ∂W sums over fixed groups of images, then over the groups in
/// order, so the result does not depend on the number of threads.
extension Tensor {
    public func conv2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)
    ) throws -> Tensor {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let outChannels = weight.shape[0]
        let plane = g.outputHeight * g.outputWidth
        let k = g.patchSize, batch = g.batch
        let imageSize = g.channels * g.height * g.width
        var single = g
        single.batch = 1
        let w = weight.data
        let b = bias?.data
        var out = [Float](repeating: 0, count: batch * outChannels * plane)
        data.withUnsafeBufferPointer { xBuffer in
            w.withUnsafeBufferPointer { wBuffer in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    let (x, wp, y) = (UncheckedSendable(xBuffer.baseAddress!), UncheckedSendable(wBuffer.baseAddress!),
                                      UncheckedSendable(outBuffer.baseAddress!))
                    let chunks = batch * outChannels * plane * k < (1 << 16) ? 1 : batch
                    Parallel.forEach(chunks: chunks) { chunk in
                        let cols = UnsafeMutablePointer<Float>.allocate(capacity: k * plane)
                        defer { cols.deallocate() }
                        for n in (chunks == 1 ? 0..<batch : chunk..<(chunk + 1)) {
                            Im2Col.columns(x.value + n * imageSize, single, into: cols)
                            let yn = y.value + n * outChannels * plane
                            GEMM.multiply(m: outChannels, n: plane, k: k, a: wp.value, lda: k, b: cols, ldb: plane,
                                          c: yn, ldc: plane, accumulate: false)
                            if let b {
                                for o in 0..<outChannels {
                                    let row = yn + o * plane, shift = b[o]
                                    for p in 0..<plane { row[p] += shift }
                                }
                            }
                        }
                    }
                }
            }
        }
        let input = data
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.makeResult("conv2d", shape: [batch, outChannels, g.outputHeight, g.outputWidth], data: out, inputs: parents) { grad, needed in
            var result: [[Float]?] = [nil, nil]
            // Groups of images for ∂W: fixed by the batch size alone.
            let groups = Swift.min(batch, 8)
            let perGroup = (batch + groups - 1) / groups
            var dx = needed[0] ? [Float](repeating: 0, count: batch * imageSize) : []
            var partial = needed[1] ? [Float](repeating: 0, count: groups * outChannels * k) : []
            input.withUnsafeBufferPointer { xBuffer in
                w.withUnsafeBufferPointer { wBuffer in
                    grad.withUnsafeBufferPointer { gBuffer in
                        dx.withUnsafeMutableBufferPointer { dxBuffer in
                            partial.withUnsafeMutableBufferPointer { pBuffer in
                                let x = UncheckedSendable(xBuffer.baseAddress!), wp = UncheckedSendable(wBuffer.baseAddress!)
                                let gp = UncheckedSendable(gBuffer.baseAddress!)
                                // (An empty array may still have a base address: test `needed`, not nil.)
                                let dxp = UncheckedSendable(needed[0] ? dxBuffer.baseAddress : nil)
                                let pp = UncheckedSendable(needed[1] ? pBuffer.baseAddress : nil)
                                Parallel.forEach(chunks: groups) { group in
                                    let cols = UnsafeMutablePointer<Float>.allocate(capacity: k * plane)
                                    defer { cols.deallocate() }
                                    let first = group * perGroup, last = Swift.min(batch, first + perGroup)
                                    guard first < last else { return }
                                    for n in first..<last {
                                        let gn = gp.value + n * outChannels * plane
                                        if let dxBase = dxp.value {
                                            // ∂colsₙ = Wᵀ · Gₙ  [K, P], then scattered back to the image.
                                            GEMM.multiply(m: k, n: plane, k: outChannels, a: wp.value, lda: k, transposeA: true,
                                                          b: gn, ldb: plane, c: cols, ldc: plane, accumulate: false)
                                            Im2Col.accumulate(cols, single, into: dxBase + n * imageSize)
                                        }
                                        if let pBase = pp.value {
                                            // ∂W (group) += Gₙ · colsₙᵀ  [O, K]
                                            Im2Col.columns(x.value + n * imageSize, single, into: cols)
                                            GEMM.multiply(m: outChannels, n: k, k: plane, a: gn, lda: plane,
                                                          b: cols, ldb: plane, transposeB: true,
                                                          c: pBase + group * outChannels * k, ldc: k, accumulate: n > first)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if needed[0] { result[0] = dx }
            if needed[1] {
                var dw = [Float](repeating: 0, count: outChannels * k)
                for group in 0..<groups {
                    for i in 0..<(outChannels * k) { dw[i] += partial[group * outChannels * k + i] }
                }
                result[1] = dw
            }
            if needed.count == 3 {
                var db = [Float](repeating: 0, count: outChannels)
                if needed[2] {
                    grad.withUnsafeBufferPointer { gp in
                        for n in 0..<batch {
                            for o in 0..<outChannels {
                                var s: Float = 0
                                let row = (n &* outChannels &+ o) &* plane
                                for p in 0..<plane { s += gp[row &+ p] }
                                db[o] += s
                            }
                        }
                    }
                }
                result.append(needed[2] ? db : nil)
            }
            return result
        }
    }

    /// Validates shapes and returns the geometry, with errors that name both shapes.
    func convolutionGeometry(
        weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int)
    ) throws -> ConvolutionGeometry {
        guard rank == 4 else {
            throw TensorError.shapeMismatch(operation: "conv2d", lhs: shape, rhs: weight.shape, detail: "input must be [N, C, H, W]")
        }
        guard weight.rank == 4, weight.shape[1] == shape[1] else {
            throw TensorError.shapeMismatch(operation: "conv2d", lhs: shape, rhs: weight.shape,
                                            detail: "input has \(shape[1]) channels, weight [O, C, kh, kw] expects \(weight.rank == 4 ? weight.shape[1] : -1)")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError.shapeMismatch(operation: "conv2d bias", lhs: bias.shape, rhs: [weight.shape[0]])
        }
        guard shape[0] > 0, shape[1] > 0, shape[2] > 0, shape[3] > 0 else {
            throw TensorError.invalidArgument(operation: "conv2d", message: "empty input \(shape)")
        }
        guard stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0 else {
            throw TensorError.invalidArgument(operation: "conv2d", message: "stride must be positive and padding non-negative, got stride \(stride), padding \(padding)")
        }
        let g = ConvolutionGeometry(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
                                    kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                    strideY: stride.0, strideX: stride.1, padY: padding.0, padX: padding.1)
        guard g.height + 2 * g.padY >= g.kernelHeight, g.width + 2 * g.padX >= g.kernelWidth else {
            throw TensorError.shapeMismatch(operation: "conv2d", lhs: shape, rhs: weight.shape,
                                            detail: "kernel larger than the padded input")
        }
        return g
    }
}

/// The definition of convolution as seven nested loops: the reference the fast path is tested against.
public func naiveConvolution2D(
    input x: [Float], weight w: [Float], bias: [Float]?, geometry g: ConvolutionGeometry, outChannels: Int
) -> [Float] {
    let ho = g.outputHeight, wo = g.outputWidth
    var out = [Float](repeating: 0, count: g.batch * outChannels * ho * wo)
    for n in 0..<g.batch {
        for o in 0..<outChannels {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var sum = bias?[o] ?? 0
                    for c in 0..<g.channels {
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let y = oy * g.strideY - g.padY + ky, xx = ox * g.strideX - g.padX + kx
                                guard y >= 0, y < g.height, xx >= 0, xx < g.width else { continue }
                                sum += x[((n * g.channels + c) * g.height + y) * g.width + xx]
                                    * w[((o * g.channels + c) * g.kernelHeight + ky) * g.kernelWidth + kx]
                            }
                        }
                    }
                    out[((n * outChannels + o) * ho + oy) * wo + ox] = sum
                }
            }
        }
    }
    return out
}
