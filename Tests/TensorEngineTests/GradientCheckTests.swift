import Testing
import TensorEngine
import TestSupport

/// Every op's backward against central differences (see `GradientCheck` for step and tolerance).
@Suite("Gradient checks")
struct GradientCheckTests {
    func expectGradients(_ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                         _ f: ([Tensor]) throws -> Tensor) throws {
        let report = try GradientCheck.run(inputs: inputs, f)
        #expect(report.passed, "\(report)", sourceLocation: sourceLocation)
    }

    func data(_ shape: [Int], _ seed: UInt64) -> Tensor { TestData.awayFromKinks(shape, seed: seed) }

    @Test("add, sub, mul, div with broadcasting")
    func arithmetic() throws {
        try expectGradients([data([2, 3, 4], 1), data([3, 1], 2)]) { try $0[0] + $0[1] }
        try expectGradients([data([2, 3, 4], 3), data([4], 4)]) { try $0[0] - $0[1] }
        try expectGradients([data([2, 1, 4], 5), data([3, 1], 6)]) { try $0[0] * $0[1] }
        // Divisor kept away from 0: |b| ≥ 0.5.
        let b = TestData.uniform([3, 1], seed: 8, low: 0.5, high: 1.5)
        try expectGradients([data([2, 3, 4], 7), b]) { try $0[0] / $0[1] }
        try expectGradients([data([2, 3], 9), data([2, 3], 10)]) { try Tensor.maximum($0[0], $0[1]) }
        // The layouts with their own loops: same shape, and a one-element operand on either side
        // (the normalisation layer's x − mean and x / std), with and without a constant operand.
        let divisor = TestData.uniform([1, 1, 1, 1], seed: 11, low: 0.5, high: 1.5)
        let positive = TestData.uniform([2, 1, 3, 3], seed: 12, low: 0.5, high: 1.5)
        try expectGradients([data([2, 3], 13), TestData.uniform([2, 3], seed: 20, low: 0.5, high: 1.5)]) { try $0[0] / $0[1] }
        try expectGradients([data([2, 1, 3, 3], 14), divisor]) { try $0[0] / $0[1] }
        try expectGradients([data([2, 1, 3, 3], 15), data([1, 1, 1, 1], 16)]) { try $0[0] - $0[1] }
        try expectGradients([divisor, positive]) { try $0[0] / $0[1] }
        try expectGradients([data([1, 1, 1, 1], 17), data([2, 1, 3, 3], 18)]) { try $0[0] - $0[1] }
        try expectGradients([data([2, 1, 3, 3], 19)]) { try ($0[0] - divisor) / divisor }
        // A tiled operand (the output's trailing axes, with or without leading 1s) on either side:
        // its own row-by-row loops, forward and backward.
        try expectGradients([data([2, 3, 4], 21), data([1, 3, 4], 22)]) { try $0[0] * $0[1] }
        try expectGradients([TestData.uniform([3, 4], seed: 23, low: 0.5, high: 1.5), TestData.uniform([2, 3, 4], seed: 24, low: 0.5, high: 1.5)]) { try $0[0] / $0[1] }
        try expectGradients([data([5, 4], 25)]) { x in try (x[0] - x[0].mean(axes: [0], keepDims: true)) * x[0] }
    }

    @Test("sums over leading axes (a column sum), and over every axis but the first")
    func leadingAxisSums() throws {
        try expectGradients([data([4, 3, 2], 26)]) { try $0[0].sum(axes: [0]) * $0[0].sum(axes: [0, 1], keepDims: true) }
        try expectGradients([data([4, 3, 2], 27)]) { try $0[0].sum(axes: [1, 2]) }
    }

    @Test("a tensor used twice, through two different paths")
    func usedTwice() throws {
        try expectGradients([data([3, 4], 11)]) { x in try (x[0] * x[0]).sigmoid() + x[0].tanh() }
    }

    @Test("scalar ops and unary maps")
    func unary() throws {
        try expectGradients([data([5, 4], 12)]) { try (3 * $0[0] - 1) / 2 + (1 - $0[0]) }
        try expectGradients([data([5, 4], 13)]) { $0[0].relu() }
        try expectGradients([data([5, 4], 14)]) { $0[0].sigmoid() }
        try expectGradients([data([5, 4], 15)]) { $0[0].tanh() }
        try expectGradients([data([5, 4], 16)]) { $0[0].exp() }
        try expectGradients([TestData.uniform([5, 4], seed: 17, low: 0.5, high: 2)]) { $0[0].log() }
        try expectGradients([TestData.uniform([5, 4], seed: 18, low: 0.5, high: 2)]) { $0[0].sqrt() }
        try expectGradients([data([5, 4], 19)]) { $0[0].squared() }
        try expectGradients([data([5, 4], 20)]) { $0[0].abs() }
        // The bounds lie 0.0225 from the nearest magnitudes (0.1225 + 0.045k), beyond the step.
        try expectGradients([data([5, 4], 21)]) { $0[0].clamped(min: -0.55, max: 0.55) }
        try expectGradients([data([5, 4], 22)]) { -$0[0] }
    }

    @Test("matmul and linear")
    func products() throws {
        try expectGradients([data([3, 5], 23), data([5, 4], 24)]) { try $0[0].matmul($0[1]) }
        try expectGradients([data([3, 5], 25), data([4, 5], 26), data([4], 27)]) { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        try expectGradients([data([3, 5], 28), data([4, 5], 29)]) { try $0[0].linear(weight: $0[1], bias: nil) }
    }

    @Test("sum, mean, max over axes")
    func reductions() throws {
        try expectGradients([data([2, 3, 4], 30)]) { try $0[0].sum(axes: [1]) }
        try expectGradients([data([2, 3, 4], 31)]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
        try expectGradients([data([2, 3, 4], 32)]) { try $0[0].mean(axes: [-1]) }
        try expectGradients([data([2, 3, 4], 33)]) { try $0[0].mean() }
        try expectGradients([data([2, 3, 4], 34)]) { try $0[0].max(axis: 1) }
        try expectGradients([data([2, 3, 4], 134)]) { try $0[0].min(axis: -1, keepDims: true) }
        try expectGradients([data([3, 5], 135)]) { try $0[0].gathered(indices: [4, 0, 2]).sigmoid() }
    }

    @Test("min, one-hot and gather against their definitions")
    func minOneHotGather() throws {
        let x = try Tensor(shape: [2, 3], data: [3, -1, 2, 0, 5, -4])
        #expect(try x.min(axis: 1).data == [-1, -4])
        #expect(try x.min(axis: 0).data == [0, -1, -4])
        #expect(try Tensor.oneHot([2, 0], classes: 3).data == [0, 0, 1, 1, 0, 0])
        #expect(try x.gathered(indices: [0, 2]).data == [3, -4])
        #expect(throws: TensorError.self) { try Tensor.oneHot([3], classes: 3) }
        #expect(throws: TensorError.self) { try x.gathered(indices: [0]) }
        #expect(throws: TensorError.self) { try x.gathered(indices: [0, -1]) }
    }

    @Test("reshape, flatten, permute, slice, concatenate, pad, crop")
    func shapeOps() throws {
        try expectGradients([data([2, 3, 4], 35)]) { try $0[0].reshaped([4, 6]).sigmoid() }
        try expectGradients([data([2, 3, 2, 2], 36)]) { try $0[0].flattened().sigmoid() }
        try expectGradients([data([2, 3, 4], 37)]) { try $0[0].permuted([2, 0, 1]).sigmoid() }
        try expectGradients([data([2, 5, 3], 38)]) { try $0[0].sliced(axis: 1, 1..<4).sigmoid() }
        try expectGradients([data([2, 2, 3], 39), data([2, 1, 3], 40)]) { try Tensor.concatenate([$0[0], $0[1]], axis: 1).sigmoid() }
        try expectGradients([data([1, 2, 3, 3], 41)]) { try $0[0].padded(top: 1, bottom: 2, left: 0, right: 1, value: 0.5).sigmoid() }
        try expectGradients([data([1, 2, 4, 4], 42)]) { try $0[0].cropped(rows: 1..<3, columns: 0..<3).sigmoid() }
    }

    @Test("conv2d with stride and padding edge cases", arguments: [
        (stride: 1, padding: 0), (stride: 1, padding: 1), (stride: 2, padding: 0), (stride: 2, padding: 1), (stride: 3, padding: 2),
    ])
    func convolution(stride: Int, padding: Int) throws {
        // 5x6 input with a 3x2 kernel: non-square and not divisible by the stride.
        let weight = data([4, 3, 3, 2], 44)
        try expectGradients([data([2, 3, 5, 6], 43), weight, data([4], 45)]) {
            try $0[0].conv2d(weight: $0[1], bias: $0[2], stride: (stride, stride), padding: (padding, padding))
        }
    }

    @Test("conv_transpose2d with stride, padding and output padding", arguments: [
        (stride: 1, padding: 0, outputPadding: 0), (stride: 2, padding: 1, outputPadding: 1), (stride: 3, padding: 1, outputPadding: 2),
    ])
    func transposedConvolution(stride: Int, padding: Int, outputPadding: Int) throws {
        // A 3×4 input, a 3×2 kernel: non-square, every output pixel reached by a different number of taps.
        try expectGradients([data([2, 3, 3, 4], 51), data([3, 2, 3, 2], 52), data([2], 53)]) {
            try $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: (stride, stride), padding: (padding, padding),
                                      outputPadding: (outputPadding, outputPadding))
        }
    }

    @Test("the mean squared error, fused, against its four-op twin")
    func meanSquaredError() throws {
        // 3·5·7 = 105 values: six 16-lane chunks and a tail of 9.
        let target = data([3, 5, 7], 55)
        try expectGradients([data([3, 5, 7], 54)]) { try $0[0].meanSquaredError(target: target) }
        let x = data([3, 5, 7], 56); x.requiresGrad = true
        let fused = try x.meanSquaredError(target: target)
        try fused.backward()
        let copy = try Tensor(shape: x.shape, data: x.data); copy.requiresGrad = true
        let difference = try copy - target
        let twin = try (difference * difference).mean()
        try twin.backward()
        #expect(abs(try fused.item() - twin.item()) <= 1e-6 * abs(try twin.item()))
        #expect(maxAbsoluteDifference(try #require(x.grad).data, try #require(copy.grad).data) <= 1e-6)
        #expect(throws: TensorError.self) { try x.meanSquaredError(target: data([3, 5, 6], 57)) }
    }

    @Test("max-pool, average pool, global average pool")
    func pooling() throws {
        // 2·2·4·4 = 64 distinct values spaced 0.014 apart: the check's step is lowered to 5e-3 so
        // no window changes its arg-max; the tolerance is raised in proportion (roundoff / 2h).
        let x = data([2, 2, 4, 4], 46)
        let report = try GradientCheck.run(inputs: [x], step: 5e-3, absoluteTolerance: 1e-2) { try $0[0].maxPool2d(kernel: (2, 2)) }
        #expect(report.passed, "\(report)")
        let overlapping = try GradientCheck.run(inputs: [data([1, 1, 5, 5], 47)], step: 5e-3, absoluteTolerance: 1e-2) {
            try $0[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        #expect(overlapping.passed, "\(overlapping)")
        try expectGradients([data([2, 2, 5, 5], 48)]) { try $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
        try expectGradients([data([1, 2, 7, 5], 49)]) { try $0[0].adaptiveAvgPool2d(outputSize: (3, 2)) }
        try expectGradients([data([1, 2, 3, 2], 50)]) { try $0[0].adaptiveAvgPool2d(outputSize: (5, 4)) }
        try expectGradients([data([2, 3, 3, 4], 49)]) { try $0[0].globalAveragePool() }
    }

    @Test("softmax, log-softmax, cross-entropy")
    func softmax() throws {
        try expectGradients([data([3, 5], 50)]) { try $0[0].softmax() }
        try expectGradients([data([3, 5], 51)]) { try $0[0].logSoftmax() }
        try expectGradients([data([3, 5], 52)]) { try $0[0].crossEntropy(labels: [4, 0, 2]) }
    }

    @Test("batch-norm in training and in evaluation mode")
    func batchNorm() throws {
        for training in [true, false] {
            let mean = TestData.uniform([3], seed: 56), variance = TestData.uniform([3], seed: 57, low: 0.5, high: 2)
            try expectGradients([data([4, 3, 2, 2], 53), data([3], 54), data([3], 55)]) {
                // Fresh copies of the running statistics, so every evaluation sees the same ones.
                try $0[0].batchNorm2d(weight: $0[1], bias: $0[2], runningMean: mean.detached(),
                                      runningVariance: variance.detached(), training: training)
            }
        }
    }

    @Test("dropout with a fixed mask")
    func dropout() throws {
        try expectGradients([data([4, 5], 58)]) {
            var g = SeededGenerator(seed: 3)         // the same mask on every evaluation
            return try $0[0].dropout(probability: 0.3, training: true, using: &g)
        }
    }

    @Test("bilinear and nearest resizing, up and down")
    func resize() throws {
        try expectGradients([data([1, 2, 3, 4], 59)]) { try $0[0].resizedBilinear(height: 7, width: 5) }
        try expectGradients([data([1, 2, 7, 7], 60)]) { try $0[0].resizedBilinear(height: 3, width: 4) }
        try expectGradients([data([1, 2, 3, 4], 62)]) { try $0[0].resizedBilinear(height: 7, width: 5, alignCorners: true) }
        try expectGradients([data([1, 2, 3, 4], 61)]) { try $0[0].resizedNearest(height: 6, width: 9) }
    }

    @Test("the gradient checker itself catches a wrong gradient")
    func checkerCanFail() throws {
        // A deliberately wrong backward: a gradient hook doubles what reaches x.
        let x = data([3, 3], 62)
        let report = try GradientCheck.run(inputs: [x]) { inputs in
            let y = inputs[0] * 1
            y.registerGradientHook { g in g * 2 }
            return y.sigmoid()
        }
        #expect(!report.passed)
    }
}
