/// A 3×3, stride-1 convolution with at most 16 output channels, its bias, ReLU and 2×2 max pool
/// for one image, the 16 lanes over the output channels: for each window of the pool, its four
/// pixels' outputs as four vectors, then their maximum, lane by lane.
///
///     z[o, p] = (0 + Σₜ w[o, t] · x(t, p)) + b[o]    t = (c, ky, kx) in order, one FMA chain
///     y[o, i] = max over window i of relu(z[o, p])     `[O, ⌊Ho/2⌋, ⌊Wo/2⌋]`, with its arg-max
///
/// Why: a digit's first layer (1 → 16 channels, 28×28) went through a 16 × 838 × 9 GEMM (its
/// nine-deep products keep few FMAs in flight per load), then copied each 28-pixel row out with
/// its bias, applied ReLU to the 16 planes, and pooled them: four passes over 50 KB per image for
/// 0.23 MFLOP. Here each pixel is nine FMAs into one vector, and only the pooled output (and the
/// arg-max) is written.
///
/// **The same bits** as `ConvolutionPlan.forward` + `ConvolutionEpilogue` + `maxPool2x2`, which
/// the tests hold it to: the GEMM's FMA chain in tap order from 0 (`x · w` and `w · x` round
/// alike; one K-block, as K = 9·C ≤ `GEMM.kc`), its store `0 + v`, the bias added after, ReLU as
/// `v > 0 ? v : 0`, and the pool's rule (row-major order, strict `>`, NaN wins). The arg-max is
/// the flat index of the winning pixel in the group's `[g, O, Ho, Wo]` output, as `maxPool2x2`
/// records it. Cost: 2·O·9·C·4·Hq·Wq flops in 9·C FMAs of 16 lanes per pixel pooled (the last row
/// and column of an odd plane, which the pool drops, are not computed); a `C·Hp·Wp` padded copy.
enum NarrowPooledConvolution {
    /// Whether `plan` with `epilogue` (ReLU alone) can be computed here: 3×3 windows, stride 1,
    /// padding under the window, at most 16 output channels, at most `GEMM.kc` taps (one K-block),
    /// a plane of at least one window.
    static func applies(to plan: ConvolutionPlan, epilogue: ConvolutionEpilogue) -> Bool {
        let g = plan.geometry
        return epilogue.relu && epilogue.normalization.isEmpty && epilogue.residual.isEmpty
            && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.padY < 3 && g.padX < 3
            && plan.outChannels <= GEMM.lanes && g.patchSize <= GEMM.kc && plan.winograd == nil
            && g.outputHeight >= 2 && g.outputWidth >= 2
    }

    /// The weight `[O, C·9]` as one vector per tap, lane o holding w[o, t] (0 past O).
    static func tapVectors(_ weight: UnsafePointer<Float>, outChannels: Int, patch: Int) -> [SIMD16<Float>] {
        var taps = [SIMD16<Float>](repeating: SIMD16(), count: patch)
        for t in 0..<patch {
            for o in 0..<outChannels { taps[t][o] = weight[o &* patch &+ t] }
        }
        return taps
    }

    /// The pooled output of one image `image` `[C, H, W]` (geometry `g`, batch 1): `pooled`
    /// `[O, Hq, Wq]` and, if given, `argMax` (the same shape), each window's winning pixel as
    /// `argBase + o·Ho·Wo + p` (`argBase`: where this image's output starts in its group's).
    static func forward(_ image: UnsafePointer<Float>, _ g: ConvolutionGeometry, taps: UnsafePointer<SIMD16<Float>>, bias: SIMD16<Float>,
                        outChannels: Int, pooled: UnsafeMutablePointer<Float>, argMax: UnsafeMutablePointer<Int32>?, argBase: Int) {
        let rows = ShiftedRows(g)
        let hp = rows.paddedHeight, wp = rows.paddedWidth, planeSize = hp &* wp
        let wo = g.outputWidth, plane = g.outputHeight &* wo
        let hq = g.outputHeight / 2, wq = wo / 2, pooledPlane = hq &* wq
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: rows.paddedSize)
        defer { padded.deallocate() }
        rows.pad(image, into: padded)
        let zero = SIMD16<Float>()
        let lane = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let channelStarts = lane &* Int32(truncatingIfNeeded: plane) &+ Int32(truncatingIfNeeded: argBase)
        // z at output pixel (oy, ox), after the bias and ReLU.
        @inline(__always) func output(_ oy: Int, _ ox: Int) -> SIMD16<Float> {
            var acc = SIMD16<Float>()
            for c in 0..<g.channels {
                let q = UnsafePointer(padded + (c &* planeSize &+ oy &* wp &+ ox)), r = q + wp, s = r + wp
                let w = taps + c &* 9
                GEMM.multiplyAdd(&acc, q[0], w[0]); GEMM.multiplyAdd(&acc, q[1], w[1]); GEMM.multiplyAdd(&acc, q[2], w[2])
                GEMM.multiplyAdd(&acc, r[0], w[3]); GEMM.multiplyAdd(&acc, r[1], w[4]); GEMM.multiplyAdd(&acc, r[2], w[5])
                GEMM.multiplyAdd(&acc, s[0], w[6]); GEMM.multiplyAdd(&acc, s[1], w[7]); GEMM.multiplyAdd(&acc, s[2], w[8])
            }
            let v = (zero + acc) + bias
            return v.replacing(with: 0, where: .!(v .> 0))
        }
        // Windows in blocks of 16 in output order (across rows of windows): each block's 16
        // vectors over the channels are transposed in registers into 16 runs of 16 windows, one
        // per channel, so the output is written 16 floats at a time.
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 4 &* GEMM.lanes) { buffer in
            let values = buffer.baseAddress!, winners = values + 16, scratch = winners + 16
            var filled = 0, blockStart = 0
            func flush() {
                if filled == GEMM.lanes {
                    GEMM.transpose16(values, scratch: scratch)
                    for o in 0..<outChannels {
                        UnsafeMutableRawPointer(pooled + (o &* pooledPlane &+ blockStart)).storeBytes(of: values[o], as: SIMD16<Float>.self)
                    }
                    if let argMax {
                        GEMM.transpose16(winners, scratch: scratch)
                        for o in 0..<outChannels {
                            UnsafeMutableRawPointer(argMax + (o &* pooledPlane &+ blockStart)).storeBytes(of: winners[o], as: SIMD16<Float>.self)
                        }
                    }
                } else {
                    for j in 0..<filled {
                        for o in 0..<outChannels { pooled[o &* pooledPlane &+ blockStart &+ j] = values[j][o] }
                        if let argMax {
                            for o in 0..<outChannels { argMax[o &* pooledPlane &+ blockStart &+ j] = Int32(bitPattern: winners[j][o].bitPattern) }
                        }
                    }
                }
                blockStart &+= filled
                filled = 0
            }
            for wy in 0..<hq {
                for wx in 0..<wq {
                    let (oy, ox) = (2 &* wy, 2 &* wx)
                    let topLeft = oy &* wo &+ ox
                    var best = output(oy, ox), at = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: topLeft))
                    @inline(__always) func consider(_ candidate: SIMD16<Float>, _ pixel: Int) {
                        let wins = (candidate .> best) .| (candidate .!= candidate)
                        best.replace(with: candidate, where: wins)
                        at.replace(with: Int32(truncatingIfNeeded: pixel), where: wins)
                    }
                    consider(output(oy, ox &+ 1), topLeft &+ 1)
                    consider(output(oy &+ 1, ox), topLeft &+ wo)
                    consider(output(oy &+ 1, ox &+ 1), topLeft &+ wo &+ 1)
                    values[filled] = best
                    // (Arg-maxes ride in float vectors as bit patterns: a transpose only moves bits.)
                    winners[filled] = unsafeBitCast(at &+ channelStarts, to: SIMD16<Float>.self)
                    filled &+= 1
                    if filled == GEMM.lanes { flush() }
                }
            }
            flush()
        }
    }
}
