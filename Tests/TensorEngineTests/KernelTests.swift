import Testing
import Foundation
@testable import TensorEngine
import TestSupport

/// Every fast kernel against the naive reference kept beside it.
@Suite("Fast kernels against naive references")
struct KernelTests {
    @Test("GEMM agrees with the triple loop", arguments: [
        (1, 1, 1), (3, 5, 7), (4, 16, 8), (5, 17, 300), (33, 65, 257), (64, 10, 1), (2, 3, 0), (14, 40, 20), (15, 33, 5),
    ])
    func gemm(m: Int, n: Int, k: Int) {
        let a = TestData.uniform([m, k], seed: 1).data, b = TestData.uniform([k, n], seed: 2).data
        let start = TestData.uniform([m, n], seed: 3).data
        for accumulate in [false, true] {
            var fast = start, slow = start
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                let ap = ap.baseAddress ?? UnsafePointer(bitPattern: 16)!, bp = bp.baseAddress ?? UnsafePointer(bitPattern: 16)!
                fast.withUnsafeMutableBufferPointer {
                    GEMM.multiply(m: m, n: n, k: k, a: ap, lda: k, b: bp, ldb: n, c: $0.baseAddress!, ldc: n, accumulate: accumulate)
                }
                slow.withUnsafeMutableBufferPointer {
                    GEMM.naive(m: m, n: n, k: k, a: ap, lda: k, b: bp, ldb: n, c: $0.baseAddress!, ldc: n, accumulate: accumulate)
                }
            } }
            // Sums of k products of values in [-1, 1]: rounding differs by ~k·6e-8 at most.
            #expect(maxAbsoluteDifference(fast, slow) <= 1e-5 * Float(max(k, 1)), "m \(m) n \(n) k \(k) accumulate \(accumulate)")
        }
    }

    /// Every register tile (6 or 8 rows, the default on AVX-512; 16 or 32 columns; each runs on
    /// any CPU, just not as fast),
    /// both operand layouts, row and column splits, B packed panel by panel or a whole K-block at
    /// once for several slabs of rows (1700 rows: 16 chunks of 2 slabs), last tiles of 6 and 7
    /// rows in the 8-row tile (14 and 15 rows): identical bits whatever the tile, and the triple
    /// loop's values to rounding.
    @Test("the 16- and 32-column micro-kernels give the same bits", arguments: [
        (6, 32, 40), (13, 70, 300), (200, 33, 9), (7, 1100, 150), (288, 64, 392), (1700, 40, 50),
        (14, 40, 20), (15, 33, 5), (32, 1176, 144),
    ])
    func panelWidths(m: Int, n: Int, k: Int) {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = TestData.uniform([m * k], seed: 51).data, b = TestData.uniform([k * n], seed: 52).data
            func run(_ width: Int, rows: Int = 8, accumulate: Bool = true) -> [Float] {
                var c = TestData.uniform([m * n], seed: 53).data
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: ta ? m : k, transposeA: ta,
                                  b: bp.baseAddress!, ldb: tb ? k : n, transposeB: tb, c: cp.baseAddress!, ldc: n,
                                  accumulate: accumulate, panelWidth: width, tileRows: rows)
                } } }
                return c
            }
            let narrow = run(16), wide = run(32)
            #expect(narrow == wide, "m \(m) n \(n) k \(k) transposeA \(ta) transposeB \(tb)")
            #expect(run(16, rows: 6) == wide && run(32, rows: 6) == wide, "m \(m) n \(n) k \(k), 6-row tiles")
            #expect(run(16, accumulate: false) == run(32, rows: 6, accumulate: false), "m \(m) n \(n) k \(k), overwriting C")
            var slow = TestData.uniform([m * n], seed: 53).data
            let at = ta ? GEMM.transpose(a, rows: k, columns: m) : a, bt = tb ? GEMM.transpose(b, rows: n, columns: k) : b
            at.withUnsafeBufferPointer { ap in bt.withUnsafeBufferPointer { bp in slow.withUnsafeMutableBufferPointer { cp in
                GEMM.naive(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, accumulate: true)
            } } }
            #expect(maxAbsoluteDifference(wide, slow) <= 1e-5 * Float(k), "m \(m) n \(n) k \(k)")
        }
    }

    /// `copyRow` (a row of the product into the output, plus the bias) against the
    /// scalar loops it replaces: the same bits for every length up to 40 (a last vector that
    /// overlaps, a scalar tail, rows under 16), writing, adding or in place, and nothing past the row.
    @Test("a row copied with its bias is the scalar loop's, bit for bit")
    func copyRowWithBias() {
        let src = TestData.uniform([40], seed: 71).data.map { $0 * 3 - 1 }
        for count in 0...40 {
            for accumulate in [false, true] {
                var fast = TestData.uniform([48], seed: 72).data, slow = fast
                src.withUnsafeBufferPointer { s in
                    fast.withUnsafeMutableBufferPointer { d in
                        copyRow(s.baseAddress!, into: d.baseAddress!, count: count, adding: 0.3, accumulate: accumulate)
                    }
                    for i in 0..<count { if accumulate { slow[i] += s[i] + 0.3 } else { slow[i] = s[i] + 0.3 } }
                }
                #expect(fast.map(\.bitPattern) == slow.map(\.bitPattern), "count \(count), accumulate \(accumulate)")
            }
            // In place (im2col's single image writes its product out where it is): the bias once.
            var inPlace = Array(src), once = Array(src)
            inPlace.withUnsafeMutableBufferPointer { d in
                copyRow(d.baseAddress!, into: d.baseAddress!, count: count, adding: 0.3, accumulate: false)
            }
            for i in 0..<count { once[i] = src[i] + 0.3 }
            #expect(inPlace.map(\.bitPattern) == once.map(\.bitPattern), "count \(count), in place")
        }
    }

    /// A transposed B is packed 16 columns at a time in registers and the columns left over one
    /// value at a time (zeros past the last): the same packed values as B stored as is, so the
    /// same bits, for widths that leave 9, 1 and 15 columns over, with 16- and 32-column panels.
    @Test("a transposed B packs to the same bits as B stored as is", arguments: [(16, 9, 784), (13, 25, 300), (5, 41, 37), (9, 1, 20), (7, 47, 33)])
    func transposedNarrowB(m: Int, n: Int, k: Int) {
        let a = TestData.uniform([m * k], seed: 61).data, b = TestData.uniform([k * n], seed: 62).data
        let bt = GEMM.transpose(b, rows: k, columns: n)
        for width in [16, 32] {
            func run(_ operand: [Float], transposed: Bool) -> [Float] {
                var c = [Float](repeating: 0, count: m * n)
                a.withUnsafeBufferPointer { ap in operand.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: transposed ? k : n,
                                  transposeB: transposed, c: cp.baseAddress!, ldc: n, accumulate: false, panelWidth: width)
                } } }
                return c
            }
            #expect(run(bt, transposed: true) == run(b, transposed: false), "m \(m) n \(n) k \(k), \(width)-column panels")
        }
    }

    /// `LanesWeightGradient` against its twin, im2col + the GEMM (∂Wᵀ of a group as
    /// `ConvolutionPlan` makes it), to the bit: groups of one to eight images whose pixels span one
    /// K-block or several (a block crossing from one image into the next), tap counts that leave
    /// a partial tap block (45 of 8, 63 of 4), padding 0, 1 and 2; gradients three quarters zero,
    /// −0 in the images, and a NaN. And `transposed` against the element-by-element transpose.
    @Test("the lanes-over-channels ∂Wᵀ of a group (32 or 64 channels): the bits of im2col + GEMM",
          arguments: [(6, 16, 14, 14, 32, 1), (8, 32, 7, 7, 64, 1), (3, 5, 9, 11, 32, 0), (2, 7, 12, 5, 64, 2), (1, 16, 17, 17, 32, 1)])
    func lanesWeightGradient(count: Int, channels: Int, height: Int, width: Int, outChannels: Int, padding: Int) {
        let g = ConvolutionGeometry(batch: count, channels: channels, height: height, width: width, kernelHeight: 3, kernelWidth: 3,
                                    strideY: 1, strideX: 1, padY: padding, padX: padding)
        let n = g.columnCount, patch = g.patchSize
        var images = TestData.uniform([count * channels * height * width], seed: 83).data.map { $0 * 2 - 1 }
        for i in Swift.stride(from: 0, to: images.count, by: 5) { images[i] = i % 2 == 0 ? 0 : -0.0 }
        for nan in [false, true] {
            var grad = TestData.uniform([outChannels * n], seed: 84).data.enumerated().map { $0.offset % 4 == 1 ? $0.element - 0.5 : 0 }
            if nan { grad[grad.count / 3] = .nan }
            var cols = [Float](repeating: 0, count: patch * n), twin = [Float](repeating: 0, count: patch * outChannels)
            var lanes = [Float](repeating: 0, count: n * outChannels), fast = twin
            images.withUnsafeBufferPointer { x in cols.withUnsafeMutableBufferPointer { Im2Col.columns(x.baseAddress!, g, into: $0.baseAddress!) } }
            cols.withUnsafeBufferPointer { c in grad.withUnsafeBufferPointer { gp in twin.withUnsafeMutableBufferPointer { w in
                GEMM.multiply(m: patch, n: outChannels, k: n, a: c.baseAddress!, lda: n, b: gp.baseAddress!, ldb: n,
                              transposeB: true, c: w.baseAddress!, ldc: outChannels, accumulate: false)
            } } }
            grad.withUnsafeBufferPointer { gp in lanes.withUnsafeMutableBufferPointer {
                LanesWeightGradient.transposed(gp.baseAddress!, outChannels: outChannels, columns: n, into: $0.baseAddress!)
            } }
            var plain = [Float](repeating: 0, count: n * outChannels)
            for o in 0..<outChannels { for j in 0..<n { plain[j * outChannels + o] = grad[o * n + j] } }
            #expect(lanes.map(\.bitPattern) == plain.map(\.bitPattern), "transpose, \(n) columns × \(outChannels)")
            var one = g
            one.batch = 1
            images.withUnsafeBufferPointer { x in lanes.withUnsafeBufferPointer { t in fast.withUnsafeMutableBufferPointer { w in
                LanesWeightGradient.weightGradient(x.baseAddress!, count: count, one, outChannels: outChannels, transposedGradient: t.baseAddress!,
                                                   into: w.baseAddress!)
            } } }
            let differing = zip(fast, twin).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(differing) of \(fast.count) differ: \(count) images, C \(channels), \(height)×\(width), O \(outChannels), pad \(padding), NaN \(nan)")
        }
    }

    /// im2col is its definition, to the bit (a copy: −0 stays −0, the padding is +0), on "same"
    /// planes whose shifted copies and zero runs are shorter and longer than a vector (3×3 to
    /// 17×17, windows 3 and 5) and on the general path (no padding, stride 2, a wide window).
    @Test("im2col writes its definition: each entry the pixel under the window or +0",
          arguments: [(2, 3, 3, 3, 1, 1), (1, 7, 7, 3, 1, 1), (3, 14, 14, 3, 1, 1), (1, 17, 5, 5, 2, 1), (2, 9, 11, 3, 0, 1),
                      (1, 12, 13, 3, 1, 2), (1, 4, 20, 5, 2, 1)])
    func im2colDefinition(channels: Int, height: Int, width: Int, kernel: Int, padding: Int, stride: Int) {
        let g = ConvolutionGeometry(batch: 2, channels: channels, height: height, width: width, kernelHeight: kernel, kernelWidth: kernel,
                                    strideY: stride, strideX: stride, padY: padding, padX: padding)
        var x = TestData.uniform([2 * channels * height * width], seed: 91).data.map { $0 - 0.5 }
        for i in Swift.stride(from: 0, to: x.count, by: 3) { x[i] = -0.0 }
        let ho = g.outputHeight, wo = g.outputWidth, columns = g.columnCount
        var cols = [Float](repeating: .nan, count: g.patchSize * columns)
        x.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { Im2Col.columns(xp.baseAddress!, g, into: $0.baseAddress!) } }
        var wrong = 0, first = ""
        for n in 0..<2 { for c in 0..<channels { for ky in 0..<kernel { for kx in 0..<kernel { for oy in 0..<ho { for ox in 0..<wo {
            let y = oy * stride - padding + ky, xx = ox * stride - padding + kx
            let expected: Float = y >= 0 && y < height && xx >= 0 && xx < width ? x[((n * channels + c) * height + y) * width + xx] : 0
            let row = (c * kernel + ky) * kernel + kx, column = (n * ho + oy) * wo + ox
            if cols[row * columns + column].bitPattern != expected.bitPattern {
                if wrong == 0 { first = "row \(row) column \(column): \(cols[row * columns + column]) for \(expected)" }
                wrong += 1
            }
        } } } } } }
        #expect(wrong == 0, "\(wrong) entries differ, first at \(first)")
    }

    /// `NarrowWeightGradient` against its twin, im2col + the GEMM (∂W as `ConvolutionPlan`
    /// makes it, in either layout), to the bit: planes of one K-block and of several (784 = 3·256
    /// + 16), tails of every kind for the plane sums, padding 0, 1 and 2, 1 to 16 output channels,
    /// one and three input channels; gradients with zeros (most of a pooled one), both signs of
    /// zero in the image, and a NaN.
    @Test("the lanes-over-channels ∂W of a 3×3 window and its plane sums: the bits of im2col + GEMM and of planeSum",
          arguments: [(1, 28, 28, 16, 1), (1, 9, 9, 5, 1), (3, 12, 7, 16, 0), (1, 23, 17, 1, 2), (3, 30, 29, 9, 1), (2, 5, 6, 16, 2)])
    func narrowWeightGradient(channels: Int, height: Int, width: Int, outChannels: Int, padding: Int) {
        let g = ConvolutionGeometry(batch: 1, channels: channels, height: height, width: width, kernelHeight: 3, kernelWidth: 3,
                                    strideY: 1, strideX: 1, padY: padding, padX: padding)
        let plane = g.outputHeight * g.outputWidth, patch = g.patchSize
        var image = TestData.uniform([channels * height * width], seed: 81).data.map { $0 * 2 - 1 }
        for i in stride(from: 0, to: image.count, by: 5) { image[i] = i % 2 == 0 ? 0 : -0.0 }
        for nan in [false, true] {
            // G `[O, P]`, three in four entries zero (a pooled gradient's shape), and its transpose `[P, 16]`.
            var grad = TestData.uniform([outChannels * plane], seed: 82).data.enumerated().map { $0.offset % 4 == 0 ? $0.element - 0.5 : 0 }
            if nan { grad[grad.count / 2] = .nan }
            var transposed = [Float](repeating: 0, count: plane * 16)
            for o in 0..<outChannels { for p in 0..<plane { transposed[p * 16 + o] = grad[o * plane + p] } }
            var cols = [Float](repeating: 0, count: patch * plane)
            image.withUnsafeBufferPointer { x in cols.withUnsafeMutableBufferPointer { Im2Col.columns(x.baseAddress!, g, into: $0.baseAddress!) } }
            for layout in [false, true] {
                var twin = [Float](repeating: 0, count: outChannels * patch), fast = twin
                cols.withUnsafeBufferPointer { c in grad.withUnsafeBufferPointer { gp in twin.withUnsafeMutableBufferPointer { w in
                    if layout {
                        GEMM.multiply(m: patch, n: outChannels, k: plane, a: c.baseAddress!, lda: plane, b: gp.baseAddress!, ldb: plane,
                                      transposeB: true, c: w.baseAddress!, ldc: outChannels, accumulate: false)
                    } else {
                        GEMM.multiply(m: outChannels, n: patch, k: plane, a: gp.baseAddress!, lda: plane, b: c.baseAddress!, ldb: plane,
                                      transposeB: true, c: w.baseAddress!, ldc: patch, accumulate: false)
                    }
                } } }
                image.withUnsafeBufferPointer { x in transposed.withUnsafeBufferPointer { t in fast.withUnsafeMutableBufferPointer { w in
                    NarrowWeightGradient.weightGradient(x.baseAddress!, g, outChannels: outChannels, transposedGradient: t.baseAddress!,
                                                        into: w.baseAddress!, transposed: layout)
                } } }
                let label = "C \(channels), \(height)×\(width), O \(outChannels), pad \(padding), transposed \(layout), NaN \(nan)"
                #expect(fast.map(\.bitPattern) == twin.map(\.bitPattern), "\(label)")
            }
            var sums = [Float](repeating: 0, count: outChannels)
            transposed.withUnsafeBufferPointer { t in sums.withUnsafeMutableBufferPointer {
                NarrowWeightGradient.planeSums(transposedGradient: t.baseAddress!, plane: plane, outChannels: outChannels, into: $0.baseAddress!)
            } }
            let expected = grad.withUnsafeBufferPointer { gp in (0..<outChannels).map { planeSum(gp.baseAddress! + $0 * plane, count: plane) } }
            #expect(sums.map(\.bitPattern) == expected.map(\.bitPattern), "plane sums, O \(outChannels), NaN \(nan)")
        }
    }

    @Test("transposed products agree with explicit transposes")
    func transposedProducts() {
        let a = TestData.uniform([7, 5], seed: 4).data, b = TestData.uniform([9, 7], seed: 5).data
        // Aᵀ·Bᵀ where A is 7x5 and B is 9x7: (5x7)·(7x9).
        let fast = GEMM.product(a, transposeA: true, b, transposeB: true, m: 5, n: 9, k: 7)
        let slow = GEMM.product(GEMM.transpose(a, rows: 7, columns: 5), GEMM.transpose(b, rows: 9, columns: 7), m: 5, n: 9, k: 7)
        #expect(fast == slow)
        #expect(GEMM.transpose(GEMM.transpose(a, rows: 7, columns: 5), rows: 5, columns: 7) == a)
    }

    @Test("conv2d (im2col + GEMM) agrees with seven nested loops", arguments: [
        (batch: 1, channels: 1, size: 28, out: 16, kernel: 3, stride: 1, padding: 1),
        (batch: 3, channels: 4, size: 9, out: 5, kernel: 3, stride: 2, padding: 1),
        (batch: 2, channels: 3, size: 7, out: 2, kernel: 5, stride: 1, padding: 0),
        (batch: 2, channels: 2, size: 6, out: 3, kernel: 1, stride: 3, padding: 2),
        (batch: 1, channels: 16, size: 14, out: 32, kernel: 3, stride: 1, padding: 1),
    ])
    func convolution(batch: Int, channels: Int, size: Int, out: Int, kernel: Int, stride: Int, padding: Int) throws {
        let x = TestData.uniform([batch, channels, size, size], seed: 6)
        let w = TestData.uniform([out, channels, kernel, kernel], seed: 7), b = TestData.uniform([out], seed: 8)
        let fast = try x.conv2d(weight: w, bias: b, stride: (stride, stride), padding: (padding, padding))
        let geometry = ConvolutionGeometry(batch: batch, channels: channels, height: size, width: size, kernelHeight: kernel,
                                           kernelWidth: kernel, strideY: stride, strideX: stride, padY: padding, padX: padding)
        let slow = ReferenceKernels.conv2dForward(x: x.data, weight: w.data, bias: b.data, geometry: geometry, outChannels: out)
        #expect(fast.shape == [batch, out, geometry.outputHeight, geometry.outputWidth])
        #expect(maxAbsoluteDifference(fast.data, slow) < 1e-4)
    }

    /// One convolution shape: input `[n, c, h, w]`, `o` output channels, kernel, stride, padding.
    struct ConvolutionCase: CustomTestStringConvertible, Sendable {
        let n: Int, c: Int, h: Int, w: Int, o: Int
        let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
        init(_ n: Int, _ c: Int, _ h: Int, _ w: Int, o: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) {
            (self.n, self.c, self.h, self.w, self.o) = (n, c, h, w, o)
            (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
        }
        var testDescription: String { "[\(n),\(c),\(h),\(w)]→\(o) k\(kernel) s\(stride) p\(padding)" }
    }

    /// Forward and both gradients against the definition, on shapes that exercise every path: the
    /// "same"-padding shifted copies (3×3 pad 1, 5×5 pad 2 at the extreme shift on a 3×3 image,
    /// rectangular images and kernels, a 2×2 image), the general loop (strides, no padding, padding
    /// wider than "same", padding ≥ the image), a batch of one image (the path every explanation
    /// method takes, where im2col and the GEMM split work across threads themselves), and batches
    /// that span several groups (25 maps of 7×7: 4 per group; 5 of 28×28: 1 per group).
    @Test("conv2d forward and backward agree with the definition", arguments: [
        ConvolutionCase(25, 3, 7, 7, o: 8, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(5, 1, 28, 28, o: 4, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(1, 16, 28, 28, o: 32, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(1, 32, 14, 14, o: 64, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(3, 2, 6, 11, o: 3, kernel: (5, 5), padding: (2, 2)),
        ConvolutionCase(2, 2, 3, 3, o: 2, kernel: (5, 5), padding: (2, 2)),
        ConvolutionCase(2, 2, 2, 2, o: 3, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(2, 2, 1, 1, o: 2, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(2, 2, 5, 4, o: 3, kernel: (3, 3), padding: (2, 2)),
        ConvolutionCase(2, 2, 1, 6, o: 2, kernel: (1, 3), padding: (0, 1)),
        ConvolutionCase(2, 2, 6, 1, o: 2, kernel: (3, 1), padding: (1, 0)),
        ConvolutionCase(2, 2, 7, 5, o: 3, kernel: (3, 3), stride: (2, 1), padding: (1, 1)),
        ConvolutionCase(3, 2, 9, 8, o: 4, kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
        ConvolutionCase(2, 3, 7, 6, o: 2, kernel: (3, 3)),
        // One image at a time with stride 1 (`ShiftedRows`, checked below): the forward pass
        // alone (20×37), and forward and backward on planes of 2048 outputs or more: 3×3 and 5×5
        // windows, three images (the flipped weight made once for the groups), no padding, a
        // pointwise pair, rectangular windows, K ≤ O (∂W not transposed).
        ConvolutionCase(1, 3, 20, 37, o: 5, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(1, 3, 48, 50, o: 5, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(3, 3, 48, 50, o: 5, kernel: (3, 3), padding: (1, 1)),
        ConvolutionCase(1, 4, 45, 48, o: 3, kernel: (5, 5), padding: (2, 2)),
        ConvolutionCase(1, 5, 52, 48, o: 7, kernel: (3, 3)),
        ConvolutionCase(2, 8, 46, 48, o: 6, kernel: (1, 1)),
        ConvolutionCase(1, 16, 7, 7, o: 24, kernel: (1, 1)),
        ConvolutionCase(1, 2, 46, 48, o: 3, kernel: (1, 3), padding: (0, 1)),
        ConvolutionCase(1, 3, 44, 50, o: 4, kernel: (3, 5), padding: (2, 2)),
        ConvolutionCase(1, 1, 46, 48, o: 16, kernel: (3, 3), padding: (1, 1)),
    ])
    func convolutionBackward(_ t: ConvolutionCase) throws {
        let x = TestData.uniform([t.n, t.c, t.h, t.w], seed: 21); x.requiresGrad = true
        let w = TestData.uniform([t.o, t.c, t.kernel.0, t.kernel.1], seed: 22); w.requiresGrad = true
        let b = TestData.uniform([t.o], seed: 23); b.requiresGrad = true
        let y = try x.conv2d(weight: w, bias: b, stride: t.stride, padding: t.padding)
        let g = ConvolutionGeometry(batch: t.n, channels: t.c, height: t.h, width: t.w, kernelHeight: t.kernel.0,
                                    kernelWidth: t.kernel.1, strideY: t.stride.0, strideX: t.stride.1, padY: t.padding.0, padX: t.padding.1)
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        #expect(y.shape == [t.n, t.o, ho, wo])
        #expect(maxAbsoluteDifference(y.data, ReferenceKernels.conv2dForward(x: x.data, weight: w.data, bias: b.data, geometry: g, outChannels: t.o)) < 1e-4)
        let seed = TestData.uniform(y.shape, seed: 24)
        try y.backward(seed: seed)
        // ∂x[n,c,iy,ix] = Σ seed[n,o,oy,ox]·w[o,c,ky,kx] and ∂w[o,c,ky,kx] = Σ seed[n,o,oy,ox]·x[n,c,iy,ix]
        // over the windows where iy = oy·sy − py + ky, ix = ox·sx − px + kx; in Double.
        let (kh, kw) = t.kernel
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: t.o)
        for n in 0..<t.n { for o in 0..<t.o { for oy in 0..<ho { for ox in 0..<wo {
            let s = Double(seed.data[((n * t.o + o) * ho + oy) * wo + ox])
            db[o] += s
            for c in 0..<t.c { for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy * t.stride.0 - t.padding.0 + ky, ix = ox * t.stride.1 - t.padding.1 + kx
                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                let xi = ((n * t.c + c) * t.h + iy) * t.w + ix, wi = ((o * t.c + c) * kh + ky) * kw + kx
                dx[xi] += s * Double(w.data[wi])
                dw[wi] += s * Double(x.data[xi])
            } } }
        } } } }
        let received = (x.grad!.data, w.grad!.data, b.grad!.data)
        let scale = Float(t.n * ho * wo) * 1e-6 + Float(t.c * kh * kw) * 1e-6 + 1e-5
        #expect(maxAbsoluteDifference(received.0, dx.map(Float.init)) < scale, "∂x differs from the definition")
        #expect(maxAbsoluteDifference(received.1, dw.map(Float.init)) < scale, "∂w differs from the definition")
        #expect(maxAbsoluteDifference(received.2, db.map(Float.init)) < scale, "∂b differs from the definition")
    }

    /// The shapes above meant for `ShiftedRows` take it, forward and backward (planes of 2048
    /// outputs or more) or forward only (a group of several images, as 25 maps of 7×7 make, still
    /// takes im2col), and those meant for im2col (strides, rows too narrow for their padding) do
    /// not: so the definition test covers every path.
    @Test("stride-1 convolutions of one image at a time read the image in place")
    func shiftedRowsChosen() {
        func plan(_ n: Int, _ c: Int, _ h: Int, _ w: Int, o: Int, k: (Int, Int), s: Int = 1, p: (Int, Int)) -> ConvolutionPlan {
            ConvolutionPlan(ConvolutionGeometry(batch: n, channels: c, height: h, width: w, kernelHeight: k.0, kernelWidth: k.1,
                                                strideY: s, strideX: s, padY: p.0, padX: p.1), outChannels: o)
        }
        for taken in [plan(1, 3, 48, 50, o: 5, k: (3, 3), p: (1, 1)), plan(1, 4, 45, 48, o: 3, k: (5, 5), p: (2, 2)),
                      plan(1, 5, 52, 48, o: 7, k: (3, 3), p: (0, 0)), plan(2, 8, 46, 48, o: 6, k: (1, 1), p: (0, 0)),
                      plan(1, 2, 46, 48, o: 3, k: (1, 3), p: (0, 1)), plan(1, 3, 44, 50, o: 4, k: (3, 5), p: (2, 2)),
                      plan(1, 1, 46, 48, o: 16, k: (3, 3), p: (1, 1)), plan(1, 64, 224, 224, o: 64, k: (3, 3), p: (1, 1)),
                      // A 1×1 window on any plane (its im2col is the image: the same bits either way).
                      plan(1, 16, 7, 7, o: 24, k: (1, 1), p: (0, 0)), plan(1, 1024, 14, 14, o: 256, k: (1, 1), p: (0, 0))] {
            #expect(taken.forwardRows != nil && taken.inputGradientRows != nil && taken.weightGradientRows != nil, "\(taken.geometry)")
        }
        // 28×28 and 32×32 (the course's images) and 20×37: the forward pass only. So for 14×14
        // (one image per group at batch 1, where the forward pass reads in place; four at batch
        // 32, where it takes im2col: the same bits, `batchInvariance`).
        for forwardOnly in [plan(1, 3, 20, 37, o: 5, k: (3, 3), p: (1, 1)), plan(64, 1, 28, 28, o: 16, k: (3, 3), p: (1, 1)),
                            plan(1, 3, 32, 32, o: 16, k: (3, 3), p: (1, 1)), plan(1, 16, 14, 14, o: 32, k: (3, 3), p: (1, 1)),
                            plan(32, 16, 14, 14, o: 32, k: (3, 3), p: (1, 1))] {
            #expect(forwardOnly.forwardRows != nil && forwardOnly.inputGradientRows == nil && forwardOnly.weightGradientRows == nil,
                    "\(forwardOnly.geometry)")
        }
        // Strides, and planes too narrow for their padding (7 wide: 2 dropped columns per row).
        for notTaken in [plan(1, 4, 9, 9, o: 5, k: (3, 3), s: 2, p: (1, 1)), plan(25, 3, 7, 7, o: 8, k: (3, 3), p: (1, 1)),
                         plan(1, 512, 7, 7, o: 512, k: (3, 3), p: (1, 1)), plan(2, 2, 5, 4, o: 3, k: (3, 3), p: (2, 2))] {
            #expect(notTaken.forwardRows == nil, "\(notTaken.geometry)")
        }
    }

    /// An image's output and ∂x are the same bits alone and inside a batch, whichever path its
    /// plane takes (14×14: `ShiftedRows` forward alone, im2col in a batch's shared groups, and
    /// im2col ∂x both ways; 28×28: `ShiftedRows` forward; 48×50: `ShiftedRows` both ways).
    /// `insights` draws one channel image at a time and `visualize --all-channels` all at once,
    /// and the pictures must agree after hundreds of ascent steps.
    @Test("an image's conv2d output and ∂x do not depend on the batch around it", arguments: [[16, 14, 14], [4, 28, 28], [3, 48, 50]])
    func batchInvariance(shape: [Int]) throws {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let batch = TestData.uniform([32, c, h, w], seed: 71)
        let weight = TestData.uniform([8, c, 3, 3], seed: 72), bias = TestData.uniform([8], seed: 73)
        func run(_ x: Tensor) throws -> (y: [Float], dx: [Float]) {
            x.requiresGrad = true
            let y = try x.conv2d(weight: weight, bias: bias, padding: (1, 1))
            try y.backward(seed: TestData.uniform(y.shape, seed: 74), inputs: [x])
            return (Array(y.data[0..<(8 * h * w)]), Array(try #require(x.grad).data[0..<(c * h * w)]))
        }
        let all = try run(batch)
        let first = try Tensor(shape: [1, c, h, w], data: Array(batch.data[0..<(c * h * w)]))
        // The same seed for image 0: TestData.uniform's first 8·h·w values.
        let alone = try run(first)
        #expect(alone.y == all.y, "output")
        #expect(alone.dx == all.dx, "∂x")
    }

    /// Row starts (`aRows`, `bRows`) read the same numbers as the rows copied out: same bits as the
    /// plain call on the copy, the triple loop's values to rounding; both operands, both layouts.
    @Test("GEMM with row starts agrees with the rows copied out", arguments: [(5, 37, 19), (13, 70, 300), (40, 9, 33)])
    func gemmRowStarts(m: Int, n: Int, k: Int) {
        // A pool of numbers, and stored rows that start at scattered, overlapping places in it.
        let pool = TestData.uniform([4096], seed: 61).data
        func starts(_ count: Int, _ length: Int, seed: UInt64) -> [Int] {
            var generator = SeededGenerator(seed: seed)
            return (0..<count).map { _ in generator.nextInt(below: pool.count - length) }
        }
        func copied(_ starts: [Int], _ length: Int) -> [Float] { starts.flatMap { pool[$0..<($0 + length)] } }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let aStarts = starts(ta ? k : m, ta ? m : k, seed: 62), bStarts = starts(tb ? n : k, tb ? k : n, seed: 63)
            let a = copied(aStarts, ta ? m : k), b = copied(bStarts, tb ? k : n)
            var viaRows = [Float](repeating: 0, count: m * n), viaCopies = viaRows
            pool.withUnsafeBufferPointer { p in aStarts.withUnsafeBufferPointer { ar in bStarts.withUnsafeBufferPointer { br in
                viaRows.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: m, n: n, k: k, a: p.baseAddress!, lda: 0, transposeA: ta, aRows: ar.baseAddress!,
                                  b: p.baseAddress!, ldb: 0, transposeB: tb, bRows: br.baseAddress!, c: c.baseAddress!, ldc: n, accumulate: false)
                }
            } } }
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in viaCopies.withUnsafeMutableBufferPointer { c in
                GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: ta ? m : k, transposeA: ta,
                              b: bp.baseAddress!, ldb: tb ? k : n, transposeB: tb, c: c.baseAddress!, ldc: n, accumulate: false)
            } } }
            #expect(viaRows == viaCopies, "transposeA \(ta) transposeB \(tb)")
            if !ta && !tb {
                var slow = [Float](repeating: 0, count: m * n)
                pool.withUnsafeBufferPointer { p in aStarts.withUnsafeBufferPointer { ar in bStarts.withUnsafeBufferPointer { br in
                    slow.withUnsafeMutableBufferPointer { c in
                        GEMM.naive(m: m, n: n, k: k, a: p.baseAddress!, lda: 0, aRows: ar.baseAddress!,
                                   b: p.baseAddress!, ldb: 0, bRows: br.baseAddress!, c: c.baseAddress!, ldc: n, accumulate: false)
                    }
                } } }
                #expect(maxAbsoluteDifference(viaRows, slow) <= 1e-5 * Float(k))
            }
        }
    }

    /// The SIMD path (eight windows at a time, reading past a row's end), its scalar tail, the
    /// split by planes (`[8, 64, 28, 28]`: 512 planes in 3 chunks; rows of 14 windows end with an
    /// overlapping chunk; rows of 7 store eight lanes into the plane's next row, never into the next
    /// plane: `[64, 32, 14, 14]`, pool2 of a mnist-gap training batch), odd sizes (a row and a column no
    /// window covers, whose gradient must be 0), ties and NaN (the first maximum in row-major order
    /// wins, and a NaN wins, as in PyTorch).
    @Test("2×2 max-pooling agrees with the definition, forward (with and without a graph) and backward", arguments: [
        [6, 40, 14, 10], [8, 64, 28, 28], [3, 5, 15, 37], [2, 3, 2, 2], [64, 32, 14, 14], [2, 3, 16, 32],
    ])
    func maxPooling(shape: [Int]) throws {
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        var generator = SeededGenerator(seed: 41)
        // Values in {−1, 0, 1} (many ties) and a NaN now and then.
        let values = (0..<(n * c * h * w)).map { i -> Float in i % 97 == 13 ? .nan : Float(generator.nextInt(below: 3) - 1) }
        let x = try Tensor(shape: shape, data: values); x.requiresGrad = true
        let y = try x.maxPool2d(kernel: (2, 2))
        let seed = TestData.uniform(y.shape, seed: 42)
        try y.backward(seed: seed)
        let (ho, wo) = (h / 2, w / 2)
        var expected = [Float](repeating: 0, count: y.count), dx = [Float](repeating: 0, count: x.count)
        for p in 0..<(n * c) { for oy in 0..<ho { for ox in 0..<wo {
            var at = -1
            for dy in 0..<2 { for dxx in 0..<2 {
                let i = (p * h + 2 * oy + dy) * w + 2 * ox + dxx
                if at < 0 || values[i] > values[at] || values[i].isNaN { at = i }
            } }
            let o = (p * ho + oy) * wo + ox
            expected[o] = values[at]
            dx[at] += seed.data[o]
        } } }
        // (Compared as bit patterns, so NaN equals NaN; the first difference is reported, not the arrays.)
        let wrongOutput = y.data.indices.first { y.data[$0].bitPattern != expected[$0].bitPattern }
        #expect(wrongOutput == nil, "output \(wrongOutput ?? 0): received \(y.data[wrongOutput ?? 0]) expected \(expected[wrongOutput ?? 0])")
        // Inference (no graph: the arg-max is neither computed nor stored): the same values.
        let inferred = try withNoGrad { try x.maxPool2d(kernel: (2, 2)) }
        let wrongInference = inferred.data.indices.first { inferred.data[$0].bitPattern != expected[$0].bitPattern }
        #expect(wrongInference == nil, "without a graph, output \(wrongInference ?? 0): received \(inferred.data[wrongInference ?? 0]) expected \(expected[wrongInference ?? 0])")
        let received = try #require(x.grad).data
        let wrongGradient = received.indices.first { received[$0] != dx[$0] }
        #expect(wrongGradient == nil, "∂x[\(wrongGradient ?? 0)]: received \(received[wrongGradient ?? 0]) expected \(dx[wrongGradient ?? 0])")
    }

    @Test("a few rows through a large matrix (in place, no packing) agree with the GEMM and the plain sums, forward and ∂x, on any thread count",
          arguments: [(1, 1200, 1000), (3, 1037, 1013), (4, 4096, 300)])
    func smallBatchProduct(shape: (batch: Int, inputs: Int, outputs: Int)) throws {
        let (batch, inputs, outputs) = shape
        #expect(SmallBatchProduct.applies(batch: batch, inputs: inputs, outputs: outputs))
        let x = TestData.uniform([batch, inputs], seed: 51, low: -1, high: 1).data
        let w = TestData.uniform([outputs, inputs], seed: 52, low: -1, high: 1).data
        let g = TestData.uniform([batch, outputs], seed: 53, low: -1, high: 1).data
        let y = SmallBatchProduct.forward(x, w, batch: batch, inputs: inputs, outputs: outputs)
        let dx = SmallBatchProduct.inputGradient(g, w, batch: batch, inputs: inputs, outputs: outputs)
        // The GEMM it replaces, and sums in double: within float rounding of a sum of ~1000 terms.
        let gemm = GEMM.product(x, w, transposeB: true, m: batch, n: outputs, k: inputs)
        let gemmDx = GEMM.product(g, w, m: batch, n: inputs, k: outputs)
        for b in 0..<batch {
            for o in stride(from: 0, to: outputs, by: 97) {
                let exact = (0..<inputs).reduce(0.0) { $0 + Double(x[b * inputs + $1]) * Double(w[o * inputs + $1]) }
                #expect(abs(Double(y[b * outputs + o]) - exact) < 1e-3, "y[\(b), \(o)]")
            }
            for i in stride(from: 0, to: inputs, by: 89) {
                let exact = (0..<outputs).reduce(0.0) { $0 + Double(g[b * outputs + $1]) * Double(w[$1 * inputs + i]) }
                #expect(abs(Double(dx[b * inputs + i]) - exact) < 1e-3, "dx[\(b), \(i)]")
            }
        }
        #expect(maxAbsoluteDifference(y, gemm) < 1e-3 && maxAbsoluteDifference(dx, gemmDx) < 1e-3)
        // ∂w: the GEMM's own sums in the same order (b ascending), so the same values; and the plain sums.
        let dw = SmallBatchProduct.weightGradient(g, x, batch: batch, inputs: inputs, outputs: outputs)
        let gemmDw = GEMM.product(g, transposeA: true, x, m: outputs, n: inputs, k: batch)
        #expect(maxAbsoluteDifference(dw, gemmDw) < 1e-6)
        for o in stride(from: 0, to: outputs, by: 53) {
            for i in stride(from: 0, to: inputs, by: 71) {
                let exact = (0..<batch).reduce(0.0) { $0 + Double(g[$1 * outputs + o]) * Double(x[$1 * inputs + i]) }
                #expect(abs(Double(dw[o * inputs + i]) - exact) < 1e-5, "dw[\(o), \(i)]")
            }
        }
        // The same bits on one thread.
        let (y1, dx1, dw1) = Parallel.withThreads(1) {
            (SmallBatchProduct.forward(x, w, batch: batch, inputs: inputs, outputs: outputs),
             SmallBatchProduct.inputGradient(g, w, batch: batch, inputs: inputs, outputs: outputs),
             SmallBatchProduct.weightGradient(g, x, batch: batch, inputs: inputs, outputs: outputs))
        }
        #expect(y1 == y && dx1 == dx && dw1 == dw)
        // `linear` takes this path at this size and gives its results.
        let input = try Tensor(shape: [batch, inputs], data: x); input.requiresGrad = true
        let out = try input.linear(weight: try Tensor(shape: [outputs, inputs], data: w), bias: nil)
        #expect(out.data == y)
        let weight = try Tensor(shape: [outputs, inputs], data: w); weight.requiresGrad = true
        let withWeight = try input.linear(weight: weight, bias: nil)
        try withWeight.backward(seed: try Tensor(shape: [batch, outputs], data: g))
        #expect(weight.grad?.data == dw)
        input.zeroGrad()
        try out.backward(seed: try Tensor(shape: [batch, outputs], data: g))
        #expect(input.grad?.data == dx)
    }

    @Test("max pooling of any window (3×3, stride 2, padding 1, as ResNet's) agrees with the definition, on any thread count")
    func maxPoolingAnyWindow() throws {
        let x = TestData.uniform([2, 5, 13, 11], seed: 61, low: -1, high: 1)
        let y = try x.maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        let (ho, wo) = (7, 6)
        #expect(y.shape == [2, 5, ho, wo])
        for p in 0..<10 { for oy in 0..<ho { for ox in 0..<wo {
            var best = -Float.infinity
            for ky in 0..<3 { for kx in 0..<3 {
                let yy = 2 * oy - 1 + ky, xx = 2 * ox - 1 + kx
                if yy >= 0 && yy < 13 && xx >= 0 && xx < 11 { best = max(best, x.data[(p * 13 + yy) * 11 + xx]) }
            } }
            #expect(y.data[(p * ho + oy) * wo + ox] == best)
        } } }
        let one = try Parallel.withThreads(1) { try x.maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
        #expect(one.data == y.data)
    }

    /// The same against the scalar rule, to the bit, where windows go sixteen at a time (a
    /// horizontal stride of 2 and rows wide enough: 112 is ResNet's stem pool), at the edges
    /// that stay one at a time, and with other windows: values with ties, ±0, −∞ and NaN; the
    /// values with a graph and without, the arg-max through the gradient, on 1 and 2 threads.
    @Test("max pooling with a stride of 2 keeps the scalar rule's bits and arg-max", arguments: [
        [2, 3, 40, 112, 3, 3, 2, 1], [1, 2, 9, 77, 3, 3, 2, 0], [1, 2, 12, 70, 2, 2, 2, 1], [1, 1, 8, 66, 5, 5, 2, 2],
        [1, 2, 11, 64, 3, 3, 3, 1], [1, 1, 7, 34, 3, 1, 2, 1],
    ])
    func maxPoolingStrideTwo(shape: [Int]) throws {
        let (n, c, h, w, kh, kw, s, pad) = (shape[0], shape[1], shape[2], shape[3], shape[4], shape[5], shape[6], shape[7])
        let padY = Swift.min(pad, kh / 2), padX = Swift.min(pad, kw / 2)
        var generator = SeededGenerator(seed: 43)
        let special: [Float] = [-1, 0, -0.0, 1, .nan, -.infinity, 1, 0.5]
        let values = (0..<(n * c * h * w)).map { i -> Float in i % 89 == 7 ? special[i % special.count] : Float(generator.nextInt(below: 5) - 2) / 2 }
        let ho = (h + 2 * padY - kh) / s + 1, wo = (w + 2 * padX - kw) / 2 + 1
        var expected = [Float](repeating: 0, count: n * c * ho * wo), argMax = [Int](repeating: -1, count: expected.count)
        for p in 0..<(n * c) { for oy in 0..<ho { for ox in 0..<wo {
            var best = -Float.infinity, at = -1
            for ky in 0..<kh { for kx in 0..<kw {
                let yy = oy * s - padY + ky, xx = ox * 2 - padX + kx
                guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                let i = (p * h + yy) * w + xx
                if at < 0 || values[i] > best || values[i].isNaN { best = values[i]; at = i }
            } }
            expected[(p * ho + oy) * wo + ox] = best
            argMax[(p * ho + oy) * wo + ox] = at
        } } }
        for threads in [1, 2] {
            try Parallel.withThreads(threads) {
                let x = try Tensor(shape: [n, c, h, w], data: values); x.requiresGrad = true
                let y = try x.maxPool2d(kernel: (kh, kw), stride: (s, 2), padding: (padY, padX))
                let inferred = try withNoGrad { try x.maxPool2d(kernel: (kh, kw), stride: (s, 2), padding: (padY, padX)) }
                for (label, received) in [("with a graph", y.data), ("without", inferred.data)] {
                    let wrong = received.indices.first { received[$0].bitPattern != expected[$0].bitPattern }
                    #expect(wrong == nil, "\(threads) thread(s), \(label): output \(wrong ?? 0) is \(received[wrong ?? 0]), expected \(expected[wrong ?? 0])")
                }
                // Output o's gradient 2^(o mod 20) (sums of them are exact in any order) lands on its arg-max.
                let seed = (0..<y.count).map { Float(1 << ($0 % 20)) }
                try y.backward(seed: try Tensor(shape: y.shape, data: seed))
                var dx = [Float](repeating: 0, count: values.count)
                for (o, at) in argMax.enumerated() { dx[at] += seed[o] }
                let received = try #require(x.grad).data
                let wrong = received.indices.first { received[$0] != dx[$0] }
                #expect(wrong == nil, "\(threads) thread(s): ∂x[\(wrong ?? 0)] is \(received[wrong ?? 0]), expected \(dx[wrong ?? 0])")
            }
        }
    }

    @Test("results are the same bits with one thread and with all of them")
    func deterministicAcrossThreadCounts() throws {
        func run() throws -> ([Float], [Float], [Float]) {
            let x = TestData.uniform([40, 8, 12, 12], seed: 9); x.requiresGrad = true   // 8 groups of 5 images
            let w = TestData.uniform([16, 8, 3, 3], seed: 10); w.requiresGrad = true
            let y = try x.conv2d(weight: w, bias: nil, padding: (1, 1))
            try y.backward(seed: TestData.uniform(y.shape, seed: 11))
            let big = GEMM.product(TestData.uniform([96, 200], seed: 12).data, TestData.uniform([200, 80], seed: 13).data, m: 96, n: 80, k: 200)
            // One image: im2col and the GEMM split the work themselves.
            let one = TestData.uniform([1, 16, 28, 28], seed: 16); one.requiresGrad = true
            let kernel = TestData.uniform([32, 16, 3, 3], seed: 17); kernel.requiresGrad = true
            let single = try one.conv2d(weight: kernel, bias: nil, padding: (1, 1))
            try single.backward(seed: TestData.uniform(single.shape, seed: 18))
            // ReLU and max-pooling split large tensors across threads (here 6 and 3 chunks).
            let z = TestData.uniform([16, 32, 28, 28], seed: 14, low: -1, high: 1); z.requiresGrad = true
            let pooled = try z.relu().maxPool2d(kernel: (2, 2))
            try pooled.backward(seed: TestData.uniform(pooled.shape, seed: 15))
            // Batch-norm splits its channels (here 48 channels of 32×14×14 values: 4 chunks).
            let b = TestData.uniform([32, 48, 14, 14], seed: 19); b.requiresGrad = true
            let gamma = TestData.uniform([48], seed: 20); gamma.requiresGrad = true
            let normalised = try b.batchNorm2d(weight: gamma, bias: Tensor.zeros([48]), runningMean: Tensor.zeros([48]),
                                               runningVariance: Tensor(repeating: 1, shape: [48]), training: true)
            try normalised.backward(seed: TestData.uniform(normalised.shape, seed: 25))
            return (y.data + big + pooled.data + single.data + normalised.data,
                    x.grad!.data + z.grad!.data + one.grad!.data + b.grad!.data, w.grad!.data + kernel.grad!.data + gamma.grad!.data)
        }
        // Scoped to this test's task: suites running at the same time keep their own setting.
        let single = try Parallel.withThreads(1) { try run() }
        let multi = try Parallel.withThreads(4) { try run() }
        #expect(Parallel.withThreads(3) { Parallel.maximumThreads } == 3)
        #expect(single.0 == multi.0)
        #expect(single.1 == multi.1)
        #expect(single.2 == multi.2)
    }

    /// `withThreads` sets the count for its own work only: Dispatch's worker threads running its
    /// chunks see it (so nested loops do), a task outside it does not.
    @Test("withThreads is scoped: chunks and the loops nested in them see it, other tasks do not")
    func scopedThreadCount() async {
        let seen = Parallel.withThreads(3) { () -> [Int] in
            var counts = [Int](repeating: 0, count: 8)
            counts.withUnsafeMutableBufferPointer { buffer in
                let out = UncheckedSendable(buffer.baseAddress!)
                // (Each chunk sleeps, so the calling thread cannot claim them all before the workers start.)
                Parallel.forEach(chunks: 8) { chunk in usleep(2_000); out.value[chunk] = Parallel.maximumThreads }
            }
            return counts
        }
        #expect(seen == [Int](repeating: 3, count: 8))
        let elsewhere = await Parallel.withThreads(1) { Task.detached { Parallel.maximumThreads } }.value
        #expect(elsewhere == Parallel.defaultThreads)
        #expect(Parallel.maximumThreads == Parallel.defaultThreads)
    }
}

@Suite("Allocator settings")
struct MemoryTuningTests {
    @Test("glibc keeps large buffers on the heap (Linux only)")
    func applied() {
        _ = Tensor.zeros([1])
        #if os(Linux)
        if ProcessInfo.processInfo.environment["WORKBOOK_MALLOC_DEFAULTS"] != "1" { #expect(MemoryTuning.applied) }
        #else
        #expect(!MemoryTuning.applied)
        #endif
    }
}
