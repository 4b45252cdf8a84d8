/// 2-D convolution (cross-correlation, as in PyTorch) by im2col + GEMM over groups of images.
///
/// Shapes: x `[N, C, H, W]`, weight `[O, C, kh, kw]`, bias `[O]` → `[N, O, Ho, Wo]` with
/// `Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1`.
///
/// The batch is cut into groups of g images (fixed by the shape, see `ConvolutionPlan`). With
/// K = C·kh·kw, P = Ho·Wo, per group:
/// Forward:   cols = im2col(x_group) `[K, g·P]`;  Y = W · cols `[O, g·P]`, scattered to NCHW + bias.
/// Backward:  G = grad gathered to `[O, g·P]`;  ∂x_group = col2im(Wᵀ · G);  ∂W_group = G · colsᵀ
///            (computed as its transpose cols · Gᵀ when K > O);
///            ∂W = Σ_groups ∂W_group in group order;  ∂b = Σₙ Σₚ grad.
///
/// Why groups: one image of a small network gives GEMMs like 64 × 49 × 288, too thin to keep the
/// micro-kernel busy; a group of 8 such images (a batch of 64) is a 64 × 392 × 288 product, and
/// of 21 (batches from 161 on) a 64 × 1029 × 288 one. Groups run in
/// parallel (one per core); a single group lets the GEMM itself use the cores. The columns are
/// recomputed in backward instead of being kept, and the group boundaries depend only on the
/// shapes, so the sums, and the bits, never depend on the number of threads.
///
/// Stride-1 convolutions of one image per group skip im2col: the GEMM reads the padded image in
/// place as its B operand (`ShiftedRows`), forward on any plane wide enough (the same bits as
/// im2col), ∂x and ∂W from 2048 outputs (a 1×1 window on any plane: its im2col is the image).
/// 3×3 windows with 64 or more channels in and out on planes of 28×28 and up (ImageNet networks,
/// never the course's) take Winograd's F(2×2, 3×3), forward and for ∂x (`Winograd`). ∂W of 3×3
/// windows into 32 or 64 channels, in groups that share the cores, reads the images in place
/// with the lanes over the channels (`LanesWeightGradient`, the same bits). The im2col path stays
/// the twin the tests compare them with.
extension Tensor {
    public func conv2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)
    ) throws -> Tensor {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let plan = ConvolutionPlan(g, outChannels: weight.shape[0])
        let w = weight.data
        let out = convolutionOutput(plan, weight: w, bias: bias?.data, epilogue: nil)
        let input = data
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.makeResult("conv2d", shape: [g.batch, plan.outChannels, g.outputHeight, g.outputWidth], data: out, inputs: parents) { grad, needed in
            Tensor.convolutionBackward(plan, input: input, weight: w, grad: grad, source: .direct(mask: nil), needed: needed)
        }
    }

    /// `conv2d` then `relu`, recorded as one op ("conv2d+relu"): ReLU is applied to each plane as
    /// the convolution writes it, and its backward (the gradient kept where the output is > 0) to
    /// each group's gradient as the convolution's backward gathers it. The same bits as the two
    /// ops, forward and backward (`relu`'s backward keeps g where its input is > 0, which is where
    /// its output is > 0), one pass and one array fewer each way. Only for `InferenceFusion`,
    /// which checks that no hook could see the convolution's own output.
    func convolutionReLU(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int)) throws -> Tensor {
        let g = try convolutionGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let plan = ConvolutionPlan(g, outChannels: weight.shape[0])
        let w = weight.data
        let out = convolutionOutput(plan, weight: w, bias: bias?.data, epilogue: ConvolutionEpilogue(relu: true))
        let input = data
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.makeResult("conv2d+relu", shape: [g.batch, plan.outChannels, g.outputHeight, g.outputWidth], data: out, inputs: parents) { grad, needed in
            Tensor.convolutionBackward(plan, input: input, weight: w, grad: grad, source: .direct(mask: out), needed: needed)
        }
    }

    /// ∂x, ∂W and (with a bias) ∂b of a convolution, as `needed` asks, from the gradient `source`
    /// describes. When it is not the op's own gradient as it stands, ∂b is summed from each
    /// group's planes as the group makes them, in the order `biasGradient` sums (the same bits).
    static func convolutionBackward(_ plan: ConvolutionPlan, input: [Float], weight w: [Float], grad: [Float], source: ConvolutionGradient,
                                    needed: [Bool]) -> [[Float]?] {
        let g = plan.geometry
        var result: [[Float]?] = [nil, nil]
        let needsBias = needed.count == 3 && needed[2]
        let mask = source.mask, plain = source.isPlain
        var dx = needed[0] ? [Float](repeating: 0, count: g.batch * plan.imageSize) : []
        var partial = needed[1] ? [Float](repeating: 0, count: plan.groups * plan.outChannels * plan.patch) : []
        var planeSums = !plain && needsBias ? [Float](repeating: 0, count: g.batch * plan.outChannels) : []
        let maskData = mask ?? []
        if needed[0] || needed[1] || !planeSums.isEmpty {
            input.withUnsafeBufferPointer { xBuffer in
                w.withUnsafeBufferPointer { wBuffer in
                    grad.withUnsafeBufferPointer { gBuffer in
                        maskData.withUnsafeBufferPointer { mBuffer in
                            dx.withUnsafeMutableBufferPointer { dxBuffer in
                                partial.withUnsafeMutableBufferPointer { pBuffer in
                                    planeSums.withUnsafeMutableBufferPointer { sBuffer in
                                        let x = UncheckedSendable(xBuffer.baseAddress!), wp = UncheckedSendable(wBuffer.baseAddress!)
                                        let gp = UncheckedSendable(gBuffer.baseAddress!)
                                        // (An empty array may still have a base address: test the flags, not nil.)
                                        let mp = UncheckedSendable(mask != nil ? mBuffer.baseAddress : nil)
                                        let dxp = UncheckedSendable(needed[0] ? dxBuffer.baseAddress : nil)
                                        let pp = UncheckedSendable(needed[1] ? pBuffer.baseAddress : nil)
                                        let sp = UncheckedSendable(sBuffer.isEmpty ? nil : sBuffer.baseAddress)
                                        let flipped = needed[0] && plan.groups > 1 ? plan.flippedWeight(wBuffer.baseAddress!) : []
                                        flipped.withUnsafeBufferPointer { fBuffer in
                                            let fp = UncheckedSendable(fBuffer.isEmpty ? nil : fBuffer.baseAddress)
                                            Parallel.forEach(chunks: plan.groups) { group in
                                                let dWeight = pp.value.map { $0 + group * plan.outChannels * plan.patch }
                                                if case .pooled(let pooled) = source {
                                                    pooled.backward(plan, group: group, x: x.value, weight: wp.value, grad: gp.value, dx: dxp.value,
                                                                    dWeight: dWeight, flippedWeight: fp.value, planeSums: sp.value)
                                                } else {
                                                    plan.backward(group: group, x: x.value, weight: wp.value, grad: gp.value, dx: dxp.value,
                                                                  dWeight: dWeight, flippedWeight: fp.value, mask: mp.value, planeSums: sp.value)
                                                }
                                            }
                                        }
                                    }
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
            if !needsBias {
                result.append(nil)
            } else if plain {
                result.append(plan.biasGradient(grad))
            } else {
                result.append(plan.biasGradient(planeSums: planeSums))
            }
        }
        return result
    }

    /// The forward values `[N, O, Ho, Wo]`, with `epilogue` (if any) applied as each group's
    /// product is written (see `ConvolutionEpilogue`).
    func convolutionOutput(_ plan: ConvolutionPlan, weight w: [Float], bias b: [Float]?, epilogue: ConvolutionEpilogue?) -> [Float] {
        let g = plan.geometry
        // Every element is written by exactly one group: no need to zero-fill first.
        var out = [Float](unsafeUninitializedCapacity: g.batch * plan.outChannels * plan.plane) { _, count in
            count = g.batch * plan.outChannels * plan.plane
        }
        data.withUnsafeBufferPointer { xBuffer in
            w.withUnsafeBufferPointer { wBuffer in
                let transformed = plan.transformedWeight(wBuffer.baseAddress!)
                transformed.withUnsafeBufferPointer { tBuffer in
                    out.withUnsafeMutableBufferPointer { outBuffer in
                        let (x, wp, y) = (UncheckedSendable(xBuffer.baseAddress!), UncheckedSendable(wBuffer.baseAddress!),
                                          UncheckedSendable(outBuffer.baseAddress!))
                        let tp = UncheckedSendable(transformed.isEmpty ? nil : tBuffer.baseAddress)
                        Parallel.forEach(chunks: plan.groups) { group in
                            plan.forward(group: group, x: x.value, weight: wp.value, transformedWeight: tp.value, bias: b, epilogue: epilogue,
                                         into: y.value)
                        }
                    }
                }
            }
        }
        return out
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

/// How a convolution cuts its batch into groups of images, and the kernels for one group.
///
/// A group holds at most enough images for its GEMM to have about `targetColumns` columns (g·P):
/// 7×7 feature maps up to twenty-one at a time, 14×14 up to six; planes of 512 pixels or more
/// (28×28) go one at a time. It also holds at most ⌈N/8⌉ images, so a large batch has at least
/// eight groups for the cores to share. The im2col buffer of a group (K · g·P floats) stays within
/// the L2 cache. Both rules depend on the shapes alone, never on the thread count.
struct ConvolutionPlan {
    static let targetColumns = 1024, minimumGroups = 8
    let geometry: ConvolutionGeometry
    let outChannels: Int, plane: Int, patch: Int, imageSize: Int
    let imagesPerGroup: Int, groups: Int

    init(_ g: ConvolutionGeometry, outChannels: Int) {
        geometry = g
        self.outChannels = outChannels
        plane = g.outputHeight * g.outputWidth
        patch = g.patchSize
        imageSize = g.channels * g.height * g.width
        // At most `targetColumns` per GEMM, and at least `minimumGroups` groups when the batch
        // allows, so two (or four) cores get equal shares.
        // (Planes of 512 pixels or more make a wide enough GEMM alone; a group of one image needs
        // no scatter, its `[O, P]` product is already NCHW.)
        let byColumns = plane >= Self.targetColumns / 2 ? 1 : (Self.targetColumns + plane - 1) / plane
        let byBalance = (g.batch + Self.minimumGroups - 1) / Self.minimumGroups
        imagesPerGroup = Swift.max(1, Swift.min(byColumns, byBalance))
        groups = (g.batch + imagesPerGroup - 1) / imagesPerGroup
        // Planes that always go one image per group (whatever the batch), with stride 1: the
        // forward GEMM reads the image in place (`ShiftedRows`; the same bits as im2col). Its ∂x
        // and ∂W round differently from im2col's, so they take it only where im2col's buffer
        // grows large (56×56 and up): an image's gradient never depends on the batch it came in
        // (`insights` optimises one channel image at a time, `visualize --all-channels` all at
        // once), and the course's 28×28 and 32×32 gradients, their recorded answers and golden
        // figures, keep their bits.
        // A 1×1 window without padding is the exception: its im2col is the image itself, so every
        // path gives im2col's bits, and it reads the image in place on any plane (ResNet's 14×14
        // and 7×7 pointwise convolutions, one image at a time).
        var one = g
        one.batch = 1
        let pointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && g.padY == 0 && g.padX == 0
        if plane >= Self.targetColumns / 2 || pointwise, ShiftedRows.applies(to: one) {
            let rows = ShiftedRows(one)
            forwardRows = rows
            let back = ShiftedRows(inputGradientOf: one, outChannels: outChannels)
            let large = plane >= Self.shiftedGradientPlane || pointwise
            weightGradientRows = large ? rows : nil
            inputGradientRows = large && back.isWorthwhile ? back : nil
        } else {
            // Smaller planes read in place too when a group is one image (batch 1: every
            // explanation of one image); in a larger group, im2col. The forward values are the
            // same bits either way.
            forwardRows = ShiftedRows.applies(to: one) ? ShiftedRows(one) : nil
            weightGradientRows = nil
            inputGradientRows = nil
        }
        // 3×3 windows with many channels on large planes (ImageNet networks, never the course's):
        // Winograd's F(2×2, 3×3), forward and ∂x, each image alone (planes this large always go
        // one image per group).
        if Winograd.applies(to: one, outChannels: outChannels) {
            winograd = Winograd(one)
            winogradGradient = Winograd(inputGradientOf: one, outChannels: outChannels)
        } else {
            winograd = nil
            winogradGradient = nil
        }
    }

    /// The forward pass of one image by Winograd's F(2×2, 3×3), where it applies.
    let winograd: Winograd?
    /// ∂x of one image the same way (the gradient convolved with the flipped weight).
    let winogradGradient: Winograd?

    /// The weight as `winograd` reads it (`Winograd.transformedWeight`), else empty: made once
    /// per forward pass and handed to every group.
    func transformedWeight(_ weight: UnsafePointer<Float>) -> [Float] {
        guard winograd != nil else { return [] }
        return Winograd.transformedWeight(weight, outChannels: outChannels, channels: geometry.channels, flipped: false)
    }

    /// Output planes from which the backward pass reads in place too (56×56 = 3136 and up).
    static let shiftedGradientPlane = 2048
    /// The forward pass of a group of one image without im2col, where it pays.
    let forwardRows: ShiftedRows?
    /// ∂W of a group of one image from the same rows, on large planes.
    let weightGradientRows: ShiftedRows?
    /// ∂x of a group of one image as a convolution of its output gradient, on large planes.
    let inputGradientRows: ShiftedRows?

    /// The images of one group, and the geometry of that group alone.
    func members(of group: Int) -> (first: Int, geometry: ConvolutionGeometry) {
        let first = group * imagesPerGroup
        var single = geometry
        single.batch = Swift.min(geometry.batch, first + imagesPerGroup) - first
        return (first, single)
    }

    /// Y[group] = W · im2col(x[group]) + b, written in NCHW order, then `epilogue` (if any)
    /// applied to each plane while it is in cache.
    func forward(group: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, transformedWeight: UnsafePointer<Float>? = nil,
                 bias: [Float]?, epilogue: ConvolutionEpilogue? = nil, into y: UnsafeMutablePointer<Float>) {
        let offset = group &* imagesPerGroup &* outChannels &* plane
        forward(group: group, x: x, weight: weight, transformedWeight: transformedWeight, bias: bias, epilogue: epilogue?.shifted(by: offset),
                intoGroup: y + offset)
    }

    /// The same, written to `out`, the group's own `[g, O, Ho, Wo]` (a pooled convolution keeps
    /// it in a buffer of the group's size, see `ConvolutionPooling`). `transformedWeight`: the
    /// weight as `winograd` reads it, made once for every group (else made here when needed).
    func forward(group: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, transformedWeight: UnsafePointer<Float>? = nil,
                 bias: [Float]?, epilogue: ConvolutionEpilogue? = nil, intoGroup y: UnsafeMutablePointer<Float>) {
        let (first, g) = members(of: group)
        let columns = g.batch &* plane
        let inner = groups == 1   // a lone group may use every core inside its kernels
        let single = g.batch == 1
        let image = x + first &* imageSize
        if single, let winograd {
            withWeight(transformedWeight, orMade: self.transformedWeight, from: weight) {
                winograd.convolve(image, weight: $0, weightTransposed: false, outChannels: outChannels, bias: bias, into: y,
                                  accumulate: false, parallel: inner)
            }
            epilogue?.withPass(channels: outChannels) { pass in
                for o in 0..<outChannels { pass.apply(channel: o, to: y + o &* plane, count: plane, at: o &* plane) }
            }
            return
        }
        if single, let rows = forwardRows {
            let out = y
            rows.convolve(image, weight: weight, outChannels: outChannels, bias: bias, into: out, accumulate: false, parallel: inner)
            epilogue?.withPass(channels: outChannels) { pass in
                for o in 0..<outChannels { pass.apply(channel: o, to: out + o &* plane, count: plane, at: o &* plane) }
            }
            return
        }
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: patch &* columns)
        let product = single ? y : UnsafeMutablePointer<Float>.allocate(capacity: outChannels &* columns)
        defer { cols.deallocate(); if !single { product.deallocate() } }
        Im2Col.columns(image, g, into: cols, parallel: inner)
        GEMM.multiply(m: outChannels, n: columns, k: patch, a: weight, lda: patch, b: cols, ldb: columns,
                      c: product, ldc: columns, accumulate: false, parallel: inner)
        // The epilogue's per-channel parameters are read through one pointer for the whole group
        // (not an array access, with its reference counting, per plane).
        func write(_ pass: ConvolutionEpilogue.Pass?) {
            // A single image's product already sits in the output; without a bias it is done (but
            // for the epilogue, applied in place).
            if single && bias == nil {
                if let pass {
                    for o in 0..<outChannels { pass.apply(channel: o, to: product + o &* plane, count: plane, at: o &* plane) }
                }
                return
            }
            // [O, g·P] → [g, O, P], adding the bias on the way (in place for a single image).
            for n in 0..<g.batch {
                for o in 0..<outChannels {
                    let src = product + (o &* columns &+ n &* plane)
                    let dst = y + (n &* outChannels &+ o) &* plane
                    let shift = bias?[o] ?? 0
                    copyRow(src, into: dst, count: plane, adding: shift, accumulate: false)
                    pass?.apply(channel: o, to: dst, count: plane, at: (n &* outChannels &+ o) &* plane)
                }
            }
        }
        if let epilogue { epilogue.withPass(channels: outChannels, write) } else { write(nil) }
    }

    /// The weight of the ∂x convolution as `backward` reads it, made once per backward pass:
    /// Winograd's transform of the flipped weight (`winogradGradient`), else the flipped weight
    /// itself (`ShiftedRows.flippedWeight`, for `inputGradientRows`, not a 1×1 window), else empty.
    func flippedWeight(_ weight: UnsafePointer<Float>) -> [Float] {
        if winogradGradient != nil {
            return Winograd.transformedWeight(weight, outChannels: outChannels, channels: geometry.channels, flipped: true)
        }
        guard inputGradientRows != nil, patch != geometry.channels else { return [] }
        return ShiftedRows.flippedWeight(weight, outChannels: outChannels, channels: geometry.channels,
                                         kernelHeight: geometry.kernelHeight, kernelWidth: geometry.kernelWidth)
    }

    /// `body` with `prepared` (a form of the weight the caller made once for every group), or
    /// else with `make(weight)`, made here (never empty on the paths that ask for it).
    private func withWeight<R>(_ prepared: UnsafePointer<Float>?, orMade make: (UnsafePointer<Float>) -> [Float],
                               from weight: UnsafePointer<Float>, _ body: (UnsafePointer<Float>) -> R) -> R {
        if let prepared { return body(prepared) }
        return make(weight).withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Whether `backward` writes each group's weight gradient transposed, `[K, O]`: cheaper when
    /// K > O (the GEMM's B operand, read across its rows, is then the smaller matrix).
    var transposesWeightGradient: Bool { patch > outChannels }

    /// ∂x[group] += col2im(Wᵀ · G) and ∂W_group = G · im2col(x[group])ᵀ (or its transpose, see
    /// `transposesWeightGradient`), with G the group's gradient as `[O, g·P]`. Either output may
    /// be nil when it is not needed. With `mask` (a fused ReLU's output, `[N, O, Ho, Wo]`) G is
    /// the gradient where the mask is > 0, else 0; `planeSums` (if given) receives each of the
    /// group's masked planes summed (`planeSum`), at `[n, o]`, for the bias gradient.
    func backward(group: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, grad: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, flippedWeight: UnsafePointer<Float>? = nil,
                  mask: UnsafePointer<Float>? = nil, planeSums: UnsafeMutablePointer<Float>? = nil) {
        let offset = group &* imagesPerGroup &* outChannels &* plane
        backward(group: group, x: x, weight: weight, groupGradient: grad + offset, dx: dx, dWeight: dWeight, flippedWeight: flippedWeight,
                 groupMask: mask.map { $0 + offset }, planeSums: planeSums)
    }

    /// The same with the group's own gradient `[g, O, Ho, Wo]` (and mask) instead of the batch's;
    /// or, with `gathered`, the gradient already as the GEMMs read it, `[O, g·P]` (no mask then).
    func backward(group: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, groupGradient grad: UnsafePointer<Float>,
                  gathered pregathered: Bool = false,
                  dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, flippedWeight: UnsafePointer<Float>? = nil,
                  groupMask mask: UnsafePointer<Float>? = nil, planeSums: UnsafeMutablePointer<Float>? = nil) {
        let (first, g) = members(of: group)
        let columns = g.batch &* plane
        let inner = groups == 1
        // One image's gradient is already `[O, P]`; a larger group's is gathered to `[O, g·P]`,
        // and a masked one always copied (masked on the way, while the group's planes are in cache).
        let single = g.batch == 1
        let buffer = pregathered || (single && mask == nil) ? nil : UnsafeMutablePointer<Float>.allocate(capacity: outChannels &* columns)
        let shiftedX = single ? inputGradientRows : nil, shiftedW = single ? weightGradientRows : nil
        let winogradX = single ? winogradGradient : nil
        // ∂Wᵀ with the lanes over 32 or 64 output channels, from the images themselves (no im2col),
        // for groups that share the cores (a lone group's GEMM uses them all).
        let lanesW = dWeight != nil && shiftedW == nil && groups > 1 && LanesWeightGradient.applies(to: self)
        let needsColumns = (dx != nil && shiftedX == nil && winogradX == nil) || (dWeight != nil && shiftedW == nil && !lanesW)
        let cols = needsColumns ? UnsafeMutablePointer<Float>.allocate(capacity: patch &* columns) : nil
        defer { buffer?.deallocate(); cols?.deallocate() }
        if let buffer {
            for n in 0..<g.batch {
                for o in 0..<outChannels {
                    let offset = (n &* outChannels &+ o) &* plane
                    let dst = buffer + (o &* columns &+ n &* plane), src = grad + offset
                    if let mask {
                        let m = mask + offset
                        for p in 0..<plane { dst[p] = m[p] > 0 ? src[p] : 0 }
                    } else {
                        dst.update(from: src, count: plane)
                    }
                    planeSums?[(first &+ n) &* outChannels &+ o] = planeSum(dst, count: plane)
                }
            }
        }
        let gathered = UnsafePointer(buffer) ?? grad
        if let dx, let winogradX {
            // ∂x = the gradient convolved with the flipped, transposed weight, by Winograd (its
            // transform made here unless the caller made it once for every group).
            withWeight(flippedWeight, orMade: self.flippedWeight, from: weight) {
                winogradX.convolve(gathered, weight: $0, weightTransposed: true, outChannels: g.channels, bias: nil,
                                   into: dx + first &* imageSize, accumulate: true, parallel: inner)
            }
        } else if let dx, shiftedX != nil, patch == g.channels {
            // A 1×1 window (stride 1, no padding, so `shiftedX` applies): ∂x = Wᵀ · G, read
            // transposed in place and added straight into ∂x (no flipped copy, no product buffer).
            GEMM.multiply(m: g.channels, n: plane, k: outChannels, a: weight, lda: patch, transposeA: true,
                          b: gathered, ldb: plane, c: dx + first &* imageSize, ldc: plane, accumulate: true, parallel: inner)
        } else if let dx, let back = shiftedX {
            // ∂x = the gradient convolved with the flipped, transposed weight (stride 1), made
            // here unless the caller made it once for every group.
            withWeight(flippedWeight, orMade: self.flippedWeight, from: weight) {
                back.convolve(gathered, weight: $0, outChannels: g.channels, bias: nil, into: dx + first &* imageSize,
                              accumulate: true, parallel: inner)
            }
        } else if let dx, let cols {
            GEMM.multiply(m: patch, n: columns, k: outChannels, a: weight, lda: patch, transposeA: true,
                          b: gathered, ldb: columns, c: cols, ldc: columns, accumulate: false, parallel: inner)
            Im2Col.accumulate(cols, g, into: dx + first &* imageSize, parallel: inner)
        }
        if let dWeight, let rows = shiftedW {
            rows.weightGradient(x + first &* imageSize, grad: gathered, outChannels: outChannels, into: dWeight,
                                transposed: transposesWeightGradient, parallel: inner)
        } else if let dWeight, lanesW {
            let lanes = UnsafeMutablePointer<Float>.allocate(capacity: columns &* outChannels)
            defer { lanes.deallocate() }
            LanesWeightGradient.transposed(gathered, outChannels: outChannels, columns: columns, into: lanes)
            LanesWeightGradient.weightGradient(x + first &* imageSize, count: g.batch, g, outChannels: outChannels,
                                               transposedGradient: lanes, into: dWeight)
        } else if let dWeight, let cols {
            Im2Col.columns(x + first &* imageSize, g, into: cols, parallel: inner)
            let columnsOfX = UnsafePointer(cols)
            if transposesWeightGradient {
                // ∂Wᵀ = cols · Gᵀ `[K, O]`: the packing then transposes G (O rows) instead of cols (K rows).
                GEMM.multiply(m: patch, n: outChannels, k: columns, a: columnsOfX, lda: columns,
                              b: gathered, ldb: columns, transposeB: true, c: dWeight, ldc: outChannels, accumulate: false, parallel: inner)
            } else {
                GEMM.multiply(m: outChannels, n: patch, k: columns, a: gathered, lda: columns,
                              b: columnsOfX, ldb: columns, transposeB: true, c: dWeight, ldc: patch, accumulate: false, parallel: inner)
            }
        }
    }
}

extension ConvolutionPlan {
    /// ∂W `[O, C, kh, kw]` from the groups' partial gradients (`groups` blocks of O·K floats,
    /// each `[O, K]`, or `[K, O]` when `transposesWeightGradient`): summed in group order.
    func weightGradient(summing partial: [Float]) -> [Float] {
        let size = outChannels * patch
        var dw = [Float](repeating: 0, count: size)
        for group in 0..<groups {
            let base = group * size
            for i in 0..<size { dw[i] += partial[base + i] }
        }
        return transposesWeightGradient ? GEMM.transpose(dw, rows: patch, columns: outChannels) : dw
    }

    /// ∂b[o] = Σₙ Σₚ grad[n, o, p] `[O]`: each plane summed in SIMD lanes (`planeSum`), images in order.
    func biasGradient(_ grad: [Float]) -> [Float] {
        var sums = [Float](repeating: 0, count: geometry.batch * outChannels)
        grad.withUnsafeBufferPointer { gp in
            for i in 0..<sums.count { sums[i] = planeSum(gp.baseAddress! + i &* plane, count: plane) }
        }
        return biasGradient(planeSums: sums)
    }

    /// ∂b from each plane's sum `[N, O]` (made by `biasGradient(_:)`, or by the groups of a fused
    /// backward pass as they make each plane): Σₙ in order.
    func biasGradient(planeSums sums: [Float]) -> [Float] {
        var db = [Float](repeating: 0, count: outChannels)
        for n in 0..<geometry.batch {
            for o in 0..<outChannels { db[o] += sums[n &* outChannels &+ o] }
        }
        return db
    }
}

/// dst[i] = src[i] + shift (or dst[i] += src[i] + shift) for i < count: 16 lanes at a time.
/// The compiler made the plain loop 4 lanes wide; on a digit's 28-pixel rows it was about a
/// quarter of conv1's forward time outside the product. Used wherever a product is written out
/// with its bias (`ShiftedRows`' rows, im2col's planes). Each lane does the scalar loop's two
/// additions in its order, so the values are the same. Without `accumulate`, and when `dst` is
/// not `src` itself (in place, im2col's single image), a row of 16 or more ends with a full
/// vector that overlaps the one before (the same values written twice); in place that vector
/// would add the bias twice, so the tail goes one value at a time.
@inline(__always)
func copyRow(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int, adding shift: Float,
                    accumulate: Bool) {
    let (from, to) = (UnsafeRawPointer(src), UnsafeMutableRawPointer(dst))
    let lanes = SIMD16<Float>(repeating: shift)
    var i = 0
    while i &+ 16 <= count {
        let v = from.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) + lanes
        let old = accumulate ? to.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) : SIMD16()
        to.storeBytes(of: accumulate ? old + v : v, toByteOffset: i &* 4, as: SIMD16<Float>.self)
        i &+= 16
    }
    if i < count && count >= 16 && !accumulate && src != UnsafePointer(dst) {
        let last = count &- 16
        to.storeBytes(of: from.loadUnaligned(fromByteOffset: last &* 4, as: SIMD16<Float>.self) + lanes,
                      toByteOffset: last &* 4, as: SIMD16<Float>.self)
        return
    }
    while i < count {
        if accumulate { dst[i] += src[i] + shift } else { dst[i] = src[i] + shift }
        i &+= 1
    }
}

/// The sum of `count` floats in a fixed order: sixteen running lane sums, then the lanes, then
/// the tail. (A plain `for` loop cannot be vectorised: float addition is not associative.)
@inline(__always)
func planeSum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD16<Float>()
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i &+ 16 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
        i &+= 16
    }
    var total = lanes.sum()
    while i < count { total += p[i]; i &+= 1 }
    return total
}
