import Testing
import TensorEngine
import TestSupport

/// Small cases whose answers can be worked out on paper.
@Suite("Hand-checkable cases")
struct HandCheckedTests {
    @Test("4x4 arange through a 3x3 all-ones conv adds up each window")
    func convolutionOfArange() throws {
        // x = [[0 1 2 3] [4 5 6 7] [8 9 10 11] [12 13 14 15]]
        let x = Tensor.arange([1, 1, 4, 4])
        let w = Tensor.ones([1, 1, 3, 3])
        let y = try x.conv2d(weight: w, bias: nil)
        // Top-left window: 0+1+2+4+5+6+8+9+10 = 45; each step right adds 3·1, each step down 3·4.
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.data == [45, 54, 81, 90])

        // Padding 1 keeps 4x4; the corner sees only 0+1+4+5 = 10, an edge 0+1+2+4+5+6 = 18.
        let padded = try x.conv2d(weight: w, bias: tensor([1], [1]), padding: (1, 1))
        #expect(padded.shape == [1, 1, 4, 4])
        #expect(padded.data[0] == 10 + 1)
        #expect(padded.data[1] == 18 + 1)
        #expect(padded.data[5] == 45 + 1)

        // Stride 2 with padding 1: windows centred on (0,0), (0,2), (2,0), (2,2).
        let strided = try x.conv2d(weight: w, bias: nil, stride: (2, 2), padding: (1, 1))
        #expect(strided.data == [10, 24, 51, 90])
    }

    @Test("the gradient of a conv with all-ones weights counts windows")
    func convolutionGradientCountsWindows() throws {
        let x = Tensor.arange([1, 1, 4, 4]); x.requiresGrad = true
        let w = Tensor.ones([1, 1, 3, 3])
        try x.conv2d(weight: w, bias: nil).sum().backward()
        // Pixel (i, j) lies in as many 3x3 windows as positions cover it: corners 1, centre 4.
        #expect(x.grad?.data == [1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1])
    }

    @Test("a transposed conv stamps its kernel at every input pixel, stride apart")
    func transposedConvolutionStamps() throws {
        // x = [[1 2] [3 4]], a 2×2 kernel [[1 10] [100 1000]], stride 2: the stamps do not overlap,
        // so the 4×4 output is each pixel times the kernel, tiled.
        let x = tensor([1, 2, 3, 4], [1, 1, 2, 2])
        let w = tensor([1, 10, 100, 1000], [1, 1, 2, 2])
        let tiled = try x.convTranspose2d(weight: w, bias: nil, stride: (2, 2))
        #expect(tiled.shape == [1, 1, 4, 4])
        #expect(tiled.data == [1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000])
        // Stride 1 and an all-ones 2×2 kernel: the stamps overlap; the centre adds all four pixels.
        let ones = try x.convTranspose2d(weight: .ones([1, 1, 2, 2]), bias: try Tensor(shape: [1], data: [0.5]))
        #expect(ones.shape == [1, 1, 3, 3])
        #expect(ones.data == ([1, 3, 2, 4, 10, 6, 3, 7, 4] as [Float]).map { $0 + 0.5 })
        // Its gradient counts the taps: every input pixel reaches four output pixels.
        x.requiresGrad = true
        try x.convTranspose2d(weight: .ones([1, 1, 2, 2]), bias: nil).sum().backward()
        #expect(x.grad?.data == [4, 4, 4, 4])
    }

    @Test("max-pool picks the window maximum and routes the gradient to it")
    func maxPool() throws {
        let x = Tensor.arange([1, 1, 4, 4]); x.requiresGrad = true
        let y = try x.maxPool2d(kernel: (2, 2))
        #expect(y.data == [5, 7, 13, 15])
        try y.sum().backward()
        #expect(x.grad?.data == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1])
    }

    @Test("average pool and global average pool")
    func averagePools() throws {
        let x = Tensor.arange([1, 1, 4, 4])
        #expect(try x.avgPool2d(kernel: (2, 2)).data == [2.5, 4.5, 10.5, 12.5])
        // count_include_pad: the corner window with padding 1 holds 0 only, divided by 4.
        #expect(try x.avgPool2d(kernel: (2, 2), stride: (2, 2), padding: (1, 1)).data[0] == 0)
        // Adaptive: 4×4 → 2×2 tiles like a 2×2 average pool; 3 rows → 2 overlap on the middle row.
        #expect(try x.adaptiveAvgPool2d(outputSize: (2, 2)).data == [2.5, 4.5, 10.5, 12.5])
        let three = try Tensor(shape: [1, 1, 3, 1], data: [1, 2, 6])
        #expect(try three.adaptiveAvgPool2d(outputSize: (2, 1)).data == [1.5, 4])
        #expect(try x.globalAveragePool().data == [7.5])
    }

    @Test("bilinear upsampling 2x2 → 4x4 matches PyTorch (align_corners=False)")
    func bilinear() throws {
        // F.interpolate(torch.tensor([[[[0.,1.],[2.,3.]]]]), size=(4,4), mode="bilinear", align_corners=False)
        let x = tensor([0, 1, 2, 3], [1, 1, 2, 2])
        let y = try x.resizedBilinear(height: 4, width: 4)
        #expect(y.data == [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3])
        // nn.UpsamplingBilinear2d(size=(4, 4)) (align_corners=True): samples at 0, 1/3, 2/3, 1.
        let aligned = try x.resizedBilinear(height: 4, width: 4, alignCorners: true)
        let third: [Float] = [0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9].map { $0 / 3 }
        #expect(zip(aligned.data, third).allSatisfy { abs($0 - $1) < 1e-6 }, "align_corners=True: received \(aligned.data)")
        let n = try x.resizedNearest(height: 4, width: 4)
        #expect(n.data == [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
    }

    @Test("softmax, log-softmax and cross-entropy on known logits")
    func softmaxFamily() throws {
        let z = tensor([0, 0, 0, 0, 1000, 0], [2, 3])
        let p = try z.softmax()
        #expect(abs(p.data[0] - 1.0 / 3) < 1e-6)
        #expect(p.data[4] == 1)              // no overflow at 1000
        // Cross-entropy of uniform logits is log 3 for any label; of the confident row, 0.
        let loss = try z.crossEntropy(labels: [2, 1])
        #expect(abs(try loss.item() - 0.549_306_14) < 1e-6)   // ln 3 / 2
        #expect(abs(try z.logSoftmax().data[3] + 1000) < 1e-3)
    }

    @Test("a tensor used twice receives the sum of both gradients")
    func tensorUsedTwice() throws {
        let x = tensor([1, 2, 3], [3], requiresGrad: true)
        let y = try (x * x + x).sum()      // dy/dx = 2x + 1
        try y.backward()
        #expect(x.grad?.data == [3, 5, 7])
        // Leaves accumulate across calls, as in PyTorch.
        try (x * 2).sum().backward()
        #expect(x.grad?.data == [5, 7, 9])
    }

    @Test("broadcasting adds a bias per channel and sums its gradient back")
    func broadcasting() throws {
        let x = Tensor.zeros([2, 3, 2, 2])
        let b = tensor([1, 2, 3], [1, 3, 1, 1], requiresGrad: true)
        let y = try x + b
        #expect(y.shape == [2, 3, 2, 2])
        #expect(Array(y.data[4..<8]) == [2, 2, 2, 2])
        try y.sum().backward()
        #expect(b.grad?.data == [8, 8, 8])      // 2 images × 4 pixels each
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
    }

    /// The tiled-operand and leading-axis fast paths promise the general path's bits: the same
    /// operations, and every sum's additions in row order. Checked against those additions
    /// spelled out here, on values whose sums round differently in another order.
    @Test("a bias row on [N, D] and column sums: the general path's exact bits")
    func tiledOperandsAndColumnSums() throws {
        let (n, d) = (7, 5)
        let x = TestData.uniform([n, d], seed: 31, low: -3, high: 3), b = TestData.uniform([d], seed: 32)
        b.requiresGrad = true
        let y = try x - b
        var expected = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { expected[i * d + j] = x.data[i * d + j] - b.data[j] } }
        #expect(y.data == expected)
        let seed = TestData.uniform([n, d], seed: 33, low: -1e3, high: 1e3)
        try y.backward(seed: seed)
        var column = [Float](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { column[j] += -seed.data[i * d + j] } }
        #expect(b.grad?.data == column, "∂/∂b: the rows' gradients added in row order")
        let sums = try seed.sum(axes: [0])
        var rows = [Float](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { rows[j] += seed.data[i * d + j] } }
        #expect(sums.shape == [d] && sums.data == rows)
        #expect(try seed.sum(axes: [0], keepDims: true).shape == [1, d])
        #expect(try Tensor.arange([2, 3, 2]).sum(axes: [0, 1]).data == [30, 36])
        #expect(try (Tensor.arange([2, 3]) + tensor([1, 2, 3], [1, 3])).data == [1, 3, 5, 4, 6, 8])
        #expect(try (tensor([1, 2, 3], [3]) * Tensor.arange([2, 3])).data == [0, 2, 6, 3, 8, 15])
        // Rows of no elements: no period to tile by, the general path (nothing to read or sum).
        let empty = Tensor.zeros([0]); empty.requiresGrad = true
        let none = try Tensor.zeros([3, 0]) - empty
        #expect(none.shape == [3, 0] && none.data.isEmpty)
        try none.sum().backward()
        #expect(empty.grad?.data == [])
        #expect(try Tensor.zeros([3, 0]).sum(axes: [0]).shape == [0])
    }

    @Test("matmul and linear on a 2x2 example")
    func matmul() throws {
        let a = tensor([1, 2, 3, 4], [2, 2]), b = tensor([5, 6, 7, 8], [2, 2])
        #expect(try a.matmul(b).data == [19, 22, 43, 50])
        // linear: x·Wᵀ + b
        #expect(try a.linear(weight: b, bias: tensor([1, -1], [2])).data == [18, 22, 40, 52])
    }

    @Test("sum, mean and max over axes")
    func reductions() throws {
        let x = Tensor.arange([2, 3])        // [[0 1 2] [3 4 5]]
        #expect(try x.sum(axes: [0]).data == [3, 5, 7])
        #expect(try x.sum(axes: [1], keepDims: true).shape == [2, 1])
        #expect(try x.mean(axes: [-1]).data == [1, 4])
        #expect(try x.max(axis: 0).data == [3, 4, 5])
        #expect(x.argmax() == [2, 2])
    }

    @Test("shape ops: permute, slice, concatenate, pad, crop")
    func shapeOps() throws {
        let x = Tensor.arange([2, 3])
        #expect(try x.permuted([1, 0]).data == [0, 3, 1, 4, 2, 5])
        #expect(try x.sliced(axis: 1, 1..<3).data == [1, 2, 4, 5])
        #expect(try Tensor.concatenate([x, x], axis: 1).data == [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        let image = Tensor.arange([1, 1, 2, 2])
        #expect(try image.padded(top: 1, bottom: 0, left: 0, right: 1).data == [0, 0, 0, 0, 1, 0, 2, 3, 0])
        #expect(try Tensor.arange([1, 1, 3, 3]).cropped(rows: 1..<3, columns: 0..<2).data == [3, 4, 6, 7])
        #expect(try x.reshaped([3, -1]).shape == [3, 2])
    }
}
