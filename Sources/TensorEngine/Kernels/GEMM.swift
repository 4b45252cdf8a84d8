/// Single-precision matrix multiplication, C = A·B (or C += A·B), row-major.
///
/// Two implementations live side by side, as in llm.c: `naive` is the three-loop definition
/// (the reference every test compares against) and `multiply` is the fast path:
///
/// - **Packing.** Each K-block of A is copied in slabs of 16 panels of `mr` rows (128 or 96 rows);
///   each `kc × nr` panel of B (nr = `panelWidth`, 16 or 32 columns) is copied once and swept by
///   every row panel of the slab, so the inner loop reads both sequentially. A narrow B that
///   several slabs share is packed once per K-block, all its panels; a transposed B is packed
///   16 × 16 at a time in registers. Operands are read in place, transposed or not, or through
///   row starts (`aRows`, `bRows`: a convolution's im2col rows, see `ShiftedRows`).
/// - **Register blocking.** The micro-kernel keeps an `mr × nr` tile of C in SIMD registers and
///   does `mr·nr` multiply-adds per `mr + nr` loads.
/// - **Determinism.** Every C element is a sum over k in increasing order, K-block by K-block;
///   threads split the rows or the columns of C by the shape alone, so the bits never depend on
///   the thread count (nor on the panel width).
///
/// Cost: 2·M·N·K flops. Memory per thread: one packed B panel (`kc·nr` floats, 16 or 32 KiB; all
/// of a narrow B's K-block, up to 512 KiB) and one packed slab of A (`min(M, 16·mr)·kc` floats, up
/// to 128 KiB).
public enum GEMM {
    /// Lanes per SIMD vector, the K-block.
    static let lanes = 16, kc = 256
    /// Rows per micro-tile: 8 on CPUs with AVX-512 (8 × 32 = sixteen 512-bit accumulators, 8 × 16
    /// eight; the 16, 32, 64… output channels of a network fill whole tiles), else 6 (6 × 16 fits
    /// AVX2's 16 registers). Like the panel width, it never changes a sum.
    public static let tileRows: Int = CPUFeatures.hasAVX512 ? 8 : 6
    /// Columns per micro-tile: 32 on CPUs with AVX-512 (6 × 32 = twelve 512-bit accumulators,
    /// enough independent FMAs to cover their latency on two FMA units), else 16 (6 × 16 fits the
    /// 16 registers of AVX2 and NEON's 32 × 128 bits). Either way every C element is the same sum
    /// in the same order: the results do not depend on the choice.
    public static let panelWidth: Int = CPUFeatures.hasAVX512 ? 32 : 16
    /// Row blocks of A packed together (128 rows × kc floats = 128 KiB with 8-row tiles).
    static let slab = 16

    /// The reference: `C[i, j] (+)= Σ_k A[i, k] · B[k, j]`, with leading dimensions (row strides),
    /// or with row starts (`aRows`, `bRows`: row r at `a + aRows[r]`) as in `multiply`.
    public static func naive(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, aRows: UnsafePointer<Int>? = nil,
        b: UnsafePointer<Float>, ldb: Int, bRows: UnsafePointer<Int>? = nil,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        for i in 0..<m {
            let ai = aRows.map { a + $0[i] } ?? a + i * lda
            for j in 0..<n {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k { sum += ai[p] * (bRows.map { b + $0[p] } ?? b + p * ldb)[j] }
                c[i * ldc + j] = sum
            }
        }
    }

    /// The fast path, same contract as `naive` (results agree to rounding; summation order differs).
    /// With `transposeA`, `a` holds Aᵀ (`k × m`, row stride `lda`); with `transposeB`, `b` holds
    /// Bᵀ (`n × k`). The packing step reads either layout, so no transpose is ever materialised.
    /// `parallel: false` keeps the call on the current thread (for callers that are already
    /// running one task per core, such as the convolution's groups of images).
    ///
    /// `aRows` / `bRows` (optional) give where each *stored* row of an operand starts: row r at
    /// `a + aRows[r]` instead of `a + r·lda` (`lda` is then unused). A stride-1 convolution
    /// reads its input this way as an im2col matrix that is never written out: row (c, ky, kx)
    /// is the padded image shifted by `c·Hp·Wp + ky·Wp + kx` (see `ConvolutionPlan`). Same
    /// sums in the same order as with the rows copied out.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false, aRows: UnsafePointer<Int>? = nil,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false, bRows: UnsafePointer<Int>? = nil,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, parallel: Bool = true,
        panelWidth: Int = GEMM.panelWidth, tileRows: Int = GEMM.tileRows
    ) {
        precondition(panelWidth == 16 || panelWidth == 32, "panel width is 16 or 32")
        // A product at most 16 columns wide (a linear layer's 10 logits, a 3×3 kernel's 9 taps)
        // would leave most of a 32-wide tile idle: use the 16-wide one (same bits either way).
        let panelWidth = n <= 16 ? 16 : panelWidth
        precondition(tileRows == 6 || tileRows == 8, "a tile has 6 or 8 rows")
        let mr = tileRows
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        // The output is cut into chunks along its longer side (rows of C in blocks of `mr`, or
        // columns in panels of `nr`). The cut depends only on the shape, and each chunk runs the
        // whole K loop itself, so no thread count changes any sum.
        let rowBlocks = (m + mr - 1) / mr, panels = (n + panelWidth - 1) / panelWidth
        let work = m &* n &* k
        let splitRows = rowBlocks >= panels
        let pieces = splitRows ? rowBlocks : panels
        // Below ~2 MFLOP the wake-up of a second thread costs more than it saves. Every chunk
        // reads all of the operand the chunks share (B when they split the rows): past 1 MiB it
        // comes from memory each time, so a large one is shared by at most 4 chunks (a weight
        // gradient of a 224×224 image, 576 × 64 × 50398, ran at 97 GFLOP/s in 16 chunks).
        // Each chunk also packs all of that shared operand again, so a chunk gets at least a slab
        // of rows (16 row blocks) or 8 panels of columns to sweep with it (ResNet-50's 256 × 196 ×
        // 1024 ran at 147 GFLOP/s in 16 chunks of 3 row blocks); an even count, for two cores.
        let shared = splitRows ? k &* n : m &* k
        let byPacking = Swift.max(2, (pieces / (splitRows ? slab : 8)) & ~1)
        let chunks = work < (1 << 20) || !parallel ? 1 : Swift.min(pieces, shared > 1 << 18 ? 4 : 16, byPacking)
        let perChunk = (pieces + chunks - 1) / chunks
        let (sa, sb, sc) = (UncheckedSendable(a), UncheckedSendable(b), UncheckedSendable(c))
        let (ra, rb) = (UncheckedSendable(aRows), UncheckedSendable(bRows))
        Parallel.forEach(chunks: chunks) { chunk in
            let first = chunk * perChunk, last = Swift.min(pieces, first + perChunk)
            guard first < last else { return }
            let rows = splitRows ? (first * mr)..<Swift.min(m, last * mr) : 0..<m
            let columns = splitRows ? 0..<n : (first * panelWidth)..<Swift.min(n, last * panelWidth)
            block(rows: rows, columns: columns, k: k, a: Operand(sa.value, lda, transposeA, rows: ra.value),
                  b: Operand(sb.value, ldb, transposeB, rows: rb.value),
                  c: sc.value, ldc: ldc, accumulate: accumulate, panelWidth: panelWidth, tileRows: mr)
        }
    }

    /// C[rows, columns] (+)= A[rows, :] · B[:, columns], K-block by K-block.
    ///
    /// Loop order for the skinny products of small images (M = output channels ≤ a few hundred,
    /// N = pixels in the thousands): A's K-block is packed once per slab of up to 128 rows (≤ 128
    /// KiB, in L2), then each `kc × nr` panel of B is packed (16 or 32 KiB, in L1) and swept by every row block.
    private static func block(
        rows: Range<Int>, columns: Range<Int>, k: Int, a: Operand, b: Operand,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, panelWidth nr: Int, tileRows mr: Int
    ) {
        let n = columns.count
        let panels = (n + nr - 1) / nr
        let kbMax = Swift.min(k, kc)
        let slabBlocks = Swift.min((rows.count + mr - 1) / mr, slab)
        // Several slabs of rows and a narrow B (a weight gradient `[K, O]`: thousands of rows, a
        // few hundred columns): the K-block of B is packed once, all its panels (≤ 512 KiB), and
        // every slab reuses them, instead of packing each panel again for every slab.
        let slabs = (rows.count + slab * mr - 1) / (slab * mr)
        let packsAllPanels = slabs > 1 && panels &* nr &* kbMax <= 1 << 17
        let packedB = UnsafeMutablePointer<Float>.allocate(capacity: (packsAllPanels ? panels : 1) * nr * kbMax)
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: slabBlocks * mr * kbMax)
        defer { packedB.deallocate(); packedA.deallocate() }
        var p0 = 0
        while p0 < k {
            let kb = Swift.min(kc, k - p0)
            let add = accumulate || p0 > 0
            if packsAllPanels {
                for panel in 0..<panels {
                    let j0 = panel &* nr
                    packB(b, row: p0, column: columns.lowerBound &+ j0, width: Swift.min(nr, n &- j0), panelWidth: nr, kb: kb,
                          into: packedB + panel &* nr &* kb)
                }
            }
            // Rows in slabs of at most `slab · mr`, so packed A stays in L2 even for tall A.
            var s0 = rows.lowerBound
            while s0 < rows.upperBound {
                let s1 = Swift.min(rows.upperBound, s0 &+ slab &* mr)
                let rowBlocks = (s1 &- s0 &+ mr &- 1) / mr
                if a.transposed && mr == 8 {
                    packTransposedSlab(a, rows: s0..<s1, column: p0, kb: kb, into: packedA)
                } else {
                    for blockIndex in 0..<rowBlocks {
                        let i0 = s0 &+ blockIndex &* mr
                        packA(a, row: i0, column: p0, rows: Swift.min(mr, s1 &- i0), tileRows: mr, kb: kb, into: packedA + blockIndex &* mr &* kb)
                    }
                }
                for panel in 0..<panels {
                    let j0 = panel &* nr
                    let width = Swift.min(nr, n &- j0)
                    let panelB = packsAllPanels ? packedB + panel &* nr &* kb : packedB
                    if !packsAllPanels {
                        packB(b, row: p0, column: columns.lowerBound &+ j0, width: width, panelWidth: nr, kb: kb, into: packedB)
                    }
                    for blockIndex in 0..<rowBlocks {
                        let i0 = s0 &+ blockIndex &* mr
                        let tile = c + (i0 &* ldc &+ columns.lowerBound &+ j0)
                        if nr == 32 && mr == 8 {
                            wideMicroKernel(kb: kb, packedA: packedA + blockIndex &* mr &* kb, packedB: panelB, c: tile, ldc: ldc,
                                            rows: Swift.min(mr, s1 &- i0), columns: width, accumulate: add)
                        } else if nr == 32 {
                            wideMicroKernel6(kb: kb, packedA: packedA + blockIndex &* mr &* kb, packedB: panelB, c: tile, ldc: ldc,
                                             rows: Swift.min(mr, s1 &- i0), columns: width, accumulate: add)
                        } else if mr == 8 {
                            microKernel8(kb: kb, packedA: packedA + blockIndex &* mr &* kb, packedB: panelB, c: tile, ldc: ldc,
                                         rows: Swift.min(mr, s1 &- i0), columns: width, accumulate: add)
                        } else {
                            microKernel(kb: kb, packedA: packedA + blockIndex &* mr &* kb, packedB: panelB, c: tile, ldc: ldc,
                                        rows: Swift.min(mr, s1 &- i0), columns: width, accumulate: add)
                        }
                    }
                }
                s0 = s1
            }
            p0 += kb
        }
    }

    /// A matrix operand: element (i, j) of the logical matrix is at `base[i·ld + j]`, or at
    /// `base[j·ld + i]` when the memory holds its transpose. With `rows`, row r of the stored
    /// matrix starts at `base + rows[r]` instead of `base + r·ld` (see `multiply(…, aRows:, bRows:)`).
    struct Operand {
        let base: UnsafePointer<Float>, ld: Int, transposed: Bool, rows: UnsafePointer<Int>?
        init(_ base: UnsafePointer<Float>, _ ld: Int, _ transposed: Bool, rows: UnsafePointer<Int>? = nil) {
            self.base = base; self.ld = ld; self.transposed = transposed; self.rows = rows
        }
        /// The start of stored row `r` (a row of the logical matrix, or of its transpose).
        @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> {
            if let rows { return base + rows[r] }
            return base + r &* ld
        }
    }

    /// Copies the panel B[row..<row+kb, column..<column+width] (width ≤ nr) so that B[row+k,
    /// column+j] sits at `k·nr + j`, zero-padded past `width`.
    @inline(__always)
    private static func packB(_ b: Operand, row: Int, column: Int, width: Int, panelWidth nr: Int, kb: Int,
                              into dst: UnsafeMutablePointer<Float>) {
        if !b.transposed {
            if width == nr {
                for p in 0..<kb {
                    let src = UnsafeRawPointer(b.row(row &+ p) + column)
                    let d = UnsafeMutableRawPointer(dst + p &* nr)
                    d.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    if nr == 32 {
                        d.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64, as: SIMD16<Float>.self)
                    }
                }
            } else {
                // A narrow last panel: zeroed in one pass, then each row copied (not a `memset`
                // call per row, which cost a tenth of a 3×3 kernel's 9-column weight gradient).
                dst.update(repeating: 0, count: kb &* nr)
                for p in 0..<kb { (dst + p &* nr).update(from: b.row(row &+ p) + column, count: width) }
            }
        } else {
            // Bᵀ in memory: column j of B is a contiguous row. Blocks of 16 columns × 16 rows are
            // transposed in registers; what is left over, one value at a time.
            if width < nr { dst.update(repeating: 0, count: kb &* nr) }
            var j0 = 0
            while j0 &+ 16 <= width {
                var p0 = 0
                while p0 &+ 16 <= kb {
                    transpose16(b, firstRow: column &+ j0, offset: row &+ p0, into: dst + (p0 &* nr &+ j0), stride: nr)
                    p0 &+= 16
                }
                for j in j0..<(j0 &+ 16) {
                    let src = b.row(column &+ j) + row
                    for p in p0..<kb { dst[p &* nr &+ j] = src[p] }
                }
                j0 &+= 16
            }
            for j in j0..<width {
                let src = b.row(column &+ j) + row
                for p in 0..<kb { dst[p &* nr &+ j] = src[p] }
            }
        }
    }

    /// dst[p·stride + j] = row(firstRow + j)[offset + p] for p, j < 16 (`transpose16` in
    /// registers): the same values as the element-by-element copy, without 256 scalar stores.
    @inline(__always)
    private static func transpose16(_ b: Operand, firstRow: Int, offset: Int, into dst: UnsafeMutablePointer<Float>, stride: Int) {
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 32) { buffer in
            let v = buffer.baseAddress!
            for j in 0..<16 { v[j] = UnsafeRawPointer(b.row(firstRow &+ j) + offset).loadUnaligned(as: SIMD16<Float>.self) }
            transpose16(v, scratch: v + 16)
            for p in 0..<16 { UnsafeMutableRawPointer(dst + p &* stride).storeBytes(of: v[p], as: SIMD16<Float>.self) }
        }
    }

    /// v[j][i] ↔ v[i][j] for i, j < 16, in place (`scratch`: 16 more vectors): four rounds of
    /// even/odd splits (round r pairs vectors 2i and 2i+1: vector i takes both even halves,
    /// vector i+8 both odd halves; after four rounds vector p holds lane p of every vector).
    /// Values move, bits unchanged (integers may ride through as float bit patterns).
    @inline(__always)
    static func transpose16(_ v: UnsafeMutablePointer<SIMD16<Float>>, scratch w: UnsafeMutablePointer<SIMD16<Float>>) {
        @inline(__always) func round(_ from: UnsafeMutablePointer<SIMD16<Float>>, _ to: UnsafeMutablePointer<SIMD16<Float>>) {
            for i in 0..<8 {
                let a = from[2 &* i], c = from[2 &* i &+ 1]
                to[i] = SIMD16(lowHalf: a.evenHalf, highHalf: c.evenHalf)
                to[i &+ 8] = SIMD16(lowHalf: a.oddHalf, highHalf: c.oddHalf)
            }
        }
        round(v, w); round(w, v); round(v, w); round(w, v)
    }

    /// out[8·p + r] = rows[r][p] for p, r < 8: an 8 × 8 transpose in three rounds of even/odd
    /// splits (as `transpose16`), the same values as the element-by-element copy.
    @inline(__always)
    private static func transpose8(_ rows: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                                            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                                   into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        var v = (load(rows.0), load(rows.1), load(rows.2), load(rows.3), load(rows.4), load(rows.5), load(rows.6), load(rows.7))
        @inline(__always) func round(_ f: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>))
            -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            (SIMD8(lowHalf: f.0.evenHalf, highHalf: f.1.evenHalf), SIMD8(lowHalf: f.2.evenHalf, highHalf: f.3.evenHalf),
             SIMD8(lowHalf: f.4.evenHalf, highHalf: f.5.evenHalf), SIMD8(lowHalf: f.6.evenHalf, highHalf: f.7.evenHalf),
             SIMD8(lowHalf: f.0.oddHalf, highHalf: f.1.oddHalf), SIMD8(lowHalf: f.2.oddHalf, highHalf: f.3.oddHalf),
             SIMD8(lowHalf: f.4.oddHalf, highHalf: f.5.oddHalf), SIMD8(lowHalf: f.6.oddHalf, highHalf: f.7.oddHalf))
        }
        v = round(round(round(v)))
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: v.0, toByteOffset: 0, as: SIMD8<Float>.self); raw.storeBytes(of: v.1, toByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.2, toByteOffset: 64, as: SIMD8<Float>.self); raw.storeBytes(of: v.3, toByteOffset: 96, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.4, toByteOffset: 128, as: SIMD8<Float>.self); raw.storeBytes(of: v.5, toByteOffset: 160, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.6, toByteOffset: 192, as: SIMD8<Float>.self); raw.storeBytes(of: v.7, toByteOffset: 224, as: SIMD8<Float>.self)
    }

    /// `packA` for every 8-row tile of `rows` at once, from Aᵀ in memory (a convolution's ∂x
    /// reads its weight `[O, K]` this way): each k's stored row holds all the slab's rows side by
    /// side, so it is read once, contiguously, and handed out 8 floats per tile. Tile by tile
    /// (`packA`), each k meant a new row of the weight, pages apart: the scalar copy of that
    /// was a sixth of a 224×224 saliency map. The same values in the same places.
    private static func packTransposedSlab(_ a: Operand, rows: Range<Int>, column: Int, kb: Int, into out: UnsafeMutablePointer<Float>) {
        let whole = rows.count / 8, rest = rows.count % 8
        let last = out + whole &* 8 &* kb
        if rest > 0 { last.update(repeating: 0, count: 8 &* kb) }
        for p in 0..<kb {
            let src = a.row(column &+ p) + rows.lowerBound
            for t in 0..<whole {
                let v = UnsafeRawPointer(src + t &* 8).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + (t &* kb &+ p) &* 8).storeBytes(of: v, as: SIMD8<Float>.self)
            }
            for r in 0..<rest { last[p &* 8 &+ r] = src[whole &* 8 &+ r] }
        }
    }

    /// Copies A[row..<row+rows, column..<column+kb] so that A[r, k] sits at `k·mr + r` (mr =
    /// `tileRows`, 6 or 8), zero past `rows`.
    private static func packA(_ a: Operand, row: Int, column: Int, rows: Int, tileRows mr: Int, kb: Int, into out: UnsafeMutablePointer<Float>) {
        if rows < mr { out.update(repeating: 0, count: mr &* kb) }
        if a.transposed {
            for p in 0..<kb {
                let src = a.row(column &+ p) + row
                for r in 0..<rows { out[p &* mr &+ r] = src[r] }
            }
        } else if rows == 8 {
            // Eight row streams in, one sequential stream out: 8 × 8 blocks transposed in
            // registers (`transpose8`), the tail one value at a time (the other loop order
            // compiles to scatter instructions, slow on x86). A weight gradient's A is im2col's
            // matrix, thousands of columns long: this copy was a tenth of a training step.
            let r0 = a.row(row) + column, r1 = a.row(row &+ 1) + column, r2 = a.row(row &+ 2) + column
            let r3 = a.row(row &+ 3) + column, r4 = a.row(row &+ 4) + column, r5 = a.row(row &+ 5) + column
            let r6 = a.row(row &+ 6) + column, r7 = a.row(row &+ 7) + column
            var p0 = 0
            while p0 &+ 8 <= kb {
                transpose8((r0 + p0, r1 + p0, r2 + p0, r3 + p0, r4 + p0, r5 + p0, r6 + p0, r7 + p0), into: out + p0 &* 8)
                p0 &+= 8
            }
            for p in p0..<kb {
                let o = out + p &* 8
                o[0] = r0[p]; o[1] = r1[p]; o[2] = r2[p]; o[3] = r3[p]; o[4] = r4[p]; o[5] = r5[p]; o[6] = r6[p]; o[7] = r7[p]
            }
        } else if rows == 6 {
            // The same for six rows.
            let r0 = a.row(row) + column, r1 = a.row(row &+ 1) + column, r2 = a.row(row &+ 2) + column
            let r3 = a.row(row &+ 3) + column, r4 = a.row(row &+ 4) + column, r5 = a.row(row &+ 5) + column
            for p in 0..<kb {
                let o = out + p &* mr
                o[0] = r0[p]; o[1] = r1[p]; o[2] = r2[p]; o[3] = r3[p]; o[4] = r4[p]; o[5] = r5[p]
            }
        } else {
            for r in 0..<rows {
                let src = a.row(row &+ r) + column
                for p in 0..<kb { out[p &* mr &+ r] = src[p] }
            }
        }
    }

    /// C[0..<rows, 0..<columns] (+)= Apanel · Bpanel, a 6 × 16 register tile.
    @inline(__always)
    private static func microKernel(
        kb: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>, stride: Int = 16,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        // Six rows × 16 columns: 6 accumulators + 1 row of B + 1 broadcast fit in the 16 vector
        // registers of AVX2 (SIMD16 = 2 × 8 lanes) and the 32 of NEON or AVX-512.
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        let rawB = UnsafeRawPointer(packedB)
        var p = 0
        while p < kb {
            let bv = rawB.loadUnaligned(fromByteOffset: p &* stride &* 4, as: SIMD16<Float>.self)
            let ap = packedA + p &* 6
            multiplyAdd(&c0, ap[0], bv); multiplyAdd(&c1, ap[1], bv); multiplyAdd(&c2, ap[2], bv)
            multiplyAdd(&c3, ap[3], bv); multiplyAdd(&c4, ap[4], bv); multiplyAdd(&c5, ap[5], bv)
            p &+= 1
        }
        store(c0, to: c, columns: columns, accumulate: accumulate)
        if rows > 1 { store(c1, to: c + ldc, columns: columns, accumulate: accumulate) }
        if rows > 2 { store(c2, to: c + 2 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 3 { store(c3, to: c + 3 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 4 { store(c4, to: c + 4 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 5 { store(c5, to: c + 5 &* ldc, columns: columns, accumulate: accumulate) }
    }

    /// C[0..<rows, 0..<columns] (+)= Apanel · Bpanel, an 8 × 16 register tile (AVX-512: eight
    /// accumulators, enough independent FMAs for two FMA units of latency 4).
    @inline(__always)
    private static func microKernel8(
        kb: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
        var c4 = SIMD16<Float>(), c5 = SIMD16<Float>(), c6 = SIMD16<Float>(), c7 = SIMD16<Float>()
        let rawB = UnsafeRawPointer(packedB)
        var p = 0
        while p < kb {
            let bv = rawB.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
            let ap = packedA + p &* 8
            multiplyAdd(&c0, ap[0], bv); multiplyAdd(&c1, ap[1], bv); multiplyAdd(&c2, ap[2], bv); multiplyAdd(&c3, ap[3], bv)
            multiplyAdd(&c4, ap[4], bv); multiplyAdd(&c5, ap[5], bv); multiplyAdd(&c6, ap[6], bv); multiplyAdd(&c7, ap[7], bv)
            p &+= 1
        }
        store(c0, to: c, columns: columns, accumulate: accumulate)
        if rows > 1 { store(c1, to: c + ldc, columns: columns, accumulate: accumulate) }
        if rows > 2 { store(c2, to: c + 2 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 3 { store(c3, to: c + 3 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 4 { store(c4, to: c + 4 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 5 { store(c5, to: c + 5 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 6 { store(c6, to: c + 6 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 7 { store(c7, to: c + 7 &* ldc, columns: columns, accumulate: accumulate) }
    }

    /// C[0..<rows, 0..<columns] (+)= Apanel · Bpanel, a 6 × 32 register tile (the 32-column tile
    /// with 6-row panels: only where a test asks for it, to hold every tile to the same bits).
    @inline(__always)
    private static func wideMicroKernel6(
        kb: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        let left = Swift.min(columns, 16), right = columns &- left
        microKernel(kb: kb, packedA: packedA, packedB: packedB, stride: 32, c: c, ldc: ldc, rows: rows, columns: left, accumulate: accumulate)
        if right > 0 {
            microKernel(kb: kb, packedA: packedA, packedB: packedB + 16, stride: 32, c: c + 16, ldc: ldc, rows: rows, columns: right,
                        accumulate: accumulate)
        }
    }

    /// C[0..<rows, 0..<columns] (+)= Apanel · Bpanel, an 8 × 32 register tile (AVX-512 only:
    /// sixteen accumulators of 16 lanes; per k, 16 FMAs for 2 loads of B and 8 broadcasts of A).
    @inline(__always)
    private static func wideMicroKernel(
        kb: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
        var c4 = SIMD16<Float>(), c5 = SIMD16<Float>(), c6 = SIMD16<Float>(), c7 = SIMD16<Float>()
        var c8 = SIMD16<Float>(), c9 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c12 = SIMD16<Float>(), c13 = SIMD16<Float>(), c14 = SIMD16<Float>(), c15 = SIMD16<Float>()
        let rawB = UnsafeRawPointer(packedB)
        var p = 0
        while p < kb {
            let b0 = rawB.loadUnaligned(fromByteOffset: p &* 128, as: SIMD16<Float>.self)
            let b1 = rawB.loadUnaligned(fromByteOffset: p &* 128 &+ 64, as: SIMD16<Float>.self)
            let ap = packedA + p &* 8
            multiplyAdd(&c0, ap[0], b0); multiplyAdd(&c1, ap[0], b1)
            multiplyAdd(&c2, ap[1], b0); multiplyAdd(&c3, ap[1], b1)
            multiplyAdd(&c4, ap[2], b0); multiplyAdd(&c5, ap[2], b1)
            multiplyAdd(&c6, ap[3], b0); multiplyAdd(&c7, ap[3], b1)
            multiplyAdd(&c8, ap[4], b0); multiplyAdd(&c9, ap[4], b1)
            multiplyAdd(&c10, ap[5], b0); multiplyAdd(&c11, ap[5], b1)
            multiplyAdd(&c12, ap[6], b0); multiplyAdd(&c13, ap[6], b1)
            multiplyAdd(&c14, ap[7], b0); multiplyAdd(&c15, ap[7], b1)
            p &+= 1
        }
        let left = Swift.min(columns, 16), right = columns &- left
        @inline(__always) func row(_ r: Int, _ lo: SIMD16<Float>, _ hi: SIMD16<Float>) {
            let base = c + r &* ldc
            store(lo, to: base, columns: left, accumulate: accumulate)
            if right > 0 { store(hi, to: base + 16, columns: right, accumulate: accumulate) }
        }
        row(0, c0, c1)
        if rows > 1 { row(1, c2, c3) }
        if rows > 2 { row(2, c4, c5) }
        if rows > 3 { row(3, c6, c7) }
        if rows > 4 { row(4, c8, c9) }
        if rows > 5 { row(5, c10, c11) }
        if rows > 6 { row(6, c12, c13) }
        if rows > 7 { row(7, c14, c15) }
    }

    /// `accumulator += a · b` with one rounding and one instruction where the target has FMA
    /// (every arm64 CPU; x86-64 from Haswell on, which `-target-cpu native` lets the compiler
    /// use). Without FMA in the target `addProduct` would be a library call per lane, so it is
    /// multiply, then add.
    @inline(__always)
    static func multiplyAdd(_ accumulator: inout SIMD16<Float>, _ a: Float, _ b: SIMD16<Float>) {
        #if arch(arm64) || FUSED_MULTIPLY_ADD
        accumulator.addProduct(a, b)
        #else
        accumulator += SIMD16(repeating: a) * b
        #endif
    }

    @inline(__always)
    private static func store(_ v: SIMD16<Float>, to row: UnsafeMutablePointer<Float>, columns: Int, accumulate: Bool) {
        if columns == lanes {
            let raw = UnsafeMutableRawPointer(row)
            let old = accumulate ? raw.loadUnaligned(as: SIMD16<Float>.self) : SIMD16<Float>()
            raw.storeBytes(of: old + v, as: SIMD16<Float>.self)
        } else {
            for j in 0..<columns { row[j] = (accumulate ? row[j] : 0) + v[j] }
        }
    }
}

extension GEMM {
    /// Convenience on arrays: returns op(A)·op(B) as an `m × n` array, where op transposes when
    /// asked. A is `m × k` (or `k × m` if `transposeA`), B is `k × n` (or `n × k`).
    /// Transposed operands are read in place by the packing step.
    public static func product(
        _ a: [Float], transposeA: Bool = false, _ b: [Float], transposeB: Bool = false,
        m: Int, n: Int, k: Int
    ) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return out }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { cp in
                    multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: transposeA ? m : k, transposeA: transposeA,
                             b: bp.baseAddress!, ldb: transposeB ? k : n, transposeB: transposeB,
                             c: cp.baseAddress!, ldc: n, accumulate: false)
                }
            }
        }
        return out
    }

    /// The transpose of a row-major `rows × columns` matrix.
    public static func transpose(_ x: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // 32×32 tiles keep both reads and writes within cache lines.
                var i0 = 0
                while i0 < rows {
                    var j0 = 0
                    while j0 < columns {
                        for i in i0..<Swift.min(i0 + 32, rows) {
                            for j in j0..<Swift.min(j0 + 32, columns) { dst[j &* rows &+ i] = src[i &* columns &+ j] }
                        }
                        j0 += 32
                    }
                    i0 += 32
                }
            }
        }
        return out
    }
}
