/// A stride-1 convolution of one image as a GEMM that reads its im2col matrix in place.
///
/// With stride 1, im2col row (c, ky, kx) at output pixel (oy, ox) holds the padded input
/// `xp[c, oy + ky, ox + kx]`. If the output is laid out at the padded row pitch — column
/// `j = oy·Wp + ox`, with the `Wp − Wo` columns past each output row computed and dropped — that
/// is `xp[c·Hp·Wp + ky·Wp + kx + j]`: every im2col row is the padded image itself, shifted. So
/// the GEMM reads B row (c, ky, kx) at `xp + rowStarts[(c·kh + ky)·kw + kx]` (`GEMM.multiply`'s
/// `bRows`) and the `[C·kh·kw, Ho·Wo]` matrix is never written: at 224×224×64 with a 3×3 window
/// that is 115 MB the im2col path writes, reads back, and (past glibc's 32 MiB heap blocks) takes
/// fresh from the kernel, page by page, every call.
///
/// Cost: the product has `(Ho − 1)·Wp + Wo` columns instead of `Ho·Wo` (the dropped ones), so
/// it is used only where that is at most one sixth more (`isWorthwhile`), and only for a group of
/// one image: forward on any such plane (the same bits as im2col), ∂x and ∂W on planes of 2048
/// outputs or more (see `ConvolutionPlan.shiftedGradientPlane`); plus one padded copy of the image
/// (`C·Hp·Wp` floats) and, for ∂x, one flipped copy of the weight. The naive twin is the im2col path
/// itself (`Im2Col` + `GEMM`), which `KernelTests` checks both against the definition.
struct ShiftedRows {
    let channels: Int, height: Int, width: Int
    let kernelHeight: Int, kernelWidth: Int, padY: Int, padX: Int

    var paddedHeight: Int { height + 2 * padY }
    var paddedWidth: Int { width + 2 * padX }
    var outputHeight: Int { paddedHeight - kernelHeight + 1 }
    var outputWidth: Int { paddedWidth - kernelWidth + 1 }
    var plane: Int { outputHeight * outputWidth }
    var patch: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the product: `Ho` output rows at pitch `Wp`, the last one cut at `Wo`. Its
    /// last entry reads the padded image's last float, so no read runs past the copy.
    var columns: Int { (outputHeight - 1) * paddedWidth + outputWidth }
    var paddedSize: Int { channels * paddedHeight * paddedWidth }

    /// The forward pass of a stride-1 convolution with this geometry (padding at most the
    /// kernel's extent less one in each direction, so the backward pass is one too).
    init(_ g: ConvolutionGeometry) {
        channels = g.channels; height = g.height; width = g.width
        kernelHeight = g.kernelHeight; kernelWidth = g.kernelWidth; padY = g.padY; padX = g.padX
    }

    /// ∂x of that convolution as a convolution of the output gradient `[O, Ho, Wo]` with the
    /// flipped, transposed weight (`flippedWeight`), padded by `k − 1 − p`: its output is `[C, H, W]`.
    init(inputGradientOf g: ConvolutionGeometry, outChannels: Int) {
        channels = outChannels; height = g.outputHeight; width = g.outputWidth
        kernelHeight = g.kernelHeight; kernelWidth = g.kernelWidth
        padY = g.kernelHeight - 1 - g.padY; padX = g.kernelWidth - 1 - g.padX
    }

    /// Stride 1, padding within the kernel, and at most a sixth more columns than outputs.
    static func applies(to g: ConvolutionGeometry) -> Bool {
        g.strideY == 1 && g.strideX == 1 && g.padY < g.kernelHeight && g.padX < g.kernelWidth
            && ShiftedRows(g).isWorthwhile
    }

    var isWorthwhile: Bool { outputHeight > 0 && outputWidth > 0 && (paddedWidth - outputWidth) * 6 <= outputWidth }

    /// `out[C·Hp·Wp]` ← the image `[C, H, W]` with a zero border of `padY` rows and `padX` columns.
    func pad(_ image: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let hp = paddedHeight, wp = paddedWidth
        for c in 0..<channels {
            let dst = out + c &* hp &* wp, src = image + c &* height &* width
            dst.update(repeating: 0, count: padY &* wp &+ padX)
            for y in 0..<height {
                let line = dst + ((y &+ padY) &* wp &+ padX)
                line.update(from: src + y &* width, count: width)
                // This row's right border and the next row's left one are adjacent.
                (line + width).update(repeating: 0, count: y &+ 1 < height ? 2 &* padX : padX)
            }
            (dst + (padY &+ height) &* wp).update(repeating: 0, count: padY &* wp)
        }
    }

    /// Where each im2col row starts in the padded image: `c·Hp·Wp + ky·Wp + kx`, `[C·kh·kw]`.
    func rowStarts() -> [Int] {
        var starts = [Int]()
        starts.reserveCapacity(patch)
        for c in 0..<channels {
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth { starts.append((c * paddedHeight + ky) * paddedWidth + kx) }
            }
        }
        return starts
    }

    /// Calls `body` with the padded image (the image itself when there is no padding) and the row starts.
    func withColumns<R>(of image: UnsafePointer<Float>, _ body: (UnsafePointer<Float>, UnsafePointer<Int>) -> R) -> R {
        let starts = rowStarts()
        return starts.withUnsafeBufferPointer { s in
            if padY == 0 && padX == 0 { return body(image, s.baseAddress!) }
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedSize)
            defer { padded.deallocate() }
            pad(image, into: padded)
            return body(padded, s.baseAddress!)
        }
    }

    /// out `[O, Ho, Wo]` (+)= W `[O, C·kh·kw]` · im2col(image) (+ bias), one image.
    func convolve(_ image: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int, bias: [Float]?,
                  into out: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool) {
        let n = columns, wp = paddedWidth, wo = outputWidth, plane = self.plane
        withColumns(of: image) { padded, starts in
            // No dropped columns (a 1×1 window without padding): the product is the output.
            if n == plane {
                GEMM.multiply(m: outChannels, n: n, k: patch, a: weight, lda: patch, b: padded, ldb: 0, bRows: starts,
                              c: out, ldc: n, accumulate: accumulate, parallel: parallel)
                if let bias {
                    for o in 0..<outChannels {
                        let line = out + o &* plane, shift = bias[o]
                        for p in 0..<plane { line[p] += shift }
                    }
                }
                return
            }
            let product = UnsafeMutablePointer<Float>.allocate(capacity: outChannels &* n)
            defer { product.deallocate() }
            GEMM.multiply(m: outChannels, n: n, k: patch, a: weight, lda: patch, b: padded, ldb: 0, bRows: starts,
                          c: product, ldc: n, accumulate: false, parallel: parallel)
            for o in 0..<outChannels {
                let shift = bias?[o] ?? 0
                for oy in 0..<outputHeight {
                    let src = product + (o &* n &+ oy &* wp), dst = out + (o &* plane &+ oy &* wo)
                    copyRow(src, into: dst, count: wo, adding: shift, accumulate: accumulate)
                }
            }
        }
    }

    /// The weight of the ∂x convolution: `flipped[c, o, ky, kx] = w[o, c, kh−1−ky, kw−1−kx]`,
    /// `[C, O·kh·kw]` from `[O, C·kh·kw]`.
    static func flippedWeight(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int, kernelHeight kh: Int, kernelWidth kw: Int) -> [Float] {
        let taps = kh * kw
        var flipped = [Float](repeating: 0, count: outChannels * channels * taps)
        flipped.withUnsafeMutableBufferPointer { f in
            for o in 0..<outChannels {
                for c in 0..<channels {
                    let src = w + (o &* channels &+ c) &* taps, dst = f.baseAddress! + (c &* outChannels &+ o) &* taps
                    for t in 0..<taps { dst[t] = src[taps &- 1 &- t] }
                }
            }
        }
        return flipped
    }

    /// ∂W of one image `[O, C·kh·kw]` (or its transpose `[C·kh·kw, O]` when `transposed`) =
    /// G · im2col(image)ᵀ, G the image's output gradient `[O, Ho·Wo]`, spread to the product's
    /// columns with zeros in the dropped ones.
    func weightGradient(_ image: UnsafePointer<Float>, grad: UnsafePointer<Float>, outChannels: Int,
                        into dWeight: UnsafeMutablePointer<Float>, transposed: Bool, parallel: Bool) {
        let n = columns, wp = paddedWidth, wo = outputWidth, plane = self.plane
        let spread = n == plane ? nil : UnsafeMutablePointer<Float>.allocate(capacity: outChannels &* n)
        defer { spread?.deallocate() }
        if let spread {
            for o in 0..<outChannels {
                let dst = spread + o &* n
                for oy in 0..<outputHeight {
                    let line = dst + oy &* wp
                    line.update(from: grad + (o &* plane &+ oy &* wo), count: wo)
                    if oy &+ 1 < outputHeight { (line + wo).update(repeating: 0, count: wp &- wo) }
                }
            }
        }
        let g = UnsafePointer(spread) ?? grad
        withColumns(of: image) { padded, starts in
            if transposed {
                GEMM.multiply(m: patch, n: outChannels, k: n, a: padded, lda: 0, aRows: starts,
                              b: g, ldb: n, transposeB: true, c: dWeight, ldc: outChannels, accumulate: false, parallel: parallel)
            } else {
                GEMM.multiply(m: outChannels, n: patch, k: n, a: g, lda: n,
                              b: padded, ldb: 0, transposeB: true, bRows: starts, c: dWeight, ldc: patch, accumulate: false, parallel: parallel)
            }
        }
    }
}
