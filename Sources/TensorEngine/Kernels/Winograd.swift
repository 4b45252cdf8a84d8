/// A 3×3, stride-1 convolution of one image by Winograd's minimal filtering F(2×2, 3×3) (Lavin and
/// Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016).
///
/// The output is cut into 2×2 tiles (T = ⌈Ho/2⌉·⌈Wo/2⌉ of them); tile t reads the 4×4 block d of
/// the padded input under it, and for every output channel o
///
///     Y_t = Aᵀ [ Σ_c (G w_oc Gᵀ) ⊙ (Bᵀ d_ct B) ] A,
///
///     Bᵀ = ⎡1  0 −1  0⎤    G = ⎡ 1   0   0 ⎤    Aᵀ = ⎡1 1  1  0⎤
///          ⎢0  1  1  0⎥        ⎢1/2 1/2 1/2⎥         ⎣0 1 −1 −1⎦
///          ⎢0 −1  1  0⎥        ⎢1/2 −1/2 1/2⎥
///          ⎣0  1  0 −1⎦        ⎣ 0   0   1 ⎦
///
/// which is the convolution exactly (in real arithmetic) with 16 multiplications per tile and
/// channel pair instead of im2col's 36. With U = G w Gᵀ (`transformedWeight`, `[16, O, C]`) and
/// V = Bᵀ d B (`[16, C, T]`), the sum over c at each of the 16 positions e is a matrix product,
/// M_e = U_e · V_e `[O, T]`: 16 GEMMs of O × T × C where im2col does one of O × 4T × 9C, 2.25×
/// fewer flops. The transforms are additions (B and A hold 0 and ±1; G's ½ is exact), a few
/// flops per input or output value, vectorised over 16 tiles of a row.
///
/// Rounding: the transforms mix the whole 4×4 block and the whole 3×3 window before the products
/// and cancel them after, so the error is a few ulps of Σ_c (Σ|w_oc|)·(Σ over the block |d_c|),
/// the window's scale, not of the output's own terms: a weight with one dominant tap leaves its
/// rounding on the small outputs of the tile too. Tests hold it to the definition in Double within
/// 1e-5 of that bound, with uniform and with mixed-scale weights. A non-finite input value reaches the whole of
/// its tile's transform, so where the definition gives ±∞ an output of that tile may read NaN
/// (∞ − ∞), as in every Winograd implementation. Not im2col's bits: `ConvolutionPlan` takes it
/// only where no recorded answer of the course is computed (64 or more channels in and out, planes
/// of 28×28 and up, which the course's networks never have); there an image's values still never
/// depend on the batch around it or on the thread count.
///
/// Blocking: the tiles go in blocks of whole tile rows (≥ 128 tiles, fewer rows as channels grow),
/// so V and M of one block (16·(C + O)·Tb floats) stay near the cache; blocks run on separate
/// cores. Every tile's value is the same whatever block it falls in (each GEMM sums over c in
/// order, whichever columns it is given), so the cut never changes a bit.
///
/// Memory per block: V and M (16·C·Tb and 16·O·Tb floats), and one padded strip of one channel.
/// The naive twin is the definition, `ReferenceKernels.conv2dForward` (`WinogradTests`).
struct Winograd {
    /// The input of the convolution: `[C, H, W]`, padded by `padY` rows and `padX` columns (each ≤ 2).
    let channels: Int, height: Int, width: Int, padY: Int, padX: Int

    var outputHeight: Int { height + 2 &* padY &- 2 }
    var outputWidth: Int { width + 2 &* padX &- 2 }
    var tileRows: Int { (outputHeight + 1) / 2 }
    var tileColumns: Int { (outputWidth + 1) / 2 }

    init(channels: Int, height: Int, width: Int, padY: Int, padX: Int) {
        precondition((0...2).contains(padY) && (0...2).contains(padX) && height + 2 * padY >= 3 && width + 2 * padX >= 3,
                     "a 3×3 window on a padded image of at least 3×3, padding 0 to 2")
        (self.channels, self.height, self.width, self.padY, self.padX) = (channels, height, width, padY, padX)
    }

    /// The forward pass of a convolution with this geometry (3×3, stride 1, padding ≤ 2).
    init(_ g: ConvolutionGeometry) {
        channels = g.channels; height = g.height; width = g.width; padY = g.padY; padX = g.padX
    }

    /// ∂x of that convolution: the output gradient `[O, Ho, Wo]` convolved with the flipped,
    /// transposed weight (`transformedWeight(…, flipped: true)`), padded by `2 − p`: `[C, H, W]`.
    init(inputGradientOf g: ConvolutionGeometry, outChannels: Int) {
        channels = outChannels; height = g.outputHeight; width = g.outputWidth
        padY = 2 - g.padY; padX = 2 - g.padX
    }

    /// Channels in and out from which `ConvolutionPlan` takes this path.
    static let minimumChannels = 64
    /// Output planes from which it does (28×28).
    static let minimumPlane = 784

    /// A 3×3 window, stride 1, padding ≤ 2, at least `minimumChannels` in and out and a plane of
    /// at least `minimumPlane` outputs: where the 2.25× fewer flops outweigh the transforms, and
    /// where the course's recorded answers (made with im2col's rounding) never are.
    static func applies(to g: ConvolutionGeometry, outChannels: Int) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1
            && g.padY <= 2 && g.padX <= 2 && g.outputHeight > 0 && g.outputWidth > 0
            && g.channels >= minimumChannels && outChannels >= minimumChannels
            && g.outputHeight * g.outputWidth >= minimumPlane
    }

    /// U = G w Gᵀ for every (o, c), `[16, O, C]` from w `[O, C, 3, 3]`, as one product:
    /// U `[16, O·C]` = K `[16, 9]` · wᵀ, with K[4i + j, 3a + b] = G[i, a]·G[j, b] (the Kronecker
    /// product G ⊗ G, exact: its entries are 0, ±¼, ±½, 1).
    ///
    /// `flipped`: the weight of the ∂x convolution, w'[c, o, ky, kx] = w[o, c, 2 − ky, 2 − kx],
    /// transformed, `[16, C, O]` stored transposed as `[16, O, C]` (K's columns reversed) for
    /// `convolve(…, weightTransposed: true)`: no flipped copy is made.
    static func transformedWeight(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int, flipped: Bool) -> [Float] {
        let g: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        var k = [Float](repeating: 0, count: 16 * 9)
        for i in 0..<4 { for j in 0..<4 { for a in 0..<3 { for b in 0..<3 {
            let tap = 3 * a + b
            k[(4 * i + j) * 9 + (flipped ? 8 - tap : tap)] = g[i][a] * g[j][b]
        } } } }
        let pairs = outChannels * channels
        return [Float](unsafeUninitializedCapacity: 16 * pairs) { u, count in
            k.withUnsafeBufferPointer { kp in
                GEMM.multiply(m: 16, n: pairs, k: 9, a: kp.baseAddress!, lda: 9, b: w, ldb: 9, transposeB: true,
                              c: u.baseAddress!, ldc: pairs, accumulate: false)
            }
            count = 16 * pairs
        }
    }

    /// out `[O, Ho, Wo]` (+)= the convolution of `image` `[C, H, W]` with the weight whose
    /// transform is `u` (`transformedWeight`: `[16, O, C]`, or with `weightTransposed` `[16, C, O]`
    /// holding each U_e transposed), plus `bias` `[O]` if given. `parallel`: the blocks of tiles
    /// (or, for a single block, its GEMMs) use every core.
    func convolve(_ image: UnsafePointer<Float>, weight u: UnsafePointer<Float>, weightTransposed: Bool, outChannels: Int,
                  bias: [Float]?, into out: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool, rowsPerBlock: Int? = nil) {
        // (`rowsPerBlock`: for tests, which show that the cut changes no bit.)
        let rowsPerBlock = rowsPerBlock ?? self.rowsPerBlock(outChannels: outChannels)
        let blocks = (tileRows + rowsPerBlock - 1) / rowsPerBlock
        let (x, y, w) = (UncheckedSendable(image), UncheckedSendable(out), UncheckedSendable(u))
        (bias ?? []).withUnsafeBufferPointer { b in
            let shift = UncheckedSendable(bias == nil ? nil : b.baseAddress)
            func run(_ block: Int, inner: Bool) {
                let first = block &* rowsPerBlock
                convolveBlock(x.value, u: w.value, weightTransposed: weightTransposed, outChannels: outChannels, bias: shift.value,
                              tileRows: first..<Swift.min(tileRows, first &+ rowsPerBlock), into: y.value, accumulate: accumulate, parallel: inner)
            }
            if blocks == 1 {
                run(0, inner: parallel)
            } else if parallel {
                Parallel.forEach(chunks: blocks) { run($0, inner: false) }
            } else {
                for block in 0..<blocks { run(block, inner: false) }
            }
        }
    }

    /// Tile rows per block: at least 128 tiles a block (so each of the 16 GEMMs reuses its packed
    /// U_e over enough columns), at most about 2¹⁶ / (C + O) (so V and M of a block, 16·(C + O)·Tb
    /// floats, stay within a few MiB), the rows shared evenly between the blocks.
    func rowsPerBlock(outChannels: Int) -> Int {
        let target = Swift.max(128, 65536 / (channels + outChannels))
        let rows = Swift.min(tileRows, Swift.max(1, (target + tileColumns - 1) / tileColumns))
        let blocks = (tileRows + rows - 1) / rows
        return (tileRows + blocks - 1) / blocks
    }

    /// Transform, multiply and transform back the tiles of `tileRows` (each of `tileColumns` tiles).
    private func convolveBlock(_ image: UnsafePointer<Float>, u: UnsafePointer<Float>, weightTransposed: Bool, outChannels: Int,
                               bias: UnsafePointer<Float>?, tileRows rows: Range<Int>, into out: UnsafeMutablePointer<Float>,
                               accumulate: Bool, parallel: Bool) {
        let tx = tileColumns, tiles = rows.count &* tx
        // Row pitch of V and M: 16 floats past the last tile, for the lanes of a row's last
        // vector of 16 tiles that run past it (written or read, never used).
        let ld = tiles &+ 16
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 &* channels &* ld)
        let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 &* outChannels &* ld)
        defer { v.deallocate(); m.deallocate() }
        // The product never writes M's 16 columns past the tiles, which the output transform's
        // last vector of each row reads (and drops): zeroed, so no uninitialised value is read.
        for r in 0..<(16 &* outChannels) { (m + (r &* ld &+ tiles)).update(repeating: 0, count: 16) }
        transformInput(image, tileRows: rows, into: v, ld: ld)
        for e in 0..<16 {
            let ue = u + e &* outChannels &* channels
            GEMM.multiply(m: outChannels, n: tiles, k: channels,
                          a: ue, lda: weightTransposed ? outChannels : channels, transposeA: weightTransposed,
                          b: v + e &* channels &* ld, ldb: ld, c: m + e &* outChannels &* ld, ldc: ld, accumulate: false, parallel: parallel)
        }
        transformOutput(m, ld: ld, outChannels: outChannels, bias: bias, tileRows: rows, into: out, accumulate: accumulate)
    }

    /// Vectors of 16 tiles per tile row: the last one runs past the row by up to 15 tiles.
    private var vectorsPerRow: Int { (tileColumns + 15) / 16 }

    /// V[e, c, t] = (Bᵀ d B)[e] for each tile t of `rows` (numbered from the block's first) and
    /// channel c, `[16, C, ld]`. Each channel's input rows under the block are first copied into
    /// a zero-padded strip (in L1), wide enough for every vector load of the last 16 tiles.
    private func transformInput(_ image: UnsafePointer<Float>, tileRows rows: Range<Int>, into v: UnsafeMutablePointer<Float>, ld: Int) {
        let tx = tileColumns, vectors = vectorsPerRow
        let stripWidth = 32 &* vectors &+ 2 &+ 32, stripRows = 2 &* rows.count &+ 2
        let strip = UnsafeMutablePointer<Float>.allocate(capacity: stripWidth &* stripRows)
        defer { strip.deallocate() }
        let firstInputRow = 2 &* rows.lowerBound &- padY
        let plane = channels &* ld
        for c in 0..<channels {
            let source = image + c &* height &* width
            for r in 0..<stripRows {
                let line = strip + r &* stripWidth, iy = firstInputRow &+ r
                if iy < 0 || iy >= height {
                    line.update(repeating: 0, count: stripWidth)
                } else {
                    line.update(repeating: 0, count: padX)
                    (line + padX).update(from: source + iy &* width, count: width)
                    (line + (padX &+ width)).update(repeating: 0, count: stripWidth &- padX &- width)
                }
            }
            let channelOut = v + c &* ld
            for row in 0..<rows.count {
                for vector in 0..<vectors {
                    let t0 = vector &* 16
                    let corner = UnsafeRawPointer(strip + (2 &* row &* stripWidth &+ 2 &* t0))
                    // Row r of 16 tiles' 4×4 blocks: input columns 2t + j, the even and odd
                    // halves of 32 consecutive floats (j = 0, 1) and of the 32 two further on (2, 3).
                    // Straight-line code throughout: every shuffle is known at compile time.
                    let a0 = load32(corner, 0), b0 = load32(corner, 2)
                    let a1 = load32(corner, stripWidth), b1 = load32(corner, stripWidth &+ 2)
                    let a2 = load32(corner, 2 &* stripWidth), b2 = load32(corner, 2 &* stripWidth &+ 2)
                    let a3 = load32(corner, 3 &* stripWidth), b3 = load32(corner, 3 &* stripWidth &+ 2)
                    // Bᵀ·d down each column j: c_j = (row 0, 1, 2, 3 of Bᵀ d at column j).
                    let c0 = Self.inputRows(evens(a0), evens(a1), evens(a2), evens(a3))
                    let c1 = Self.inputRows(odds(a0), odds(a1), odds(a2), odds(a3))
                    let c2 = Self.inputRows(evens(b0), evens(b1), evens(b2), evens(b3))
                    let c3 = Self.inputRows(odds(b0), odds(b1), odds(b2), odds(b3))
                    // Then (Bᵀ d)·B along each row i, to V[4i…4i + 3].
                    let at = channelOut + (row &* tx &+ t0)
                    let v0 = Self.inputRows(c0.0, c1.0, c2.0, c3.0), v1 = Self.inputRows(c0.1, c1.1, c2.1, c3.1)
                    let v2 = Self.inputRows(c0.2, c1.2, c2.2, c3.2), v3 = Self.inputRows(c0.3, c1.3, c2.3, c3.3)
                    store(v0.0, at); store(v0.1, at + plane); store(v0.2, at + 2 &* plane); store(v0.3, at + 3 &* plane)
                    store(v1.0, at + 4 &* plane); store(v1.1, at + 5 &* plane); store(v1.2, at + 6 &* plane); store(v1.3, at + 7 &* plane)
                    store(v2.0, at + 8 &* plane); store(v2.1, at + 9 &* plane); store(v2.2, at + 10 &* plane); store(v2.3, at + 11 &* plane)
                    store(v3.0, at + 12 &* plane); store(v3.1, at + 13 &* plane); store(v3.2, at + 14 &* plane); store(v3.3, at + 15 &* plane)
                }
            }
        }
    }

    /// Bᵀ·(x0, x1, x2, x3): (x0 − x2, x1 + x2, x2 − x1, x1 − x3), for 16 tiles at once.
    @inline(__always)
    static func inputRows(_ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>, _ x3: SIMD16<Float>)
        -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        (x0 - x2, x1 + x2, x2 - x1, x1 - x3)
    }

    /// Aᵀ·(x0, x1, x2, x3): (x0 + x1 + x2, x1 − x2 − x3), for 16 tiles at once.
    @inline(__always)
    static func outputRows(_ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>, _ x3: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        (x0 + x1 + x2, x1 - x2 - x3)
    }

    /// out[o, 2ty + i, 2tx + j] (+)= (Aᵀ M A)[i, j] + bias[o] for each tile of `rows`, from
    /// M `[16, O, ld]`; the second row or column of a tile at an odd edge is dropped.
    private func transformOutput(_ m: UnsafePointer<Float>, ld: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                                 tileRows rows: Range<Int>, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let tx = tileColumns, vectors = vectorsPerRow
        let (ho, wo) = (outputHeight, outputWidth)
        let plane = outChannels &* ld
        for o in 0..<outChannels {
            let shift = bias?[o] ?? 0
            let channelIn = m + o &* ld, channelOut = out + o &* ho &* wo
            for row in 0..<rows.count {
                let oy = 2 &* (rows.lowerBound &+ row)
                for vector in 0..<vectors {
                    let t0 = vector &* 16
                    let at = channelIn + (row &* tx &+ t0)
                    // Aᵀ·M down each column j of the 4×4 M, then (Aᵀ M)·A along the two rows.
                    let c0 = Self.outputRows(load(at), load(at + 4 &* plane), load(at + 8 &* plane), load(at + 12 &* plane))
                    let c1 = Self.outputRows(load(at + plane), load(at + 5 &* plane), load(at + 9 &* plane), load(at + 13 &* plane))
                    let c2 = Self.outputRows(load(at + 2 &* plane), load(at + 6 &* plane), load(at + 10 &* plane), load(at + 14 &* plane))
                    let c3 = Self.outputRows(load(at + 3 &* plane), load(at + 7 &* plane), load(at + 11 &* plane), load(at + 15 &* plane))
                    let top = Self.outputRows(c0.0, c1.0, c2.0, c3.0), bottom = Self.outputRows(c0.1, c1.1, c2.1, c3.1)
                    let y00 = top.0 + shift, y01 = top.1 + shift, y10 = bottom.0 + shift, y11 = bottom.1 + shift
                    let ox = 2 &* t0
                    write(y00, y01, to: channelOut + oy &* wo, from: ox, width: wo, accumulate: accumulate)
                    if oy &+ 1 < ho { write(y10, y11, to: channelOut + (oy &+ 1) &* wo, from: ox, width: wo, accumulate: accumulate) }
                }
            }
        }
    }

    /// line[ox + 2l] (+)= even[l], line[ox + 2l + 1] (+)= odd[l] for the columns below `width`.
    @inline(__always)
    private func write(_ even: SIMD16<Float>, _ odd: SIMD16<Float>, to line: UnsafeMutablePointer<Float>, from ox: Int, width: Int,
                       accumulate: Bool) {
        // Two 16-float halves (arithmetic on SIMD32 compiles to a loop over its lanes), each one
        // store when it fits in the row (a 28-wide row: the first 16 columns), else lane by lane.
        @inline(__always) func put(_ half: SIMD16<Float>, at x: Int) {
            if x &+ 16 <= width {
                store(accumulate ? half + load(line + x) : half, line + x)
            } else {
                writeEdge(half, from: x, to: line, width: width, accumulate: accumulate)
            }
        }
        let (low, high) = interleaved(even, odd)
        put(low, at: ox)
        put(high, at: ox &+ 16)
    }

    /// line[ox + l] (+)= values[l] for the columns below `width`, lane by lane: `write` at the
    /// right edge (kept out of line: indexing a vector by a variable sends it through memory,
    /// and inlined that would slow the whole loop).
    @inline(never)
    private func writeEdge(_ values: SIMD16<Float>, from ox: Int, to line: UnsafeMutablePointer<Float>, width: Int, accumulate: Bool) {
        for l in 0..<Swift.max(0, Swift.min(16, width &- ox)) {
            if accumulate { line[ox &+ l] += values[l] } else { line[ox &+ l] = values[l] }
        }
    }

    /// Lanes 0, 2, …, 30 and 1, 3, …, 31 of `v`, and their inverse (as two halves), written lane
    /// by lane so that the compiler makes each one shuffle (the standard library's `evenHalf` is a
    /// call and a loop).
    @inline(__always) private func evens(_ v: SIMD32<Float>) -> SIMD16<Float> {
        SIMD16(v[0], v[2], v[4], v[6], v[8], v[10], v[12], v[14], v[16], v[18], v[20], v[22], v[24], v[26], v[28], v[30])
    }

    @inline(__always) private func odds(_ v: SIMD32<Float>) -> SIMD16<Float> {
        SIMD16(v[1], v[3], v[5], v[7], v[9], v[11], v[13], v[15], v[17], v[19], v[21], v[23], v[25], v[27], v[29], v[31])
    }

    @inline(__always) private func interleaved(_ e: SIMD16<Float>, _ o: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        (SIMD16(e[0], o[0], e[1], o[1], e[2], o[2], e[3], o[3], e[4], o[4], e[5], o[5], e[6], o[6], e[7], o[7]),
         SIMD16(e[8], o[8], e[9], o[9], e[10], o[10], e[11], o[11], e[12], o[12], e[13], o[13], e[14], o[14], e[15], o[15]))
    }

    @inline(__always) private func load32(_ p: UnsafeRawPointer, _ floats: Int) -> SIMD32<Float> {
        p.loadUnaligned(fromByteOffset: floats &* 4, as: SIMD32<Float>.self)
    }

    @inline(__always) private func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) private func store(_ value: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}
