import Course
import Foundation
#if canImport(CAMSolutions)
import CAMSolutions
#endif
import LessonSupport
import ModelZoo
import Testing
import TensorEngine
import TestSupport

/// A GAP network small enough to do CAM on paper, for the 2×2 input x = [[1, 2], [3, 4]]:
///
///     conv 1×1, 2 channels, weight [1, −1], bias [0, 2.5]:  A₁ = x,  A₂ = 2.5 − x
///     relu:                                                 A₁ = [1, 2, 3, 4],  A₂ = [1.5, 0.5, 0, 0]
///     gap → fc, weight [[1, 2], [−1, 1]], bias [10, −20]:   y₀ = mean A₁ + 2 mean A₂ + 10 = 13.5
///                                                           y₁ = −mean A₁ + mean A₂ − 20 = −22
///
/// CAM₀ = A₁ + 2A₂ = [4, 3, 3, 4];  CAM₁ = −A₁ + A₂ = [0.5, −1.5, −3, −4]   (no bias)
/// and indeed mean CAM₀ + 10 = 13.5 = y₀, mean CAM₁ − 20 = −22 = y₁.
func handSetNetwork() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let conv = Conv2d(1, 2, kernelSize: 1, generator: &g), fc = Linear(2, 2, bias: true, generator: &g)
    try conv.weight.assign([1, -1])
    try conv.bias.orThrow("bias").assign([0, 2.5])
    try fc.weight.assign([1, 2, -1, 1])
    try fc.bias.orThrow("bias").assign([10, -20])
    let model = Sequential(named: [("conv", conv), ("relu", ReLU()), ("gap", GlobalAvgPool2d()), ("fc", fc)])
    model.eval()
    return model
}

/// The committed PyTorch fixture (Fixtures/make_cam_fixture.py, run with
///
///     /opt/pyref/bin/python Tests/CAMLessonTests/Fixtures/make_cam_fixture.py
///
/// ): on the shipped mnist-gap for MNIST test images 0, 1, 247 and their labels, `cam` is
/// Σₖ fc.weight[c, k] · A[n, k] with A captured by a forward hook on `model.relu3`; `upsampled` is
/// `F.interpolate(cam, size=(28, 28), mode="bilinear", align_corners=False)`; `scaled` is
/// pytorch-grad-cam's `scale_cam_image(upsampled)`; `small` a seeded [1, 2, 3, 5] map and
/// `small_up` its `F.interpolate` to 8×7.
struct CAMFixture: Decodable {
    struct Array4: Decodable { let shape: [Int]; let data: [Float] }
    let library: String
    let indices: [Int]
    let targets: [Int]
    let logits: Array4
    let cam: Array4
    let upsampled: Array4
    let scaled: Array4
    let small: Array4
    let small_up: Array4

    static func load() throws -> CAMFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cam-pytorch.json")
        return try JSONDecoder().decode(CAMFixture.self, from: Data(contentsOf: url))
    }
}

/// The message of an error, as a student's `throw` would show it.
func message(of body: () throws -> Void) throws -> String? {
    do {
        try body()
        return nil
    } catch let error as ExerciseNotStarted {
        throw error
    } catch {
        return "\(error)"
    }
}

@Suite("Lesson 04 — CAM", .graded(Exercises.lesson))
struct CAMTests {
    // MARK: Exercise 4.1

    @Test("Exercise 4.1: CAM of a hand-set GAP network (K = 2)")
    func camHandChecked() throws {
        let model = try handSetNetwork()
        let x = tensor([1, 2, 3, 4, 1, 2, 3, 4], [2, 1, 2, 2])
        let cam = try Graded.classActivationMap(of: model, images: x, targets: [0, 1], featureLayer: "relu", classifier: "fc")
        #expect(cam.shape == [2, 1, 2, 2], "one map per image, [N, 1, h, w] = [2, 1, 2, 2]; received \(cam.shape)")
        guard cam.count == 8 else { return }
        let cam0 = Array(cam.data[0..<4]), cam1 = Array(cam.data[4..<8])
        var hint = ""
        if maxAbsoluteDifference(cam0, [14, 13, 13, 14]) < 1e-4 {
            hint = " — you added the bias b₀ = 10: the map is Σₖ w_ck Aₖ only (the bias is the same at every position and says nothing about where)"
        } else if maxAbsoluteDifference(cam0, [-0.5, 1.5, 3, 4]) < 1e-4 {
            hint = " — that is A₁ − A₂, column 0 of the weight: w_ck is weight.data[c * K + k] (row c), not weight.data[k * classes + c]"
        }
        #expect(maxAbsoluteDifference(cam0, [4, 3, 3, 4]) < 1e-5,
                "image 0, class 0: CAM = 1·A₁ + 2·A₂ = [1, 2, 3, 4] + 2·[1.5, 0.5, 0, 0] = [4, 3, 3, 4]; received \(cam0)\(hint)")
        #expect(maxAbsoluteDifference(cam1, [0.5, -1.5, -3, -4]) < 1e-5,
                "image 1, class 1: CAM = −A₁ + A₂ = [0.5, −1.5, −3, −4]; received \(cam1) — each image uses the weight row of its own target (the model predicts class 0 here), and CAM keeps negative values")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount) — remove the forward hook with its handle")
    }

    @Test("Exercise 4.1: mean over positions of CAM_c + b_c equals the logit y_c on mnist-gap")
    func camIdentity() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1, 2, 3, 4, 5])
        let logits = try withNoGrad { try model(images) }
        guard let fc = try model.module(named: "fc") as? Linear, let bias = fc.bias else {
            Issue.record("mnist-gap has no Linear fc with a bias"); return
        }
        for targets in [labels, labels.map { ($0 + 3) % 10 }] {
            let cam = try Graded.classActivationMap(of: model, images: images, targets: targets)
            #expect(cam.shape == [6, 1, 7, 7], "CAM at relu3 of mnist-gap is [N, 1, 7, 7]; received \(cam.shape)")
            guard cam.shape == [6, 1, 7, 7] else { return }
            for (n, c) in targets.enumerated() {
                let mean = cam.data[(n * 49)..<((n + 1) * 49)].reduce(0, +) / 49
                let logit = logits.data[n * 10 + c], b = bias.data[c]
                var hint = ""
                if abs(mean - logit) < 1e-3 * max(1, abs(logit)) { hint = " — your mean already equals the logit: you added the bias to the map" }
                #expect(abs(mean + b - logit) < 1e-4 * max(1, abs(logit)),
                        "image \(n), class \(c): mean(CAM) + b_c = \(mean) + \(b) = \(mean + b), but the logit is \(logit) — global average pooling then fc make y_c = mean(Σₖ w_ck Aₖ) + b_c exactly\(hint)")
            }
        }
    }

    @Test("Exercise 4.1: batch = each image alone; shape; no hooks, gradients or graph left")
    func camProperties() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1, 2])
        let batch = try Graded.classActivationMap(of: model, images: images, targets: labels)
        let expected = try Reference.classActivationMap(of: model, images: images, targets: labels)
        if let problem = MapDiagnosis.compare(received: batch.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: batch.shape, what: "CAM of test images 0, 1, 2 (true classes)") {
            Issue.record(Comment(rawValue: problem))
        }
        let alone = try Graded.classActivationMap(of: model, images: images.sliced(axis: 0, 2..<3), targets: [labels[2]])
        #expect(alone.count == 49 && batch.count == 147 && maxAbsoluteDifference(alone.data, Array(batch.data[98..<147])) < 1e-5,
                "image 2 alone must get the same CAM as inside the batch")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: CAM needs no backward pass")
        #expect(!batch.requiresGrad, "CAM needs no graph: run the model inside withNoGrad { … }, or return a detached map")
    }

    @Test("Exercise 4.1: CAM refuses networks it does not apply to, and says why")
    func camErrors() throws {
        let gap = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1])
        _ = try Graded.classActivationMap(of: gap, images: images, targets: labels)     // started?

        // mnist-fc flattens: CAM does not apply. The weights do not matter for this, so an
        // initialised model is enough.
        let fc = try Catalog.architecture(named: "mnist-fc").makeModel()
        fc.eval()
        for (feature, classifier) in [("relu3", "fc"), ("relu2", "fc2")] {
            let text = try message { _ = try Graded.classActivationMap(of: fc, images: images, targets: labels, featureLayer: feature, classifier: classifier) }
            guard let text else {
                Issue.record("CAM on mnist-fc (featureLayer \(feature), classifier \(classifier)) must throw: it has no global average pooling"); continue
            }
            let lower = text.lowercased()
            #expect(lower.contains("global average pool") && lower.contains("grad-cam"), """
                CAM on mnist-fc (featureLayer \(feature), classifier \(classifier)) threw "\(text)". The message must explain: \
                the model has no global average pooling (it flattens, and flattening keeps positions), so use Grad-CAM instead
                """)
        }
        #expect(fc.liveHookCount == 0, "a hook survived an error: remove hooks in a `defer`")

        // mnist-gap, but not the layer right before the pooling.
        try expectRealError("featureLayer relu2: pool2, conv3, relu3 run between it and the pooling") {
            _ = try Graded.classActivationMap(of: gap, images: images, targets: labels, featureLayer: "relu2")
        }
        try expectRealError("featureLayer conv3: relu3 runs between it and the pooling, so y_c is not linear in conv3") {
            _ = try Graded.classActivationMap(of: gap, images: images, targets: labels, featureLayer: "conv3")
        }
        try expectRealError("an unknown layer") { _ = try Graded.classActivationMap(of: gap, images: images, targets: labels, featureLayer: "relu9") }
        try expectRealError("one target for two images") { _ = try Graded.classActivationMap(of: gap, images: images, targets: [7]) }
        try expectRealError("target 10 of a 10-class model") { _ = try Graded.classActivationMap(of: gap, images: images, targets: [7, 10]) }
        try expectRealError("a wrongly shaped input") { _ = try Graded.classActivationMap(of: gap, images: .zeros([1, 3, 28, 28]), targets: [0]) }
        #expect(gap.liveHookCount == 0, "a hook survived an error: remove hooks in a `defer`")
    }

    @Test("Exercise 4.1: agrees with PyTorch (forward hook at relu3, fc.weight[c] · A)")
    func camAgreesWithPyTorch() throws {
        let fixture = try CAMFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let cam = try Graded.classActivationMap(of: model, images: images, targets: fixture.targets)
        if let problem = MapDiagnosis.compare(received: cam.data, expected: fixture.cam.data, shape: fixture.cam.shape,
                                              receivedShape: cam.shape, what: "CAM vs PyTorch (\(fixture.library))") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test("Exercise 4.1: golden figures — CAM of the golden images and of every class")
    func camGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let received = try Graded.classActivationMap(of: model, images: images, targets: labels)
        let expected = try Reference.classActivationMap(of: model, images: images, targets: labels)
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: received.shape, what: "CAM of the golden images") {
            Issue.record(Comment(rawValue: problem))
        }
        // The student's figure, drawn with their own 4.2 and 4.3 (none while those are not done).
        if received.shape == expected.shape,
           let grid = try? CAMDrawings.goldenGrid(images: images, cams: received, captions: FigureContext.goldenIndices.map { "#\($0)" },
                                                  targets: labels,
                                                  upsampledAndNormalized: { try Graded.normalizedMaps(Graded.upsampleBilinear($0, height: 28, width: 28)) }) {
            StudentFigures.save(grid, lesson: CAMDrawings.folder, name: "cam-golden")
        }
        let image = try images.sliced(axis: 0, 0..<1)
        let tenCopies = try Tensor.concatenate(Array(repeating: image, count: 10), axis: 0)
        let all = try Graded.classActivationMap(of: model, images: tenCopies, targets: Array(0..<10))
        let allExpected = try Reference.classActivationMap(of: model, images: tenCopies, targets: Array(0..<10))
        if let problem = MapDiagnosis.compare(received: all.data, expected: allExpected.data, shape: allExpected.shape,
                                              receivedShape: all.shape, what: "the CAMs of all 10 classes of test image 0") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    /// The reference figures, regenerated, against the stored PNG and NPY files (what
    /// `checkReferenceFigures` does, plus the list of names). The graded tests compare the
    /// student's maps with the reference computed live, so figure drift never fails an exercise.
    #if canImport(CAMSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        let figures = try CAMFigures.make(FigureContext(mnistTest: Fixtures.mnistTest()))
        #expect(figures.map(\.name) == ["cam-golden", "cam-all-classes", "cam-colour"])
        for figure in figures {
            if let problem = GoldenFigures.check(figure, in: LessonPaths.figures(CAMDrawings.folder)) {
                Issue.record(Comment(rawValue: "reference figure \(figure.name) no longer matches its golden: \(problem)"))
            }
        }
    }
    #endif

    // MARK: Exercise 4.2

    @Test("Exercise 4.2: 2×2 → 4×4 by hand (half-pixel centres, clamped border)")
    func upsampleHandChecked() throws {
        let x = tensor([0, 4, 8, 12], [1, 1, 2, 2])
        let up = try Graded.upsampleBilinear(x, height: 4, width: 4)
        // Per axis, [a, b] → [a, ¾a + ¼b, ¼a + ¾b, b]: output 0 samples −0.25 (clamped to 0),
        // 1 samples 0.25, 2 samples 0.75, 3 samples 1.25 (its neighbours are both the last pixel).
        let expected: [Float] = [0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]
        var hint = ""
        if up.count == 16, abs(up.data[1] - 4.0 / 3) < 1e-4 {
            hint = " — 4/3 at (0, 1) is align_corners=True (o · (in − 1)/(out − 1)); PyTorch's default maps pixel centres: (o + 0.5) · in/out − 0.5"
        } else if up.count == 16, up.data[0] < 0 {
            hint = " — a negative corner means the source coordinate −0.25 was not clamped at 0"
        }
        #expect(up.shape == [1, 1, 4, 4], "expected [1, 1, 4, 4], received \(up.shape)")
        #expect(maxAbsoluteDifference(up.data, expected) < 1e-6, """
            [[0, 4], [8, 12]] upsampled to 4×4 is
              [0, 1, 3, 4] / [2, 3, 5, 6] / [6, 7, 9, 10] / [8, 9, 11, 12]
            \(describeDifference(up.data, expected, tolerance: 1e-6))\(hint)
            """)
    }

    @Test("Exercise 4.2: written by hand — the function does not call the engine's resizedBilinear")
    func upsampleByHand() throws {
        _ = try Graded.upsampleBilinear(tensor([1], [1, 1, 1, 1]), height: 2, width: 2)     // a stub is not started
        let calls = WrittenByHand.forbiddenCalls(in: "upsampleBilinear(_:height:width:)", lesson: "04-CAM", forbidden: ["resizedBilinear", "resizedNearest"])
        #expect(calls.isEmpty, "upsampleBilinear calls \(calls.joined(separator: " and ")): the exercise is to write the interpolation yourself (the tests compare it with resizedBilinear)")
    }

    @Test("Exercise 4.2: equals the engine's resizedBilinear for several sizes")
    func upsampleMatchesEngine() throws {
        let cases: [(shape: [Int], height: Int, width: Int)] = [
            ([2, 3, 7, 7], 28, 28), ([1, 1, 3, 5], 8, 7), ([1, 2, 6, 4], 3, 9), ([1, 1, 1, 1], 3, 3), ([4, 7, 7], 10, 13),
        ]
        for (i, c) in cases.enumerated() {
            let maps = TestData.uniform(c.shape, seed: UInt64(40 + i), low: -2, high: 3)
            let received = try Graded.upsampleBilinear(maps, height: c.height, width: c.width)
            let expected = try maps.resizedBilinear(height: c.height, width: c.width)
            if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                                  receivedShape: received.shape, tolerance: 1e-6,
                                                  what: "\(c.shape) → \(c.height)×\(c.width) vs Tensor.resizedBilinear") {
                Issue.record(Comment(rawValue: problem))
            }
        }
        try expectRealError("height 0") { _ = try Graded.upsampleBilinear(.zeros([1, 1, 7, 7]), height: 0, width: 28) }
    }

    @Test("Exercise 4.2: agrees with PyTorch's F.interpolate (7×7 → 28×28, 3×5 → 8×7)")
    func upsampleAgreesWithPyTorch() throws {
        let fixture = try CAMFixture.load()
        for (input, output, what) in [(fixture.cam, fixture.upsampled, "CAM 7×7 → 28×28"), (fixture.small, fixture.small_up, "3×5 → 8×7")] {
            let x = tensor(input.data, input.shape)
            let received = try Graded.upsampleBilinear(x, height: output.shape[2], width: output.shape[3])
            if let problem = MapDiagnosis.compare(received: received.data, expected: output.data, shape: output.shape,
                                                  receivedShape: received.shape, tolerance: 1e-5,
                                                  what: "\(what) vs F.interpolate(mode=\"bilinear\", align_corners=False)") {
                Issue.record(Comment(rawValue: problem))
            }
        }
    }

    // MARK: Exercise 4.3

    @Test("Exercise 4.3: each map on its own, ε = 1e-7, constant maps give zeros")
    func normalizeHandChecked() throws {
        let maps = tensor([0, 1, 2, 3, 10, 20, 30, 40, 5, 5, 5, 5, 0, 1e-7, 0, 0], [4, 1, 2, 2])
        let n = try Graded.normalizedMaps(maps)
        #expect(n.shape == [4, 1, 2, 2], "the shape is kept: [4, 1, 2, 2]; received \(n.shape)")
        guard n.count == 16 else { return }
        let third: Float = 1.0 / 3, twoThirds: Float = 2.0 / 3
        #expect(maxAbsoluteDifference(Array(n.data[0..<4]), [0, third, twoThirds, 1]) < 1e-6,
                "[0, 1, 2, 3] → [0, ⅓, ⅔, 1]; received \(Array(n.data[0..<4]))")
        #expect(maxAbsoluteDifference(Array(n.data[4..<8]), [0, third, twoThirds, 1]) < 1e-6,
                "[10, 20, 30, 40] → [0, ⅓, ⅔, 1] too: min and max of each map on its own, not of the batch; received \(Array(n.data[4..<8]))")
        #expect(n.data[8..<12].allSatisfy { $0 == 0 },
                "a constant map [5, 5, 5, 5] becomes zeros: 0 / (0 + 1e-7) = 0; received \(Array(n.data[8..<12])) (NaN means the ε is missing)")
        #expect(abs(n.data[13] - 0.5) < 1e-3,
                "[0, 1e-7, 0, 0]: (1e-7 − 0) / (1e-7 + 1e-7) = 0.5 with pytorch-grad-cam's ε = 1e-7; received \(n.data[13])")
    }

    @Test("Exercise 4.3: agrees with pytorch-grad-cam's scale_cam_image; min 0, max 1, peak kept")
    func normalizeAgreesWithGradCAM() throws {
        let fixture = try CAMFixture.load()
        let up = tensor(fixture.upsampled.data, fixture.upsampled.shape)
        let received = try Graded.normalizedMaps(up)
        if let problem = MapDiagnosis.compare(received: received.data, expected: fixture.scaled.data, shape: fixture.scaled.shape,
                                              receivedShape: received.shape, tolerance: 1e-5,
                                              what: "normalised upsampled CAMs vs scale_cam_image") {
            Issue.record(Comment(rawValue: problem))
        }
        guard received.count == up.count else { return }
        for n in 0..<up.shape[0] {
            let plane = Array(received.data[(n * 784)..<((n + 1) * 784)]), original = Array(up.data[(n * 784)..<((n + 1) * 784)])
            #expect(abs((plane.min() ?? 1) - 0) < 1e-6 && abs((plane.max() ?? 0) - 1) < 1e-5,
                    "map \(n): min \(plane.min() ?? .nan), max \(plane.max() ?? .nan); every map must span [0, 1]")
            #expect(plane.indices.max { plane[$0] < plane[$1] } == original.indices.max { original[$0] < original[$1] },
                    "map \(n): the normalisation moved the peak — it must be an increasing map v ↦ (v − min)/(max − min + ε)")
        }
    }
}
