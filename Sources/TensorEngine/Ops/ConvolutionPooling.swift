/// Convolution → [batch norm] → ReLU → 2×2 max pool as one op, each group of images pooled while
/// its planes are in cache.
///
/// A small network's first stage writes its largest tensor only to halve it: mnist-gap's conv1
/// output is 64 × 16 × 28 × 28 floats (3.2 MB) per training batch, written by the convolution,
/// read by the pool, and in the backward pass written again (the pool's ∂x, mostly zeros) and read
/// twice (ReLU's mask, the convolution's gradient). Here each group's `[g, O, Ho, Wo]` output lives
/// in a buffer of the group's size (50 KB for one digit), is pooled at once, and is gone; the op
/// keeps only the pooled output and the arg-max of each window.
///
///     forward:   y = maxPool2x2(relu(conv(x)))              `[N, O, ⌊Ho/2⌋, ⌊Wo/2⌋]`
///     backward:  G[arg-max of window i] = y[i] > 0 ? 0 + ∂y[i] : 0, 0 elsewhere, per group;
///                then the convolution's backward from G (∂x, ∂W; ∂b summed from G's planes)
///
/// **The same bits** as the modules one by one: the planes are the fused convolution's
/// (`ConvolutionEpilogue`), pooled by the pool's own kernel (`maxPool2x2`, same rule for ties and
/// NaN); backward, the pool sends each gradient to its arg-max by adding it to zero, ReLU keeps it
/// where its output there, the window's maximum, is > 0, and the convolution's backward runs on
/// the group's `G` as it would on the batch's. `InferenceFusionTests` hold the two to the same bits.
///
/// With a graph only ReLU is fused before the pool (batch norm's backward would need its input);
/// without one, the whole epilogue.
extension Tensor {
    /// The pooled convolution, or nil when its output is smaller than one window (the modules
    /// then report it as usual).
    func convolutionPooled(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
                           epilogue: ConvolutionEpilogue) throws -> Tensor? {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let plan = ConvolutionPlan(g, outChannels: weight.shape[0])
        let channels = plan.outChannels, plane = plan.plane
        let pool = ConvolutionGeometry(batch: 1, channels: channels, height: g.outputHeight, width: g.outputWidth,
                                       kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, padY: 0, padX: 0)
        guard g.outputHeight >= 2, g.outputWidth >= 2 else { return nil }
        let pooledPlane = pool.outputHeight * pool.outputWidth
        let records = GradientMode.isEnabled && (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        precondition(!records || (epilogue.relu && epilogue.normalization.isEmpty), "a recorded pooled convolution fuses ReLU only")
        let total = g.batch * channels * pooledPlane
        // Every output (and arg-max) is written by the group that owns it.
        var out = [Float](unsafeUninitializedCapacity: total) { _, count in count = total }
        var arg = [Int32](unsafeUninitializedCapacity: records ? total : 0) { _, count in count = records ? total : 0 }
        let w = weight.data, b = bias?.data
        // At most 16 output channels behind a 3×3 window: each window's four pixels as vectors
        // over the channels, pooled as they are made (`NarrowPooledConvolution`, the same bits).
        let narrow = NarrowPooledConvolution.applies(to: plan, epilogue: epilogue)
        let taps = narrow ? w.withUnsafeBufferPointer {
            NarrowPooledConvolution.tapVectors($0.baseAddress!, outChannels: channels, patch: plan.patch)
        } : []
        var shift = SIMD16<Float>()
        if narrow, let b { for o in 0..<channels { shift[o] = b[o] } }
        let biasLanes = shift
        var single = g
        single.batch = 1
        data.withUnsafeBufferPointer { xBuffer in
            w.withUnsafeBufferPointer { wBuffer in
                let transformed = plan.transformedWeight(wBuffer.baseAddress!)
                transformed.withUnsafeBufferPointer { tBuffer in taps.withUnsafeBufferPointer { tapsBuffer in
                    out.withUnsafeMutableBufferPointer { oBuffer in
                        arg.withUnsafeMutableBufferPointer { aBuffer in
                            let (x, wp) = (UncheckedSendable(xBuffer.baseAddress!), UncheckedSendable(wBuffer.baseAddress!))
                            let (op, ap) = (UncheckedSendable(oBuffer.baseAddress!), UncheckedSendable(records ? aBuffer.baseAddress : nil))
                            let tp = UncheckedSendable(transformed.isEmpty ? nil : tBuffer.baseAddress)
                            let tapsPointer = UncheckedSendable(narrow ? tapsBuffer.baseAddress : nil)
                            Parallel.forEach(chunks: plan.groups) { group in
                                let (first, members) = plan.members(of: group)
                                if let lanes = tapsPointer.value {
                                    for image in 0..<members.batch {
                                        let index = first &+ image, offset = index &* channels &* pooledPlane
                                        NarrowPooledConvolution.forward(x.value + index &* plan.imageSize, single, taps: lanes, bias: biasLanes,
                                                                        outChannels: channels, pooled: op.value + offset,
                                                                        argMax: ap.value.map { $0 + offset }, argBase: image &* channels &* plane)
                                    }
                                    return
                                }
                                let count = members.batch &* channels &* plane
                                let local = UnsafeMutablePointer<Float>.allocate(capacity: count)
                                defer { local.deallocate() }
                                plan.forward(group: group, x: x.value, weight: wp.value, transformedWeight: tp.value, bias: b, epilogue: epilogue,
                                             intoGroup: local)
                                var groupPool = pool
                                groupPool.batch = members.batch
                                let offset = first &* channels &* pooledPlane, n = members.batch &* channels &* pooledPlane
                                let source = UnsafeBufferPointer(start: local, count: count)
                                let pooled = UnsafeMutableBufferPointer(start: op.value + offset, count: n)
                                let argMax = UnsafeMutableBufferPointer(start: ap.value.map { $0 + offset }, count: ap.value == nil ? 0 : n)
                                // A group alone (one image, or a small batch) pools its planes on every
                                // core, as `maxPool2d` would; otherwise each group on its own thread.
                                switch (plan.groups == 1, ap.value != nil) {
                                case (true, true): Tensor.maxPool2x2(source, groupPool, pooled, argMax, recordsArgMax: true)
                                case (true, false): Tensor.maxPool2x2(source, groupPool, pooled, argMax, recordsArgMax: false)
                                case (false, let records):
                                    Tensor.maxPool2x2(source, groupPool, pooled, argMax, planes: 0..<(members.batch &* channels), recordsArgMax: records)
                                }
                            }
                        }
                    }
                } }
            }
        }
        let name = "conv2d" + (epilogue.normalization.isEmpty ? "" : "+batchNorm2d") + (epilogue.relu ? "+relu" : "") + "+maxPool2d"
        let shape = [g.batch, channels, pool.outputHeight, pool.outputWidth]
        guard records else {
            if OpProfile.isEnabled { OpProfile.forward(name, shape: shape) }
            return Tensor(unchecked: shape, data: out, node: nil)
        }
        let input = data
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        let source = ConvolutionGradient.pooled(PooledGradient(output: out, argMax: arg, pooledPlane: pooledPlane))
        return Tensor.makeResult(name, shape: shape, data: out, inputs: parents) { grad, needed in
            Tensor.convolutionBackward(plan, input: input, weight: w, grad: grad, source: source, needed: needed)
        }
    }
}

/// Where a convolution's backward pass takes each group's output gradient from.
enum ConvolutionGradient {
    /// The op's own gradient `[N, O, Ho, Wo]`, kept only where `mask` (a fused ReLU's output) is
    /// > 0 when there is one.
    case direct(mask: [Float]?)
    /// A fused ReLU → 2×2 max pool's (`convolutionPooled`).
    case pooled(PooledGradient)

    /// The fused ReLU's output, for `.direct`.
    var mask: [Float]? { if case .direct(let mask) = self { mask } else { nil } }
    /// The op's own gradient as it stands: no mask, no pool.
    var isPlain: Bool { if case .direct(nil) = self { true } else { false } }
}

/// What the backward pass of a pooled convolution keeps: the pooled output `[N, O, Hp, Wp]` and
/// each window's arg-max, a flat index into its group's `[g, O, Ho, Wo]` output.
struct PooledGradient {
    let output: [Float], argMax: [Int32], pooledPlane: Int

    /// One group's backward pass: G from the pooled gradient `grad` (the batch's), written straight
    /// in the `[O, g·P]` layout the convolution's GEMMs read, its planes summed into `planeSums`
    /// (for ∂b) if given, then the convolution's backward from G.
    func backward(_ plan: ConvolutionPlan, group: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, grad: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, flippedWeight: UnsafePointer<Float>?,
                  planeSums: UnsafeMutablePointer<Float>?) {
        let (first, members) = plan.members(of: group)
        let channels = plan.outChannels, plane = plan.plane, images = members.batch
        if dx == nil, let dWeight, NarrowWeightGradient.applies(to: plan) {
            narrowBackward(plan, image: first, x: x, grad: grad, dWeight: dWeight, planeSums: planeSums)
            return
        }
        // G as the convolution's GEMMs read it, `[O, g·P]` (for one image the same as `[g, O, P]`).
        let columns = images &* plane
        let local = UnsafeMutablePointer<Float>.allocate(capacity: channels &* columns)
        defer { local.deallocate() }
        local.update(repeating: 0, count: channels &* columns)
        output.withUnsafeBufferPointer { o in
            argMax.withUnsafeBufferPointer { a in
                for image in 0..<images {
                    for c in 0..<channels {
                        // Window i's arg-max is a flat index into the group's `[g, O, P]`: this plane's
                        // part of it, moved to column `image·P` of row c.
                        let window = ((first &+ image) &* channels &+ c) &* pooledPlane
                        let (y, at, g) = (o.baseAddress! + window, a.baseAddress! + window, grad + window)
                        let dst = local + (c &* columns &+ image &* plane)
                        let origin = (image &* channels &+ c) &* plane
                        // The pool's backward (0 + ∂y at the arg-max: windows do not overlap), then
                        // ReLU's (kept where its output, there the window's maximum, is > 0).
                        for i in 0..<pooledPlane where y[i] > 0 { dst[Int(truncatingIfNeeded: at[i]) &- origin] += g[i] }
                        planeSums?[(first &+ image) &* channels &+ c] = planeSum(dst, count: plane)
                    }
                }
            }
        }
        plan.backward(group: group, x: x, weight: weight, groupGradient: local, gathered: true, dx: dx, dWeight: dWeight,
                      flippedWeight: flippedWeight)
    }

    /// The same for one image when only ∂W (and ∂b) are needed (a first layer, whose input is the
    /// data) and `NarrowWeightGradient` applies: G is scattered transposed, `[P, 16]`, the layout
    /// that kernel reads, and its planes summed from there in `planeSum`'s order. The same bits.
    private func narrowBackward(_ plan: ConvolutionPlan, image: Int, x: UnsafePointer<Float>, grad: UnsafePointer<Float>,
                                dWeight: UnsafeMutablePointer<Float>, planeSums: UnsafeMutablePointer<Float>?) {
        let channels = plan.outChannels, plane = plan.plane, lanes = GEMM.lanes
        let local = UnsafeMutablePointer<Float>.allocate(capacity: plane &* lanes)
        defer { local.deallocate() }
        local.update(repeating: 0, count: plane &* lanes)
        output.withUnsafeBufferPointer { o in
            argMax.withUnsafeBufferPointer { a in
                for c in 0..<channels {
                    let window = (image &* channels &+ c) &* pooledPlane
                    let (y, at, g) = (o.baseAddress! + window, a.baseAddress! + window, grad + window)
                    // Arg-maxes index the image's `[O, P]` output: this plane's start is c·P.
                    let origin = c &* plane
                    for i in 0..<pooledPlane where y[i] > 0 { local[(Int(truncatingIfNeeded: at[i]) &- origin) &* lanes &+ c] += g[i] }
                }
            }
        }
        if let planeSums {
            NarrowWeightGradient.planeSums(transposedGradient: local, plane: plane, outChannels: channels,
                                           into: planeSums + image &* channels)
        }
        var single = plan.geometry
        single.batch = 1
        NarrowWeightGradient.weightGradient(x + image &* plan.imageSize, single, outChannels: channels, transposedGradient: local,
                                            into: dWeight, transposed: plan.transposesWeightGradient)
    }
}
