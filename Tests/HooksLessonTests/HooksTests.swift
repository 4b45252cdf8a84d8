import Course
import Foundation
#if canImport(HooksSolutions)
import HooksSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// A two-layer network with hand-set weights: lin = [[1, 2], [3, 4]], out = [[1, −1]].
/// For x = [1, 1]: lin → [3, 7], relu → [3, 7], out → −4; ∂out/∂lin = [1, −1].
func handSetNetwork() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let lin = Linear(2, 2, bias: false, generator: &g), out = Linear(2, 1, bias: false, generator: &g)
    try lin.weight.assign([1, 2, 3, 4])
    try out.weight.assign([1, -1])
    return Sequential(named: [("lin", lin), ("relu", ReLU()), ("out", out)])
}

@Suite("Lesson 01 — Hooks", .graded(Exercises.lesson))
struct HooksTests {
    // MARK: Exercise 1.1

    @Test("Exercise 1.1: activations of a hand-set network")
    func activationsHandChecked() throws {
        let model = try handSetNetwork()
        let x = tensor([1, 1], [1, 2])
        let a = try Graded.activations(of: model, at: "lin", for: x)
        #expect(a.data == [3, 7], "the output of 'lin' for [1, 1] is [1+2, 3+4] = [3, 7]; received \(a.data)")
        let out = try Graded.activations(of: model, at: "out", for: x)
        #expect(out.data == [-4], "the output of 'out' is 3 − 7 = −4; received \(out.data)")
    }

    @Test("Exercise 1.1: conv3 of mnist-gap matches the reference; hooks are removed")
    func activationsOnMNIST() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1, 2])
        for layer in ["conv1", "relu2", "conv3", "gap"] {
            let received = try Graded.activations(of: model, at: layer, for: images)
            let expected = try Reference.activations(of: model, at: layer, for: images)
            if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                                  receivedShape: received.shape, what: "activations at \(layer)") {
                Issue.record(Comment(rawValue: problem))
            }
        }
        #expect(model.liveHookCount == 0, "hooks left on the model after activations(of:at:for:): \(model.liveHookCount) — remove them with their handles")
    }

    @Test("Exercise 1.1: an unknown layer is an error and leaves no hook behind")
    func activationsErrors() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0])
        _ = try Graded.activations(of: model, at: "conv1", for: images)     // started?
        try expectRealError("an unknown layer name") { _ = try Graded.activations(of: model, at: "conv9", for: images) }
        // The hook is registered, then the forward pass fails (wrong image size): still removed.
        try expectRealError("a wrongly shaped input") { _ = try Graded.activations(of: model, at: "fc", for: .zeros([1, 3, 28, 28])) }
        #expect(model.liveHookCount == 0, "a hook survived an error: remove hooks in a `defer`")
    }

    // MARK: Exercise 1.2

    @Test("Exercise 1.2: the gradient at a hidden layer of a hand-set network")
    func gradientHandChecked() throws {
        let model = try handSetNetwork()
        let g = try Graded.gradient(of: model, at: "lin", for: tensor([1, 1], [1, 2]), targets: [0])
        #expect(g.data == [1, -1], "∂out/∂lin = W_out · 1[lin > 0] = [1, −1]; received \(g.data)")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
    }

    @Test("Exercise 1.2: the gradient at conv3 equals central differences of the target logit")
    func gradientCheck() throws {
        let model = try Fixtures.model("mnist-gap")
        let (image, labels) = try Fixtures.mnistImages([0])
        let received = try Graded.gradient(of: model, at: "conv3", for: image, targets: labels)
        let activation = try Reference.activations(of: model, at: "conv3", for: image)
        #expect(received.shape == activation.shape, "the gradient must have the shape of conv3's output \(activation.shape); received \(received.shape)")
        guard received.shape == activation.shape else { return }
        let (checked, wrong) = try layerGradientCheck(model: model, layer: "conv3", image: image, label: labels[0],
                                                      activation: activation, received: received, start: 3, stride: 97)
        #expect(checked > 10)
        #expect(wrong.count == 0, Comment(rawValue: "\(wrong.count) of \(checked) coordinates differ from central differences of the target logit; "
                + wrong.prefix(2).joined(separator: "; ")))
    }

    @Test("Exercise 1.2: one backward pass gives each image the gradient of its own target")
    func gradientBatch() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1, 2])
        let targets = [3, 8, 1]
        let batch = try Graded.gradient(of: model, at: "relu2", for: images, targets: targets)
        let expected = try Reference.gradient(of: model, at: "relu2", for: images, targets: targets)
        if let problem = MapDiagnosis.compare(received: batch.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: batch.shape, what: "gradient at relu2 for targets \(targets)") {
            Issue.record(Comment(rawValue: problem))
        }
        let single = try Graded.gradient(of: model, at: "relu2", for: images.sliced(axis: 0, 1..<2), targets: [8])
        #expect(maxAbsoluteDifference(single.data, Array(batch.data[(single.count)..<(2 * single.count)])) < 1e-5,
                "image 1 alone must get the same gradient as inside the batch")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    // MARK: Exercise 1.3

    @Test("Exercise 1.3: every convolution, in order, with its output")
    func allConvolutions() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 5])
        let received = try Graded.convolutionActivations(of: model, for: images)
        #expect(received.map(\.layer) == ["conv1", "conv2", "conv3"],
                "expected the three Conv2d layers in order, received \(received.map(\.layer))")
        #expect(received.map(\.activations.shape) == [[2, 16, 28, 28], [2, 32, 14, 14], [2, 64, 7, 7]])
        let expected = try Reference.convolutionActivations(of: model, for: images)
        for (r, e) in zip(received, expected) where r.activations.shape == e.activations.shape {
            #expect(maxAbsoluteDifference(r.activations.data, e.activations.data) < 1e-5, "\(r.layer) differs from the reference")
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 1.3: the feature maps of test digit 0, drawn beside the reference")
    func featureMapsFigure() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0])
        let received = try Graded.convolutionActivations(of: model, for: images)
        let expected = try Reference.convolutionActivations(of: model, for: images)
        for (layer, maps) in received where maps.rank == 4 && maps.shape[0] == 1 {
            StudentFigures.save(try HooksDrawings.featureMapGrid(layer: layer, maps: maps), lesson: HooksDrawings.folder,
                                name: "feature-maps-\(layer)")
        }
        for (layer, maps) in expected {
            guard let mine = received.first(where: { $0.layer == layer }) else {
                Issue.record("no feature maps for \(layer)")
                continue
            }
            if let problem = MapDiagnosis.compare(received: mine.activations.data, expected: maps.data, shape: maps.shape,
                                                  receivedShape: mine.activations.shape, what: "feature maps of \(layer)") {
                Issue.record(Comment(rawValue: problem))
            }
        }
    }

    #if canImport(HooksSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(HooksFigures.self)
    }
    #endif

    // MARK: Exercise 1.4

    @Test("Exercise 1.4: softmax confidence on hand-set logits")
    func confidenceHandChecked() throws {
        // A "model" whose output is its input: logits [ln 3, 0] give probabilities [3/4, 1/4].
        let identity = Sequential(named: [("id", Identity())])
        let result = try Graded.confidence(of: identity, for: tensor([Float(log(3.0)), 0, 0, 2], [2, 2]))
        #expect(result.map(\.predicted) == [0, 1])
        #expect(abs((result.first?.probability ?? 0) - 0.75) < 1e-6,
                "softmax([ln 3, 0])[0] = 3/(3+1) = 0.75; received \(result.first?.probability ?? .nan) — use the softmax probability, not the logit")
    }

    @Test("Exercise 1.4: confidence on MNIST matches the reference")
    func confidenceOnMNIST() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(Array(0..<64))
        let received = try Graded.confidence(of: model, for: images)
        let expected = try Reference.confidence(of: model, for: images)
        #expect(received.map(\.predicted) == expected.map(\.predicted))
        #expect(received.allSatisfy { $0.probability >= 0 && $0.probability <= 1 }, "probabilities must lie in [0, 1]")
        #expect(maxAbsoluteDifference(received.map(\.probability), expected.map(\.probability)) < 1e-5)
    }
}
