/// The geometry of a 2-D convolution or pooling window over an NCHW tensor.
public struct ConvolutionGeometry: Equatable, Sendable {
    public var batch: Int, channels: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int
    public var padY: Int, padX: Int

    /// `⌊(H + 2·pad − k) / stride⌋ + 1`, PyTorch's output size.
    public var outputHeight: Int { (height + 2 * padY - kernelHeight) / strideY + 1 }
    public var outputWidth: Int { (width + 2 * padX - kernelWidth) / strideX + 1 }
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
    static func columns(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, into cols: UnsafeMutablePointer<Float>) {
        let ho = g.outputHeight, wo = g.outputWidth, plane = ho * wo
        let total = g.columnCount
        let rows = g.patchSize
        // Chunks are rows of the matrix: each writes its own row, so any thread count gives the same bits.
        let chunkCount = total * rows < (1 << 16) ? 1 : Swift.min(rows, 16)
        let xs = UncheckedSendable(x), cs = UncheckedSendable(cols)
        Parallel.forEach(chunks: chunkCount) { chunk in
            let x = xs.value, cols = cs.value
            var row = chunk
            while row < rows {
                let kx = row % g.kernelWidth
                let ky = (row / g.kernelWidth) % g.kernelHeight
                let c = row / (g.kernelWidth * g.kernelHeight)
                let out = cols + row &* total
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
                        for ox in 0..<wo {
                            let xx = ox &* g.strideX &- g.padX &+ kx
                            line[ox] = (xx >= 0 && xx < g.width) ? src[xx] : 0
                        }
                    }
                }
                row += chunkCount
            }
        }
    }

    /// The adjoint: adds every column entry back to the input pixel it was copied from.
    /// Chunks are images, so each writes its own part of `dx` in a fixed order.
    static func accumulate(_ cols: UnsafePointer<Float>, _ g: ConvolutionGeometry, into dx: UnsafeMutablePointer<Float>) {
        let ho = g.outputHeight, wo = g.outputWidth, plane = ho * wo
        let total = g.columnCount
        let cs = UncheckedSendable(cols), ds = UncheckedSendable(dx)
        let chunkCount = total * g.patchSize < (1 << 16) ? 1 : g.batch
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
                            for oy in 0..<ho {
                                let y = oy &* g.strideY &- g.padY &+ ky
                                if y < 0 || y >= g.height { continue }
                                let dst = image + y &* g.width
                                let line = src + oy &* wo
                                for ox in 0..<wo {
                                    let xx = ox &* g.strideX &- g.padX &+ kx
                                    if xx >= 0 && xx < g.width { dst[xx] += line[ox] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
