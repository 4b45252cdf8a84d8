/// ∂W of a 3×3, stride-1 convolution of one image with at most 16 output channels, the 16 lanes
/// over the output channels:
///
///     ∂W[o, t] = Σₚ x(t, p) · G[o, p]      t = (c, ky, kx) `[C·9]`, p = oy·Wo + ox `[Ho·Wo]`
///
/// where x(t, p) = xp[c, oy + ky, ox + kx] is the zero-padded image under tap t of output pixel p
/// (what im2col's row t holds at column p).
///
/// Why: a digit's first layer (1 → 16 channels, 28×28) makes ∂W as a 16 × 9 × 784 GEMM. The GEMM
/// packs G (16 × 784) into 8-row panels and im2col's 9 × 784 columns into 16-wide ones, one float
/// at a time, and then uses 9 of each vector's 16 lanes: packing and product ran at ~26 GFLOP/s.
/// conv1's whole backward (this product, im2col, G's scatter) took 0.72 ms of a ~6 ms mnist-gap
/// step on two cores, 0.47 ms with this path. Here G arrives transposed, `[P, 16]`
/// (the pooled convolution's backward scatters it so, `PooledGradient`), and the taps are read
/// from a padded copy of the image: per pixel one load of G, nine broadcasts and nine FMAs, every
/// lane used, no im2col and no packing.
///
/// **The GEMM's bits**, which the tests hold it to (`Im2Col` + `GEMM.multiply` is its naive twin):
/// each element is the same chain of FMAs in pixel order, started from 0 every `GEMM.kc` pixels
/// and stored as `0 + block₁`, then `+ block₂`, … (the micro-kernel's store); `x · g` and `g · x`
/// round alike. Cost: 2·O·9·C·P flops in 9·C·P FMAs of 16 lanes, plus a `C·Hp·Wp` padded copy.
enum NarrowWeightGradient {
    /// Whether `plan`'s weight gradient can be made here: 3×3 windows, stride 1, padding under
    /// the window, at most 16 output channels, one image per group, and ∂W by im2col (not read in
    /// place from a large plane, `ConvolutionPlan.weightGradientRows`, which rounds differently).
    static func applies(to plan: ConvolutionPlan) -> Bool {
        let g = plan.geometry
        return g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.padY < 3 && g.padX < 3
            && plan.outChannels <= GEMM.lanes && plan.imagesPerGroup == 1 && plan.weightGradientRows == nil
    }

    /// ∂W of one image `image` `[C, H, W]` (geometry `g`, batch 1) from its output gradient
    /// transposed, `gradient` `[Ho·Wo, 16]` (lane o of row p is G[o, p]; lanes ≥ `outChannels`
    /// are read and dropped), into `dWeight`: `[O, C·9]`, or `[C·9, O]` when `transposed` (the
    /// layout `ConvolutionPlan.transposesWeightGradient` asks for). Every element is written.
    static func weightGradient(_ image: UnsafePointer<Float>, _ g: ConvolutionGeometry, outChannels: Int,
                               transposedGradient gradient: UnsafePointer<Float>,
                               into dWeight: UnsafeMutablePointer<Float>, transposed: Bool) {
        let rows = ShiftedRows(g)
        let hp = rows.paddedHeight, wp = rows.paddedWidth
        let ho = g.outputHeight, wo = g.outputWidth, plane = ho &* wo, patch = g.patchSize
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: rows.paddedSize)
        defer { padded.deallocate() }
        rows.pad(image, into: padded)
        let rawG = UnsafeRawPointer(gradient)
        for c in 0..<g.channels {
            let channel = UnsafePointer(padded + c &* hp &* wp)
            var start = 0
            while start < plane {
                let end = Swift.min(plane, start &+ GEMM.kc)
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>()
                var a3 = SIMD16<Float>(), a4 = SIMD16<Float>(), a5 = SIMD16<Float>()
                var a6 = SIMD16<Float>(), a7 = SIMD16<Float>(), a8 = SIMD16<Float>()
                var oy = start / wo, ox = start % wo
                var p = start
                while p < end {
                    // The window of pixel p: three rows of three at the padded pitch.
                    let q = channel + (oy &* wp &+ ox), r = q + wp, s = r + wp
                    let gv = rawG.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
                    GEMM.multiplyAdd(&a0, q[0], gv); GEMM.multiplyAdd(&a1, q[1], gv); GEMM.multiplyAdd(&a2, q[2], gv)
                    GEMM.multiplyAdd(&a3, r[0], gv); GEMM.multiplyAdd(&a4, r[1], gv); GEMM.multiplyAdd(&a5, r[2], gv)
                    GEMM.multiplyAdd(&a6, s[0], gv); GEMM.multiplyAdd(&a7, s[1], gv); GEMM.multiplyAdd(&a8, s[2], gv)
                    p &+= 1
                    ox &+= 1
                    if ox == wo { ox = 0; oy &+= 1 }
                }
                // The micro-kernel's store: 0 + the first block, then each block added.
                let first = start == 0
                func store(_ sums: SIMD16<Float>, tap: Int) {
                    let t = c &* 9 &+ tap
                    for o in 0..<outChannels {
                        let at = transposed ? t &* outChannels &+ o : o &* patch &+ t
                        dWeight[at] = (first ? 0 : dWeight[at]) + sums[o]
                    }
                }
                store(a0, tap: 0); store(a1, tap: 1); store(a2, tap: 2)
                store(a3, tap: 3); store(a4, tap: 4); store(a5, tap: 5)
                store(a6, tap: 6); store(a7, tap: 7); store(a8, tap: 8)
                start = end
            }
        }
    }

    /// The sum of each output plane `[O]` from the transposed gradient `[Ho·Wo, 16]`, in
    /// `planeSum`'s order (so its bits): lane j of plane o adds G[o, 16b + j] for every full
    /// block b in order, then the lanes are summed (`SIMD16.sum()`), then the tail one by one.
    /// The sixteen running lane sums of all sixteen planes are sixteen vectors: row j of each
    /// block added to vector j.
    static func planeSums(transposedGradient gradient: UnsafePointer<Float>, plane: Int, outChannels: Int,
                          into sums: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawPointer(gradient)
        let full = plane / GEMM.lanes
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: GEMM.lanes) { lanes in
            lanes.initialize(repeating: SIMD16())
            for block in 0..<full {
                for j in 0..<GEMM.lanes {
                    lanes[j] += raw.loadUnaligned(fromByteOffset: (block &* 16 &+ j) &* 64, as: SIMD16<Float>.self)
                }
            }
            for o in 0..<outChannels {
                var plane16 = SIMD16<Float>()
                for j in 0..<GEMM.lanes { plane16[j] = lanes[j][o] }
                var total = plane16.sum()
                for p in (full &* GEMM.lanes)..<plane { total += gradient[p &* 16 &+ o] }
                sums[o] = total
            }
        }
    }
}
