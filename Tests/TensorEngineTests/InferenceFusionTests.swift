import Testing
@testable import TensorEngine
import TestSupport

/// `InferenceFusion`: convolution → batch norm (evaluation) → ReLU in one pass gives the bits of
/// the three modules called one by one, on every path of the convolution, and is used only where
/// nothing could tell the difference.
@Suite("Inference fusion")
struct InferenceFusionTests {
    /// conv → [bn] → [relu] with batch-norm statistics far from the identity, in evaluation mode.
    static func block(_ inChannels: Int, _ outChannels: Int, kernel: Int, padding: Int, bias: Bool, normalization: Bool, relu: Bool,
                      pool: Bool = false, seed: UInt64) -> Sequential {
        var g = SeededGenerator(seed: seed)
        var layers: [(String, Module)] = [("conv", Conv2d(inChannels, outChannels, kernelSize: kernel, padding: padding, bias: bias, generator: &g))]
        if normalization {
            let bn = BatchNorm2d(outChannels)
            for c in 0..<outChannels {
                bn.runningMean.data[c] = g.nextNormal() * 0.3
                bn.runningVariance.data[c] = 0.2 + g.nextFloat()
                bn.weight.data[c] = g.nextNormal()
                bn.bias.data[c] = g.nextNormal() * 0.1
            }
            layers.append(("bn", bn))
        }
        if relu { layers.append(("relu", ReLU())) }
        if pool { layers.append(("pool", MaxPool2d(2))) }
        let model = Sequential(named: layers)
        model.eval()
        return model
    }

    /// Images with negative values, zeros of both signs and (optionally) a NaN.
    static func images(_ shape: [Int], seed: UInt64, nan: Bool) throws -> Tensor {
        var g = SeededGenerator(seed: seed)
        var data = (0..<shape.reduce(1, *)).map { _ in g.nextNormal() }
        for i in stride(from: 0, to: data.count, by: 7) { data[i] = i % 2 == 0 ? 0 : -0.0 }
        if nan { data[data.count / 2] = .nan }
        return try Tensor(shape: shape, data: data)
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.data.map(\.bitPattern) }

    /// The model's output on a copy of `x` that requires a gradient, and the bits of ∂x, ∂W and ∂b
    /// (of the layer named "conv") for a seed that is not all ones (negative, zero and positive
    /// weights per output); with `fused`, first checks that `layers` modules are fused.
    static func gradients(of model: Sequential, _ images: Tensor, fused: Bool, layers: Int? = nil,
                          inputGradient: Bool = true) throws -> (y: Tensor, grads: [[UInt32]]) {
        model.zeroGrad()
        let conv = try model.module(named: "conv") as! Conv2d
        let x = try Tensor(shape: images.shape, data: images.data, requiresGrad: inputGradient)
        if fused, let layers { #expect(InferenceFusion.chain(model.children, at: 0, x)?.layers == layers) }
        let y = try InferenceFusion.$isEnabled.withValue(fused) { try model(x) }
        let weights = try Tensor(shape: y.shape, data: (0..<y.count).map { Float($0 % 5) - 2 })
        try (y * weights).sum().backward()
        let bn = model.children.first { $0.name == "bn" }?.module as? BatchNorm2d
        return (y, [x.grad, conv.weight.grad, conv.bias?.grad, bn?.weight.grad, bn?.bias.grad].compactMap { $0?.data.map(\.bitPattern) })
    }

    @Test("the same bits as the modules one by one: single images, groups of images, large planes, 1×1, with and without bias",
          arguments: [
            // (batch, side, in, out, kernel, padding): a single image; groups of small planes; planes
            // of ≥ 512 pixels (one image per group); a pointwise convolution of one image (no im2col).
            (1, 9, 3, 5, 3, 1), (20, 7, 4, 6, 3, 1), (3, 24, 2, 4, 3, 1), (1, 6, 5, 7, 1, 0), (9, 6, 5, 7, 1, 0),
          ])
    func sameBits(_ shape: (Int, Int, Int, Int, Int, Int)) throws {
        let (batch, side, inChannels, outChannels, kernel, padding) = shape
        var seed: UInt64 = 10
        for bias in [true, false] {
            for (normalization, relu) in [(true, true), (true, false), (false, true)] {
                seed += 1
                let model = Self.block(inChannels, outChannels, kernel: kernel, padding: padding, bias: bias,
                                       normalization: normalization, relu: relu, seed: seed)
                for nan in [false, true] {
                    let x = try Self.images([batch, inChannels, side, side], seed: seed, nan: nan)
                    let fused = try withNoGrad { try model(x) }
                    #expect(withNoGrad { InferenceFusion.chain(model.children, at: 0, x) } != nil, "the chain is fused")
                    let plain = try withNoGrad { try InferenceFusion.$isEnabled.withValue(false) { try model(x) } }
                    // And the ops called by hand, independently of Sequential.
                    let conv = try model.module(named: "conv") as! Conv2d
                    var byHand = try x.conv2d(weight: conv.weight, bias: conv.bias, stride: (1, 1), padding: (padding, padding))
                    if normalization {
                        let bn = try model.module(named: "bn") as! BatchNorm2d
                        byHand = try byHand.batchNorm2d(weight: bn.weight, bias: bn.bias, runningMean: bn.runningMean,
                                                        runningVariance: bn.runningVariance, training: false, epsilon: bn.epsilon)
                    }
                    if relu { byHand = byHand.relu() }
                    #expect(fused.shape == byHand.shape)
                    #expect(Self.bits(fused) == Self.bits(plain), "bias \(bias), bn \(normalization), relu \(relu), NaN \(nan)")
                    #expect(Self.bits(fused) == Self.bits(byHand), "bias \(bias), bn \(normalization), relu \(relu), NaN \(nan)")
                    #expect(!fused.requiresGrad)
                }
            }
        }
    }

    /// With a graph recorded, convolution → ReLU is one op ("conv2d+relu"), and convolution → batch
    /// norm (evaluation) → ReLU another ("conv2d+batchNorm2d+relu"), whose values and gradients
    /// (∂x, ∂W, ∂b, and ∂γ, ∂β; and ∂x alone, as an explanation asks: batch norm's other ∂x
    /// formula) have the bits of the ops one by one, on every path of the convolution's backward
    /// pass (one image, groups, large planes read in place, 1×1), with zeros of both signs and a
    /// NaN in the input.
    @Test("conv → [batch norm →] ReLU with a graph: one op, the bits of the ops forward and backward",
          arguments: [
            (1, 9, 3, 5, 3, 1), (20, 7, 4, 6, 3, 1), (3, 24, 2, 4, 3, 1), (1, 6, 5, 7, 1, 0), (9, 6, 5, 7, 1, 0), (1, 60, 2, 3, 3, 1),
          ])
    func graphFusion(_ shape: (Int, Int, Int, Int, Int, Int)) throws {
        let (batch, side, inChannels, outChannels, kernel, padding) = shape
        var seed: UInt64 = 40
        for normalization in [false, true] {
            for bias in [true, false] {
                for nan in [false, true] {
                    seed += 1
                    let model = Self.block(inChannels, outChannels, kernel: kernel, padding: padding, bias: bias,
                                           normalization: normalization, relu: true, seed: seed)
                    let x = try Self.images([batch, inChannels, side, side], seed: seed, nan: nan)
                    let fused = try Self.gradients(of: model, x, fused: true, layers: normalization ? 3 : 2)
                    let plain = try Self.gradients(of: model, x, fused: false)
                    #expect(fused.y.requiresGrad)
                    let label = "batch norm \(normalization), bias \(bias), NaN \(nan)"
                    #expect(Self.bits(fused.y) == Self.bits(plain.y), "\(label)")
                    #expect(fused.grads.count == (bias ? 3 : 2) + (normalization ? 2 : 0) && fused.grads == plain.grads, "\(label)")
                    // ∂x alone (`backward(inputs:)`: batch norm skips its sums and uses γ/σ · G).
                    func inputGradient(fused: Bool) throws -> ([UInt32], String?) {
                        let image = try Tensor(shape: x.shape, data: x.data, requiresGrad: true)
                        let y = try InferenceFusion.$isEnabled.withValue(fused) { try model(image) }
                        let op = y.node?.operation
                        try y.backward(seed: try Tensor(shape: y.shape, data: (0..<y.count).map { Float($0 % 5) - 2 }), inputs: [image])
                        return (try Self.bits(#require(image.grad)), op)
                    }
                    let (fusedInput, op) = try inputGradient(fused: true)
                    #expect(op == (normalization ? "conv2d+batchNorm2d+relu" : "conv2d+relu"), "\(label)")
                    #expect(try fusedInput == inputGradient(fused: false).0, "∂x alone, \(label)")
                }
            }
        }
        // Recorded as one op, not two.
        let model = Self.block(inChannels, outChannels, kernel: kernel, padding: padding, bias: true, normalization: false, relu: true, seed: 1)
        let x = try Self.images([batch, inChannels, side, side], seed: 2, nan: false)
        #expect(InferenceFusion.chain(model.children, at: 0, x)?.layers == 2)
    }

    /// conv → [bn] → ReLU → 2×2 max pool as one op (`convolutionPooled`): without a graph (any
    /// epilogue) and with one (ReLU only), the bits of the modules one by one — values, and ∂x,
    /// ∂W, ∂b — on every path of the convolution, odd planes (the pool drops the last row and
    /// column), ties (all-zero windows after ReLU), zeros of both signs and a NaN.
    @Test("conv → ReLU → 2×2 max pool: one op, the bits of the modules with and without a graph",
          arguments: [
            (1, 9, 3, 5, 3, 1), (20, 7, 4, 6, 3, 1), (3, 24, 2, 4, 3, 1), (1, 6, 5, 7, 1, 0), (9, 6, 5, 7, 1, 0), (1, 60, 2, 3, 3, 1),
            (64, 14, 3, 8, 3, 1), (2, 28, 1, 16, 3, 1), (1, 23, 2, 16, 3, 2), (2, 19, 1, 7, 3, 0),
          ])
    func pooledFusion(_ shape: (Int, Int, Int, Int, Int, Int)) throws {
        let (batch, side, inChannels, outChannels, kernel, padding) = shape
        var seed: UInt64 = 70
        for bias in [true, false] {
            for nan in [false, true] {
                seed += 1
                // Without a graph, with batch norm too.
                for normalization in [false, true] {
                    let model = Self.block(inChannels, outChannels, kernel: kernel, padding: padding, bias: bias,
                                           normalization: normalization, relu: true, pool: true, seed: seed)
                    let x = try Self.images([batch, inChannels, side, side], seed: seed, nan: nan)
                    #expect(withNoGrad { InferenceFusion.chain(model.children, at: 0, x)?.layers } == (normalization ? 4 : 3))
                    let fused = try withNoGrad { try model(x) }
                    let plain = try withNoGrad { try InferenceFusion.$isEnabled.withValue(false) { try model(x) } }
                    #expect(fused.shape == plain.shape && Self.bits(fused) == Self.bits(plain),
                            "no graph: bias \(bias), bn \(normalization), NaN \(nan)")
                }
                // With a graph: values and every gradient.
                let model = Self.block(inChannels, outChannels, kernel: kernel, padding: padding, bias: bias,
                                       normalization: false, relu: true, pool: true, seed: seed)
                let x = try Self.images([batch, inChannels, side, side], seed: seed, nan: nan)
                let fused = try Self.gradients(of: model, x, fused: true, layers: 3)
                let plain = try Self.gradients(of: model, x, fused: false)
                let label = "graph: bias \(bias), NaN \(nan)"
                #expect(fused.y.shape == plain.y.shape && Self.bits(fused.y) == Self.bits(plain.y), "\(label)")
                #expect(fused.grads.count == (bias ? 3 : 2) && fused.grads == plain.grads, "\(label)")
                // The input as data (no ∂x: a first layer), where 3×3 windows into at most 16
                // channels, one image per group, take `NarrowWeightGradient` (and any group
                // `NarrowPooledConvolution`), its upper half blank like a digit's background: there
                // every output is the bias, so windows tie at a positive maximum and the pool's
                // order decides where the gradient goes.
                var blank = x.data
                for i in 0..<blank.count where (i / side) % side < side / 2 { blank[i] = 0 }
                let data = try Tensor(shape: x.shape, data: blank)
                let firstFused = try Self.gradients(of: model, data, fused: true, layers: 3, inputGradient: false)
                let firstPlain = try Self.gradients(of: model, data, fused: false, inputGradient: false)
                #expect(firstFused.grads.count == (bias ? 2 : 1) && firstFused.grads == firstPlain.grads, "data input, \(label)")
                // Only ∂x sees which pixel of a tied window won (∂W multiplies the gradient by the
                // same blank taps wherever it lands): the same with ∂x.
                let blankFused = try Self.gradients(of: model, data, fused: true, layers: 3)
                let blankPlain = try Self.gradients(of: model, data, fused: false)
                #expect(blankFused.grads == blankPlain.grads, "half-blank input, \(label)")
            }
        }
    }

    @Test("a pool is not fused where it would show or does not fit: a hook on it, another window, a plane smaller than the window")
    func pooledNotFused() throws {
        let model = Self.block(2, 3, kernel: 3, padding: 1, bias: true, normalization: false, relu: true, pool: true, seed: 12)
        let x = try Self.images([2, 2, 6, 6], seed: 13, nan: false)
        var seen: Tensor?
        let handle = try model.module(named: "relu").registerForwardHook { _, _, output in seen = output; return nil }
        #expect(InferenceFusion.chain(model.children, at: 0, x) == nil)
        _ = try model(x)
        #expect(seen?.shape == [2, 3, 6, 6])
        handle.remove()
        #expect(InferenceFusion.chain(model.children, at: 0, x)?.layers == 3)
        let poolHook = try model.module(named: "pool").registerForwardHook { _, _, _ in nil }
        #expect(InferenceFusion.chain(model.children, at: 0, x)?.layers == 2, "conv → ReLU still fused, the pool runs alone")
        poolHook.remove()

        var g = SeededGenerator(seed: 14)
        let strided = Sequential(named: [("conv", Conv2d(2, 3, kernelSize: 3, padding: 1, generator: &g)), ("relu", ReLU()),
                                         ("pool", MaxPool2d(2, stride: 1))])
        #expect(InferenceFusion.chain(strided.children, at: 0, x)?.layers == 2)
        let tiny = try Self.images([2, 2, 1, 1], seed: 15, nan: false)
        #expect(InferenceFusion.chain(model.children, at: 0, tiny)?.layers == 2, "a 1×1 plane: no 2×2 window")
    }

    /// The first layer of a training step: the input needs no gradient, so the fused ops
    /// (`conv2d+relu`, and with a pool `conv2d+relu+maxPool2d`) give ∂W and ∂b only, or ∂b alone
    /// when the weight is frozen — the bits of the modules; also after a strided convolution.
    @Test("fused with a graph, the input needing no gradient: ∂W and ∂b, or ∂b alone; strided too",
          arguments: [(pool: false, stride: 1), (pool: true, stride: 1), (pool: true, stride: 2), (pool: false, stride: 2)])
    func graphFusionWithoutInputGradient(_ setting: (pool: Bool, stride: Int)) throws {
        var g = SeededGenerator(seed: 9)
        var layers: [(String, Module)] = [("conv", Conv2d(2, 4, kernelSize: 3, stride: setting.stride, padding: 1, generator: &g)), ("relu", ReLU())]
        if setting.pool { layers.append(("pool", MaxPool2d(2))) }
        let model = Sequential(named: layers)
        let conv = try model.module(named: "conv") as! Conv2d
        let x = try Self.images([9, 2, 12, 12], seed: 10, nan: true)
        #expect(InferenceFusion.chain(model.children, at: 0, x)?.layers == (setting.pool ? 3 : 2), "fused")
        for frozen in [false, true] {
            conv.weight.requiresGrad = !frozen
            defer { conv.weight.requiresGrad = true }
            var grads: [[[UInt32]]] = []
            for fused in [true, false] {
                model.zeroGrad()
                let y = try InferenceFusion.$isEnabled.withValue(fused) { try model(x) }
                try (y * y).sum().backward()
                #expect((conv.weight.grad == nil) == frozen && x.grad == nil)
                grads.append([conv.weight.grad, conv.bias?.grad].compactMap { $0?.data.map(\.bitPattern) })
            }
            #expect(grads[0].count == (frozen ? 1 : 2) && grads[0] == grads[1], "frozen weight \(frozen)")
        }
    }

    @Test("not fused where it would show: a graph, a hook, batch norm in training mode")
    func notFused() throws {
        let model = Self.block(2, 3, kernel: 3, padding: 1, bias: true, normalization: true, relu: true, seed: 5)
        let x = try Self.images([2, 2, 6, 6], seed: 6, nan: false)
        // Gradients on: the weights require them, so the graph is recorded (one op with its own backward).
        #expect(InferenceFusion.chain(model.children, at: 0, x)?.output.node?.operation == "conv2d+batchNorm2d+relu")
        let withGraph = try model(x)
        #expect(withGraph.requiresGrad)
        try withGraph.sum().backward()
        #expect(try model.module(named: "conv").namedParameters().allSatisfy { $0.tensor.grad != nil })
        let expected = Self.bits(withGraph)

        // A forward hook on the batch norm sees the batch norm's own output (negative values, before ReLU).
        var seen: Tensor?
        let handle = try model.module(named: "bn").registerForwardHook { _, _, output in seen = output; return nil }
        #expect(withNoGrad { InferenceFusion.chain(model.children, at: 0, x) } == nil)
        let hooked = try withNoGrad { try model(x) }
        #expect(seen?.data.contains { $0 < 0 } == true)
        #expect(Self.bits(hooked) == expected)
        handle.remove()
        #expect(Self.bits(try withNoGrad { try model(x) }) == expected)

        // Training mode: batch statistics, and the running ones updated.
        model.train()
        #expect(withNoGrad { InferenceFusion.chain(model.children, at: 0, x) } == nil)
        let bn = try model.module(named: "bn") as! BatchNorm2d
        let before = bn.runningMean.data
        _ = try withNoGrad { try model(x) }
        #expect(bn.runningMean.data != before)
        #expect(bn.batchesTracked.data[0] == 1)
    }

    /// A residual block's `relu(out + identity)` as one op: the bits of `+` then `relu`, forward
    /// and backward (both inputs' gradients), on sums that are NaN, ±0, negative and positive,
    /// with and without a graph; a hook on the ReLU turns it off (the hook sees its own call).
    @Test("add → ReLU of a residual block: one op, the bits of the two")
    func residualFusion() throws {
        let count = 2 * 3 * 17 * 19
        var generator = SeededGenerator(seed: 91)
        let special: [Float] = [.nan, 0, -0.0, 1.5, -1.5]
        let a = (0..<count).map { i in i % 53 == 3 ? special[i % special.count] : generator.nextNormal() }
        let b = (0..<count).map { i in i % 59 == 5 ? special[(i / 2) % special.count] : (i % 7 == 0 ? -a[i] : generator.nextNormal()) }
        let relu = ReLU()
        func run(fused: Bool, hook: Bool = false) throws -> (y: [UInt32], da: [UInt32], db: [UInt32], op: String?) {
            let x = try Tensor(shape: [2, 3, 17, 19], data: a), identity = try Tensor(shape: [2, 3, 17, 19], data: b)
            x.requiresGrad = true; identity.requiresGrad = true
            let handle = hook ? relu.registerForwardHook { _, _, _ in } : nil
            defer { handle?.remove() }
            let y = try InferenceFusion.$isEnabled.withValue(fused) { try InferenceFusion.residual(x, identity, relu: relu) }
            let inference = try withNoGrad { try InferenceFusion.$isEnabled.withValue(fused) { try InferenceFusion.residual(x, identity, relu: relu) } }
            #expect(Self.bits(inference) == Self.bits(y), "without a graph")
            let op = y.node?.operation
            try y.backward(seed: TestData.uniform(y.shape, seed: 92, low: -1, high: 1))
            return (Self.bits(y), try Self.bits(#require(x.grad)), try Self.bits(#require(identity.grad)), op)
        }
        let plain = try run(fused: false), fused = try run(fused: true), hooked = try run(fused: true, hook: true)
        #expect(fused.op == "add+relu" && plain.op == "relu" && hooked.op == "relu", "\(fused.op ?? "-") \(plain.op ?? "-") \(hooked.op ?? "-")")
        #expect(fused.y == plain.y, "output")
        #expect(fused.da == plain.da, "∂out")
        #expect(fused.db == plain.db, "∂identity")
        #expect(hooked.y == plain.y && hooked.da == plain.da)
    }

    /// A residual block's last convolution, batch norm, + identity and ReLU in one pass without a
    /// graph: the bits of the modules on each place the epilogue runs (one image read in place, one
    /// image by im2col, groups of images), after a strided 1×1 convolution too; with a graph, a hook
    /// on any of the three, or batch norm in training mode, not fused.
    @Test("conv → batch norm → + identity → ReLU of a residual block: one pass, the bits of the modules",
          arguments: [(1, 8, 28, 28, 1, 1), (1, 8, 7, 7, 3, 1), (16, 8, 7, 7, 3, 1), (3, 6, 14, 14, 1, 2), (2, 4, 30, 32, 3, 1)])
    func residualConvolution(_ shape: (Int, Int, Int, Int, Int, Int)) throws {
        let (n, c, h, w, kernel, stride) = shape
        let block = Self.block(c, 12, kernel: kernel, padding: kernel / 2, bias: false, normalization: true, relu: false, seed: 93)
        let bn = try #require(block.module(named: "bn") as? BatchNorm2d)
        var generator = SeededGenerator(seed: 94)
        let strided = Conv2d(c, 12, kernelSize: kernel, stride: stride, padding: kernel / 2, bias: false, generator: &generator)
        let x = try Self.images([n, c, h, w], seed: 95, nan: true)
        let ho = (h + 2 * (kernel / 2) - kernel) / stride + 1, wo = (w + 2 * (kernel / 2) - kernel) / stride + 1
        let identity = try Self.images([n, 12, ho, wo], seed: 96, nan: true)
        let relu = ReLU()
        func run(fused: Bool) throws -> Tensor {
            try withNoGrad { try InferenceFusion.$isEnabled.withValue(fused) {
                try InferenceFusion.residualConvolution(strided, normalization: bn, identity: identity, relu: relu, x)
            } }
        }
        let plain = try run(fused: false)
        // The modules themselves, for the reference: conv, batch norm, +, relu.
        let modules = try withNoGrad { try relu(try bn(try strided(x)) + identity) }
        #expect(Self.bits(plain) == Self.bits(modules))
        #expect(Self.bits(try run(fused: true)) == Self.bits(modules), "fused")
        // Not fused where it would show: the values stay, and a hook sees its module's own call.
        var calls = 0
        let handle = relu.registerForwardHook { _, _, _ in calls += 1 }
        #expect(Self.bits(try run(fused: true)) == Self.bits(modules) && calls == 1, "hooked relu: \(calls) call(s)")
        handle.remove()
        x.requiresGrad = true
        let recorded = try InferenceFusion.residualConvolution(strided, normalization: bn, identity: identity, relu: relu, x)
        #expect(recorded.node?.operation == "add+relu" && Self.bits(recorded) == Self.bits(modules), "with a graph")
    }

    /// `Normalize` as one op: the bits of `(x − m) / s` with `[1, C, 1, 1]` operands, forward and
    /// ∂x, on NaN, ±0, ±∞ and ordinary values, and ImageNet's statistics.
    @Test("Normalize in one pass: the bits of subtracting and dividing by broadcast statistics")
    func normalizeOnePass() throws {
        let (mean, std): ([Float], [Float]) = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
        var generator = SeededGenerator(seed: 97)
        let special: [Float] = [.nan, 0, -0.0, .infinity, -.infinity, 0.485]
        let values = (0..<(2 * 3 * 9 * 11)).map { i in i % 31 == 4 ? special[i % special.count] : generator.nextFloat() }
        let seed = TestData.uniform([2, 3, 9, 11], seed: 98, low: -1, high: 1)
        let x = try Tensor(shape: [2, 3, 9, 11], data: values); x.requiresGrad = true
        let y = try Normalize(mean: mean, std: std)(x)
        try y.backward(seed: seed)
        let reference = try Tensor(shape: [2, 3, 9, 11], data: values); reference.requiresGrad = true
        let expected = try (reference - Tensor(shape: [1, 3, 1, 1], data: mean)) / Tensor(shape: [1, 3, 1, 1], data: std)
        try expected.backward(seed: seed)
        #expect(Self.bits(y) == Self.bits(expected), "output")
        #expect(try Self.bits(#require(x.grad)) == Self.bits(#require(reference.grad)), "∂x")
    }

    @Test("a shape error is reported by the layer, as without fusion")
    func errors() throws {
        let model = Self.block(2, 3, kernel: 3, padding: 1, bias: true, normalization: true, relu: true, seed: 7)
        do {
            _ = try withNoGrad { try model(.zeros([1, 5, 6, 6])) }
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("conv"), "\(error)")
        }
    }
}
