import Testing
import Foundation
@testable import TensorEngine
import TestSupport

/// Winograd's F(2×2, 3×3) (`Winograd`) against the definition of the convolution, and the
/// convolutions that take it against the same definition and against themselves (batch, threads).
@Suite("Winograd convolution against the definition")
struct WinogradTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let c: Int, h: Int, w: Int, o: Int, pad: (Int, Int), dominantTap: Bool
        init(_ c: Int, _ h: Int, _ w: Int, o: Int, pad: (Int, Int), dominantTap: Bool = false) {
            (self.c, self.h, self.w, self.o, self.pad, self.dominantTap) = (c, h, w, o, pad, dominantTap)
        }
        var testDescription: String { "[\(c),\(h),\(w)]→\(o) p\(pad)\(dominantTap ? ", one tap 1000× the others" : "")" }
        /// Uniform weights in [−1, 1], or with `dominantTap` each window's top-right tap 1000 times larger.
        func weight(seed: UInt64) -> [Float] {
            var w = TestData.uniform([o, c, 3, 3], seed: seed).data
            if dominantTap { for i in stride(from: 2, to: w.count, by: 9) { w[i] *= 1000 } }
            return w
        }
    }

    /// y of the definition in Double, `[O, Ho, Wo]`, and Winograd's error scale for each output:
    /// |b| + Σ_c (Σ|w_oc|)·(Σ|x_c| over the 4×4 block of its 2×2 tile). The transforms mix the
    /// whole block and window before the products and cancel them after, so F(2×2, 3×3) rounds at
    /// that scale, not at the output's own Σ|terms| (a dominant tap shows the difference).
    static func definition(_ x: [Float], _ w: [Float], _ bias: [Float]?, _ t: Case) -> (y: [Double], magnitude: [Double]) {
        let (ho, wo) = (t.h + 2 * t.pad.0 - 2, t.w + 2 * t.pad.1 - 2)
        var y = [Double](repeating: 0, count: t.o * ho * wo), magnitude = y
        func pixel(_ c: Int, _ iy: Int, _ ix: Int) -> Double {
            iy >= 0 && iy < t.h && ix >= 0 && ix < t.w ? Double(x[(c * t.h + iy) * t.w + ix]) : 0
        }
        for o in 0..<t.o { for oy in 0..<ho { for ox in 0..<wo {
            var sum = Double(bias?[o] ?? 0), scale = abs(sum)
            for c in 0..<t.c {
                var window = 0.0, block = 0.0
                for ky in 0..<3 { for kx in 0..<3 {
                    let weight = Double(w[((o * t.c + c) * 3 + ky) * 3 + kx])
                    sum += pixel(c, oy - t.pad.0 + ky, ox - t.pad.1 + kx) * weight
                    window += abs(weight)
                } }
                let (top, left) = (oy / 2 * 2 - t.pad.0, ox / 2 * 2 - t.pad.1)
                for by in 0..<4 { for bx in 0..<4 { block += abs(pixel(c, top + by, left + bx)) } }
                scale += window * block
            }
            y[(o * ho + oy) * wo + ox] = sum; magnitude[(o * ho + oy) * wo + ox] = scale
        } } }
        return (y, magnitude)
    }

    /// `winograd.convolve` of `input` with the transformed weight `u` onto a copy of `start`, in
    /// blocks of `rowsPerBlock` tile rows (nil: its own choice), with at most `threads` threads.
    static func convolve(_ winograd: Winograd, _ input: [Float], weight u: [Float], transposed: Bool, outChannels: Int, bias: [Float]?,
                         onto start: [Float], accumulate: Bool, rowsPerBlock: Int?, threads: Int) -> [Float] {
        var out = start
        Parallel.withThreads(threads) {
            input.withUnsafeBufferPointer { xp in u.withUnsafeBufferPointer { up in out.withUnsafeMutableBufferPointer { yp in
                winograd.convolve(xp.baseAddress!, weight: up.baseAddress!, weightTransposed: transposed, outChannels: outChannels, bias: bias,
                                  into: yp.baseAddress!, accumulate: accumulate, parallel: true, rowsPerBlock: rowsPerBlock)
            } } }
        }
        return out
    }

    /// The worst |actual − definition| / (Σ|terms| + 1e-3) over the output, and where.
    static func worst(_ actual: [Float], _ reference: (y: [Double], magnitude: [Double])) -> (error: Double, at: Int) {
        var worst = (error: 0.0, at: -1)
        for i in actual.indices {
            let e = abs(Double(actual[i]) - reference.y[i]) / (reference.magnitude[i] + 1e-3)
            if !(e <= worst.error) { worst = (e, i) }
        }
        return worst
    }

    /// The kernel itself on every edge it has: odd and even output sizes (a tile's dropped row or
    /// column), paddings 0, 1 and 2 (∂x of padding 0), rows of more than 16 tiles (several vectors
    /// of tiles, the last one partial), more than 32 outputs (the paired store) and 28 (half of it), a 1×1 image,
    /// channels that fill no GEMM tile; with a bias, onto existing values (`accumulate`), in one
    /// block or in several, on one thread or all: the definition's values within 1e-5 of Σ|terms|,
    /// and the same bits whatever the blocks and threads.
    @Test("F(2×2, 3×3) agrees with the definition and is the same bits in any blocks, on any thread count", arguments: [
        Case(3, 7, 9, o: 5, pad: (1, 1)), Case(5, 30, 33, o: 4, pad: (0, 0)), Case(17, 12, 11, o: 20, pad: (2, 2)),
        Case(4, 1, 1, o: 3, pad: (1, 1)), Case(2, 40, 70, o: 3, pad: (1, 2)), Case(9, 35, 66, o: 10, pad: (1, 1)), Case(5, 6, 28, o: 6, pad: (1, 1)),
        Case(6, 20, 21, o: 5, pad: (1, 1), dominantTap: true),
    ])
    func kernel(_ t: Case) {
        let x = TestData.uniform([t.c, t.h, t.w], seed: 81).data, w = t.weight(seed: 82)
        let bias = TestData.uniform([t.o], seed: 83).data, start = TestData.uniform([t.o, t.h + 2 * t.pad.0 - 2, t.w + 2 * t.pad.1 - 2], seed: 84).data
        let winograd = Winograd(channels: t.c, height: t.h, width: t.w, padY: t.pad.0, padX: t.pad.1)
        let u = w.withUnsafeBufferPointer { Winograd.transformedWeight($0.baseAddress!, outChannels: t.o, channels: t.c, flipped: false) }
        func run(accumulate: Bool, rowsPerBlock: Int?, threads: Int) -> [Float] {
            Self.convolve(winograd, x, weight: u, transposed: false, outChannels: t.o, bias: bias, onto: start, accumulate: accumulate,
                          rowsPerBlock: rowsPerBlock, threads: threads)
        }
        let reference = Self.definition(x, w, bias, t)
        let written = run(accumulate: false, rowsPerBlock: nil, threads: 2)
        let (error, at) = Self.worst(written, reference)
        #expect(error < 1e-5, "output \(at): \(written[max(at, 0)]) against the definition's \(reference.y[max(at, 0)])")
        let added = run(accumulate: true, rowsPerBlock: nil, threads: 2)
        let plusStart = (y: zip(reference.y, start).map { $0 + Double($1) }, magnitude: zip(reference.magnitude, start).map { $0 + abs(Double($1)) })
        #expect(Self.worst(added, plusStart).error < 1e-5, "accumulated onto existing values")
        for (rows, threads) in [(1, 2), (1, 1), (2, 2), (3, 1), (nil, 1)] as [(Int?, Int)] {
            #expect(run(accumulate: false, rowsPerBlock: rows, threads: threads) == written, "blocks of \(rows ?? 0) tile rows, \(threads) threads")
        }
    }

    /// Forty seeded random geometries (1–12 channels each way, 1–40 rows and columns, padding 0–2
    /// each way, a third with a dominant tap), forward and ∂x: the definition's values, and the
    /// same bits in blocks of one tile row on one thread.
    static let randomCases: [Case] = {
        var g = SeededGenerator(seed: 2016)
        return (0..<40).map { i in
            let pad = (Int.random(in: 0...2, using: &g), Int.random(in: 0...2, using: &g))
            let h = Int.random(in: max(1, 3 - 2 * pad.0)...40, using: &g), w = Int.random(in: max(1, 3 - 2 * pad.1)...40, using: &g)
            return Case(Int.random(in: 1...12, using: &g), h, w, o: Int.random(in: 1...12, using: &g), pad: pad, dominantTap: i % 3 == 0)
        }
    }()

    @Test("F(2×2, 3×3) on forty seeded random geometries agrees with the definition, forward and ∂x", arguments: randomCases)
    func randomGeometry(_ t: Case) {
        let x = TestData.uniform([t.c, t.h, t.w], seed: 95).data, w = t.weight(seed: 96)
        let winograd = Winograd(channels: t.c, height: t.h, width: t.w, padY: t.pad.0, padX: t.pad.1)
        let u = w.withUnsafeBufferPointer { Winograd.transformedWeight($0.baseAddress!, outChannels: t.o, channels: t.c, flipped: false) }
        let zero = [Float](repeating: 0, count: t.o * winograd.outputHeight * winograd.outputWidth)
        let y = Self.convolve(winograd, x, weight: u, transposed: false, outChannels: t.o, bias: nil, onto: zero, accumulate: false,
                              rowsPerBlock: nil, threads: 2)
        let (error, at) = Self.worst(y, Self.definition(x, w, nil, t))
        #expect(error < 1e-5, "output \(at)")
        #expect(Self.convolve(winograd, x, weight: u, transposed: false, outChannels: t.o, bias: nil, onto: zero, accumulate: false,
                              rowsPerBlock: 1, threads: 1) == y, "blocks of one tile row, one thread")
        // ∂x: the output gradient convolved with the flipped weight (checked against the same
        // definition with the weight flipped by hand).
        let geometry = ConvolutionGeometry(batch: 1, channels: t.c, height: t.h, width: t.w, kernelHeight: 3, kernelWidth: 3,
                                           strideY: 1, strideX: 1, padY: t.pad.0, padX: t.pad.1)
        let back = Winograd(inputGradientOf: geometry, outChannels: t.o)
        let grad = TestData.uniform([t.o, geometry.outputHeight, geometry.outputWidth], seed: 97).data
        let flippedU = w.withUnsafeBufferPointer { Winograd.transformedWeight($0.baseAddress!, outChannels: t.o, channels: t.c, flipped: true) }
        let dx = Self.convolve(back, grad, weight: flippedU, transposed: true, outChannels: t.c, bias: nil,
                               onto: [Float](repeating: 0, count: t.c * t.h * t.w), accumulate: true, rowsPerBlock: nil, threads: 2)
        var flipped = [Float](repeating: 0, count: w.count)
        for o in 0..<t.o { for c in 0..<t.c { for tap in 0..<9 { flipped[(c * t.o + o) * 9 + tap] = w[(o * t.c + c) * 9 + 8 - tap] } } }
        let mirror = Case(t.o, geometry.outputHeight, geometry.outputWidth, o: t.c, pad: (2 - t.pad.0, 2 - t.pad.1))
        #expect(Self.worst(dx, Self.definition(grad, flipped, nil, mirror)).error < 1e-5, "∂x")
    }

    /// ∂x by the ∂x geometry and the flipped transform, read transposed: the definition's ∂x
    /// (added onto existing values), and the same bits in any blocks, on any thread count.
    @Test("∂x by F(2×2, 3×3) with the flipped, transposed weight agrees with the definition", arguments: [
        Case(6, 9, 13, o: 7, pad: (1, 1)), Case(3, 20, 40, o: 5, pad: (0, 0)), Case(4, 11, 8, o: 3, pad: (2, 1)),
        Case(5, 18, 34, o: 4, pad: (1, 1), dominantTap: true),
    ])
    func inputGradient(_ t: Case) {
        let geometry = ConvolutionGeometry(batch: 1, channels: t.c, height: t.h, width: t.w, kernelHeight: 3, kernelWidth: 3,
                                           strideY: 1, strideX: 1, padY: t.pad.0, padX: t.pad.1)
        let (ho, wo) = (geometry.outputHeight, geometry.outputWidth)
        let grad = TestData.uniform([t.o, ho, wo], seed: 85).data, w = t.weight(seed: 86)
        let start = TestData.uniform([t.c, t.h, t.w], seed: 87).data
        let winograd = Winograd(inputGradientOf: geometry, outChannels: t.o)
        #expect(winograd.outputHeight == t.h && winograd.outputWidth == t.w)
        let u = w.withUnsafeBufferPointer { Winograd.transformedWeight($0.baseAddress!, outChannels: t.o, channels: t.c, flipped: true) }
        func run(rowsPerBlock: Int?, threads: Int) -> [Float] {
            Self.convolve(winograd, grad, weight: u, transposed: true, outChannels: t.c, bias: nil, onto: start, accumulate: true,
                          rowsPerBlock: rowsPerBlock, threads: threads)
        }
        let dx = run(rowsPerBlock: nil, threads: 2)
        // ∂x[c, iy, ix] = Σ grad[o, oy, ox] · w[o, c, ky, kx] over iy = oy − p + ky, ix = ox − p + kx, in
        // Double; the error scale is that of the ∂x convolution (the gradient with the flipped weight).
        var reference = start.map(Double.init)
        for o in 0..<t.o { for oy in 0..<ho { for ox in 0..<wo { for c in 0..<t.c { for ky in 0..<3 { for kx in 0..<3 {
            let iy = oy - t.pad.0 + ky, ix = ox - t.pad.1 + kx
            guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
            reference[(c * t.h + iy) * t.w + ix] += Double(grad[(o * ho + oy) * wo + ox]) * Double(w[((o * t.c + c) * 3 + ky) * 3 + kx])
        } } } } } }
        var flipped = [Float](repeating: 0, count: w.count)
        for o in 0..<t.o { for c in 0..<t.c { for tap in 0..<9 { flipped[(c * t.o + o) * 9 + tap] = w[(o * t.c + c) * 9 + 8 - tap] } } }
        let scale = Self.definition(grad, flipped, nil, Case(t.o, ho, wo, o: t.c, pad: (2 - t.pad.0, 2 - t.pad.1))).magnitude
        let (error, at) = Self.worst(dx, (reference, zip(scale, start).map { $0 + abs(Double($1)) }))
        #expect(error < 1e-5, "∂x at \(at): \(dx[max(at, 0)]) against the definition's \(reference[max(at, 0)])")
        for (rows, threads) in [(1, 2), (2, 1), (nil, 1)] as [(Int?, Int)] {
            #expect(run(rowsPerBlock: rows, threads: threads) == dx, "blocks of \(rows ?? 0) tile rows, \(threads) threads")
        }
    }

    /// Where `ConvolutionPlan` takes it: 3×3, stride 1, 64 channels in and out or more, planes of
    /// 28×28 or more; never on the course's networks (at most 64 channels on 14×14 planes).
    @Test("convolutions take Winograd only with 64 channels in and out on planes of 28×28 and up")
    func chosen() {
        func plan(_ c: Int, _ h: Int, _ w: Int, o: Int, k: Int = 3, s: Int = 1, p: Int = 1, batch: Int = 1) -> ConvolutionPlan {
            ConvolutionPlan(ConvolutionGeometry(batch: batch, channels: c, height: h, width: w, kernelHeight: k, kernelWidth: k,
                                                strideY: s, strideX: s, padY: p, padX: p), outChannels: o)
        }
        for taken in [plan(64, 224, 224, o: 64), plan(512, 28, 28, o: 512), plan(256, 56, 56, o: 256, batch: 27),
                      plan(64, 30, 30, o: 64, p: 0), plan(64, 26, 26, o: 64, p: 2)] {
            #expect(taken.winograd != nil && taken.winogradGradient != nil, "\(taken.geometry)")
        }
        for notTaken in [plan(3, 224, 224, o: 64), plan(64, 224, 224, o: 63), plan(512, 14, 14, o: 512), plan(64, 27, 27, o: 64),
                         plan(128, 56, 56, o: 128, s: 2), plan(64, 56, 56, o: 64, k: 1, p: 0), plan(64, 56, 56, o: 64, k: 5, p: 2),
                         plan(64, 14, 14, o: 64, batch: 64), plan(32, 28, 28, o: 64, batch: 64), plan(64, 28, 28, o: 64, p: 3)] {
            #expect(notTaken.winograd == nil && notTaken.winogradGradient == nil, "\(notTaken.geometry)")
        }
    }

    /// conv2d on such a shape, forward and backward (∂x by Winograd, ∂W and ∂b as before): the
    /// definition's values; an image's output and ∂x the same bits alone and in a batch, on one
    /// thread and on all; and the fused forms (conv → ReLU, conv → ReLU → pool) the bits of the
    /// plain ops.
    @Test("conv2d by Winograd agrees with the definition, alone and in a batch, on any thread count")
    func convolution() throws {
        let t = Case(64, 28, 30, o: 64, pad: (1, 1))
        let batch = TestData.uniform([3, t.c, t.h, t.w], seed: 87)
        let weight = TestData.uniform([t.o, t.c, 3, 3], seed: 88, low: -0.1, high: 0.1), bias = TestData.uniform([t.o], seed: 89)
        let seed = TestData.uniform([3, t.o, t.h, t.w], seed: 90)
        func run(_ x: Tensor) throws -> (y: [Float], dx: [Float], dw: [Float]) {
            x.requiresGrad = true; weight.requiresGrad = true; weight.grad = nil
            let y = try x.conv2d(weight: weight, bias: bias, padding: t.pad)
            try y.backward(seed: try Tensor(shape: y.shape, data: Array(seed.data[0..<y.count])), inputs: [x, weight])
            return (y.data, try #require(x.grad).data, try #require(weight.grad).data)
        }
        let size = t.c * t.h * t.w, outSize = t.o * t.h * t.w
        let first = try Tensor(shape: [1, t.c, t.h, t.w], data: Array(batch.data[0..<size]))
        let alone = try run(first)
        let reference = Self.definition(first.data, weight.data, bias.data, t)
        let (error, at) = Self.worst(alone.y, reference)
        #expect(error < 1e-5, "output \(at): \(alone.y[max(at, 0)]) against the definition's \(reference.y[max(at, 0)])")
        let g = ConvolutionGeometry(batch: 1, channels: t.c, height: t.h, width: t.w, kernelHeight: 3, kernelWidth: 3,
                                    strideY: 1, strideX: 1, padY: 1, padX: 1)
        let exact = ReferenceKernels.conv2dBackward(x: first.data, weight: weight.data, gradOutput: Array(seed.data[0..<outSize]),
                                                    geometry: g, outChannels: t.o)
        #expect(maxAbsoluteDifference(alone.dx, exact.dx) < 1e-4, "∂x differs from the definition")
        #expect(maxAbsoluteDifference(alone.dw, exact.dWeight) < 2e-3, "∂W differs from the definition")
        let all = try run(try Tensor(shape: batch.shape, data: batch.data))
        #expect(Array(all.y[0..<outSize]) == alone.y, "an image's output depends on the batch")
        #expect(Array(all.dx[0..<size]) == alone.dx, "an image's ∂x depends on the batch")
        let one = try Parallel.withThreads(1) { try run(try Tensor(shape: batch.shape, data: batch.data)) }
        #expect(one.y == all.y && one.dx == all.dx && one.dw == all.dw, "one thread and two give different bits")
        // Fused: conv → ReLU and conv → ReLU → 2×2 max pool, without a graph, the plain ops' bits.
        try withNoGrad {
            let x = try Tensor(shape: batch.shape, data: batch.data)
            let plain = try x.conv2d(weight: weight, bias: bias, padding: t.pad).relu()
            let fused = try x.convolutionReLU(weight: weight, bias: bias, stride: (1, 1), padding: t.pad)
            #expect(fused.data == plain.data, "conv2d+relu")
            let pooled = try #require(try x.convolutionPooled(weight: weight, bias: bias, stride: (1, 1), padding: t.pad,
                                                               epilogue: ConvolutionEpilogue(relu: true)))
            #expect(pooled.data == (try plain.maxPool2d(kernel: (2, 2))).data, "conv2d+relu+maxPool2d")
        }
        // The same, recorded (the pooled op's backward hands Winograd's ∂x the gradient it
        // scattered): the plain ops' values and gradients, bit for bit.
        func pooledGradients(fused: Bool) throws -> (y: [Float], dx: [Float], dw: [Float]) {
            let x = try Tensor(shape: batch.shape, data: batch.data); x.requiresGrad = true
            weight.requiresGrad = true; weight.grad = nil
            let y = fused
                ? try #require(try x.convolutionPooled(weight: weight, bias: bias, stride: (1, 1), padding: t.pad, epilogue: ConvolutionEpilogue(relu: true)))
                : try x.conv2d(weight: weight, bias: bias, padding: t.pad).relu().maxPool2d(kernel: (2, 2))
            try y.backward(seed: TestData.uniform(y.shape, seed: 91), inputs: [x, weight])
            return (y.data, try #require(x.grad).data, try #require(weight.grad).data)
        }
        let fusedPool = try pooledGradients(fused: true), plainPool = try pooledGradients(fused: false)
        #expect(fusedPool.y == plainPool.y, "conv2d+relu+maxPool2d with a graph: output")
        #expect(fusedPool.dx == plainPool.dx, "conv2d+relu+maxPool2d with a graph: ∂x")
        #expect(fusedPool.dw == plainPool.dw, "conv2d+relu+maxPool2d with a graph: ∂W")
    }

    /// A transposed convolution is the ∂x of its mirror convolution and its ∂x the mirror's
    /// forward pass: with 64 channels on 28×28 both go by Winograd. The definition's values.
    @Test("a transposed convolution with 64 channels on 28×28 agrees with the definition, forward and backward")
    func transposed() throws {
        let (cin, cout, h, w) = (64, 64, 28, 28)
        let mirror = ConvolutionPlan(ConvolutionGeometry(batch: 1, channels: cout, height: h, width: w, kernelHeight: 3, kernelWidth: 3,
                                                         strideY: 1, strideX: 1, padY: 1, padX: 1), outChannels: cin)
        #expect(mirror.winograd != nil && mirror.winogradGradient != nil)
        let x = TestData.uniform([1, cin, h, w], seed: 92); x.requiresGrad = true
        let weight = TestData.uniform([cin, cout, 3, 3], seed: 93, low: -0.1, high: 0.1); weight.requiresGrad = true
        let y = try x.convTranspose2d(weight: weight, bias: nil, stride: (1, 1), padding: (1, 1))
        let expected = ReferenceKernels.convTranspose2dForward(x: x.data, weight: weight.data, bias: nil, batch: 1, inChannels: cin, height: h,
                                                               width: w, outChannels: cout, kernel: (3, 3), stride: (1, 1), padding: (1, 1),
                                                               outputHeight: h, outputWidth: w)
        #expect(maxAbsoluteDifference(y.data, expected) < 1e-4, "forward")
        let seed = TestData.uniform(y.shape, seed: 94)
        try y.backward(seed: seed, inputs: [x, weight])
        let exact = ReferenceKernels.convTranspose2dBackward(x: x.data, weight: weight.data, gradOutput: seed.data, batch: 1, inChannels: cin,
                                                             height: h, width: w, outChannels: cout, kernel: (3, 3), stride: (1, 1),
                                                             padding: (1, 1), outputHeight: h, outputWidth: w)
        #expect(maxAbsoluteDifference(try #require(x.grad).data, exact.dx) < 1e-4, "∂x")
        #expect(maxAbsoluteDifference(try #require(weight.grad).data, exact.dWeight) < 2e-3, "∂W")
    }
}
