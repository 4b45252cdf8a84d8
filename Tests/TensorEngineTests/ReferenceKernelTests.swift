import Testing
@testable import TensorEngine
import TestSupport

/// The fast convolution, batch-norm and max-pool kernels against the plain loops of
/// `ReferenceKernels`, forward and every gradient, on odd shapes.
///
/// Tolerances. Convolution and batch-norm: the fast kernels add the same Float terms in other
/// orders (GEMM K-blocks, SIMD lanes, groups of images; Double accumulators for the batch
/// statistics), so each result may differ by rounding: |fast − reference| ≤ 1e-5 · max|reference|
/// over the whole tensor (relative 1e-5, measured against the tensor's scale so that sums which
/// cancel to near zero are not held to a relative bound they cannot meet). Max pooling only picks
/// and routes values, adding overlapping windows' gradients in the same order as the reference:
/// the bits must be equal (NaN included).
@Suite("Fast kernels against the plain-loop references")
struct ReferenceKernelTests {
    /// The first element where `fast` and `reference` differ by more than `relative` times the
    /// largest |reference|, or a NaN on either side; nil if they agree.
    static func disagreement(_ fast: [Float], _ reference: [Float], relative: Float = 1e-5) -> String? {
        guard fast.count == reference.count else { return "\(fast.count) values, expected \(reference.count)" }
        let scale = Swift.max(reference.map { abs($0) }.max() ?? 0, Float.leastNormalMagnitude)
        for i in fast.indices where !(abs(fast[i] - reference[i]) <= relative * scale) {
            return "[\(i)]: fast \(fast[i]), reference \(reference[i]) (tolerance \(relative * scale))"
        }
        return nil
    }

    /// The gradient a leaf received; a missing one fails the test.
    func gradient(of t: Tensor) throws -> [Float] { try #require(t.grad, "no gradient").data }

    /// The first element whose bits differ, nil if none.
    static func bitDifference(_ fast: [Float], _ reference: [Float]) -> String? {
        guard fast.count == reference.count else { return "\(fast.count) values, expected \(reference.count)" }
        guard let i = fast.indices.first(where: { fast[$0].bitPattern != reference[$0].bitPattern }) else { return nil }
        return "[\(i)]: fast \(fast[i]), reference \(reference[i])"
    }

    // MARK: Convolution

    /// Input `[n, c, h, w]`, `o` output channels, kernel, stride, padding, with or without bias.
    struct ConvolutionCase: CustomTestStringConvertible, Sendable {
        let n: Int, c: Int, h: Int, w: Int, o: Int
        let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), bias: Bool
        init(_ n: Int, _ c: Int, _ h: Int, _ w: Int, o: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
             padding: (Int, Int) = (0, 0), bias: Bool = true) {
            (self.n, self.c, self.h, self.w, self.o) = (n, c, h, w, o)
            (self.kernel, self.stride, self.padding, self.bias) = (kernel, stride, padding, bias)
        }
        var testDescription: String {
            "[\(n),\(c),\(h),\(w)]→\(o) k\(kernel) s\(stride) p\(padding)\(bias ? "" : " no bias")"
        }
    }

    @Test("conv2d forward, ∂x, ∂w and ∂b agree with the loops", arguments: [
        ConvolutionCase(1, 1, 7, 9, o: 3, kernel: (3, 3), padding: (1, 1)),                    // "same" shifted copies
        ConvolutionCase(3, 3, 9, 7, o: 5, kernel: (3, 3), stride: (2, 2), padding: (1, 1)),    // stride 2
        ConvolutionCase(3, 5, 11, 9, o: 2, kernel: (3, 5)),                                    // rectangular, no padding
        ConvolutionCase(1, 5, 13, 13, o: 4, kernel: (5, 3), stride: (2, 1), padding: (1, 0)),  // mixed stride and padding
        ConvolutionCase(3, 1, 5, 5, o: 1, kernel: (1, 1), stride: (2, 2), bias: false),        // 1×1, no bias
        ConvolutionCase(3, 1, 9, 7, o: 12, kernel: (3, 3), stride: (2, 2), padding: (1, 1)),   // K = 9 < O: ∂w not transposed
        ConvolutionCase(17, 3, 5, 7, o: 5, kernel: (3, 3), padding: (1, 1)),                   // 6 groups of 3, the last of 2
        ConvolutionCase(3, 3, 29, 27, o: 5, kernel: (3, 3), stride: (1, 1), padding: (1, 1)),  // large planes: one image per group
        ConvolutionCase(1, 3, 3, 5, o: 2, kernel: (3, 5), padding: (1, 1), bias: false),       // kernel as large as the image
        ConvolutionCase(16, 8, 7, 7, o: 32, kernel: (3, 3), padding: (1, 1)),                  // ∂Wᵀ over 32 lanes, 8 groups of 2
        ConvolutionCase(10, 9, 6, 5, o: 64, kernel: (3, 3), padding: (2, 1)),                  // over 64 lanes, 5 groups, 81 taps
    ])
    func convolution(_ t: ConvolutionCase) throws {
        let g = ConvolutionGeometry(batch: t.n, channels: t.c, height: t.h, width: t.w, kernelHeight: t.kernel.0,
                                    kernelWidth: t.kernel.1, strideY: t.stride.0, strideX: t.stride.1,
                                    padY: t.padding.0, padX: t.padding.1)
        let x = TestData.uniform([t.n, t.c, t.h, t.w], seed: 101); x.requiresGrad = true
        let w = TestData.uniform([t.o, t.c, t.kernel.0, t.kernel.1], seed: 102); w.requiresGrad = true
        let b = t.bias ? TestData.uniform([t.o], seed: 103) : nil; b?.requiresGrad = true
        let y = try x.conv2d(weight: w, bias: b, stride: t.stride, padding: t.padding)
        #expect(y.shape == [t.n, t.o, g.outputHeight, g.outputWidth])
        let expected = ReferenceKernels.conv2dForward(x: x.data, weight: w.data, bias: b?.data, geometry: g, outChannels: t.o)
        #expect(Self.disagreement(y.data, expected) == nil, "output")

        let seed = TestData.uniform(y.shape, seed: 104)
        try y.backward(seed: seed)
        let reference = ReferenceKernels.conv2dBackward(x: x.data, weight: w.data, gradOutput: seed.data, geometry: g, outChannels: t.o)
        let xGradient = try gradient(of: x)
        #expect(Self.disagreement(xGradient, reference.dx) == nil, "∂x")
        let wGradient = try gradient(of: w)
        #expect(Self.disagreement(wGradient, reference.dWeight) == nil, "∂w")
        if let b {
            let received = try gradient(of: b)
            #expect(Self.disagreement(received, reference.dBias) == nil, "∂b")
        }
    }

    // MARK: Transposed convolution

    /// Input `[n, cin, h, w]`, `cout` output channels, kernel, stride, padding, output padding.
    struct TransposedCase: CustomTestStringConvertible, Sendable {
        let n: Int, cin: Int, h: Int, w: Int, cout: Int
        let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int), bias: Bool
        init(_ n: Int, _ cin: Int, _ h: Int, _ w: Int, cout: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
             padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), bias: Bool = true) {
            (self.n, self.cin, self.h, self.w, self.cout) = (n, cin, h, w, cout)
            (self.kernel, self.stride, self.padding, self.outputPadding, self.bias) = (kernel, stride, padding, outputPadding, bias)
        }
        var testDescription: String {
            "[\(n),\(cin),\(h),\(w)]→\(cout) k\(kernel) s\(stride) p\(padding) op\(outputPadding)\(bias ? "" : " no bias")"
        }
    }

    @Test("conv_transpose2d forward, ∂x, ∂w and ∂b agree with the loops", arguments: [
        TransposedCase(2, 3, 4, 5, cout: 2, kernel: (3, 3)),                                              // stride 1: a "full" convolution
        TransposedCase(3, 4, 7, 7, cout: 2, kernel: (3, 3), stride: (2, 2), padding: (1, 1), outputPadding: (1, 1)), // 7 → 14, the decoder's step
        TransposedCase(1, 2, 3, 5, cout: 3, kernel: (4, 2), stride: (2, 3), padding: (1, 0), outputPadding: (0, 2)), // rectangular, mixed
        TransposedCase(17, 2, 3, 3, cout: 4, kernel: (2, 2), stride: (2, 2), bias: false),                // non-overlapping stamps, many groups
        TransposedCase(2, 8, 1, 1, cout: 3, kernel: (7, 7)),                                               // a 1×1 code to a 7×7 map
        TransposedCase(1, 1, 5, 4, cout: 1, kernel: (3, 3), stride: (1, 1), padding: (1, 1)),             // padding crops the border
    ])
    func transposedConvolution(_ t: TransposedCase) throws {
        let ho = (t.h - 1) * t.stride.0 - 2 * t.padding.0 + t.kernel.0 + t.outputPadding.0
        let wo = (t.w - 1) * t.stride.1 - 2 * t.padding.1 + t.kernel.1 + t.outputPadding.1
        let x = TestData.uniform([t.n, t.cin, t.h, t.w], seed: 121); x.requiresGrad = true
        let w = TestData.uniform([t.cin, t.cout, t.kernel.0, t.kernel.1], seed: 122); w.requiresGrad = true
        let b = t.bias ? TestData.uniform([t.cout], seed: 123) : nil; b?.requiresGrad = true
        let y = try x.convTranspose2d(weight: w, bias: b, stride: t.stride, padding: t.padding, outputPadding: t.outputPadding)
        #expect(y.shape == [t.n, t.cout, ho, wo])
        let expected = ReferenceKernels.convTranspose2dForward(
            x: x.data, weight: w.data, bias: b?.data, batch: t.n, inChannels: t.cin, height: t.h, width: t.w, outChannels: t.cout,
            kernel: t.kernel, stride: t.stride, padding: t.padding, outputHeight: ho, outputWidth: wo)
        #expect(Self.disagreement(y.data, expected) == nil, "output")

        let seed = TestData.uniform(y.shape, seed: 124)
        try y.backward(seed: seed)
        let reference = ReferenceKernels.convTranspose2dBackward(
            x: x.data, weight: w.data, gradOutput: seed.data, batch: t.n, inChannels: t.cin, height: t.h, width: t.w,
            outChannels: t.cout, kernel: t.kernel, stride: t.stride, padding: t.padding, outputHeight: ho, outputWidth: wo)
        #expect(Self.disagreement(try gradient(of: x), reference.dx) == nil, "∂x")
        #expect(Self.disagreement(try gradient(of: w), reference.dWeight) == nil, "∂w")
        if let b { #expect(Self.disagreement(try gradient(of: b), reference.dBias) == nil, "∂b") }
    }

    @Test("conv_transpose2d refuses impossible shapes, naming both")
    func transposedConvolutionRefusals() throws {
        let x = TestData.uniform([1, 3, 4, 4], seed: 125)
        #expect(throws: TensorError.self) { try x.convTranspose2d(weight: TestData.uniform([2, 3, 3, 3], seed: 1), bias: nil) }
        #expect(throws: TensorError.self) { try x.convTranspose2d(weight: TestData.uniform([3, 2, 3, 3], seed: 1), bias: TestData.uniform([3], seed: 2)) }
        #expect(throws: TensorError.self) { try x.convTranspose2d(weight: TestData.uniform([3, 2, 3, 3], seed: 1), bias: nil, stride: (2, 2), outputPadding: (2, 0)) }
        #expect(throws: TensorError.self) { try x.convTranspose2d(weight: TestData.uniform([3, 2, 1, 1], seed: 1), bias: nil, padding: (2, 2)) }
        do {
            _ = try x.convTranspose2d(weight: TestData.uniform([2, 3, 3, 3], seed: 1), bias: nil)
        } catch {
            #expect("\(error)".contains("[1, 3, 4, 4]") && "\(error)".contains("[2, 3, 3, 3]"), "\(error)")
        }
    }

    // MARK: Batch normalisation

    @Test("batch-norm in training mode: output, running statistics, ∂x, ∂γ and ∂β agree with the loops", arguments: [
        [1, 1, 3, 5], [3, 3, 5, 7], [3, 5, 1, 1], [1, 5, 7, 9], [2, 3, 4, 4],
    ])
    func batchNormTraining(shape: [Int]) throws {
        let channels = shape[1], m = shape[0] * shape[2] * shape[3]
        let (momentum, epsilon): (Float, Float) = (0.1, 1e-5)
        // An offset mean and an uneven spread, so that both statistics matter.
        let x = TestData.uniform(shape, seed: 111, low: -1, high: 3); x.requiresGrad = true
        let gamma = TestData.uniform([channels], seed: 112, low: 0.5, high: 1.5); gamma.requiresGrad = true
        let beta = TestData.uniform([channels], seed: 113); beta.requiresGrad = true
        let runningMean = TestData.uniform([channels], seed: 114)
        let runningVariance = TestData.uniform([channels], seed: 115, low: 0.5, high: 2)
        let (startMean, startVariance) = (runningMean.data, runningVariance.data)

        let y = try x.batchNorm2d(weight: gamma, bias: beta, runningMean: runningMean, runningVariance: runningVariance,
                                  training: true, momentum: momentum, epsilon: epsilon)
        let expected = ReferenceKernels.batchNorm2dTrainingForward(x: x.data, shape: shape, gamma: gamma.data, beta: beta.data, epsilon: epsilon)
        #expect(Self.disagreement(y.data, expected.y) == nil, "output")
        let running = ReferenceKernels.batchNorm2dRunningUpdate(runningMean: startMean, runningVariance: startVariance,
                                                               mean: expected.mean, variance: expected.variance, count: m, momentum: momentum)
        #expect(Self.disagreement(runningMean.data, running.mean) == nil, "running mean")
        #expect(Self.disagreement(runningVariance.data, running.variance) == nil, "running variance")

        let seed = TestData.uniform(shape, seed: 116)
        try y.backward(seed: seed)
        let reference = ReferenceKernels.batchNorm2dTrainingBackward(x: x.data, shape: shape, gamma: gamma.data, gradOutput: seed.data, epsilon: epsilon)
        let xGradient = try gradient(of: x)
        #expect(Self.disagreement(xGradient, reference.dx) == nil, "∂x")
        let gammaGradient = try gradient(of: gamma)
        #expect(Self.disagreement(gammaGradient, reference.dGamma) == nil, "∂γ")
        let betaGradient = try gradient(of: beta)
        #expect(Self.disagreement(betaGradient, reference.dBeta) == nil, "∂β")
    }

    @Test("batch-norm in evaluation mode: output, ∂x, ∂γ and ∂β agree with the loops; running statistics untouched", arguments: [
        [1, 1, 1, 1], [1, 1, 3, 5], [3, 3, 5, 7], [3, 5, 1, 1], [1, 5, 7, 9],
    ])
    func batchNormEvaluation(shape: [Int]) throws {
        let channels = shape[1], epsilon: Float = 1e-5
        let x = TestData.uniform(shape, seed: 121, low: -1, high: 3); x.requiresGrad = true
        let gamma = TestData.uniform([channels], seed: 122, low: 0.5, high: 1.5); gamma.requiresGrad = true
        let beta = TestData.uniform([channels], seed: 123); beta.requiresGrad = true
        let runningMean = TestData.uniform([channels], seed: 124)
        let runningVariance = TestData.uniform([channels], seed: 125, low: 0.5, high: 2)
        let (startMean, startVariance) = (runningMean.data, runningVariance.data)

        let y = try x.batchNorm2d(weight: gamma, bias: beta, runningMean: runningMean, runningVariance: runningVariance,
                                  training: false, epsilon: epsilon)
        let expected = ReferenceKernels.batchNorm2dEvaluationForward(x: x.data, shape: shape, gamma: gamma.data, beta: beta.data,
                                                                     runningMean: startMean, runningVariance: startVariance, epsilon: epsilon)
        #expect(Self.disagreement(y.data, expected) == nil, "output")
        #expect(runningMean.data == startMean && runningVariance.data == startVariance, "evaluation must not move the running statistics")

        let seed = TestData.uniform(shape, seed: 126)
        try y.backward(seed: seed)
        let reference = ReferenceKernels.batchNorm2dEvaluationBackward(x: x.data, shape: shape, gamma: gamma.data, runningMean: startMean,
                                                                       runningVariance: startVariance, gradOutput: seed.data, epsilon: epsilon)
        let xGradient = try gradient(of: x)
        #expect(Self.disagreement(xGradient, reference.dx) == nil, "∂x")
        let gammaGradient = try gradient(of: gamma)
        #expect(Self.disagreement(gammaGradient, reference.dGamma) == nil, "∂γ")
        let betaGradient = try gradient(of: beta)
        #expect(Self.disagreement(betaGradient, reference.dBeta) == nil, "∂β")

        // Only ∂x asked for (an explanation's pass to the image: the sums for ∂γ, ∂β are skipped).
        x.zeroGrad()
        let again = try x.batchNorm2d(weight: gamma, bias: beta, runningMean: runningMean, runningVariance: runningVariance,
                                      training: false, epsilon: epsilon)
        try again.backward(seed: seed, inputs: [x])
        #expect(Self.disagreement(try gradient(of: x), reference.dx) == nil, "∂x alone")
    }

    // MARK: Max pooling

    /// Input shape, window, stride, padding, and whether some inputs are NaN.
    struct PoolingCase: CustomTestStringConvertible, Sendable {
        let shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), withNaN: Bool
        init(_ shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0), withNaN: Bool = false) {
            (self.shape, self.kernel, self.stride, self.padding, self.withNaN) = (shape, kernel, stride, padding, withNaN)
        }
        var testDescription: String { "\(shape) k\(kernel) s\(stride) p\(padding)\(withNaN ? " with NaN" : "")" }
    }

    @Test("max-pool forward and ∂x agree with the loops, ties and NaN included", arguments: [
        PoolingCase([1, 1, 7, 9], kernel: (3, 3), stride: (2, 2), padding: (1, 1)),   // overlapping windows, padding
        PoolingCase([3, 3, 5, 7], kernel: (2, 2), stride: (2, 2)),                     // the 2×2 fast path, odd sizes
        PoolingCase([3, 1, 17, 35], kernel: (2, 2), stride: (2, 2), withNaN: true),    // its SIMD chunks and tail
        PoolingCase([3, 5, 9, 11], kernel: (2, 3), stride: (2, 1), padding: (1, 1)),   // rectangular, overlapping
        PoolingCase([1, 3, 6, 5], kernel: (3, 2), stride: (1, 2), padding: (0, 1), withNaN: true),
        PoolingCase([3, 3, 7, 7], kernel: (3, 3), stride: (3, 3), padding: (1, 1)),
        PoolingCase([1, 5, 4, 5], kernel: (4, 5), stride: (1, 1)),                     // one window per plane
    ])
    func maxPooling(_ t: PoolingCase) throws {
        let (n, c, h, w) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
        let g = ConvolutionGeometry(batch: n, channels: c, height: h, width: w, kernelHeight: t.kernel.0, kernelWidth: t.kernel.1,
                                    strideY: t.stride.0, strideX: t.stride.1, padY: t.padding.0, padX: t.padding.1)
        // Values in {−1, 0, 1}: most windows hold ties. Every 29th a NaN when asked.
        var generator = SeededGenerator(seed: 131)
        let values = (0..<(n * c * h * w)).map { i -> Float in
            t.withNaN && i % 29 == 7 ? .nan : Float(generator.nextInt(below: 3) - 1)
        }
        let x = try Tensor(shape: t.shape, data: values, requiresGrad: true)
        let y = try x.maxPool2d(kernel: t.kernel, stride: t.stride, padding: t.padding)
        #expect(y.shape == [n, c, g.outputHeight, g.outputWidth])
        #expect(Self.bitDifference(y.data, ReferenceKernels.maxPool2dForward(x: values, geometry: g)) == nil, "output")

        let seed = TestData.uniform(y.shape, seed: 132)
        try y.backward(seed: seed)
        let reference = ReferenceKernels.maxPool2dBackward(x: values, geometry: g, gradOutput: seed.data)
        let xGradient = try gradient(of: x)
        #expect(Self.bitDifference(xGradient, reference) == nil, "∂x")
    }

    /// The tolerance helper itself: a NaN anywhere is a disagreement (a plain `max` of the
    /// differences would skip a NaN that is not first).
    @Test("the comparison catches a NaN anywhere and passes rounding")
    func comparison() {
        #expect(Self.disagreement([1, 2, .nan], [1, 2, 3]) != nil)
        #expect(Self.disagreement([1, 2, 3], [1, 2, .nan]) != nil)
        #expect(Self.disagreement([1, 2, 3.00001], [1, 2, 3]) == nil)
        #expect(Self.disagreement([1, 2, 3.001], [1, 2, 3]) != nil)
        #expect(Self.bitDifference([.nan], [.nan]) == nil)
    }
}

