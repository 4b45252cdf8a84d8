/// 2-D convolution (cross-correlation, as in PyTorch) by im2col + GEMM.
///
/// Shapes: x `[N, C, H, W]`, weight `[O, C, kh, kw]`, bias `[O]` → `[N, O, Ho, Wo]` with
/// `Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1`.
///
/// Forward:   cols = im2col(x)  `[C·kh·kw, N·Ho·Wo]`;  Y = W · cols  `[O, N·Ho·Wo]`.
/// Backward:  ∂W = G · colsᵀ;  ∂cols = Wᵀ · G;  ∂x = col2im(∂cols);  ∂b = Σ G over N, Ho, Wo.
extension Tensor {
    public func conv2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)
    ) throws -> Tensor {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let outChannels = weight.shape[0]
        let ho = g.outputHeight, wo = g.outputWidth, plane = ho * wo
        let k = g.patchSize, columns = g.columnCount

        var cols = [Float](repeating: 0, count: k * columns)
        data.withUnsafeBufferPointer { x in
            cols.withUnsafeMutableBufferPointer { Im2Col.columns(x.baseAddress!, g, into: $0.baseAddress!) }
        }
        let w = weight.data
        let y = GEMM.product(w, cols, m: outChannels, n: columns, k: k)     // [O, N·Ho·Wo]
        // Reorder [O, N, Ho·Wo] → [N, O, Ho·Wo] and add the bias.
        let b = bias?.data ?? [Float](repeating: 0, count: outChannels)
        let out = [Float](unsafeUninitializedCapacity: g.batch * outChannels * plane) { buffer, initialized in
            y.withUnsafeBufferPointer { y in
                for n in 0..<g.batch {
                    for o in 0..<outChannels {
                        let src = y.baseAddress! + (o &* columns &+ n &* plane)
                        let dst = buffer.baseAddress! + ((n &* outChannels &+ o) &* plane)
                        let shift = b[o]
                        for p in 0..<plane { dst[p] = src[p] + shift }
                    }
                }
            }
            initialized = g.batch * outChannels * plane
        }
        let inputCount = count
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.makeResult("conv2d", shape: [g.batch, outChannels, ho, wo], data: out, inputs: parents) { grad, needed in
            // G reordered to [O, N·Ho·Wo], matching the layout of Y.
            let gy = [Float](unsafeUninitializedCapacity: outChannels * columns) { buffer, initialized in
                grad.withUnsafeBufferPointer { grad in
                    for n in 0..<g.batch {
                        for o in 0..<outChannels {
                            (buffer.baseAddress! + (o &* columns &+ n &* plane))
                                .update(from: grad.baseAddress! + ((n &* outChannels &+ o) &* plane), count: plane)
                        }
                    }
                }
                initialized = outChannels * columns
            }
            var result: [[Float]?] = [nil, nil]
            if needed[0] {
                let dcols = GEMM.product(w, transposeA: true, gy, m: k, n: columns, k: outChannels)
                var dx = [Float](repeating: 0, count: inputCount)
                dcols.withUnsafeBufferPointer { dc in
                    dx.withUnsafeMutableBufferPointer { Im2Col.accumulate(dc.baseAddress!, g, into: $0.baseAddress!) }
                }
                result[0] = dx
            }
            if needed[1] {
                result[1] = GEMM.product(gy, cols, transposeB: true, m: outChannels, n: k, k: columns)
            }
            if needed.count == 3 {
                var db = [Float](repeating: 0, count: outChannels)
                if needed[2] {
                    for o in 0..<outChannels {
                        db[o] = gy.withUnsafeBufferPointer { g in
                            var s: Float = 0
                            for i in (o &* columns)..<((o &+ 1) &* columns) { s += g[i] }
                            return s
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
