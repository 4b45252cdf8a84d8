/// Products with a large weight matrix and a batch of a few rows: a photo through VGG-16's
/// classifier (25088 × 4096: 411 MB of weights) is a matrix-vector product, bound by reading the
/// weights once. The GEMM would first pack (copy) the whole matrix, then read the copy: twice the
/// memory traffic. These read each weight row in place, every batch row at once; the cores split
/// the outputs (forward) or the input columns (backward), so each value is summed by one thread in
/// a fixed order — the bits never depend on the thread count.
///
/// Used by `linear` when the batch is at most `maximumBatch` and the matrix has at least
/// `minimumWeights` values (the course's own small classifiers keep the GEMM's exact bits).
/// The naive twins are the GEMM products they replace (`Tests/TensorEngineTests/KernelTests.swift`).
enum SmallBatchProduct {
    static let maximumBatch = 4
    static let minimumWeights = 1 << 20

    static func applies(batch: Int, inputs: Int, outputs: Int) -> Bool {
        batch <= maximumBatch && inputs &* outputs >= minimumWeights
    }

    /// y `[B, O]` = x `[B, I]` · wᵀ, w `[O, I]` row-major: y[b, o] = Σᵢ x[b, i]·w[o, i].
    static func forward(_ x: [Float], _ w: [Float], batch: Int, inputs: Int, outputs: Int) -> [Float] {
        var y = [Float](repeating: 0, count: batch * outputs)
        x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                y.withUnsafeMutableBufferPointer { yb in
                    let (xs, ws, ys) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(wb.baseAddress!), UncheckedSendable(yb.baseAddress!))
                    Parallel.forEachRange(outputs, grain: Swift.max(1, (1 << 16) / Swift.max(1, inputs))) { range in
                        let (x, w, y) = (xs.value, ws.value, ys.value)
                        for o in range {
                            let row = w + o &* inputs
                            for b in 0..<batch { y[b &* outputs &+ o] = dot(x + b &* inputs, row, count: inputs) }
                        }
                    }
                }
            }
        }
        return y
    }

    /// ∂x `[B, I]` = g `[B, O]` · w: ∂x[b, i] = Σₒ g[b, o]·w[o, i], the rows of w added in order.
    static func inputGradient(_ g: [Float], _ w: [Float], batch: Int, inputs: Int, outputs: Int) -> [Float] {
        var dx = [Float](repeating: 0, count: batch * inputs)
        g.withUnsafeBufferPointer { gb in
            w.withUnsafeBufferPointer { wb in
                dx.withUnsafeMutableBufferPointer { db in
                    let (gs, ws, ds) = (UncheckedSendable(gb.baseAddress!), UncheckedSendable(wb.baseAddress!), UncheckedSendable(db.baseAddress!))
                    // Column chunks of 1024 (a multiple of 16): every thread streams its part of each row.
                    let chunk = 1024, chunks = (inputs + chunk - 1) / chunk
                    Parallel.forEachRange(chunks, grain: 1) { range in
                        let (g, w, dx) = (gs.value, ws.value, ds.value)
                        for c in range {
                            let start = c &* chunk, count = Swift.min(chunk, inputs &- start)
                            for o in 0..<outputs {
                                let row = w + (o &* inputs &+ start)
                                for b in 0..<batch {
                                    let scale = g[b &* outputs &+ o]
                                    if scale != 0 { axpy(scale, row, dx + (b &* inputs &+ start), count: count) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    /// ∂w `[O, I]` = gᵀ `[O, B]` · x `[B, I]`: ∂w[o, i] = Σ_b g[b, o]·x[b, i], b in order (the
    /// GEMM's order too). With B ≤ 4 this is a few scaled copies of x's rows per output row: bound
    /// by writing ∂w once (411 MB for VGG-16's first classifier layer), so it is written straight
    /// into uninitialised memory, where the GEMM would zero it first, then pack, then write it. The
    /// cores split the rows.
    static func weightGradient(_ g: [Float], _ x: [Float], batch: Int, inputs: Int, outputs: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: outputs * inputs) { buffer, count in
            g.withUnsafeBufferPointer { gb in
                x.withUnsafeBufferPointer { xb in
                    let (gs, xs, ws) = (UncheckedSendable(gb.baseAddress!), UncheckedSendable(xb.baseAddress!), UncheckedSendable(buffer.baseAddress!))
                    Parallel.forEachRange(outputs, grain: Swift.max(1, (1 << 16) / Swift.max(1, inputs))) { range in
                        let (g, x, dw) = (gs.value, xs.value, ws.value)
                        for o in range {
                            let row = dw + o &* inputs
                            row.update(repeating: 0, count: inputs)
                            for b in 0..<batch { axpy(g[b &* outputs &+ o], x + b &* inputs, row, count: inputs) }
                        }
                    }
                }
            }
            count = outputs * inputs
        }
    }

    /// Σ a[i]·b[i] in sixteen lanes, then the lanes, then the tail (a fixed order).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i &+ 16 <= count {
            let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            #if arch(arm64) || FUSED_MULTIPLY_ADD
            lanes.addProduct(va, vb)
            #else
            lanes += va * vb
            #endif
            i &+= 16
        }
        var total = lanes.sum()
        while i < count { total += a[i] * b[i]; i &+= 1 }
        return total
    }

    /// y[i] += scale·x[i].
    @inline(__always)
    static func axpy(_ scale: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let s = SIMD16<Float>(repeating: scale)
        var i = 0
        while i &+ 16 <= count {
            var vy = ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let vx = rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            #if arch(arm64) || FUSED_MULTIPLY_ADD
            vy.addProduct(s, vx)
            #else
            vy += s * vx
            #endif
            ry.storeBytes(of: vy, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count { y[i] += scale * x[i]; i &+= 1 }
    }
}
