import Foundation
import GuidedBackpropSolutions
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// A two-layer network with hand-set weights where the three backward rules differ.
///
///     x = [1, 0.5] → lin1, W₁ = [[1, 2], [−2, 1], [1, −1]] → z = [2, −1.5, 0.5] → relu → [2, 0, 0.5]
///                  → out, W₂ = [[1, 1, −1]] → y = 1.5
///
/// At the ReLU, R = ∂y/∂relu = W₂ = [1, 1, −1], and ∂y/∂x = W₁ᵀ · (what the ReLU passes back):
///
///     gradient   1[z > 0]·R          = [1, 0, −1] → ∂y/∂x = [0, 3]
///     guided     ReLU(1[z > 0]·R)    = [1, 0, 0]  → [1, 2]
///     deconvnet  ReLU(R)             = [1, 1, 0]  → [−1, 3]
func handSetNetwork() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let lin1 = Linear(2, 3, bias: false, generator: &g), out = Linear(3, 1, bias: false, generator: &g)
    try lin1.weight.assign([1, 2, -2, 1, 1, -1])
    try out.weight.assign([1, 1, -1])
    let model = Sequential(named: [("lin1", lin1), ("relu", ReLU()), ("out", out)])
    model.eval()
    return model
}

/// A small conv net for guided Grad-CAM by hand, input x = [[1, 2], [3, 4]]:
/// conv 1×1 (weight [1, −1], bias [0, 2.5]) → relu → gap → fc (weight [[1, 2], [−1, 1]], no bias).
/// Class 0: guided backprop = [−0.25, −0.25, 0.25, 0.25] (see the test), Grad-CAM at relu =
/// [1, 0.75, 0.75, 1] (lesson 05), scaled to [1, 0, 0, 1].
func handSetConvNetwork() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let conv = Conv2d(1, 2, kernelSize: 1, generator: &g), fc = Linear(2, 2, bias: false, generator: &g)
    try conv.weight.assign([1, -1])
    try conv.bias.orThrow("bias").assign([0, 2.5])
    try fc.weight.assign([1, 2, -1, 1])
    let model = Sequential(named: [("conv", conv), ("relu", ReLU()), ("gap", GlobalAvgPool2d()), ("fc", fc)])
    model.eval()
    return model
}

/// The fixture written by Fixtures/make_guided_fixture.py with captum 0.9:
///
///     /opt/pyref/bin/python Tests/GuidedBackpropLessonTests/Fixtures/make_guided_fixture.py
///
/// `GuidedBackprop(model).attribute(x, target=targets)`, `Deconvolution(...)` and
/// `Saliency(..., abs=False)` on the shipped mnist-gap for MNIST test images `indices`.
struct GuidedFixture: Decodable {
    struct Array4: Decodable { let shape: [Int]; let data: [Float] }
    let library: String
    let indices: [Int]
    let targets: [Int]
    let guided_backprop: Array4, deconvolution: Array4, gradient: Array4

    static func load() throws -> GuidedFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/guided-captum.json")
        return try JSONDecoder().decode(GuidedFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("Lesson 06 — Guided backpropagation")
struct GuidedBackpropTests {
    // MARK: Exercise 6.1

    @Test("Exercise 6.1: guided backprop of a hand-set network", .tags(.exercise6_1))
    func guidedHandChecked() throws {
        try grading(readme) {
            let model = try handSetNetwork()
            let g = try Graded.guidedBackprop(of: model, images: tensor([1, 0.5], [1, 2]), targets: [0])
            #expect(g.shape == [1, 2], "the map has the input's shape [1, 2]; received \(g.shape)")
            #expect(g.data == [1, 2],
                    "at the ReLU R = [1, 1, −1] and x = [2, −1.5, 0.5]: guided passes back 1[x > 0]·1[R > 0]·R = [1, 0, 0], so ∂y/∂x = W₁ᵀ[1, 0, 0] = [1, 2]; received \(g.data) ([0, 3] is the plain gradient, [−1, 3] the deconvnet rule ReLU(R))")
            #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount) — remove them with their handles")
            #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
        }
    }

    @Test("Exercise 6.1: without ReLU modules guided backprop is the gradient (central differences)", .tags(.exercise6_1))
    func guidedIsGradientWithoutReLU() throws {
        try grading(readme) {
            var generator = SeededGenerator(seed: 3)
            let model = Sequential(named: [("lin1", Linear(4, 3, generator: &generator)), ("tanh", Tanh()), ("lin2", Linear(3, 2, generator: &generator))])
            model.eval()
            let x = TestData.uniform([2, 4], seed: 5)
            let targets = [1, 0]
            let received = try Graded.guidedBackprop(of: model, images: x, targets: targets)
            #expect(received.shape == [2, 4], "the map has the input's shape [2, 4]; received \(received.shape)")
            guard received.shape == [2, 4] else { return }
            let h: Float = 1e-2
            var failures: [String] = []
            for j in 0..<x.count {
                let n = j / 4
                func score(_ delta: Float) throws -> Double {
                    var values = x.data
                    values[j] += delta
                    return Double(try withNoGrad { try model(Tensor(shape: [2, 4], data: values)) }.data[n * 2 + targets[n]])
                }
                let expected = (try score(h) - score(-h)) / Double(2 * h)
                if abs(Double(received.data[j]) - expected) > 1e-3 + 1e-2 * abs(expected) {
                    failures.append("coordinate \(j): received \(received.data[j]), central difference \(expected)")
                }
            }
            #expect(failures.isEmpty, "with no ReLU to modify, guided backprop must be ∂yₙ[cₙ]/∂xₙ: \(failures.prefix(3).joined(separator: "; "))")
        }
    }

    @Test("Exercise 6.1: agrees with captum 0.9 GuidedBackprop on mnist-gap", .tags(.exercise6_1, .pytorch))
    func guidedAgreesWithCaptum() throws {
        try grading(readme) {
            let fixture = try GuidedFixture.load()
            let model = try Fixtures.model("mnist-gap")
            let (images, _) = try Fixtures.mnistImages(fixture.indices)
            let received = try Graded.guidedBackprop(of: model, images: images, targets: fixture.targets)
            reportAgreement("guided backprop vs captum", received.data, fixture.guided_backprop.data)
            if let problem = MapDiagnosis.compare(received: received.data, expected: fixture.guided_backprop.data, shape: fixture.guided_backprop.shape,
                                                  receivedShape: received.shape, what: "guided backprop against \(fixture.library)") {
                let hint = maxAbsoluteDifference(received.data, fixture.deconvolution.data) < 1e-4 ? "\n  hint: this is captum's Deconvolution — return ReLU(gradInput), not ReLU(gradOutput)"
                    : maxAbsoluteDifference(received.data, fixture.gradient.data) < 1e-4 ? "\n  hint: this is the plain gradient — did the hooks return their replacement?" : ""
                Issue.record(Comment(rawValue: problem + hint))
            }
            #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        }
    }

    @Test("Exercise 6.1: batches, hooks removed also after an error, later gradients unchanged", .tags(.exercise6_1))
    func guidedBatchAndHooks() throws {
        try grading(readme) {
            let model = try Fixtures.model("mnist-gap")
            let (images, labels) = try Fixtures.mnistImages([0, 1, 2])
            let batch = try Graded.guidedBackprop(of: model, images: images, targets: labels)
            #expect(batch.shape == [3, 1, 28, 28], "expected the images' shape [3, 1, 28, 28], received \(batch.shape)")
            guard batch.shape == [3, 1, 28, 28] else { return }
            for n in 0..<3 {
                let single = try Graded.guidedBackprop(of: model, images: images.sliced(axis: 0, n..<(n + 1)), targets: [labels[n]])
                #expect(maxAbsoluteDifference(single.data, Array(batch.data[(n * 784)..<((n + 1) * 784)])) < 1e-5,
                        "image \(n) alone must get the same map as inside the batch")
            }
            #expect(model.liveHookCount == 0, "hooks left on the model after guided backprop: \(model.liveHookCount)")
            try expectRealError("a target class outside 0..<10") { _ = try Graded.guidedBackprop(of: model, images: images, targets: [0, 1, 10]) }
            try expectRealError("fewer targets than images") { _ = try Graded.guidedBackprop(of: model, images: images, targets: [0]) }
            try expectRealError("a wrongly shaped input") { _ = try Graded.guidedBackprop(of: model, images: .zeros([1, 3, 28, 28]), targets: [0]) }
            #expect(model.liveHookCount == 0, "a hook survived an error (\(model.liveHookCount) left): remove the hooks in a `defer`")
            // A model that still carries guided hooks gives wrong plain gradients to every later method.
            let plain = try Reference.gradient(of: model, images: images, targets: labels)
            let fresh = try Reference.gradient(of: try Fixtures.model("mnist-gap"), images: images, targets: labels)
            #expect(maxAbsoluteDifference(plain.data, fresh.data) < 1e-6, "after guided backprop, the model's plain gradient must be unchanged (hooks left behind?)")
        }
    }

    @Test("Exercise 6.1: golden — guided backprop of the golden images, and the reference figures", .tags(.exercise6_1, .golden))
    func guidedGolden() throws {
        try grading(readme) {
            let model = try Fixtures.model("mnist-gap")
            let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
            let received = try Graded.guidedBackprop(of: model, images: images, targets: labels)
            if received.count == images.count {
                StudentFigures.save(try Render.map(Array(received.data[0..<784]), width: 28, height: 28, colormap: .bwr, normalization: .symmetric),
                                    lesson: GuidedBackpropFigures.folder, name: "guided-backprop")
            }
            for figure in try GuidedBackpropFigures.make(FigureContext(mnistTest: Fixtures.mnistTest())) {
                if let problem = GoldenFigures.check(figure, in: LessonPaths.figures(GuidedBackpropFigures.folder)) {
                    Issue.record(Comment(rawValue: "reference figure \(figure.name) no longer matches its golden: \(problem)"))
                }
                if figure.name == "guided-backprop", let raw = figure.raw,
                   let problem = MapDiagnosis.compare(received: received.data, expected: raw.values, shape: raw.shape, receivedShape: received.shape,
                                                      what: "guided backprop of the golden images (true class)") {
                    Issue.record(Comment(rawValue: problem))
                }
            }
        }
    }

    // MARK: Exercise 6.2

    @Test("Exercise 6.2: the deconvnet rule on a hand-set network", .tags(.exercise6_2))
    func deconvnetHandChecked() throws {
        try grading(readme) {
            let model = try handSetNetwork()
            let g = try Graded.deconvnet(of: model, images: tensor([1, 0.5], [1, 2]), targets: [0])
            #expect(g.data == [-1, 3],
                    "at the ReLU R = [1, 1, −1]: deconvnet passes back ReLU(R) = [1, 1, 0] whatever the forward pass did, so ∂y/∂x = W₁ᵀ[1, 1, 0] = [−1, 3]; received \(g.data) ([1, 2] is guided backprop: ReLU of gradInput)")
            #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        }
    }

    @Test("Exercise 6.2: agrees with captum 0.9 Deconvolution on mnist-gap; hooks removed, also after an error", .tags(.exercise6_2, .pytorch))
    func deconvnetAgreesWithCaptum() throws {
        try grading(readme) {
            let fixture = try GuidedFixture.load()
            let model = try Fixtures.model("mnist-gap")
            let (images, _) = try Fixtures.mnistImages(fixture.indices)
            let received = try Graded.deconvnet(of: model, images: images, targets: fixture.targets)
            reportAgreement("deconvnet vs captum", received.data, fixture.deconvolution.data)
            if let problem = MapDiagnosis.compare(received: received.data, expected: fixture.deconvolution.data, shape: fixture.deconvolution.shape,
                                                  receivedShape: received.shape, what: "deconvnet against \(fixture.library) Deconvolution") {
                Issue.record(Comment(rawValue: problem))
            }
            #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
            try expectRealError("a target class outside 0..<10") { _ = try Graded.deconvnet(of: model, images: images, targets: [0, 1, -1]) }
            #expect(model.liveHookCount == 0, "a hook survived an error (\(model.liveHookCount) left): remove the hooks in a `defer`")
        }
    }

    // MARK: Exercise 6.3

    @Test("Exercise 6.3: guided Grad-CAM of a hand-set conv net", .tags(.exercise6_3))
    func guidedGradCAMHandChecked() throws {
        try grading(readme) {
            // Class 0. At relu, R = w₀ₖ/4 = [1/4, 1/2] ≥ 0, so guided = gradient there: ReLU(R·1[x > 0]) =
            // channel 1: 1/4 everywhere, channel 2: [1/2, 1/2, 0, 0]. Through conv (weights 1, −1):
            // guided backprop = 1/4 − [1/2, 1/2, 0, 0] = [−0.25, −0.25, 0.25, 0.25].
            // Grad-CAM at relu = [1, 0.75, 0.75, 1]; resized 2×2 → 2×2 (unchanged) and scaled: [1, 0, 0, 1].
            let model = try handSetConvNetwork()
            let received = try Graded.guidedGradCAM(of: model, images: tensor([1, 2, 3, 4], [1, 1, 2, 2]), targets: [0], layer: "relu")
            #expect(received.shape == [1, 1, 2, 2], "the map has the images' shape [1, 1, 2, 2]; received \(received.shape)")
            #expect(maxAbsoluteDifference(received.data, [-0.25, 0, 0, 0.25]) < 1e-6,
                    "guided backprop [−0.25, −0.25, 0.25, 0.25] ⊙ scaled Grad-CAM [1, 0, 0, 1] = [−0.25, 0, 0, 0.25]; received \(received.data) — scale the CAM to [0, 1] with (v − min)/(max − min + 1e-7) before multiplying")
            #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        }
    }

    @Test("Exercise 6.3: guided Grad-CAM on mnist-gap: the reference, the golden maps, |result| ≤ |guided backprop|", .tags(.exercise6_3, .golden))
    func guidedGradCAMOnMNIST() throws {
        try grading(readme) {
            let model = try Fixtures.model("mnist-gap")
            let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
            let received = try Graded.guidedGradCAM(of: model, images: images, targets: labels)
            let expected = try Reference.guidedGradCAM(of: model, images: images, targets: labels)
            if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                                  receivedShape: received.shape, what: "guided Grad-CAM of the golden images at relu3") {
                Issue.record(Comment(rawValue: problem))
            }
            let guided = try Reference.guidedBackprop(of: model, images: images, targets: labels)
            if received.count == guided.count {
                let worst = zip(received.data, guided.data).map { abs($0) - abs($1) }.max() ?? 0
                #expect(worst <= 1e-6, "|guided Grad-CAM| exceeds |guided backprop| by \(worst): the CAM factor must lie in [0, 1] (min-max scale it)")
            }
            let stored = try GuidedBackpropFigures.make(FigureContext(mnistTest: Fixtures.mnistTest())).first { $0.name == "guided-gradcam" }?.raw
            if let stored, let problem = MapDiagnosis.compare(received: received.data, expected: stored.values, shape: stored.shape,
                                                              receivedShape: received.shape, what: "guided Grad-CAM against the golden figure's numbers") {
                Issue.record(Comment(rawValue: problem))
            }
            #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        }
    }

    // MARK: Exercise 6.4

    @Test("Exercise 6.4: Spearman's rank correlation by hand, with ties", .tags(.exercise6_4))
    func rankCorrelationHandChecked() throws {
        try grading(readme) {
            let swapped = try Graded.rankCorrelation([1, 2, 3, 4], [1, 3, 2, 4])
            #expect(abs(swapped - 0.8) < 1e-9, "[1, 2, 3, 4] vs [1, 3, 2, 4]: ρ = 1 − 6·Σd²/(n(n² − 1)) = 1 − 6·2/60 = 0.8; received \(swapped)")
            let cubed = try Graded.rankCorrelation([1, 2, 3, 4, 5], [1, 8, 27, 64, 125])
            #expect(abs(cubed - 1) < 1e-9, "x and x³ have the same order: ρ = 1; received \(cubed) — correlate the ranks, not the values (that is Pearson's r)")
            let reversed = try Graded.rankCorrelation([0.1, 0.5, 0.2], [3, -1, 2])
            #expect(abs(reversed + 1) < 1e-9, "opposite orders: ρ = −1; received \(reversed)")
            // Ties: [1, 2, 2, 3] has ranks [1, 2.5, 2.5, 4]; against [1, 2, 3, 4]: ρ = 4.5 / √(4.5 · 5).
            let tied = try Graded.rankCorrelation([1, 2, 2, 3], [1, 2, 3, 4])
            #expect(abs(tied - 4.5 / (4.5 * 5.0).squareRoot()) < 1e-9,
                    "[1, 2, 2, 3] vs [1, 2, 3, 4]: the tied values share the average rank 2.5, ρ = 4.5/√22.5 ≈ 0.948683; received \(tied) (1.0 means the ties got ranks 2 and 3)")
            let constant = try Graded.rankCorrelation([0, 0, 0], [1, 2, 3])
            #expect(constant == 0, "a constant array has no ordering: return 0; received \(constant)")
            try expectRealError("arrays of different lengths") { _ = try Graded.rankCorrelation([1, 2, 3], [1, 2]) }
        }
    }

    @Test("Exercise 6.4: the cascading randomisation check — guided backprop barely changes, Grad-CAM does", .tags(.exercise6_4, .golden))
    func sanityCheck() throws {
        try grading(readme) {
            let (images, labels) = try Fixtures.mnistImages([0])
            _ = try Graded.rankCorrelation([1, 2], [1, 2])      // started?
            let model = try Fixtures.model("mnist-gap")
            let steps = try GuidedBackpropSolutions.cascadingRandomization(of: model, images: images, targets: labels, methods: [
                ("gradient", { try Reference.gradient(of: $0, images: images, targets: labels) }),
                ("guided backprop", { try Reference.guidedBackprop(of: $0, images: images, targets: labels) }),
                ("Grad-CAM", { try Reference.gradCAM(of: $0, images: images, targets: labels, layer: "relu3") }),
            ], correlation: Graded.rankCorrelation)
            #expect(steps.map(\.layer) == ["fc", "conv3", "conv2", "conv1"], "layers are randomised from the top: \(steps.map(\.layer))")
            let received = steps.flatMap { step in ["gradient", "guided backprop", "Grad-CAM"].map { Float(step.correlations[$0] ?? .nan) } }
            // The golden numbers (figures/sanity-check.npy), rows fc, conv3, conv2, conv1.
            let stored = try GuidedBackpropFigures.make(FigureContext(mnistTest: Fixtures.mnistTest())).first { $0.name == "sanity-check" }?.raw
            if let stored, let problem = MapDiagnosis.compare(received: received, expected: stored.values, shape: stored.shape,
                                                              receivedShape: [steps.count, 3], tolerance: 1e-5,
                                                              what: "rank correlations (gradient, guided backprop, Grad-CAM) after each randomisation step") {
                Issue.record(Comment(rawValue: problem + "\n  (Grad-CAM maps have many zeros: ties must share their average rank)"))
            }
            let afterFC = steps.first?.correlations ?? [:]
            #expect((afterFC["guided backprop"] ?? 0) > 0.6 && (afterFC["Grad-CAM"] ?? 1) < 0.3,
                    "after randomising fc, guided backprop should still correlate (> 0.6) with its original map and Grad-CAM should not (< 0.3); received \(afterFC)")
        }
    }
}

extension Tag {
    @Tag static var exercise6_1: Self
    @Tag static var exercise6_2: Self
    @Tag static var exercise6_3: Self
    @Tag static var exercise6_4: Self
    @Tag static var golden: Self
    @Tag static var pytorch: Self
}
