/// Max pooling, average pooling and global average pooling over the last two axes of NCHW.
extension Tensor {
    private func poolingGeometry(_ operation: String, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) throws -> ConvolutionGeometry {
        guard rank == 4, count > 0 else {
            throw TensorError.invalidArgument(operation: operation, message: "input must be a non-empty [N, C, H, W], got \(shape)")
        }
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0,
              padding.0 * 2 <= kernel.0, padding.1 * 2 <= kernel.1 else {
            throw TensorError.invalidArgument(operation: operation, message: "kernel \(kernel), stride \(stride), padding \(padding) invalid (padding must be at most half the kernel, as in PyTorch)")
        }
        let g = ConvolutionGeometry(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
                                    kernelHeight: kernel.0, kernelWidth: kernel.1, strideY: stride.0, strideX: stride.1,
                                    padY: padding.0, padX: padding.1)
        guard g.height + 2 * g.padY >= g.kernelHeight, g.width + 2 * g.padX >= g.kernelWidth else {
            throw TensorError.invalidArgument(operation: operation, message: "kernel \(kernel) larger than input \(shape)")
        }
        return g
    }

    /// Max pooling, like `F.max_pool2d(x, kernel, stride, padding)` (stride defaults to the kernel).
    /// Padding counts as −∞. Backward sends each output's gradient to its arg-max (the first one
    /// in row-major order if several tie), adding where windows overlap.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        let g = try poolingGeometry("maxPool2d", kernel: kernel, stride: stride ?? kernel, padding: padding)
        let ho = g.outputHeight, wo = g.outputWidth
        let planes = g.batch * g.channels
        let outCount = planes * ho * wo
        // The arg-max is kept for backward only: in inference (no graph) the common 2×2 case
        // neither computes nor stores it.
        let halving = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideY == 2 && g.strideX == 2 && g.padY == 0 && g.padX == 0
        let recordsArgMax = GradientMode.isEnabled && requiresGrad
        var arg = [Int32](repeating: 0, count: recordsArgMax ? outCount : 0)
        // Every output is written by the kernels: no need to zero-fill first.
        var out = [Float](unsafeUninitializedCapacity: outCount) { _, count in count = outCount }
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                arg.withUnsafeMutableBufferPointer { arg in
                    if halving {
                        if recordsArgMax { Tensor.maxPool2x2(x, g, out, arg, recordsArgMax: true) } else { Tensor.maxPool2x2(x, g, out, arg, recordsArgMax: false) }
                        return
                    }
                    if recordsArgMax { Tensor.maxPoolPlanes(x, g, out, arg, recordsArgMax: true) } else { Tensor.maxPoolPlanes(x, g, out, arg, recordsArgMax: false) }
                }
            }
        }
        let n = count, inputPlane = g.height * g.width
        return Tensor.makeResult("maxPool2d", shape: [g.batch, g.channels, ho, wo], data: out, inputs: [self]) { grad, _ in
            let dx = [Float](uninitializedCount: n) { d in
                grad.withUnsafeBufferPointer { gp in
                    arg.withUnsafeBufferPointer { a in
                        // Each index came from this input's forward pass, within the output's own
                        // plane: planes are split across the cores without two writing one element.
                        // Each chunk zeroes its own planes first (in cache, and in parallel).
                        let (ds, gs, args) = (UncheckedSendable(d.baseAddress!), UncheckedSendable(gp.baseAddress!), UncheckedSendable(a.baseAddress!))
                        let perPlane = ho * wo
                        Parallel.forEachRange(planes, grain: Swift.max(1, (1 << 15) / Swift.max(perPlane, 1))) { range in
                            let (d, g, a) = (ds.value, gs.value, args.value)
                            (d + range.lowerBound * inputPlane).update(repeating: 0, count: range.count * inputPlane)
                            for o in (range.lowerBound * perPlane)..<(range.upperBound * perPlane) { d[Int(truncatingIfNeeded: a[o])] += g[o] }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// The common case (2×2 windows, stride 2, no padding), same results as the general loop.
    /// Any window, stride and padding: planes split across the cores (each output written by one
    /// plane's loop, so the bits never depend on the thread count); inside the image the window
    /// needs no bounds checks. The rule is the scalar one everywhere: row-major order, strict `>`
    /// (the first maximum wins), a NaN wins. Padding never wins (it is −∞).
    ///
    /// With a horizontal stride of 2 (ResNet's 3×3 stem pool) the windows of a row that lie inside
    /// the image go 16 at a time: lane i's window column kx is the even half of 32 floats read
    /// from `2·ox₀ − padX + kx`, and each lane applies the same rule in the same order (`vectorRow`).
    /// Without `recordsArgMax` (no graph) `arg` is not written.
    static func maxPoolPlanes(_ x: UnsafeBufferPointer<Float>, _ g: ConvolutionGeometry,
                              _ out: UnsafeMutableBufferPointer<Float>, _ arg: UnsafeMutableBufferPointer<Int32>, recordsArgMax: Bool) {
        let ho = g.outputHeight, wo = g.outputWidth
        let (xs, outs, args) = (UncheckedSendable(x), UncheckedSendable(out), UncheckedSendable(arg))
        // Outputs `vectorFirst..<vectorFirst + vectorCount` of a row whose windows lie inside it, in
        // whole vectors whose 32-float reads stay inside the row (the rest goes one window at a time).
        // (A vector starting at ox reads up to column 2·ox − padX + kw − 1 + 31.)
        let vectorFirst = (g.padX &+ 1) / 2, reach = g.width &+ g.padX &- g.kernelWidth &- 31
        let vectorCount = g.strideX == 2 && reach >= 0 && reach / 2 >= vectorFirst ? ((reach / 2 &- vectorFirst) / 16 &+ 1) &* 16 : 0
        Parallel.forEachRange(g.batch &* g.channels, grain: Swift.max(1, (1 << 15) / Swift.max(ho * wo, 1))) { planes in
            // (`arg` is empty without `recordsArgMax`, and an empty buffer may have no base address.)
            let (x, out) = (xs.value.baseAddress!, outs.value.baseAddress!)
            let arg = recordsArgMax ? args.value.baseAddress : nil
            for p in planes {
                let base = p &* g.height &* g.width
                for oy in 0..<ho {
                    let top = oy &* g.strideY &- g.padY
                    let rowsInside = top >= 0 && top &+ g.kernelHeight <= g.height
                    var vectors = 0..<0
                    if rowsInside && vectorCount > 0 {
                        vectors = vectorFirst..<(vectorFirst &+ vectorCount)
                        var ox = vectorFirst
                        while ox < vectors.upperBound {
                            vectorRow(x, g, base: base &+ top &* g.width, ox: ox, into: out + ((p &* ho &+ oy) &* wo &+ ox),
                                      arg: arg.map { $0 + ((p &* ho &+ oy) &* wo &+ ox) })
                            ox &+= 16
                        }
                    }
                    for ox in 0..<wo where !vectors.contains(ox) {
                        let left = ox &* g.strideX &- g.padX
                        var best = -Float.infinity, at = -1
                        if rowsInside && left >= 0 && left &+ g.kernelWidth <= g.width {
                            for ky in 0..<g.kernelHeight {
                                let row = base &+ (top &+ ky) &* g.width &+ left
                                for kx in 0..<g.kernelWidth {
                                    let v = x[row &+ kx]
                                    if at < 0 || v > best || v.isNaN { best = v; at = row &+ kx }
                                }
                            }
                        } else {
                            for ky in 0..<g.kernelHeight {
                                let y = top &+ ky
                                guard y >= 0 && y < g.height else { continue }
                                let row = base &+ y &* g.width
                                for kx in 0..<g.kernelWidth {
                                    let xx = left &+ kx
                                    guard xx >= 0 && xx < g.width else { continue }
                                    let v = x[row &+ xx]
                                    // `>` keeps the first maximum; a NaN wins, as in PyTorch.
                                    if at < 0 || v > best || v.isNaN { best = v; at = row &+ xx }
                                }
                            }
                        }
                        let o = (p &* ho &+ oy) &* wo &+ ox
                        out[o] = best
                        arg?[o] = Int32(truncatingIfNeeded: at)
                    }
                }
            }
        }
    }

    /// Sixteen windows of one output row, horizontal stride 2, all inside the image: outputs
    /// `ox..<ox+16`, whose window rows start at `top` (`x + top`, the top row's start). Each lane
    /// starts from its window's first element and takes each later one where it is `>` or NaN,
    /// as the scalar loop does. The arg-max is recorded only with `arg`.
    @inline(__always)
    static func vectorRow(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, base top: Int, ox: Int,
                          into out: UnsafeMutablePointer<Float>, arg: UnsafeMutablePointer<Int32>?) {
        let recordsArgMax = arg != nil
        let left = 2 &* ox &- g.padX
        let lanes = SIMD16<Int32>(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
        var best = SIMD16<Float>(), at = SIMD16<Int32>()
        for ky in 0..<g.kernelHeight {
            let row = top &+ ky &* g.width &+ left
            for kx in 0..<g.kernelWidth {
                let v = UnsafeRawPointer(x + (row &+ kx)).loadUnaligned(as: SIMD32<Float>.self).evenHalf
                let index = lanes &+ Int32(truncatingIfNeeded: row &+ kx)
                if ky == 0 && kx == 0 {
                    best = v
                    at = index
                } else {
                    let wins = (v .> best) .| (v .!= v)
                    best.replace(with: v, where: wins)
                    if recordsArgMax { at.replace(with: index, where: wins) }
                }
            }
        }
        UnsafeMutableRawPointer(out).storeBytes(of: best, as: SIMD16<Float>.self)
        if let arg { UnsafeMutableRawPointer(arg).storeBytes(of: at, as: SIMD16<Int32>.self) }
    }

    @inline(__always)
    static func maxPool2x2(_ x: UnsafeBufferPointer<Float>, _ g: ConvolutionGeometry,
                           _ out: UnsafeMutableBufferPointer<Float>, _ arg: UnsafeMutableBufferPointer<Int32>, recordsArgMax: Bool) {
        let ho = g.outputHeight, wo = g.outputWidth
        let (xs, outs, args) = (UncheckedSendable(x), UncheckedSendable(out), UncheckedSendable(arg))
        // Planes split across the cores; each output element is written by one plane's loop.
        Parallel.forEachRange(g.batch &* g.channels, grain: Swift.max(1, (1 << 15) / Swift.max(ho * wo, 1))) { planes in
            maxPool2x2(xs.value, g, outs.value, args.value, planes: planes, recordsArgMax: recordsArgMax)
        }
    }

    /// `maxPool2x2` of the planes `planes` only, on the calling thread (a fused convolution pools
    /// each group's planes as it computes them, see `ConvolutionPooling`). Arg-max indices are
    /// flat indices into `x`.
    @inline(__always)
    static func maxPool2x2(_ x: UnsafeBufferPointer<Float>, _ g: ConvolutionGeometry, _ out: UnsafeMutableBufferPointer<Float>,
                           _ arg: UnsafeMutableBufferPointer<Int32>, planes: Range<Int>, recordsArgMax: Bool) {
        let ho = g.outputHeight, wo = g.outputWidth, w = g.width
        for p in planes {
            let base = p &* g.height &* w
            for oy in 0..<ho {
                let r0 = base &+ 2 &* oy &* w, r1 = r0 &+ w
                let o0 = (p &* ho &+ oy) &* wo, planeEnd = (p &+ 1) &* ho &* wo
                // Eight windows at a time: 16 values of each row, split into even and odd columns.
                // Lanes follow the scalar loop's rule exactly (row-major order, strict `>`, NaN wins);
                // a chunk may read past the row (into the next one, never past the tensor). It
                // stores all eight lanes when they stay inside this plane's outputs (see below),
                // else only its own windows.
                var start = 0
                while start < wo {
                    // A row of eight or more windows ends with a full chunk that overlaps the
                    // one before (the same values written twice), so every store is 8 lanes wide.
                    if start &+ 8 > wo && wo >= 8 { start = wo &- 8 }
                    guard r1 &+ 2 &* start &+ 16 <= x.count else { break }
                    let a = UnsafeRawPointer(x.baseAddress! + (r0 &+ 2 &* start)).loadUnaligned(as: SIMD16<Float>.self)
                    let b = UnsafeRawPointer(x.baseAddress! + (r1 &+ 2 &* start)).loadUnaligned(as: SIMD16<Float>.self)
                    // The flat indices of the eight windows' top-left pixels.
                    let topLeft = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: r0 &+ 2 &* start)) &+ SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
                    let rowStep = Int32(truncatingIfNeeded: w)
                    var best = a.evenHalf, at = topLeft
                    @inline(__always) func consider(_ candidate: SIMD8<Float>, _ offset: Int32) {
                        let wins = (candidate .> best) .| (candidate .!= candidate)
                        best.replace(with: candidate, where: wins)
                        at.replace(with: topLeft &+ offset, where: wins)
                    }
                    consider(a.oddHalf, 1)
                    consider(b.evenHalf, rowStep)
                    consider(b.oddHalf, rowStep &+ 1)
                    let o = o0 &+ start
                    if o &+ 8 <= planeEnd {
                        // Lanes past the row (rows under eight windows) land on this plane's
                        // next rows, which are written after: only the plane's own outputs change.
                        UnsafeMutableRawPointer(out.baseAddress! + o).storeBytes(of: best, as: SIMD8<Float>.self)
                        if recordsArgMax { UnsafeMutableRawPointer(arg.baseAddress! + o).storeBytes(of: at, as: SIMD8<Int32>.self) }
                    } else {
                        for l in 0..<Swift.min(8, wo &- start) { out[o &+ l] = best[l]; if recordsArgMax { arg[o &+ l] = at[l] } }
                    }
                    start &+= 8
                }
                for ox in Swift.min(start, wo)..<wo {
                    let i = 2 &* ox
                    // Row-major order within the window; strict `>` keeps the first maximum.
                    var best = x[r0 &+ i], at = r0 &+ i
                    if x[r0 &+ i &+ 1] > best || x[r0 &+ i &+ 1].isNaN { best = x[r0 &+ i &+ 1]; at = r0 &+ i &+ 1 }
                    if x[r1 &+ i] > best || x[r1 &+ i].isNaN { best = x[r1 &+ i]; at = r1 &+ i }
                    if x[r1 &+ i &+ 1] > best || x[r1 &+ i &+ 1].isNaN { best = x[r1 &+ i &+ 1]; at = r1 &+ i &+ 1 }
                    out[o0 &+ ox] = best
                    if recordsArgMax { arg[o0 &+ ox] = Int32(truncatingIfNeeded: at) }
                }
            }
        }
    }

    /// Average pooling, like `F.avg_pool2d(x, kernel, stride, padding)` with PyTorch's default
    /// `count_include_pad=True`: every window divides by kh·kw, padding counting as zeros.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        let g = try poolingGeometry("avgPool2d", kernel: kernel, stride: stride ?? kernel, padding: padding)
        let ho = g.outputHeight, wo = g.outputWidth
        let planes = g.batch * g.channels
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        // Visits every (output, input) pair of a window that lies inside the image.
        func forEachPair(_ body: (_ output: Int, _ input: Int) -> Void) {
            for p in 0..<planes {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        for ky in 0..<g.kernelHeight {
                            let y = oy * g.strideY - g.padY + ky
                            guard y >= 0 && y < g.height else { continue }
                            for kx in 0..<g.kernelWidth {
                                let xx = ox * g.strideX - g.padX + kx
                                guard xx >= 0 && xx < g.width else { continue }
                                body((p * ho + oy) * wo + ox, (p * g.height + y) * g.width + xx)
                            }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: planes * ho * wo)
        let x = data
        forEachPair { o, i in out[o] += x[i] * scale }
        let n = count
        return Tensor.makeResult("avgPool2d", shape: [g.batch, g.channels, ho, wo], data: out, inputs: [self]) { grad, _ in
            var dx = [Float](repeating: 0, count: n)
            forEachPair { o, i in dx[i] += grad[o] * scale }
            return [dx]
        }
    }

    /// Adaptive average pooling `[N, C, H, W]` → `[N, C, oh, ow]`, as PyTorch's
    /// `F.adaptive_avg_pool2d(x, (oh, ow))` (torchvision's VGG and AlexNet end their feature layers
    /// with it): output cell (i, j) is the mean of rows ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ and columns
    /// ⌊j·W/ow⌋ ..< ⌈(j+1)·W/ow⌉ — windows that tile the input when oh divides H and overlap by
    /// a row otherwise; an output larger than the input repeats input cells. Backward spreads each
    /// cell's gradient evenly over its window. Cost: one visit per (cell, window element).
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) throws -> Tensor {
        let (oh, ow) = outputSize
        guard rank == 4, shape[2] > 0, shape[3] > 0, oh > 0, ow > 0 else {
            throw TensorError.invalidArgument(operation: "adaptiveAvgPool2d",
                                              message: "input must be [N, C, H, W] with H, W > 0 and the output size positive, got \(shape) → \(oh)×\(ow)")
        }
        let (h, w) = (shape[2], shape[3])
        let planes = shape[0] * shape[1]
        func window(_ i: Int, _ size: Int, _ output: Int) -> Range<Int> { (i * size / output)..<(((i + 1) * size + output - 1) / output) }
        // Visits every (output, input, 1 / window area) of every plane.
        func forEachPair(_ body: (_ output: Int, _ input: Int, _ scale: Float) -> Void) {
            for p in 0..<planes {
                for i in 0..<oh {
                    let rows = window(i, h, oh)
                    for j in 0..<ow {
                        let columns = window(j, w, ow)
                        let scale = 1 / Float(rows.count * columns.count)
                        for y in rows { for x in columns { body((p * oh + i) * ow + j, (p * h + y) * w + x, scale) } }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: planes * oh * ow)
        let x = data
        forEachPair { o, i, scale in out[o] += x[i] * scale }
        let n = count
        return Tensor.makeResult("adaptiveAvgPool2d", shape: [shape[0], shape[1], oh, ow], data: out, inputs: [self]) { grad, _ in
            var dx = [Float](repeating: 0, count: n)
            forEachPair { o, i, scale in dx[i] += grad[o] * scale }
            return [dx]
        }
    }

    /// Global average pooling `[N, C, H, W]` → `[N, C]`: the mean of each feature map
    /// (PyTorch: `AdaptiveAvgPool2d(1)` followed by `flatten(1)`). Backward spreads G/(H·W).
    public func globalAveragePool() throws -> Tensor {
        guard rank == 4, shape[2] * shape[3] > 0 else {
            throw TensorError.invalidArgument(operation: "globalAveragePool", message: "input must be [N, C, H, W] with H·W > 0, got \(shape)")
        }
        let planes = shape[0] * shape[1], area = shape[2] * shape[3]
        let scale = 1 / Float(area)
        let out = [Float](uninitializedCount: planes) { out in
            data.withUnsafeBufferPointer { x in
                for p in 0..<planes { out[p] = planeSum(x.baseAddress! + p &* area, count: area) * scale }
            }
        }
        return Tensor.makeResult("globalAveragePool", shape: [shape[0], shape[1]], data: out, inputs: [self]) { grad, _ in
            [[Float](uninitializedCount: planes * area) { dx in
                for p in 0..<planes { (dx.baseAddress! + p &* area).update(repeating: grad[p] * scale, count: area) }
            }]
        }
    }
}
