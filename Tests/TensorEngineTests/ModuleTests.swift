import Testing
import TensorEngine
import TestSupport

/// A tiny CNN with PyTorch-style names, used by the module and hook tests.
func smallNetwork(seed: UInt64 = 1) -> Sequential {
    var g = SeededGenerator(seed: seed)
    return Sequential(named: [
        ("conv1", Conv2d(1, 4, kernelSize: 3, padding: 1, generator: &g)),
        ("relu1", ReLU()),
        ("pool1", MaxPool2d(2)),
        ("features", Sequential([Conv2d(4, 6, kernelSize: 3, padding: 1, generator: &g), ReLU()])),
        ("gap", GlobalAvgPool2d()),
        ("fc", Linear(6, 3, generator: &g)),
    ])
}

@Suite("Modules")
struct ModuleTests {
    @Test("dotted names for parameters and modules, as in a PyTorch state_dict")
    func names() throws {
        let model = smallNetwork()
        #expect(model.namedParameters().map(\.name) == [
            "conv1.weight", "conv1.bias", "features.0.weight", "features.0.bias", "fc.weight", "fc.bias",
        ])
        #expect(try model.module(named: "features.0") is Conv2d)
        #expect(try model.module(named: "features.0").path == "features.0")
        #expect(model.parameters().first?.name == "conv1.weight")
        #expect(throws: TensorError.self) { try model.module(named: "conv9") }
        let bn = Sequential(named: [("bn", BatchNorm2d(2))])
        #expect(bn.namedBuffers().map(\.name) == ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"])
    }

    @Test("a shape error inside a model names the layer and both shapes")
    func layerErrors() throws {
        let model = smallNetwork()
        do {
            _ = try model(.zeros([1, 3, 8, 8]))
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("conv1 (Conv2d)") && text.contains("[1, 3, 8, 8]") && text.contains("[4, 1, 3, 3]"), "\(text)")
        }
    }

    @Test("train and eval mode reach every submodule; dropout is the identity in eval")
    func modes() throws {
        let model = Sequential([Dropout(0.5, seed: 1), Sequential([BatchNorm2d(1)])])
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        let x = TestData.uniform([2, 1, 2, 2], seed: 3)
        // Dropout off, and running statistics 0 and 1: the identity up to ε = 1e-5.
        #expect(maxAbsoluteDifference(try model(x).data, x.data) < 1e-4)
        model.train()
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test("batch-norm updates running statistics with PyTorch's momentum and unbiased variance")
    func batchNormRunningStatistics() throws {
        let bn = BatchNorm2d(1)
        // Values 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
        _ = try bn(tensor([1, 2, 3, 4], [1, 1, 2, 2]))
        #expect(abs(bn.runningMean.data[0] - 0.25) < 1e-6)                 // 0.9·0 + 0.1·2.5
        #expect(abs(bn.runningVariance.data[0] - (0.9 + 0.1 * 5 / 3)) < 1e-6)
        #expect(bn.batchesTracked.data == [1])
        bn.eval()
        let y = try bn(tensor([0.25], [1, 1, 1, 1]))
        #expect(abs(y.data[0]) < 1e-6)                                      // (x − running mean)/…
    }

    @Test("loading a state dictionary checks names and shapes")
    func stateDictionary() throws {
        let a = smallNetwork(seed: 1), b = smallNetwork(seed: 2)
        try b.loadStateDictionary(Dictionary(uniqueKeysWithValues: a.stateDictionary().map { ($0.name, $0.tensor) }))
        let x = TestData.uniform([1, 1, 8, 8], seed: 4)
        #expect(try a(x).data == b(x).data)
        #expect(throws: TensorError.self) { try b.loadStateDictionary(["conv1.weight": .zeros([1])]) }
    }
}

@Suite("Hooks")
struct HookTests {
    @Test("a forward hook captures a layer's output; removing it stops the capture")
    func forwardHookCaptures() throws {
        let model = smallNetwork()
        var captured: [Tensor] = []
        let handle = try model.module(named: "conv1").registerForwardHook { _, _, output in captured.append(output) }
        #expect(model.liveHookCount == 1)
        let x = TestData.uniform([2, 1, 8, 8], seed: 5)
        _ = try model(x)
        #expect(captured.count == 1 && captured[0].shape == [2, 4, 8, 8])
        handle.remove()
        handle.remove()                       // harmless twice
        #expect(model.liveHookCount == 0)
        _ = try model(x)
        #expect(captured.count == 1)
    }

    @Test("a forward hook may replace the output")
    func forwardHookReplaces() throws {
        let model = smallNetwork()
        let handle = try model.module(named: "gap").registerForwardHook(replacingOutput: { _, _, output in output * 0 })
        defer { handle.remove() }
        let y = try model(TestData.uniform([1, 1, 8, 8], seed: 6))
        let fc = try model.module(named: "fc") as! Linear
        #expect(y.data == fc.bias!.data)      // zero features: the logits are the bias
    }

    @Test("a backward hook sees gradInput and gradOutput of a ReLU")
    func backwardHookSees() throws {
        let relu = ReLU()
        let x = tensor([-1, 2, -3, 4], [4], requiresGrad: true)
        var seen: (Tensor?, Tensor)?
        let handle = relu.registerBackwardHook { _, gradInput, gradOutput in seen = (gradInput, gradOutput) }
        defer { handle.remove() }
        try relu(x).backward(seed: tensor([1, -1, 1, -1], [4]))
        #expect(seen?.1.data == [1, -1, 1, -1])
        #expect(seen?.0?.data == [0, -1, 0, -1])
        #expect(x.grad?.data == [0, -1, 0, -1])
    }

    @Test("a backward hook may replace the gradient passed on; nil keeps it")
    func backwardHookReplaces() throws {
        let relu = ReLU()
        let x = tensor([-1, 2, -3, 4], [4], requiresGrad: true)
        // Plain backprop passes 1[x > 0] · seed = [0, −1, 0, 1] to x; the hook passes its negation plus 10.
        let handle = relu.registerBackwardHook(replacingGradInput: { _, gradInput, _ in gradInput.map { 10 - $0 } })
        try relu(x).backward(seed: tensor([1, -1, 1, 1], [4]))
        #expect(x.grad?.data == [10, 11, 10, 9])
        handle.remove()
        let y = tensor([-1, 2, -3, 4], [4], requiresGrad: true)
        let keeping = relu.registerBackwardHook(replacingGradInput: { _, _, _ in nil })
        defer { keeping.remove() }
        try relu(y).backward(seed: tensor([1, -1, 1, 1], [4]))
        #expect(y.grad?.data == [0, -1, 0, 1])
    }

    @Test("one module used twice gets two independent backward records")
    func moduleUsedTwice() throws {
        let relu = ReLU()
        var outputs: [[Float]] = []
        let handle = relu.registerBackwardHook { _, _, gradOutput in outputs.append(gradOutput.data) }
        defer { handle.remove() }
        let x = tensor([1, 2], [2], requiresGrad: true)
        let y = try relu(relu(x) * 3)
        try y.backward(seed: tensor([1, 10], [2]))
        #expect(outputs == [[1, 10], [3, 30]])        // the outer call first, then the inner one
        #expect(x.grad?.data == [3, 30])
    }

    @Test("hooks fire on every call until removed, and nothing leaks between calls")
    func nothingLeaks() throws {
        let model = smallNetwork()
        var count = 0
        let handles = model.namedModules().filter { $0.module is ReLU }.map {
            $0.module.registerBackwardHook { _, _, _ in count += 1 }
        }
        #expect(model.liveHookCount == 2)
        let x = TestData.uniform([1, 1, 8, 8], seed: 7); x.requiresGrad = true
        for _ in 0..<3 { try model(x).sum().backward() }
        #expect(count == 6)
        handles.removeAll()
        #expect(model.liveHookCount == 0)
        try model(x).sum().backward()
        #expect(count == 6)
    }

    @Test("a hook's error comes out of backward")
    func hookErrors() throws {
        struct Boom: Error {}
        let relu = ReLU()
        let handle = relu.registerBackwardHook { (_, _, _) -> Void in throw Boom() }
        defer { handle.remove() }
        let x = tensor([1], [1], requiresGrad: true)
        #expect(throws: Boom.self) { try relu(x).sum().backward() }
        let wrongShape = ReLU()
        let h2 = wrongShape.registerBackwardHook(replacingGradInput: { _, _, _ in .zeros([3]) })
        defer { h2.remove() }
        #expect(throws: TensorError.self) { try wrongShape(x).sum().backward() }
    }

    @Test("backward hooks on the first layer see a nil gradInput when the image needs no gradient")
    func firstLayerHook() throws {
        let model = smallNetwork()
        var sawNil = false
        let handle = try model.module(named: "conv1").registerBackwardHook { _, gradInput, gradOutput in
            sawNil = gradInput == nil && gradOutput.shape == [1, 4, 8, 8]
        }
        defer { handle.remove() }
        try model(TestData.uniform([1, 1, 8, 8], seed: 8)).sum().backward()
        #expect(sawNil)
    }
}

@Suite("Optimisers and initialisers")
struct TrainingTests {
    @Test("SGD with momentum follows PyTorch's update")
    func sgd() throws {
        let p = tensor([1], [1], requiresGrad: true)
        let opt = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        for _ in 0..<2 {
            opt.zeroGrad()
            try (p * 2).sum().backward()          // gradient 2 each time
            try opt.step()
        }
        // v1 = 2, p = 1 − 0.2 = 0.8; v2 = 0.9·2 + 2 = 3.8, p = 0.8 − 0.38 = 0.42
        #expect(abs(p.data[0] - 0.42) < 1e-6)
    }

    @Test("Adam's first step moves each weight by about lr against its gradient's sign")
    func adam() throws {
        let p = tensor([1, 1], [2], requiresGrad: true)
        let opt = Adam(parameters: [p], learningRate: 0.01)
        try (p * tensor([3, -0.5], [2])).sum().backward()
        try opt.step()
        #expect(abs(p.data[0] - 0.99) < 1e-6 && abs(p.data[1] - 1.01) < 1e-6)
    }

    @Test("Adam keeps its moments from step to step: three steps with weight decay match torch.optim.Adam")
    func adamSteps() throws {
        // torch.optim.Adam([p], lr=0.01, weight_decay=0.1), loss Σ p·[3, −0.5] + Σ p² from p = [1, 1],
        // three steps (torch 2.15): [0.9700040221214294, 0.9700134992599487].
        let p = tensor([1, 1], [2], requiresGrad: true)
        let opt = Adam(parameters: [p], learningRate: 0.01, weightDecay: 0.1)
        for _ in 0..<3 {
            opt.zeroGrad()
            try ((p * tensor([3, -0.5], [2])).sum() + (p * p).sum()).backward()
            try opt.step()
        }
        #expect(abs(p.data[0] - 0.9700040221214294) < 1e-6 && abs(p.data[1] - 0.9700134992599487) < 1e-6, "\(p.data)")
    }

    @Test("the initialiser is seeded and fills PyTorch's default range")
    func initialisers() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let x = Initializer.pytorchDefault([64, 32, 3, 3], fanIn: 288, using: &a)
        #expect(x.data == Initializer.pytorchDefault([64, 32, 3, 3], fanIn: 288, using: &b).data)
        // U(−1/√288, 1/√288): inside the bound, and reaching near both ends.
        let bound = 1 / Float(288).squareRoot()
        #expect(x.data.allSatisfy { abs($0) <= bound })
        #expect((x.data.max() ?? 0) > 0.99 * bound && (x.data.min() ?? 0) < -0.99 * bound)
    }
}
