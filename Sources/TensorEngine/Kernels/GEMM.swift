/// Single-precision matrix multiplication, C = A·B (or C += A·B), row-major.
///
/// Two implementations live side by side, as in llm.c: `naive` is the three-loop definition
/// (the reference every test compares against) and `multiply` is the fast path:
///
/// - **Packing.** A K-block of B (`kc × N`) is copied into panels of `nr` columns and each `mr`
///   rows of A into panels of `mr` rows, so the inner loop reads both sequentially.
/// - **Register blocking.** The micro-kernel keeps an `mr × nr` tile of C in SIMD registers and
///   does `mr·nr` multiply-adds per `mr + nr` loads.
/// - **Determinism.** Every C element is a sum over k in increasing order, K-block by K-block;
///   threads only split the rows of C, so the bits never depend on the thread count.
///
/// Cost: 2·M·N·K flops. Memory: one packed B block (`kc·N` floats) plus `mr·kc` per thread.
public enum GEMM {
    static let mr = 4, nr = 16, kc = 256

    /// The reference: `C[i, j] (+)= Σ_k A[i, k] · B[k, j]`, with leading dimensions (row strides).
    public static func naive(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k { sum += a[i * lda + p] * b[p * ldb + j] }
                c[i * ldc + j] = sum
            }
        }
    }

    /// The fast path, same contract as `naive` (results agree to rounding; summation order differs).
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let panels = (n + nr - 1) / nr
        let packedB = UnsafeMutablePointer<Float>.allocate(capacity: panels * nr * Swift.min(k, kc))
        defer { packedB.deallocate() }
        // Rows of C are split into chunks whose size depends only on the problem, not on threads.
        let rowBlocks = (m + mr - 1) / mr
        let work = m &* n &* k
        let chunks = work < (1 << 18) ? 1 : Swift.min(rowBlocks, 16)
        let blocksPerChunk = (rowBlocks + chunks - 1) / chunks

        var p0 = 0
        while p0 < k {
            let kb = Swift.min(kc, k - p0)
            packB(b + p0 * ldb, ldb: ldb, n: n, kb: kb, into: packedB)
            let add = accumulate || p0 > 0
            let packed = UncheckedSendable(UnsafePointer(packedB))
            Parallel.forEach(chunks: chunks) { chunk in
                let packedA = UnsafeMutablePointer<Float>.allocate(capacity: mr * kb)
                defer { packedA.deallocate() }
                let firstBlock = chunk * blocksPerChunk
                let lastBlock = Swift.min(rowBlocks, firstBlock + blocksPerChunk)
                guard firstBlock < lastBlock else { return }
                for block in firstBlock..<lastBlock {
                    let i0 = block * mr
                    let rows = Swift.min(mr, m - i0)
                    packA(a + i0 * lda + p0, lda: lda, rows: rows, kb: kb, into: packedA)
                    for panel in 0..<panels {
                        let j0 = panel * nr
                        microKernel(kb: kb, packedA: packedA, packedB: packed.value + panel * nr * kb,
                                    c: c + i0 * ldc + j0, ldc: ldc,
                                    rows: rows, columns: Swift.min(nr, n - j0), accumulate: add)
                    }
                }
            }
            p0 += kb
        }
    }

    /// Copies rows `0..<kb` of B into panels of `nr` columns: panel p holds B[k, p·nr + j] at
    /// `p·nr·kb + k·nr + j`, zero-padded past column n.
    private static func packB(_ b: UnsafePointer<Float>, ldb: Int, n: Int, kb: Int, into out: UnsafeMutablePointer<Float>) {
        let panels = (n + nr - 1) / nr
        for panel in 0..<panels {
            let j0 = panel * nr
            let width = Swift.min(nr, n - j0)
            let dst = out + panel * nr * kb
            for p in 0..<kb {
                let row = b + p * ldb + j0
                let d = dst + p * nr
                if width == nr {
                    d.update(from: row, count: nr)
                } else {
                    d.update(from: row, count: width)
                    (d + width).update(repeating: 0, count: nr - width)
                }
            }
        }
    }

    /// Copies `rows` rows of A (K-columns `0..<kb`) so that A[r, k] sits at `k·mr + r`.
    private static func packA(_ a: UnsafePointer<Float>, lda: Int, rows: Int, kb: Int, into out: UnsafeMutablePointer<Float>) {
        for p in 0..<kb {
            for r in 0..<mr { out[p &* mr &+ r] = r < rows ? a[r &* lda &+ p] : 0 }
        }
    }

    /// C[0..<rows, 0..<columns] (+)= Apanel · Bpanel, a 4 × 16 register tile.
    @inline(__always)
    private static func microKernel(
        kb: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
        let rawB = UnsafeRawPointer(packedB)
        var p = 0
        while p < kb {
            let bv = rawB.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
            let ap = packedA + p &* 4
            c0 += SIMD16(repeating: ap[0]) * bv
            c1 += SIMD16(repeating: ap[1]) * bv
            c2 += SIMD16(repeating: ap[2]) * bv
            c3 += SIMD16(repeating: ap[3]) * bv
            p &+= 1
        }
        store(c0, to: c, columns: columns, accumulate: accumulate)
        if rows > 1 { store(c1, to: c + ldc, columns: columns, accumulate: accumulate) }
        if rows > 2 { store(c2, to: c + 2 &* ldc, columns: columns, accumulate: accumulate) }
        if rows > 3 { store(c3, to: c + 3 &* ldc, columns: columns, accumulate: accumulate) }
    }

    @inline(__always)
    private static func store(_ v: SIMD16<Float>, to row: UnsafeMutablePointer<Float>, columns: Int, accumulate: Bool) {
        if columns == nr {
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
    /// Transposed operands are copied once into row-major order, then the fast kernel runs.
    public static func product(
        _ a: [Float], transposeA: Bool = false, _ b: [Float], transposeB: Bool = false,
        m: Int, n: Int, k: Int, addingTo c: [Float]? = nil
    ) -> [Float] {
        let aRows = transposeA ? transpose(a, rows: k, columns: m) : a
        let bRows = transposeB ? transpose(b, rows: n, columns: k) : b
        var out = c ?? [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return out }
        aRows.withUnsafeBufferPointer { ap in
            bRows.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { cp in
                    multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n,
                             c: cp.baseAddress!, ldc: n, accumulate: c != nil)
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
