import Foundation

/// Convolution → batch norm (evaluation) → ReLU (→ 2×2 max pool) in one pass.
///
/// Inference (`withNoGrad { model(x) }`: the explorer's activations, `rank`'s thousands of
/// perturbed images, ROAD, throughput) spends a fifth of its time re-reading a convolution's
/// output once for batch norm and once more for ReLU. Here both are applied to each plane as the
/// convolution writes it, while it is still in cache:
///
///     y = relu(γ · ((conv(x) − μ) · σ⁻¹) + β)        per channel, the same expression as the ops
///
/// and a 2×2 max pool of stride 2 after the ReLU pools each group's planes before they leave the
/// cache (`ConvolutionPooling.swift`). When a graph is recorded (training, every gradient method)
/// convolution → ReLU (→ pool) and convolution → batch norm (evaluation) → ReLU are fused too, each
/// as one op with its own backward pass (`convolutionReLU`, `convolutionPooled`,
/// `convolutionNormalizedReLU`); batch norm before a pool, or without a ReLU, then runs as its own op.
///
/// **The same bits** as calling the modules: each element goes through the very operations,
/// in the same order, that `conv2d`, `batchNorm2d` (with `Tensor.evaluationStatistics`), `relu`
/// and `maxPool2d` apply, forward and backward (tested on NaN, ±0 and every code path of the
/// convolution).
///
/// **Only when nothing can tell the difference**: batch norm is in evaluation mode, and none of
/// the modules carries a hook (a hook on `bn1` must see `bn1`'s own output; guided backprop's hooks
/// on every ReLU turn the fusion off). Otherwise, and on any error (the modules then report it as
/// usual), the modules are called one by one. The name stays from when it fused inference only.
public enum InferenceFusion {
    /// Switched off by tests and `bench` to compare with the unfused path; for a whole run with
    /// `WORKBOOK_INFERENCE_FUSION=0` (to time a command both ways).
    @TaskLocal public static var isEnabled = ProcessInfo.processInfo.environment["WORKBOOK_INFERENCE_FUSION"] != "0"

    /// `relu(bn(conv(x)))`, with `bn` and `relu` optional: fused when allowed, else the modules
    /// called one after another (hooks and all).
    public static func convolution(_ conv: Conv2d, normalization bn: BatchNorm2d?, relu: ReLU?, _ x: Tensor) throws -> Tensor {
        if let fused = fused(conv, bn, relu, nil, x) { return fused }
        var y = try conv(x)
        if let bn { y = try bn(y) }
        if let relu { y = try relu(y) }
        return y
    }

    /// Whether no hook could see an intermediate result of these modules.
    private static func unhooked(_ modules: [Module?]) -> Bool {
        modules.allSatisfy { $0.map { $0.forwardHooks.isEmpty && $0.backwardHooks.isEmpty } ?? true }
    }

    /// `relu(bn(conv(x)) + identity)`, a residual block's last convolution and its end: one pass
    /// in inference (batch norm, the sum and ReLU applied as each plane is written; the same bits)
    /// when nothing could tell (no graph, no hook on the three modules, batch norm in evaluation
    /// mode, the shapes fit); else `convolution` and then `residual`.
    public static func residualConvolution(_ conv: Conv2d, normalization bn: BatchNorm2d, identity: Tensor, relu: ReLU, _ x: Tensor) throws -> Tensor {
        let graph = GradientMode.isEnabled && [x, conv.weight, conv.bias, bn.weight, bn.bias, identity].contains { $0?.requiresGrad == true }
        let channels = conv.weight.shape[0]
        if isEnabled, unhooked([conv, bn, relu]), !graph, !bn.isTraining, let parameters = bn.evaluationParameters(channels: channels),
           let g = try? x.convolutionGeometry(weight: conv.weight, bias: conv.bias, stride: (conv.stride, conv.stride), padding: (conv.padding, conv.padding)),
           identity.shape == [g.batch, channels, g.outputHeight, g.outputWidth] {
            var epilogue = ConvolutionEpilogue(relu: true)
            epilogue.normalization = parameters
            epilogue.residual = identity.data
            if let y = try? x.fusedConvolution(weight: conv.weight, bias: conv.bias, stride: (conv.stride, conv.stride),
                                               padding: (conv.padding, conv.padding), epilogue: epilogue) {
                return y
            }
        }
        let out = try convolution(conv, normalization: bn, relu: nil, x)
        return try residual(out, identity, relu: relu)
    }

    /// `relu(out + identity)`, a residual block's end: one op (`addingReLU`, the same bits) when
    /// fusion is on, the shapes match and `relu` carries no hook; else the two ops.
    public static func residual(_ out: Tensor, _ identity: Tensor, relu: ReLU) throws -> Tensor {
        if isEnabled, out.shape == identity.shape, unhooked([relu]) {
            return out.addingReLU(identity)
        }
        return try relu(out + identity)
    }

    /// Runs the longest fusable chain of `layers` that starts at `index` (a `Conv2d` followed by a
    /// `BatchNorm2d`, a `ReLU` or both, and after a ReLU a 2×2 `MaxPool2d` of stride 2): its output
    /// and how many layers it covered, or nil.
    static func chain(_ layers: [(name: String, module: Module)], at index: Int, _ x: Tensor) -> (output: Tensor, layers: Int)? {
        guard let conv = layers[index].module as? Conv2d else { return nil }
        var next = index + 1
        var bn: BatchNorm2d?, relu: ReLU?
        if next < layers.count, let b = layers[next].module as? BatchNorm2d { bn = b; next += 1 }
        if next < layers.count, let r = layers[next].module as? ReLU { relu = r; next += 1 }
        if relu != nil, next < layers.count, let p = layers[next].module as? MaxPool2d, p.kernelSize == 2, p.stride == 2, p.padding == 0 {
            if let output = fused(conv, bn, relu, p, x) { return (output, next + 1 - index) }
        }
        guard let output = fused(conv, bn, relu, nil, x) else { return nil }
        return (output, next - index)
    }

    /// The fused result, or nil when fusion is not allowed or the inputs do not fit (the plain
    /// path then computes, or reports, the same thing).
    private static func fused(_ conv: Conv2d, _ bn: BatchNorm2d?, _ relu: ReLU?, _ pool: MaxPool2d?, _ x: Tensor) -> Tensor? {
        guard isEnabled, bn != nil || relu != nil else { return nil }
        guard unhooked([conv, bn, relu, pool]) else { return nil }
        if let bn, bn.isTraining { return nil }
        let stride = (conv.stride, conv.stride), padding = (conv.padding, conv.padding)
        if GradientMode.isEnabled {
            let tensors: [Tensor?] = [x, conv.weight, conv.bias, bn?.weight, bn?.bias]
            if tensors.contains(where: { $0?.requiresGrad == true }) {
                // A graph is recorded: convolution → [batch norm →] ReLU (→ 2×2 max pool, without
                // batch norm) becomes one op with its own backward (`convolutionReLU`,
                // `convolutionNormalizedReLU`, `convolutionPooled`: the same bits both ways).
                guard relu != nil else { return nil }
                if let bn {
                    guard pool == nil else { return nil }
                    return try? x.convolutionNormalizedReLU(weight: conv.weight, bias: conv.bias, stride: stride, padding: padding, normalization: bn)
                }
                if pool != nil {
                    return try? x.convolutionPooled(weight: conv.weight, bias: conv.bias, stride: stride, padding: padding,
                                                    epilogue: ConvolutionEpilogue(relu: true))
                }
                return try? x.convolutionReLU(weight: conv.weight, bias: conv.bias, stride: stride, padding: padding)
            }
        }
        let channels = conv.weight.shape[0]
        var epilogue = ConvolutionEpilogue(relu: relu != nil)
        if let bn {
            guard let parameters = bn.evaluationParameters(channels: channels) else { return nil }
            epilogue.normalization = parameters
        }
        if pool != nil {
            return try? x.convolutionPooled(weight: conv.weight, bias: conv.bias, stride: stride, padding: padding, epilogue: epilogue)
        }
        return try? x.fusedConvolution(weight: conv.weight, bias: conv.bias, stride: stride, padding: padding, epilogue: epilogue)
    }
}

/// What a fused inference convolution applies to each output plane after the bias: evaluation
/// batch norm `γ · ((v − μ) · σ⁻¹) + β`, then a residual block's identity `v + r` (if any), then
/// ReLU `v > 0 ? v : 0` — each exactly as its op writes it.
struct ConvolutionEpilogue: Sendable {
    /// μ, σ⁻¹, γ and β, one block of C values each; empty: no batch norm.
    var normalization: [Float] = []
    /// The tensor added after batch norm, the output's shape (`[N, O, Ho, Wo]`); empty: none.
    var residual: [Float] = []
    /// Where this group's output starts in the whole output (and so in `residual`).
    var residualOffset = 0
    var relu: Bool

    init(relu: Bool) { self.relu = relu }

    /// The same for the group whose output starts `offset` floats into the whole output.
    func shifted(by offset: Int) -> ConvolutionEpilogue {
        var copy = self
        copy.residualOffset += offset
        return copy
    }

    /// The epilogue as a group of planes applies it, its parameters read through a pointer.
    struct Pass {
        let parameters: UnsafePointer<Float>?, channels: Int, relu: Bool
        /// The residual at this group's first output, if any.
        let residual: UnsafePointer<Float>?

        /// Applies the epilogue in place to the `count` values of channel `o` at `p`, which lies
        /// `offset` floats into the group's output.
        @inline(__always)
        func apply(channel o: Int, to p: UnsafeMutablePointer<Float>, count: Int, at offset: Int) {
            apply(channel: o, from: p, to: p, count: count, at: offset)
        }

        /// The same, reading `src` and writing `p` (which may be `src`).
        @inline(__always)
        func apply(channel o: Int, from src: UnsafePointer<Float>, to p: UnsafeMutablePointer<Float>, count: Int, at offset: Int) {
            if let residual {
                // A residual block's end: batch norm (always there), + identity, [ReLU].
                let r = residual + offset
                let (mu, inv, gm, bt) = (parameters![o], parameters![channels &+ o], parameters![2 &* channels &+ o], parameters![3 &* channels &+ o])
                if relu {
                    for i in 0..<count { let v = (gm * ((src[i] - mu) * inv) + bt) + r[i]; p[i] = v > 0 ? v : 0 }
                } else {
                    for i in 0..<count { p[i] = (gm * ((src[i] - mu) * inv) + bt) + r[i] }
                }
            } else if let parameters {
                let (mu, inv, gm, bt) = (parameters[o], parameters[channels &+ o], parameters[2 &* channels &+ o], parameters[3 &* channels &+ o])
                if relu {
                    for i in 0..<count { let v = gm * ((src[i] - mu) * inv) + bt; p[i] = v > 0 ? v : 0 }
                } else {
                    for i in 0..<count { p[i] = gm * ((src[i] - mu) * inv) + bt }
                }
            } else if relu {
                for i in 0..<count { let v = src[i]; p[i] = v > 0 ? v : 0 }
            }
        }
    }

    /// Runs `body` with the pass for `channels` output channels.
    func withPass(channels: Int, _ body: (Pass) -> Void) {
        normalization.withUnsafeBufferPointer { parameters in
            residual.withUnsafeBufferPointer { added in
                body(Pass(parameters: normalization.isEmpty ? nil : parameters.baseAddress, channels: channels, relu: relu,
                          residual: residual.isEmpty ? nil : added.baseAddress! + residualOffset))
            }
        }
    }
}

extension Tensor {
    /// `conv2d` → `batchNorm2d` (evaluation mode) → `relu`, recorded as one op
    /// ("conv2d+batchNorm2d+relu") when a graph is recorded: a ResNet's saliency map or
    /// Integrated Gradients. The convolution's output z is kept (batch norm's ∂γ needs x̂), and
    /// `relu(γ · ((z − μ) · σ⁻¹) + β)` is written from it in one pass; backward, ReLU's mask is
    /// applied as batch norm's backward reads the gradient (`BatchNormBackward.reluOutput`), and
    /// the convolution's backward runs on the result. Against the three ops: one array and one
    /// pass fewer each way, the same bits (each value goes through the same expressions in the
    /// same order; batch norm's sums and its two ∂x formulas — with the sums when ∂γ or ∂β is
    /// wanted, without for an explanation — are its own code). Only for `InferenceFusion`.
    func convolutionNormalizedReLU(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
                                   normalization bn: BatchNorm2d) throws -> Tensor {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let plan = ConvolutionPlan(g, outChannels: weight.shape[0])
        let channels = plan.outChannels, area = plan.plane, batch = g.batch
        guard let parameters = bn.evaluationParameters(channels: channels) else {
            throw TensorError.shapeMismatch(operation: "batchNorm2d", lhs: bn.weight.shape, rhs: [channels])
        }
        let w = weight.data
        let z = convolutionOutput(plan, weight: w, bias: bias?.data, epilogue: nil)
        // y = relu(bn(z)) by the inference epilogue's own expressions, plane by plane.
        var epilogue = ConvolutionEpilogue(relu: true)
        epilogue.normalization = parameters
        let grain = Swift.max(1, (1 << 16) / Swift.max(batch * area, 1))
        let y = [Float](uninitializedCount: z.count) { out in
            z.withUnsafeBufferPointer { zp in
                let (source, target) = (UncheckedSendable(zp.baseAddress!), UncheckedSendable(out.baseAddress!))
                epilogue.withPass(channels: channels) { pass in
                    Parallel.forEachRange(channels, grain: grain) { range in
                        for c in range {
                            for n in 0..<batch {
                                let base = (n &* channels &+ c) &* area
                                pass.apply(channel: c, from: source.value + base, to: target.value + base, count: area, at: base)
                            }
                        }
                    }
                }
            }
        }
        let mean = Array(parameters[0..<channels]), inverseStd = Array(parameters[channels..<(2 * channels)])
        let gamma = Array(parameters[(2 * channels)..<(3 * channels)])
        let input = data
        let parents = [self, weight] + (bias.map { [$0] } ?? []) + [bn.weight, bn.bias]
        let hasBias = bias != nil
        return Tensor.makeResult("conv2d+batchNorm2d+relu", shape: [batch, channels, g.outputHeight, g.outputWidth], data: y,
                                 inputs: parents) { grad, needed in
            let convolutionNeeded = Array(needed[0..<(hasBias ? 3 : 2)])
            let needsSums = needed[needed.count - 2] || needed[needed.count - 1]
            let needsG = convolutionNeeded.contains(true)
            // G = ∂z, and ∂β and ∂γ side by side, by batch norm's own backward pass.
            var gradientOfZ = needsG ? [Float](repeating: 0, count: grad.count) : []
            let sums = grad.withUnsafeBufferPointer { gp in
                z.withUnsafeBufferPointer { zp in
                    y.withUnsafeBufferPointer { yp in
                        gradientOfZ.withUnsafeMutableBufferPointer { dp in
                            var backward = BatchNormBackward(batch: batch, channels: channels, area: area, training: false,
                                                             grad: gp.baseAddress!, saved: nil, input: zp.baseAddress!,
                                                             dx: needsG ? dp.baseAddress : nil)
                            backward.reluOutput = yp.baseAddress!
                            return backward.run(mean: mean, inverseStd: inverseStd, gamma: gamma, needsSums: needsSums, grain: grain)
                        }
                    }
                }
            }
            var result: [[Float]?] = needsG
                ? Tensor.convolutionBackward(plan, input: input, weight: w, grad: gradientOfZ, source: .direct(mask: nil), needed: convolutionNeeded)
                : convolutionNeeded.map { _ in nil }
            result.append(needed[needed.count - 2] ? Array(sums[channels...]) : nil)
            result.append(needed[needed.count - 1] ? Array(sums[..<channels]) : nil)
            return result
        }
    }

    /// `conv2d` followed by `epilogue`, as a leaf (no graph): only for `InferenceFusion`, which
    /// has checked that no graph would have been recorded.
    func fusedConvolution(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
                          epilogue: ConvolutionEpilogue) throws -> Tensor {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let plan = ConvolutionPlan(g, outChannels: weight.shape[0])
        let out = convolutionOutput(plan, weight: weight.data, bias: bias?.data, epilogue: epilogue)
        let shape = [g.batch, plan.outChannels, g.outputHeight, g.outputWidth]
        if OpProfile.isEnabled {
            OpProfile.forward(epilogue.normalization.isEmpty ? "conv2d+relu"
                              : "conv2d+batchNorm2d" + (epilogue.residual.isEmpty ? "" : "+add") + (epilogue.relu ? "+relu" : ""), shape: shape)
        }
        return Tensor(unchecked: shape, data: out, node: nil)
    }
}
