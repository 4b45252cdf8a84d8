import Testing
import TensorEngine
import TestSupport

@Suite("Autodiff mechanics")
struct AutodiffTests {
    @Test("backward from a one-hot seed gives the gradient of one logit")
    func seededBackward() throws {
        let x = tensor([1, 2], [1, 2], requiresGrad: true)
        let w = tensor([1, 0, 3, 4, 0, 5], [3, 2])          // logits = [1, 11, 10]
        let logits = try x.linear(weight: w, bias: nil)
        try logits.backward(seed: tensor([0, 1, 0], [1, 3]))
        #expect(x.grad?.data == [3, 4])                      // row 1 of W
    }

    @Test("backward(inputs:) fills only the requested tensors, with the same values")
    func backwardToChosenInputs() throws {
        func run(inputs: (Tensor, Tensor, Tensor, Tensor) -> [Tensor]?) throws -> (Tensor, Tensor, Tensor, Tensor) {
            let x = TestData.uniform([2, 2, 5, 5], seed: 31); x.requiresGrad = true
            let w = TestData.uniform([3, 2, 3, 3], seed: 32); w.requiresGrad = true
            let b = TestData.uniform([3], seed: 33); b.requiresGrad = true
            let hidden = try x.conv2d(weight: w, bias: b, padding: (1, 1)).relu()
            hidden.retainGrad()
            let y = try (hidden * hidden).sum()                 // `hidden` used twice
            try y.backward(inputs: inputs(x, w, b, hidden))
            return (x, w, b, hidden)
        }
        let all = try run { _, _, _, _ in nil }
        let onlyX = try run { x, _, _, _ in [x] }
        #expect(onlyX.0.grad?.data == all.0.grad?.data)      // same bits: the same ops ran for x
        #expect(onlyX.1.grad == nil && onlyX.2.grad == nil)   // leaves not asked for get nothing
        #expect(onlyX.3.grad?.data == all.3.grad?.data)      // a retained tensor on the path still does (PyTorch too)
        let weightAndHidden = try run { _, w, _, hidden in [w, hidden] }
        #expect(weightAndHidden.1.grad?.data == all.1.grad?.data)
        #expect(weightAndHidden.3.grad?.data == all.3.grad?.data)   // a non-leaf input, as in PyTorch
        #expect(weightAndHidden.0.grad == nil && weightAndHidden.2.grad == nil)
        let constant = TestData.uniform([2], seed: 34)
        let z = try (onlyX.0 * 2).sum()
        #expect(throws: TensorError.self) { try z.backward(inputs: [constant]) }   // names a tensor without gradients
    }

    /// What PyTorch 2.15 does (checked): `y.backward(inputs=[h])` with a non-leaf `h` fills `h.grad`
    /// without `retain_grad()` and leaves `x.grad` None; `inputs=[]` raises.
    @Test("backward(inputs:) with a non-leaf input, twice, empty, and the hooks that fire")
    func backwardToNonLeafInputs() throws {
        let x = tensor([1, -2, 3, 0.5, 2, -1], [2, 3], requiresGrad: true)
        let h = x * 2
        let y = try (h * h).sum()                                 // ∂y/∂h = 2h
        var xHookCalls = 0, hHookCalls = 0
        x.registerGradientHook { _ in xHookCalls += 1; return nil }
        h.registerGradientHook { _ in hHookCalls += 1; return nil }
        try y.backward(retainGraph: true, inputs: [h])
        #expect(h.grad?.data == h.data.map { 2 * $0 })
        #expect(x.grad == nil)
        #expect(hHookCalls == 1 && xHookCalls == 0)              // hooks fire on the path only
        try y.backward(retainGraph: true, inputs: [h])
        #expect(h.grad?.data == h.data.map { 4 * $0 })           // accumulates, as every grad does
        #expect(throws: TensorError.self) { try y.backward(retainGraph: true, inputs: []) }
        try y.backward(inputs: [x])                               // the graph survived the refused call
        #expect(x.grad?.data == x.data.map { 8 * $0 })           // ∂y/∂x = 2h · 2 = 8x
    }

    @Test("the graph is released after backward unless asked to keep it")
    func graphReleased() throws {
        let x = tensor([0.5], [1], requiresGrad: true)
        let y = x.sigmoid().squared()
        try y.sum().backward(retainGraph: true)
        try y.sum().backward()                                // allowed: the graph was kept
        let z = try y.sum()
        #expect(throws: TensorError.self) { try z.backward() }  // released by the second call
    }

    @Test("no-grad scope records nothing")
    func noGrad() throws {
        let x = tensor([1, 2], [2], requiresGrad: true)
        let y = withNoGrad { x * 3 }
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
        #expect(throws: TensorError.self) { try y.sum().backward() }
        #expect((x * 3).requiresGrad)                        // and it ends with the scope
    }

    @Test("backward without a seed needs a scalar; a wrong seed shape is named")
    func seedErrors() throws {
        let x = tensor([1, 2], [2], requiresGrad: true)
        let y = x * 2
        #expect(throws: TensorError.self) { try y.backward() }
        do {
            try y.backward(seed: .ones([3]))
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect("\(error)".contains("[3]") && "\(error)".contains("[2]"))
        }
    }

    @Test("gradient hooks on a tensor see and may replace its gradient")
    func tensorHooks() throws {
        let x = tensor([1, 2, 3], [3], requiresGrad: true)
        let h = x * 2
        var seen: [Float] = []
        let observe = h.registerGradientHook { g in seen = g.data; return nil }
        let replace = h.registerGradientHook { g in g * 10 }
        #expect(h.gradientHookCount == 2)
        try h.sum().backward()
        #expect(seen == [1, 1, 1])
        #expect(x.grad?.data == [20, 20, 20])
        observe.remove(); replace.remove()
        #expect(h.gradientHookCount == 0)
    }

    @Test("shape errors name the op and both shapes")
    func shapeErrorMessages() {
        do {
            _ = try Tensor.zeros([2, 3]).matmul(.zeros([4, 5]))
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("matmul") && text.contains("[2, 3]") && text.contains("[4, 5]"), "\(text)")
        }
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], data: [1, 2, 3]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 1, 2, 2]).maxPool2d(kernel: (3, 3)) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).crossEntropy(labels: [0, 7]) }
    }
}
