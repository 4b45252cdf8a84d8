/// The geometry of a 2-D convolution or pooling window over an NCHW tensor.
public struct ConvolutionGeometry: Equatable, Sendable {
    public var batch: Int, channels: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int
    public var padY: Int, padX: Int

    /// `⌊(H + 2·pad − k) / stride⌋ + 1`, PyTorch's output size.
    public var outputHeight: Int { (height + 2 * padY - kernelHeight) / strideY + 1 }
    public var outputWidth: Int { (width + 2 * padX - kernelWidth) / strideX + 1 }
    /// Stride 1 and an output the size of the input, with padding smaller than the image: the
    /// case where each im2col row is a shifted copy of the input plane (`Im2Col.samePaddedColumn`).
    var isSamePadded: Bool {
        strideY == 1 && strideX == 1 && outputHeight == height && outputWidth == width && padY < height && padX < width
    }
    /// Rows of the im2col matrix: one per (channel, ky, kx).
    var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the im2col matrix: one per (image, output pixel).
    var columnCount: Int { batch * outputHeight * outputWidth }
}

/// im2col and its adjoint col2im, the two data movements that turn a convolution into one GEMM.
///
/// `columns` is `[C·kh·kw, N·Ho·Wo]`: row `(c·kh + ky)·kw + kx`, column `(n·Ho + oy)·Wo + ox` holds
/// `x[n, c, oy·s − p + ky, ox·s − p + kx]`, or 0 where the window hangs over the padding.
enum Im2Col {
    static func columns(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, into cols: UnsafeMutablePointer<Float>,
                        parallel: Bool = true) {
        let ho = g.outputHeight, wo = g.outputWidth, plane = ho * wo
        let total = g.columnCount
        let rows = g.patchSize
        // Chunks are rows of the matrix: each writes its own row, so any thread count gives the same bits.
        let chunkCount = total * rows < (1 << 16) || !parallel ? 1 : Swift.min(rows, 16)
        let xs = UncheckedSendable(x), cs = UncheckedSendable(cols)
        Parallel.forEach(chunks: chunkCount) { chunk in
            let x = xs.value, cols = cs.value
            var row = chunk
            while row < rows {
                let kx = row % g.kernelWidth
                let ky = (row / g.kernelWidth) % g.kernelHeight
                let c = row / (g.kernelWidth * g.kernelHeight)
                let out = cols + row &* total
                if g.isSamePadded {
                    for n in 0..<g.batch {
                        samePaddedColumn(from: x + (n &* g.channels &+ c) &* g.height &* g.width, g, ky: ky, kx: kx, into: out + n &* plane)
                    }
                    row += chunkCount
                    continue
                }
                // The columns of a row that fall inside the image depend on kx alone (strided rows).
                let shiftX = kx &- g.padX   // xx = ox·s + shiftX
                let (lo, hi) = insideRange(shift: shiftX, stride: g.strideX, width: g.width, count: wo)
                for n in 0..<g.batch {
                    let image = x + (n &* g.channels &+ c) &* g.height &* g.width
                    let dst = out + n &* plane
                    for oy in 0..<ho {
                        let y = oy &* g.strideY &- g.padY &+ ky
                        let line = dst + oy &* wo
                        if y < 0 || y >= g.height {
                            line.update(repeating: 0, count: wo)
                            continue
                        }
                        let src = image + y &* g.width
                        if g.strideX == 1 {
                            // Stride 1: a run of zeros, a contiguous copy, a run of zeros.
                            let shift = kx &- g.padX   // xx = ox + shift
                            let lo = Swift.min(wo, Swift.max(0, -shift)), hi = Swift.max(lo, Swift.min(wo, g.width &- shift))
                            if lo > 0 { line.update(repeating: 0, count: lo) }
                            for ox in lo..<hi { line[ox] = src[ox &+ shift] }
                            if hi < wo { (line + hi).update(repeating: 0, count: wo &- hi) }
                            continue
                        }
                        // Strided: the columns inside the image are one range, `lo..<hi`.
                        if lo > 0 { line.update(repeating: 0, count: lo) }
                        var xx = lo &* g.strideX &+ shiftX
                        for ox in lo..<hi { line[ox] = src[xx]; xx &+= g.strideX }
                        if hi < wo { (line + hi).update(repeating: 0, count: wo &- hi) }
                    }
                }
                row += chunkCount
            }
        }
    }

    /// The output columns `lo..<hi` of a row whose source column `ox·stride + shift` lies inside
    /// `0..<width` (the others fall on the padding), clamped to `0..<count`.
    @inline(__always)
    static func insideRange(shift: Int, stride: Int, width: Int, count: Int) -> (lo: Int, hi: Int) {
        let lo = shift >= 0 ? 0 : Swift.min(count, (stride &- 1 &- shift) / stride)     // ⌈−shift / s⌉
        let room = width &- shift                                                      // ox·s < room
        let hi = room <= 0 ? lo : Swift.max(lo, Swift.min(count, (room &+ stride &- 1) / stride))
        return (lo, hi)
    }

    /// One row (c, ky, kx) of one image for a stride-1 "same" convolution (output size = input
    /// size): the output plane is the input plane shifted by `dy·W + dx`, so it is one contiguous
    /// copy, then the entries that wrapped around a row edge are zeroed. Same values as the
    /// general loop, a handful of memory operations instead of one short loop per output row.
    @inline(__always)
    static func samePaddedColumn(from plane: UnsafePointer<Float>, _ g: ConvolutionGeometry, ky: Int, kx: Int,
                                 into dst: UnsafeMutablePointer<Float>) {
        let w = g.width, size = g.height &* g.width
        let dy = ky &- g.padY, dx = kx &- g.padX
        let shift = dy &* w &+ dx
        let lo = Swift.min(size, Swift.max(0, -shift)), hi = Swift.max(lo, Swift.min(size, size &- shift))
        if lo > 0 { zeroRun(dst, count: lo) }
        copyRun(plane + (lo &+ shift), into: dst + lo, count: hi &- lo)
        if hi < size { zeroRun(dst + hi, count: size &- hi) }
        zeroWrappedColumns(dst, g, dx: dx)
    }

    /// dst[i] = src[i] for i < count (distinct buffers), 16 lanes at a time, the last vector
    /// overlapping the one before. Inline: a 7×7 plane is 49 floats, and a `memcpy` call for each
    /// of conv3's 288 × 64 rows cost more than the copy.
    @inline(__always)
    static func copyRun(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        let (from, to) = (UnsafeRawPointer(src), UnsafeMutableRawPointer(dst))
        guard count >= 16 else {
            for i in 0..<count { dst[i] = src[i] }
            return
        }
        var i = 0
        while i &+ 16 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self), toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        if i < count {
            let last = (count &- 16) &* 4
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: last, as: SIMD16<Float>.self), toByteOffset: last, as: SIMD16<Float>.self)
        }
    }

    /// dst[i] = 0 for i < count, the same way (the zero runs of a shifted plane are under a row
    /// and a column long).
    @inline(__always)
    static func zeroRun(_ dst: UnsafeMutablePointer<Float>, count: Int) {
        let to = UnsafeMutableRawPointer(dst)
        guard count >= 16 else {
            for i in 0..<count { dst[i] = 0 }
            return
        }
        var i = 0
        while i &+ 16 <= count {
            to.storeBytes(of: SIMD16<Float>(), toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        if i < count { to.storeBytes(of: SIMD16<Float>(), toByteOffset: (count &- 16) &* 4, as: SIMD16<Float>.self) }
    }

    /// Zeroes, in every row of a plane, the columns whose source column `ox + dx` is outside the image.
    /// (A 3×3 window's |dx| = 1 is one strided store per row, not a `memset` call per row: those
    /// calls were a tenth of a mnist-gap training step.)
    @inline(__always)
    static func zeroWrappedColumns(_ dst: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, dx: Int) {
        let w = g.width
        if dx == 1 {
            var p = dst + (w &- 1)
            for _ in 0..<g.height { p.pointee = 0; p += w }
        } else if dx == -1 {
            var p = dst
            for _ in 0..<g.height { p.pointee = 0; p += w }
        } else if dx > 0 {
            for oy in 0..<g.height { (dst + (oy &* w &+ w &- dx)).update(repeating: 0, count: dx) }
        } else if dx < 0 {
            for oy in 0..<g.height { (dst + oy &* w).update(repeating: 0, count: -dx) }
        }
    }

    /// The adjoint: adds every column entry back to the input pixel it was copied from.
    /// Chunks are images, so each writes its own part of `dx` in a fixed order. `cols` is scratch:
    /// in the "same" fast path its entries that fall on the padding are zeroed, then each row is
    /// added to the image as one contiguous shifted run (adding those zeros changes nothing).
    static func accumulate(_ cols: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, into dx: UnsafeMutablePointer<Float>,
                           parallel: Bool = true) {
        let ho = g.outputHeight, wo = g.outputWidth, plane = ho * wo
        let total = g.columnCount
        let cs = UncheckedSendable(cols), ds = UncheckedSendable(dx)
        let chunkCount = total * g.patchSize < (1 << 16) || !parallel ? 1 : g.batch
        Parallel.forEach(chunks: chunkCount) { chunk in
            let cols = cs.value, dx = ds.value
            let images = chunkCount == 1 ? 0..<g.batch : chunk..<(chunk + 1)
            for n in images {
                for c in 0..<g.channels {
                    let image = dx + (n &* g.channels &+ c) &* g.height &* g.width
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let row = (c &* g.kernelHeight &+ ky) &* g.kernelWidth &+ kx
                            let src = cols + (row &* total &+ n &* plane)
                            let (lo, hi) = g.strideX == 1 ? (0, 0) : insideRange(shift: kx &- g.padX, stride: g.strideX, width: g.width, count: wo)
                            if g.isSamePadded {
                                let shift = (ky &- g.padY) &* g.width &+ (kx &- g.padX)
                                let lo = Swift.min(plane, Swift.max(0, -shift)), hi = Swift.max(lo, Swift.min(plane, plane &- shift))
                                zeroWrappedColumns(src, g, dx: kx &- g.padX)
                                let target = image + shift
                                for p in lo..<hi { target[p] += src[p] }
                                continue
                            }
                            for oy in 0..<ho {
                                let y = oy &* g.strideY &- g.padY &+ ky
                                if y < 0 || y >= g.height { continue }
                                let dst = image + y &* g.width
                                let line = src + oy &* wo
                                if g.strideX == 1 {
                                    let shift = kx &- g.padX
                                    let lo = Swift.min(wo, Swift.max(0, -shift)), hi = Swift.max(lo, Swift.min(wo, g.width &- shift))
                                    for ox in lo..<hi { dst[ox &+ shift] += line[ox] }
                                    continue
                                }
                                var xx = lo &* g.strideX &+ kx &- g.padX
                                for ox in lo..<hi { dst[xx] += line[ox]; xx &+= g.strideX }
                            }
                        }
                    }
                }
            }
        }
    }
}
