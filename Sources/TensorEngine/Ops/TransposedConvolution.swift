/// 2-D transposed convolution (`torch.nn.functional.conv_transpose2d`, groups = 1, dilation = 1):
/// the upsampling layer of a convolutional decoder.
///
/// Shapes: x `[N, Cin, H, W]`, weight `[Cin, Cout, kh, kw]` (PyTorch's layout: input channels
/// first), bias `[Cout]` → `[N, Cout, Ho, Wo]` with `Ho = (H − 1)·stride − 2·padding + kh + outputPadding`.
///
/// Definition: every input pixel stamps its kernel onto the output,
/// y[n, co, iy·s − p + ky, ix·s − p + kx] += x[n, ci, iy, ix] · w[ci, co, ky, kx], plus b[co].
///
/// Why it is built from `ConvolutionPlan`: a transposed convolution *is* the input gradient of the
/// convolution that maps `[N, Cout, Ho, Wo]` to `[N, Cin, H, W]` with the same weight, kernel,
/// stride and padding (weight read as `[O = Cin, C = Cout, kh, kw]`). So, with that "mirror"
/// convolution's plan:
/// Forward:   y = col2im(Wᵀ · x)                     — the mirror's backward for ∂input;
/// Backward:  ∂x = W · im2col(G)                     — the mirror's forward;
///            ∂W = x · im2col(G)ᵀ `[Cin, Cout·kh·kw]` — the mirror's weight gradient with the roles
///            of input and output gradient swapped;  ∂b[co] = Σₙ Σₚ G[n, co, p].
/// The batch groups, thread independence and bit-for-bit determinism are the plan's.
/// Cost: the same GEMMs as a convolution of the output size, 2·N·Cin·Cout·kh·kw·H·W flops forward.
/// Naive twin: `ReferenceKernels.convTranspose2dForward` / `convTranspose2dBackward`.
extension Tensor {
    public func convTranspose2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        outputPadding: (Int, Int) = (0, 0)
    ) throws -> Tensor {
        let g = try transposedConvolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding)
        let inChannels = shape[1], outChannels = weight.shape[1]
        let plan = ConvolutionPlan(g, outChannels: inChannels)
        let w = weight.data
        let b = bias?.data
        let outputPlane = g.height * g.width
        // col2im accumulates: the output starts at zero.
        var out = [Float](repeating: 0, count: g.batch * outChannels * outputPlane)
        data.withUnsafeBufferPointer { xBuffer in
            w.withUnsafeBufferPointer { wBuffer in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    let (x, wp, y) = (UncheckedSendable(xBuffer.baseAddress!), UncheckedSendable(wBuffer.baseAddress!),
                                      UncheckedSendable(outBuffer.baseAddress!))
                    Parallel.forEach(chunks: plan.groups) { group in
                        // The mirror's input is never read without a weight gradient: x stands in.
                        plan.backward(group: group, x: x.value, weight: wp.value, grad: x.value, dx: y.value, dWeight: nil)
                    }
                }
            }
        }
        if let b {
            out.withUnsafeMutableBufferPointer { y in
                for n in 0..<g.batch {
                    for c in 0..<outChannels {
                        let plane = y.baseAddress! + (n &* outChannels &+ c) &* outputPlane
                        let shift = b[c]
                        for p in 0..<outputPlane { plane[p] += shift }
                    }
                }
            }
        }
        let input = data
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.makeResult("conv_transpose2d", shape: [g.batch, outChannels, g.height, g.width], data: out, inputs: parents) { grad, needed in
            var result: [[Float]?] = [nil, nil]
            // Every element of ∂x is written by the mirror's forward: no zero-fill.
            var dx = needed[0] ? [Float](unsafeUninitializedCapacity: input.count) { _, count in count = input.count } : []
            var partial = needed[1] ? [Float](repeating: 0, count: plan.groups * plan.outChannels * plan.patch) : []
            input.withUnsafeBufferPointer { xBuffer in
                w.withUnsafeBufferPointer { wBuffer in
                    grad.withUnsafeBufferPointer { gBuffer in
                        dx.withUnsafeMutableBufferPointer { dxBuffer in
                            partial.withUnsafeMutableBufferPointer { pBuffer in
                                let x = UncheckedSendable(xBuffer.baseAddress!), wp = UncheckedSendable(wBuffer.baseAddress!)
                                let gp = UncheckedSendable(gBuffer.baseAddress!)
                                let dxp = UncheckedSendable(needed[0] ? dxBuffer.baseAddress : nil)
                                let pp = UncheckedSendable(needed[1] ? pBuffer.baseAddress : nil)
                                Parallel.forEach(chunks: plan.groups) { group in
                                    if let dxp = dxp.value {
                                        plan.forward(group: group, x: gp.value, weight: wp.value, bias: nil, into: dxp)
                                    }
                                    if let pp = pp.value {
                                        plan.backward(group: group, x: gp.value, weight: wp.value, grad: x.value, dx: nil,
                                                      dWeight: pp + group &* plan.outChannels &* plan.patch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if needed[0] { result[0] = dx }
            if needed[1] { result[1] = plan.weightGradient(summing: partial) }
            if needed.count == 3 {
                var db: [Float]? = nil
                if needed[2] {
                    var sums = [Float](repeating: 0, count: outChannels)
                    grad.withUnsafeBufferPointer { gp in
                        for n in 0..<g.batch {
                            for c in 0..<outChannels {
                                sums[c] += planeSum(gp.baseAddress! + (n &* outChannels &+ c) &* outputPlane, count: outputPlane)
                            }
                        }
                    }
                    db = sums
                }
                result.append(db)
            }
            return result
        }
    }

    /// Validates shapes and returns the geometry of the mirror convolution (input = this op's
    /// output, output = this op's input), with errors that name both shapes.
    func transposedConvolutionGeometry(
        weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int)
    ) throws -> ConvolutionGeometry {
        let operation = "conv_transpose2d"
        guard rank == 4 else {
            throw TensorError.shapeMismatch(operation: operation, lhs: shape, rhs: weight.shape, detail: "input must be [N, C, H, W]")
        }
        guard weight.rank == 4, weight.shape[0] == shape[1] else {
            throw TensorError.shapeMismatch(operation: operation, lhs: shape, rhs: weight.shape,
                                            detail: "input has \(shape[1]) channels, weight [Cin, Cout, kh, kw] expects \(weight.rank == 4 ? weight.shape[0] : -1)")
        }
        if let bias, bias.shape != [weight.shape[1]] {
            throw TensorError.shapeMismatch(operation: "\(operation) bias", lhs: bias.shape, rhs: [weight.shape[1]])
        }
        guard shape.allSatisfy({ $0 > 0 }), weight.shape.allSatisfy({ $0 > 0 }) else {
            throw TensorError.invalidArgument(operation: operation, message: "empty input \(shape) or weight \(weight.shape)")
        }
        guard stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0 else {
            throw TensorError.invalidArgument(operation: operation, message: "stride must be positive and padding non-negative, got stride \(stride), padding \(padding)")
        }
        guard outputPadding.0 >= 0, outputPadding.1 >= 0, outputPadding.0 < stride.0, outputPadding.1 < stride.1 else {
            throw TensorError.invalidArgument(operation: operation, message: "output padding must be non-negative and smaller than the stride, got \(outputPadding) with stride \(stride)")
        }
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        let height = (shape[2] - 1) * stride.0 - 2 * padding.0 + kh + outputPadding.0
        let width = (shape[3] - 1) * stride.1 - 2 * padding.1 + kw + outputPadding.1
        guard height > 0, width > 0 else {
            throw TensorError.shapeMismatch(operation: operation, lhs: shape, rhs: weight.shape,
                                            detail: "the padding \(padding) leaves an empty output (\(height)×\(width))")
        }
        let g = ConvolutionGeometry(batch: shape[0], channels: weight.shape[1], height: height, width: width,
                                    kernelHeight: kh, kernelWidth: kw, strideY: stride.0, strideX: stride.1,
                                    padY: padding.0, padX: padding.1)
        // (H + op − 1)·s / s rounds down to H − 1 + ⌊op/s⌋ = H − 1 since op < s: the mirror maps back exactly.
        assert(g.outputHeight == shape[2] && g.outputWidth == shape[3])
        return g
    }
}
