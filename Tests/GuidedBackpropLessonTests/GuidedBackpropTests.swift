import Course
import DataFormats
import Foundation
#if canImport(GuidedBackpropSolutions)
import GuidedBackpropSolutions
#endif
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
func handSetConvNetwork() throws -> Sequential { try handSetGAPNetwork() }

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

/// Two ReLUs, where applying the guided rule at only one of them changes the result.
///
///     x = [1, 1] → lin1 = I → relu1 → [1, 1] → lin2, W₂ = [[1, 2], [2, 1]] → [3, 3] → relu2 → [3, 3]
///                → out, W₃ = [[1, −1]] → y = 0
///
/// At relu2, R = [1, −1] (both units active). Guided passes back [1, 0]; at relu1 R = W₂ᵀ[1, 0] =
/// [1, 2], guided passes it on: ∂y/∂x = [1, 2]. With the guided rule at relu1 only, relu2 passes
/// [1, −1], relu1 receives W₂ᵀ[1, −1] = [−1, 1] and keeps [0, 1]. The plain gradient is [−1, 1].
func twoReLUNetwork() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let lin1 = Linear(2, 2, bias: false, generator: &g), lin2 = Linear(2, 2, bias: false, generator: &g)
    let out = Linear(2, 1, bias: false, generator: &g)
    try lin1.weight.assign([1, 0, 0, 1])
    try lin2.weight.assign([1, 2, 2, 1])
    try out.weight.assign([1, -1])
    let model = Sequential(named: [("lin1", lin1), ("relu1", ReLU()), ("lin2", lin2), ("relu2", ReLU()), ("out", out)])
    model.eval()
    return model
}

/// The golden numbers stored beside a reference figure (`Lessons/06-GuidedBackprop/figures/NAME.npy`).
func storedRaw(_ name: String) throws -> (shape: [Int], values: [Float]) {
    let stored = try NPY.read(contentsOf: LessonPaths.figures(GuidedBackpropDrawings.folder).appendingPathComponent("\(name).npy"))
    return (stored.shape, stored.floats())
}

/// Why a guided Grad-CAM differs from the reference: which of its two factors is wrong. Guided
/// Grad-CAM builds on guided backprop (6.1), so a wrong 6.1 shows here too: the hint then sends
/// the student back to 6.1 instead of blaming the CAM. The wrong maps recognised and the right CAM
/// factor come from the reference (`guidedGradCAMHintData`, recorded).
func guidedGradCAMHint(_ received: Tensor, model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> String {
    let guided = try Reference.guidedBackprop(of: model, images: images, targets: targets)
    guard received.count == guided.count, images.rank == 4 else { return "" }
    let (variants, camFactor) = try Reference.guidedGradCAMHintData(of: model, images: images, targets: targets, layer: layer)
    let scale = max(guided.data.map { abs($0) }.max() ?? 0, 1e-12)
    if let match = variants.first(where: { agree(received.data, $0.values, tolerance: 1e-4 * scale) }) {
        return "\n  hint: \(match.hint)"
    }
    // Where the CAM factor is not small, received / CAM is the guided-backprop factor.
    var wrongGuided = 0
    for i in guided.data.indices where camFactor[i] > 0.1 {
        if abs(received.data[i] / camFactor[i] - guided.data[i]) > 1e-3 * scale { wrongGuided += 1 }
    }
    if wrongGuided > 0 {
        return "\n  hint: the guided-backprop factor differs from the reference at \(wrongGuided) pixels where the CAM is large: guided Grad-CAM multiplies your guided backprop (exercise 6.1) — make 6.1's tests pass first"
    }
    return "\n  hint: the guided-backprop factor is right; the CAM factor is not — Grad-CAM at \(layer) (lesson 05's 5.2), resized bilinearly and min-max scaled per image (5.3)"
}

@Suite("Lesson 06 — Guided backpropagation", .graded(Exercises.lesson))
struct GuidedBackpropTests {
    // MARK: Exercise 6.1

    @Test("Exercise 6.1: guided backprop of a hand-set network")
    func guidedHandChecked() throws {
        let model = try handSetNetwork()
        let g = try Graded.guidedBackprop(of: model, images: tensor([1, 0.5], [1, 2]), targets: [0])
        #expect(g.shape == [1, 2], "the map has the input's shape [1, 2]; received \(g.shape)")
        #expect(g.data == [1, 2],
                "at the ReLU R = [1, 1, −1] and x = [2, −1.5, 0.5]: guided passes back 1[x > 0]·1[R > 0]·R = [1, 0, 0], so ∂y/∂x = W₁ᵀ[1, 0, 0] = [1, 2]; received \(brief(g.data)) ([0, 3] is the plain gradient, [−1, 3] the deconvnet rule ReLU(R))")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount) — remove them with their handles")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
    }

    @Test("Exercise 6.1: guided backprop through two ReLUs of a hand-set network")
    func guidedThroughTwoReLUs() throws {
        let model = try twoReLUNetwork()
        let g = try Graded.guidedBackprop(of: model, images: tensor([1, 1], [1, 2]), targets: [0])
        let hint = g.data == [0, 1] ? " — [0, 1] is the guided rule at relu1 only: put the hook on EVERY ReLU module (model.namedModules())"
            : g.data == [-1, 1] ? " — [−1, 1] is the plain gradient: the hooks must return their replacement gradInput" : ""
        #expect(g.data == [1, 2],
                "relu2 passes back ReLU([1, −1]) = [1, 0], relu1 then receives W₂ᵀ[1, 0] = [1, 2] and passes it on: ∂y/∂x = [1, 2]; received \(brief(g.data))\(hint)")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount) — remove them with their handles")
    }

    @Test("Exercise 6.1: without ReLU modules guided backprop is the gradient (central differences)")
    func guidedIsGradientWithoutReLU() throws {
        var generator = SeededGenerator(seed: 3)
        let model = Sequential(named: [("lin1", Linear(4, 3, generator: &generator)), ("tanh", Tanh()), ("lin2", Linear(3, 2, generator: &generator))])
        model.eval()
        let x = TestData.uniform([2, 4], seed: 5)
        let targets = [1, 0]
        let received = try Graded.guidedBackprop(of: model, images: x, targets: targets)
        #expect(received.shape == [2, 4], "the map has the input's shape [2, 4]; received \(received.shape)")
        guard received.shape == [2, 4] else { return }
        let h: Float = 1e-2
        var failed = 0, failures: [String] = []
        for j in 0..<x.count {
            let n = j / 4
            func score(_ delta: Float) throws -> Double {
                var values = x.data
                values[j] += delta
                return Double(try withNoGrad { try model(Tensor(shape: [2, 4], data: values)) }.data[n * 2 + targets[n]])
            }
            let expected = (try score(h) - score(-h)) / Double(2 * h)
            if abs(Double(received.data[j]) - expected) > 1e-3 + 1e-2 * abs(expected) {
                failed += 1
                if failures.count < 3 { failures.append("coordinate \(j): received \(received.data[j]), central difference \(expected)") }
            }
        }
        #expect(failed == 0, "with no ReLU to modify, guided backprop must be ∂yₙ[cₙ]/∂xₙ; \(failed) of \(x.count) coordinates differ: \(failures.joined(separator: "; "))")
    }

    @Test("Exercise 6.1: agrees with captum 0.9 GuidedBackprop on mnist-gap")
    func guidedAgreesWithCaptum() throws {
        let fixture = try GuidedFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.guidedBackprop(of: model, images: images, targets: fixture.targets)
        reportAgreement("guided backprop vs captum", received.data, fixture.guided_backprop.data)
        if let problem = MapDiagnosis.compare(received: received.data, expected: fixture.guided_backprop.data, shape: fixture.guided_backprop.shape,
                                              receivedShape: received.shape, what: "guided backprop against \(fixture.library)") {
            let hint = maxAbsoluteDifference(received.data, fixture.deconvolution.data) < 1e-4 ? "\n  hint: this is captum's Deconvolution — return ReLU(gradInput), not ReLU(gradOutput)"
                : maxAbsoluteDifference(received.data, fixture.gradient.data) < 1e-4 ? "\n  hint: this is the plain gradient — did the hooks return their replacement?"
                : "\n  hint: mnist-gap has three ReLUs (relu1, relu2, relu3): the guided rule applies at every one of them"
            Issue.record(Comment(rawValue: problem + hint))
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 6.1: batches, hooks removed also after an error, later gradients unchanged")
    func guidedBatchAndHooks() throws {
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
        // Guided backprop must leave the model as it found it: the same layers, weights and hooks
        // (a hook left on a ReLU would give every later method guided gradients).
        let fresh = try Fixtures.model("mnist-gap")
        #expect(ReferenceBook.key("model", [model]) == ReferenceBook.key("model", [fresh]),
                "after guided backprop the model must be unchanged: the same layers, weights and no hook left behind")
    }

    @Test("Exercise 6.1: golden — guided backprop of the golden images, and the reference figures")
    func guidedGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let received = try Graded.guidedBackprop(of: model, images: images, targets: labels)
        if received.count == images.count {
            StudentFigures.save(try Render.map(Array(received.data[0..<784]), width: 28, height: 28, colormap: .bwr, normalization: .symmetric),
                                lesson: GuidedBackpropDrawings.folder, name: "guided-backprop")
        }
        // The numbers of the reference figure `guided-backprop`, computed live; the figures
        // themselves are checked against their goldens in solutions mode (`referenceFigures`).
        let expected = try Reference.guidedBackprop(of: model, images: images, targets: labels)
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape, receivedShape: received.shape,
                                              what: "guided backprop of the golden images (true class)") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    #if canImport(GuidedBackpropSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(GuidedBackpropFigures.self)
    }
    #endif

    // MARK: Exercise 6.2

    @Test("Exercise 6.2: the deconvnet rule on a hand-set network")
    func deconvnetHandChecked() throws {
        let model = try handSetNetwork()
        let g = try Graded.deconvnet(of: model, images: tensor([1, 0.5], [1, 2]), targets: [0])
        #expect(g.data == [-1, 3],
                "at the ReLU R = [1, 1, −1]: deconvnet passes back ReLU(R) = [1, 1, 0] whatever the forward pass did, so ∂y/∂x = W₁ᵀ[1, 1, 0] = [−1, 3]; received \(brief(g.data)) ([1, 2] is guided backprop: ReLU of gradInput)")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 6.2: agrees with captum 0.9 Deconvolution on mnist-gap; hooks removed, also after an error")
    func deconvnetAgreesWithCaptum() throws {
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

    // MARK: Exercise 6.3

    @Test("Exercise 6.3: guided Grad-CAM of a hand-set conv net")
    func guidedGradCAMHandChecked() throws {
        // Class 0. At relu, R = w₀ₖ/4 = [1/4, 1/2] ≥ 0, so guided = gradient there: ReLU(R·1[x > 0]) =
        // channel 1: 1/4 everywhere, channel 2: [1/2, 1/2, 0, 0]. Through conv (weights 1, −1):
        // guided backprop = 1/4 − [1/2, 1/2, 0, 0] = [−0.25, −0.25, 0.25, 0.25].
        // Grad-CAM at relu = [1, 0.75, 0.75, 1]; resized 2×2 → 2×2 (unchanged) and scaled: [1, 0, 0, 1].
        let model = try handSetConvNetwork()
        let images = tensor([1, 2, 3, 4], [1, 1, 2, 2])
        let received = try Graded.guidedGradCAM(of: model, images: images, targets: [0], layer: "relu")
        #expect(received.shape == [1, 1, 2, 2], "the map has the images' shape [1, 1, 2, 2]; received \(received.shape)")
        if maxAbsoluteDifference(received.data, [-0.25, 0, 0, 0.25]) >= 1e-6 {
            let hint = try guidedGradCAMHint(received, model: model, images: images, targets: [0], layer: "relu")
            Issue.record(Comment(rawValue: "guided backprop [−0.25, −0.25, 0.25, 0.25] ⊙ scaled Grad-CAM [1, 0, 0, 1] = [−0.25, 0, 0, 0.25]; received \(brief(received.data))" + hint))
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 6.3: guided Grad-CAM on mnist-gap: the reference, the golden maps, |result| ≤ |guided backprop|")
    func guidedGradCAMOnMNIST() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let received = try Graded.guidedGradCAM(of: model, images: images, targets: labels)
        let expected = try Reference.guidedGradCAM(of: model, images: images, targets: labels)
        var hint: String?
        func diagnosis() throws -> String {
            if let hint { return hint }
            let found = try guidedGradCAMHint(received, model: model, images: images, targets: labels)
            hint = found
            return found
        }
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: received.shape, what: "guided Grad-CAM of the golden images at relu3") {
            Issue.record(Comment(rawValue: problem + (try diagnosis())))
        }
        let guided = try Reference.guidedBackprop(of: model, images: images, targets: labels)
        if received.count == guided.count {
            let worst = zip(received.data, guided.data).map { abs($0) - abs($1) }.max() ?? 0
            if worst > 1e-6 {
                Issue.record(Comment(rawValue: "|guided Grad-CAM| exceeds |guided backprop| by \(worst): the CAM factor must lie in [0, 1]" + (try diagnosis())))
            }
        }
        let stored = try storedRaw("guided-gradcam")
        if let problem = MapDiagnosis.compare(received: received.data, expected: stored.values, shape: stored.shape,
                                              receivedShape: received.shape, tolerance: GoldenFigures.rawTolerance,
                                              what: "guided Grad-CAM against the golden figure's numbers") {
            Issue.record(Comment(rawValue: problem))
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    // MARK: Exercise 6.4

    @Test("Exercise 6.4: Spearman's rank correlation by hand, with ties")
    func rankCorrelationHandChecked() throws {
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

    @Test("Exercise 6.4: the cascading randomisation check — guided backprop barely changes, Grad-CAM does")
    func sanityCheck() throws {
        let (images, labels) = try Fixtures.mnistImages([0])
        _ = try Graded.rankCorrelation([1, 2], [1, 2])      // started?
        let model = try Fixtures.model("mnist-gap")
        // The reference's maps before and after each randomisation step; the student's Spearman
        // correlation (6.4) compares them.
        let pairs = try Reference.randomizationPairs(of: model, images: images, targets: labels)
        var steps: [(layer: String, correlations: [String: Double])] = []
        for pair in pairs {
            if steps.last?.layer != pair.layer { steps.append((pair.layer, [:])) }
            steps[steps.count - 1].correlations[pair.method] = try Graded.rankCorrelation(pair.original, pair.randomised)
        }
        #expect(steps.map(\.layer) == ["fc", "conv3", "conv2", "conv1"], "layers are randomised from the top: \(steps.map(\.layer))")
        let received = steps.flatMap { step in ["gradient", "guided backprop", "Grad-CAM"].map { Float(step.correlations[$0] ?? .nan) } }
        // The golden numbers (figures/sanity-check.npy), rows fc, conv3, conv2, conv1.
        let stored = try storedRaw("sanity-check")
        if let problem = MapDiagnosis.compare(received: received, expected: stored.values, shape: stored.shape,
                                              receivedShape: [steps.count, 3], tolerance: 1e-5,
                                              what: "rank correlations (gradient, guided backprop, Grad-CAM) after each randomisation step") {
            Issue.record(Comment(rawValue: problem + "\n  (Grad-CAM maps have many zeros: ties must share their average rank)"))
        }
        let afterFC = steps.first?.correlations ?? [:]
        #expect((afterFC["guided backprop"] ?? 0) > 0.6 && (afterFC["Grad-CAM"] ?? 1) < 0.3,
                "after randomising fc, guided backprop should still correlate (> 0.6) with its original map and Grad-CAM should not (< 0.3); received \(afterFC.map { "\($0.key): \(String(format: "%.3f", $0.value))" }.sorted().joined(separator: ", "))")
    }
}
