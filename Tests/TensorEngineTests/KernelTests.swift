import Testing
import Foundation
@testable import TensorEngine
import TestSupport

/// Every fast kernel against the naive reference kept beside it.
@Suite("Fast kernels against naive references")
struct KernelTests {
    @Test("GEMM agrees with the triple loop", arguments: [
        (1, 1, 1), (3, 5, 7), (4, 16, 8), (5, 17, 300), (33, 65, 257), (64, 10, 1), (2, 3, 0),
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

    /// Both register tiles (6×16 and the AVX-512 6×32; each runs on any CPU, just not as fast),
    /// both operand layouts, row and column splits: identical bits whatever the tile, and the
    /// triple loop's values to rounding.
    @Test("the 16- and 32-column micro-kernels give the same bits", arguments: [
        (6, 32, 40), (13, 70, 300), (200, 33, 9), (7, 1100, 150), (288, 64, 392),
    ])
    func panelWidths(m: Int, n: Int, k: Int) {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = TestData.uniform([m * k], seed: 51).data, b = TestData.uniform([k * n], seed: 52).data
            func run(_ width: Int) -> [Float] {
                var c = TestData.uniform([m * n], seed: 53).data
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: ta ? m : k, transposeA: ta,
                                  b: bp.baseAddress!, ldb: tb ? k : n, transposeB: tb, c: cp.baseAddress!, ldc: n,
                                  accumulate: true, panelWidth: width)
                } } }
                return c
            }
            let narrow = run(16), wide = run(32)
            #expect(narrow == wide, "m \(m) n \(n) k \(k) transposeA \(ta) transposeB \(tb)")
            var slow = TestData.uniform([m * n], seed: 53).data
            let at = ta ? GEMM.transpose(a, rows: k, columns: m) : a, bt = tb ? GEMM.transpose(b, rows: n, columns: k) : b
            at.withUnsafeBufferPointer { ap in bt.withUnsafeBufferPointer { bp in slow.withUnsafeMutableBufferPointer { cp in
                GEMM.naive(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, accumulate: true)
            } } }
            #expect(maxAbsoluteDifference(wide, slow) <= 1e-5 * Float(k), "m \(m) n \(n) k \(k)")
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
        let slow = naiveConvolution2D(input: x.data, weight: w.data, bias: b.data, geometry: geometry, outChannels: out)
        #expect(fast.shape == [batch, out, geometry.outputHeight, geometry.outputWidth])
        #expect(maxAbsoluteDifference(fast.data, slow) < 1e-4)
    }

    /// Forward and both gradients against the definition, on shapes that exercise every path:
    /// the "same"-padding shifted copies (3×3 pad 1, 5×5 pad 2, rectangular images, a 2×2 image),
    /// the general loop (stride 2, no padding, padding ≥ the image), and batches that span several
    /// groups of images (25 maps of 7×7 with 21 per group; 5 of 28×28 with 2 per group).
    @Test("conv2d forward and backward agree with the definition", arguments: [
        (batch: 25, channels: 3, height: 7, width: 7, out: 8, kernel: 3, stride: 1, padding: 1),
        (batch: 5, channels: 1, height: 28, width: 28, out: 4, kernel: 3, stride: 1, padding: 1),
        (batch: 3, channels: 2, height: 6, width: 11, out: 3, kernel: 5, stride: 1, padding: 2),
        (batch: 2, channels: 2, height: 2, width: 2, out: 3, kernel: 3, stride: 1, padding: 1),
        (batch: 2, channels: 2, height: 1, width: 1, out: 2, kernel: 3, stride: 1, padding: 1),
        (batch: 3, channels: 2, height: 9, width: 8, out: 4, kernel: 3, stride: 2, padding: 1),
        (batch: 2, channels: 3, height: 7, width: 6, out: 2, kernel: 3, stride: 1, padding: 0),
    ])
    func convolutionBackward(batch: Int, channels: Int, height: Int, width: Int, out: Int, kernel: Int, stride: Int, padding: Int) throws {
        let x = TestData.uniform([batch, channels, height, width], seed: 21); x.requiresGrad = true
        let w = TestData.uniform([out, channels, kernel, kernel], seed: 22); w.requiresGrad = true
        let b = TestData.uniform([out], seed: 23); b.requiresGrad = true
        let y = try x.conv2d(weight: w, bias: b, stride: (stride, stride), padding: (padding, padding))
        let g = ConvolutionGeometry(batch: batch, channels: channels, height: height, width: width, kernelHeight: kernel,
                                    kernelWidth: kernel, strideY: stride, strideX: stride, padY: padding, padX: padding)
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        #expect(y.shape == [batch, out, ho, wo])
        #expect(maxAbsoluteDifference(y.data, naiveConvolution2D(input: x.data, weight: w.data, bias: b.data, geometry: g, outChannels: out)) < 1e-4)
        let seed = TestData.uniform(y.shape, seed: 24)
        try y.backward(seed: seed)
        // ∂x[n,c,iy,ix] = Σ seed[n,o,oy,ox]·w[o,c,ky,kx] and ∂w[o,c,ky,kx] = Σ seed[n,o,oy,ox]·x[n,c,iy,ix]
        // over the windows where iy = oy·s − p + ky, ix = ox·s − p + kx; in Double.
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: out)
        for n in 0..<batch { for o in 0..<out { for oy in 0..<ho { for ox in 0..<wo {
            let s = Double(seed.data[((n * out + o) * ho + oy) * wo + ox])
            db[o] += s
            for c in 0..<channels { for ky in 0..<kernel { for kx in 0..<kernel {
                let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                let xi = ((n * channels + c) * height + iy) * width + ix, wi = ((o * channels + c) * kernel + ky) * kernel + kx
                dx[xi] += s * Double(w.data[wi])
                dw[wi] += s * Double(x.data[xi])
            } } }
        } } } }
        let received = (x.grad!.data, w.grad!.data, b.grad!.data)
        let scale = Float(batch * ho * wo) * 1e-6 + 1e-5
        #expect(maxAbsoluteDifference(received.0, dx.map(Float.init)) < scale, "∂x differs from the definition")
        #expect(maxAbsoluteDifference(received.1, dw.map(Float.init)) < scale, "∂w differs from the definition")
        #expect(maxAbsoluteDifference(received.2, db.map(Float.init)) < scale, "∂b differs from the definition")
    }

    @Test("2×2 max-pooling (fast path, split by planes) agrees with the definition, forward and backward")
    func maxPooling() throws {
        let (n, c, h, w) = (6, 40, 14, 10)                 // 240 planes: several chunks
        let x = TestData.uniform([n, c, h, w], seed: 41); x.requiresGrad = true
        let y = try x.maxPool2d(kernel: (2, 2))
        let seed = TestData.uniform(y.shape, seed: 42)
        try y.backward(seed: seed)
        var expected = [Float](repeating: 0, count: y.count), dx = [Float](repeating: 0, count: x.count)
        for p in 0..<(n * c) { for oy in 0..<(h / 2) { for ox in 0..<(w / 2) {
            var best = -Float.infinity, at = 0
            for dy in 0..<2 { for dxx in 0..<2 {
                let i = (p * h + 2 * oy + dy) * w + 2 * ox + dxx
                if x.data[i] > best { best = x.data[i]; at = i }
            } }
            let o = (p * (h / 2) + oy) * (w / 2) + ox
            expected[o] = best
            dx[at] += seed.data[o]
        } } }
        #expect(y.data == expected)
        #expect(x.grad!.data == dx)
    }

    @Test("results are the same bits with one thread and with all of them")
    func deterministicAcrossThreadCounts() throws {
        func run() throws -> ([Float], [Float], [Float]) {
            let x = TestData.uniform([40, 8, 12, 12], seed: 9); x.requiresGrad = true   // 5 groups of 8 images
            let w = TestData.uniform([16, 8, 3, 3], seed: 10); w.requiresGrad = true
            let y = try x.conv2d(weight: w, bias: nil, padding: (1, 1))
            try y.backward(seed: TestData.uniform(y.shape, seed: 11))
            let big = GEMM.product(TestData.uniform([96, 200], seed: 12).data, TestData.uniform([200, 80], seed: 13).data, m: 96, n: 80, k: 200)
            // ReLU and max-pooling split large tensors across threads (here 6 and 3 chunks).
            let z = TestData.uniform([16, 32, 28, 28], seed: 14, low: -1, high: 1); z.requiresGrad = true
            let pooled = try z.relu().maxPool2d(kernel: (2, 2))
            try pooled.backward(seed: TestData.uniform(pooled.shape, seed: 15))
            return (y.data + big + pooled.data, x.grad!.data + z.grad!.data, w.grad!.data)
        }
        let saved = Parallel.maximumThreads
        defer { Parallel.maximumThreads = saved }
        Parallel.maximumThreads = 1
        let single = try run()
        Parallel.maximumThreads = 4
        let multi = try run()
        #expect(single.0 == multi.0)
        #expect(single.1 == multi.1)
        #expect(single.2 == multi.2)
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
