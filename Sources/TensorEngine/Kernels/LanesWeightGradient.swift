/// ∂Wᵀ of one group of images of a 3×3, stride-1 convolution into 32 or 64 channels, the lanes
/// over the output channels, read straight from padded copies of the images:
///
///     ∂Wᵀ[t, o] = Σⱼ x(t, j) · G[o, j]      t = (c, ky, kx) `[C·9]`, j = (n, oy, ox) `[g·Ho·Wo]`
///
/// where x(t, j) = xp[n, c, oy + ky, ox + kx] is what im2col's row t holds at column j.
///
/// Why: the GEMM path writes im2col's `[C·9, g·P]` matrix (conv2 of mnist-gap: 677 KB per group
/// of six digits, a store-bound pass), packs it again as A in 8-row panels, and transposes G as
/// B. Here G is transposed once (`transposed(_:)`, `[g·P, O]`: each pixel's O values are two or
/// four vectors), and per pixel a block of 8 taps × 2 vectors (O = 32) or 4 taps × 4 vectors
/// (O = 64) does 16 FMAs from 2–4 loads of G and 8–4 broadcasts from the padded images: the
/// GEMM's own register tile, without im2col and without packing.
///
/// **The GEMM's bits** (`GEMM.multiply` on im2col's matrix is its naive twin, which the tests
/// compare with): each element is the same FMA chain over the group's pixels in order, restarted
/// every `GEMM.kc` pixels (across image boundaries, as the GEMM's K-blocks are) and stored as
/// `0 + block₁`, then `+ block₂`, …. Cost: 2·9·C·O·g·P flops, a `g·C·Hp·Wp` padded copy, G's
/// transpose (`g·P·O` floats) and one index per pixel.
enum LanesWeightGradient {
    /// Whether `plan`'s weight gradient can be made here: 3×3 windows, stride 1, padding under
    /// the window, 32 or 64 output channels, more taps than channels (∂W kept transposed, see
    /// `ConvolutionPlan.transposesWeightGradient`), ∂W by im2col (not read in place from a large
    /// plane, `ConvolutionPlan.weightGradientRows`, which rounds differently).
    static func applies(to plan: ConvolutionPlan) -> Bool {
        let g = plan.geometry
        return g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.padY < 3 && g.padX < 3
            && (plan.outChannels == 32 || plan.outChannels == 64) && plan.transposesWeightGradient && plan.weightGradientRows == nil
    }

    /// `[N, O]` from `gradient` `[O, N]` (row o at `gradient + o·N`), O a multiple of 16: 16 × 16
    /// blocks transposed in registers, the last N mod 16 columns one value at a time.
    static func transposed(_ gradient: UnsafePointer<Float>, outChannels: Int, columns n: Int, into out: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 2 &* GEMM.lanes) { buffer in
            let v = buffer.baseAddress!, scratch = v + GEMM.lanes
            let whole = n / GEMM.lanes &* GEMM.lanes
            for o0 in stride(from: 0, to: outChannels, by: GEMM.lanes) {
                var j0 = 0
                while j0 < whole {
                    for i in 0..<GEMM.lanes {
                        v[i] = UnsafeRawPointer(gradient + ((o0 &+ i) &* n &+ j0)).loadUnaligned(as: SIMD16<Float>.self)
                    }
                    GEMM.transpose16(v, scratch: scratch)
                    for p in 0..<GEMM.lanes {
                        UnsafeMutableRawPointer(out + ((j0 &+ p) &* outChannels &+ o0)).storeBytes(of: v[p], as: SIMD16<Float>.self)
                    }
                    j0 &+= GEMM.lanes
                }
                for j in whole..<n {
                    for i in 0..<GEMM.lanes { out[j &* outChannels &+ o0 &+ i] = gradient[(o0 &+ i) &* n &+ j] }
                }
            }
        }
    }

    /// ∂Wᵀ `[C·9, O]` of the `count` images at `images` (each `[C, H, W]`, geometry `g` of one)
    /// from their output gradient transposed, `gradient` `[count·Ho·Wo, O]`. Every element written.
    static func weightGradient(_ images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry, outChannels: Int,
                               transposedGradient gradient: UnsafePointer<Float>, into dWeight: UnsafeMutablePointer<Float>) {
        let rows = ShiftedRows(g)
        let hp = rows.paddedHeight, wp = rows.paddedWidth, paddedImage = rows.paddedSize
        let wo = g.outputWidth, plane = g.outputHeight &* wo, n = count &* plane, patch = g.patchSize
        let imageSize = g.channels &* g.height &* g.width
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: count &* paddedImage)
        let bases = UnsafeMutablePointer<Int>.allocate(capacity: n)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: patch)
        defer { padded.deallocate(); bases.deallocate(); offsets.deallocate() }
        for image in 0..<count { rows.pad(images + image &* imageSize, into: padded + image &* paddedImage) }
        // Pixel j's window starts at bases[j]; tap t lies offsets[t] further.
        var j = 0
        for image in 0..<count {
            for oy in 0..<g.outputHeight {
                for ox in 0..<wo { bases[j] = image &* paddedImage &+ oy &* wp &+ ox; j &+= 1 }
            }
        }
        for t in 0..<patch {
            let (c, ky, kx) = (t / 9, (t / 3) % 3, t % 3)
            offsets[t] = c &* hp &* wp &+ ky &* wp &+ kx
        }
        if outChannels == 32 {
            for t0 in stride(from: 0, to: patch, by: 8) {
                block8x2(padded, bases: bases, offsets: offsets, firstTap: t0, patch: patch, pixels: n, gradient: gradient, into: dWeight)
            }
        } else {
            for t0 in stride(from: 0, to: patch, by: 4) {
                block4x4(padded, bases: bases, offsets: offsets, firstTap: t0, patch: patch, pixels: n, gradient: gradient, into: dWeight)
            }
        }
    }

    /// The micro-kernel's store: `0 + v` for the first K-block, then `old + v`.
    @inline(__always)
    private static func store(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, first: Bool) {
        let raw = UnsafeMutableRawPointer(p)
        let old = first ? SIMD16<Float>() : raw.loadUnaligned(as: SIMD16<Float>.self)
        raw.storeBytes(of: old + v, as: SIMD16<Float>.self)
    }

    /// Taps `firstTap ..< firstTap + 8` (those past `patch` computed on the last tap and dropped)
    /// × 32 channels, K-block by K-block.
    private static func block8x2(_ padded: UnsafePointer<Float>, bases: UnsafePointer<Int>, offsets: UnsafePointer<Int>, firstTap t0: Int,
                                 patch: Int, pixels n: Int, gradient: UnsafePointer<Float>, into dWeight: UnsafeMutablePointer<Float>) {
        @inline(__always) func at(_ i: Int) -> Int { offsets[Swift.min(t0 &+ i, patch &- 1)] }
        let (f0, f1, f2, f3, f4, f5, f6, f7) = (at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
        let raw = UnsafeRawPointer(gradient)
        var start = 0
        while start < n {
            let end = Swift.min(n, start &+ GEMM.kc)
            var a0 = SIMD16<Float>(), b0 = SIMD16<Float>(), a1 = SIMD16<Float>(), b1 = SIMD16<Float>()
            var a2 = SIMD16<Float>(), b2 = SIMD16<Float>(), a3 = SIMD16<Float>(), b3 = SIMD16<Float>()
            var a4 = SIMD16<Float>(), b4 = SIMD16<Float>(), a5 = SIMD16<Float>(), b5 = SIMD16<Float>()
            var a6 = SIMD16<Float>(), b6 = SIMD16<Float>(), a7 = SIMD16<Float>(), b7 = SIMD16<Float>()
            for j in start..<end {
                let x = padded + bases[j]
                let g0 = raw.loadUnaligned(fromByteOffset: j &* 128, as: SIMD16<Float>.self)
                let g1 = raw.loadUnaligned(fromByteOffset: j &* 128 &+ 64, as: SIMD16<Float>.self)
                var s = x[f0]; GEMM.multiplyAdd(&a0, s, g0); GEMM.multiplyAdd(&b0, s, g1)
                s = x[f1]; GEMM.multiplyAdd(&a1, s, g0); GEMM.multiplyAdd(&b1, s, g1)
                s = x[f2]; GEMM.multiplyAdd(&a2, s, g0); GEMM.multiplyAdd(&b2, s, g1)
                s = x[f3]; GEMM.multiplyAdd(&a3, s, g0); GEMM.multiplyAdd(&b3, s, g1)
                s = x[f4]; GEMM.multiplyAdd(&a4, s, g0); GEMM.multiplyAdd(&b4, s, g1)
                s = x[f5]; GEMM.multiplyAdd(&a5, s, g0); GEMM.multiplyAdd(&b5, s, g1)
                s = x[f6]; GEMM.multiplyAdd(&a6, s, g0); GEMM.multiplyAdd(&b6, s, g1)
                s = x[f7]; GEMM.multiplyAdd(&a7, s, g0); GEMM.multiplyAdd(&b7, s, g1)
            }
            let first = start == 0
            @inline(__always) func row(_ i: Int, _ lo: SIMD16<Float>, _ hi: SIMD16<Float>) {
                guard t0 &+ i < patch else { return }
                let p = dWeight + (t0 &+ i) &* 32
                store(lo, to: p, first: first); store(hi, to: p + 16, first: first)
            }
            row(0, a0, b0); row(1, a1, b1); row(2, a2, b2); row(3, a3, b3)
            row(4, a4, b4); row(5, a5, b5); row(6, a6, b6); row(7, a7, b7)
            start = end
        }
    }

    /// Taps `firstTap ..< firstTap + 4` (those past `patch` computed on the last tap and dropped)
    /// × 64 channels, K-block by K-block.
    private static func block4x4(_ padded: UnsafePointer<Float>, bases: UnsafePointer<Int>, offsets: UnsafePointer<Int>, firstTap t0: Int,
                                 patch: Int, pixels n: Int, gradient: UnsafePointer<Float>, into dWeight: UnsafeMutablePointer<Float>) {
        @inline(__always) func at(_ i: Int) -> Int { offsets[Swift.min(t0 &+ i, patch &- 1)] }
        let (f0, f1, f2, f3) = (at(0), at(1), at(2), at(3))
        let raw = UnsafeRawPointer(gradient)
        var start = 0
        while start < n {
            let end = Swift.min(n, start &+ GEMM.kc)
            var a0 = SIMD16<Float>(), b0 = SIMD16<Float>(), c0 = SIMD16<Float>(), d0 = SIMD16<Float>()
            var a1 = SIMD16<Float>(), b1 = SIMD16<Float>(), c1 = SIMD16<Float>(), d1 = SIMD16<Float>()
            var a2 = SIMD16<Float>(), b2 = SIMD16<Float>(), c2 = SIMD16<Float>(), d2 = SIMD16<Float>()
            var a3 = SIMD16<Float>(), b3 = SIMD16<Float>(), c3 = SIMD16<Float>(), d3 = SIMD16<Float>()
            for j in start..<end {
                let x = padded + bases[j]
                let g0 = raw.loadUnaligned(fromByteOffset: j &* 256, as: SIMD16<Float>.self)
                let g1 = raw.loadUnaligned(fromByteOffset: j &* 256 &+ 64, as: SIMD16<Float>.self)
                let g2 = raw.loadUnaligned(fromByteOffset: j &* 256 &+ 128, as: SIMD16<Float>.self)
                let g3 = raw.loadUnaligned(fromByteOffset: j &* 256 &+ 192, as: SIMD16<Float>.self)
                var s = x[f0]
                GEMM.multiplyAdd(&a0, s, g0); GEMM.multiplyAdd(&b0, s, g1); GEMM.multiplyAdd(&c0, s, g2); GEMM.multiplyAdd(&d0, s, g3)
                s = x[f1]
                GEMM.multiplyAdd(&a1, s, g0); GEMM.multiplyAdd(&b1, s, g1); GEMM.multiplyAdd(&c1, s, g2); GEMM.multiplyAdd(&d1, s, g3)
                s = x[f2]
                GEMM.multiplyAdd(&a2, s, g0); GEMM.multiplyAdd(&b2, s, g1); GEMM.multiplyAdd(&c2, s, g2); GEMM.multiplyAdd(&d2, s, g3)
                s = x[f3]
                GEMM.multiplyAdd(&a3, s, g0); GEMM.multiplyAdd(&b3, s, g1); GEMM.multiplyAdd(&c3, s, g2); GEMM.multiplyAdd(&d3, s, g3)
            }
            let first = start == 0
            @inline(__always) func row(_ i: Int, _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ v2: SIMD16<Float>, _ v3: SIMD16<Float>) {
                guard t0 &+ i < patch else { return }
                let p = dWeight + (t0 &+ i) &* 64
                store(v0, to: p, first: first); store(v1, to: p + 16, first: first)
                store(v2, to: p + 32, first: first); store(v3, to: p + 48, first: first)
            }
            row(0, a0, b0, c0, d0); row(1, a1, b1, c1, d1); row(2, a2, b2, c2, d2); row(3, a3, b3, c3, d3)
            start = end
        }
    }
}
