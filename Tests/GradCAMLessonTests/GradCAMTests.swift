import Course
import Foundation
#if canImport(GradCAMSolutions)
import GradCAMSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// A network small enough to do Grad-CAM on paper, for a 2×2 input x = [[1, 2], [3, 4]]:
///
///     conv  1×1, 2 channels, weight [1, −1], bias [0, 2.5]:  A₁ = x = [1, 2, 3, 4],  A₂ = 2.5 − x = [1.5, 0.5, −0.5, −1.5]
///     relu                                                  R₁ = [1, 2, 3, 4],      R₂ = [1.5, 0.5, 0, 0]
///     gap → fc (no bias), weight [[1, 2], [−1, 1]]:         y₀ = mean R₁ + 2 mean R₂,  y₁ = −mean R₁ + mean R₂
///
/// ∂y_c/∂R_k[i, j] = w_ck / 4 everywhere; ∂y_c/∂A_k = w_ck / 4 · 1[A_k > 0].
/// Grad-CAM at relu, class 0: α = [1/4, 1/2], Σ αₖRₖ = [1, 0.75, 0.75, 1].
/// Grad-CAM at relu, class 1: α = [−1/4, 1/4], Σ αₖRₖ = [0.125, −0.375, −0.75, −1] → ReLU [0.125, 0, 0, 0].
/// Grad-CAM at conv, class 0: α = [1/4, mean(1/2, 1/2, 0, 0) = 1/4], Σ αₖAₖ = x/4 + (2.5 − x)/4 = 0.625 everywhere.
func handSetNetwork() throws -> Sequential { try handSetGAPNetwork() }

var handSetInput: Tensor { tensor([1, 2, 3, 4], [1, 1, 2, 2]) }

/// The images `indices` repeated `times` times each: image-major, `[indices.count · times, 1, 28, 28]`.
func repeatedImages(_ indices: [Int], times: Int) throws -> Tensor {
    let (images, _) = try Fixtures.mnistImages(indices)
    let slices = try (0..<indices.count).flatMap { n in
        Array(repeating: try images.sliced(axis: 0, n..<(n + 1)), count: times)
    }
    return try Tensor.concatenate(slices, axis: 0)
}

/// The fixture written by Fixtures/make_gradcam_fixture.py with pytorch-grad-cam 1.5.7:
///
///     /opt/pyref/bin/python Tests/GradCAMLessonTests/Fixtures/make_gradcam_fixture.py
///
/// GradCAM / GradCAMPlusPlus(model, target_layers=[model.relu3]) on the shipped mnist-gap, for MNIST
/// test images `indices` and `ClassifierOutputTarget(targets[n])`: `*_raw` is ReLU(Σₖ wₖAₖ) at 7×7
/// (BaseCAM.get_cam_image on the hooked tensors), `gradcam` / `gradcampp` what `cam(...)` returns
/// (28×28, scaled), `gradcam_scaled_first` is `scale_cam_image(raw, (28, 28))` alone.
struct GradCAMFixture: Decodable {
    struct Array4: Decodable { let shape: [Int]; let data: [Float] }
    let library: String
    let indices: [Int]
    let targets: [Int]
    let gradcam_raw: Array4, gradcam: Array4, gradcam_scaled_first: Array4
    let gradcampp_raw: Array4, gradcampp: Array4

    static func load() throws -> GradCAMFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gradcam-pytorch-grad-cam.json")
        return try JSONDecoder().decode(GradCAMFixture.self, from: Data(contentsOf: url))
    }
}

/// When a Grad-CAM map differs from the reference, the way its channel weights αₖ (or its final
/// ReLU) went wrong, if the map is one of the usual wrong variants (the reference's
/// `gradCAMHintVariants`, recorded); `nil` if none matches.
func alphaHint(_ received: Tensor, model: Module, images: Tensor, targets: [Int], layer: String) throws -> String? {
    let variants = try Reference.gradCAMHintVariants(of: model, images: images, targets: targets, layer: layer)
    guard let count = variants.first?.values.count, received.count == count else { return nil }
    let scale = max(received.data.map { abs($0) }.max() ?? 0, 1)
    return variants.first { agree(received.data, $0.values, tolerance: 1e-4 * scale) }.map { "\n  hint: \($0.hint)" }
}

@Suite("Lesson 05 — Grad-CAM", .graded(Exercises.lesson))
struct GradCAMTests {
    // MARK: Exercise 5.1

    @Test("Exercise 5.1: activations and gradients of a hand-set network, before and after the ReLU")
    func activationsAndGradientsHandChecked() throws {
        let model = try handSetNetwork()
        let reluOutput: [Float] = [1, 2, 3, 4, 1.5, 0.5, 0, 0], convOutput: [Float] = [1, 2, 3, 4, 1.5, 0.5, -0.5, -1.5]
        let reluGradient: [Float] = [0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5], convGradient: [Float] = [0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0, 0]
        let atReLU = try Graded.activationsAndGradients(of: model, at: "relu", images: handSetInput, targets: [0])
        #expect(atReLU.activations.shape == [1, 2, 2, 2] && atReLU.gradients.shape == [1, 2, 2, 2],
                "both must have the layer's output shape [1, 2, 2, 2]; received \(atReLU.activations.shape) and \(atReLU.gradients.shape)")
        let reluActivationHint = atReLU.activations.data == convOutput ? "\n  hint: that is conv's output: keep the forward hook's output on the layer asked for" : ""
        #expect(atReLU.activations.data == reluOutput,
                "relu's output is [x, ReLU(2.5 − x)] = \(brief(reluOutput)); received \(brief(atReLU.activations.data))\(reluActivationHint)")
        let reluHint = atReLU.gradients.data == convGradient
            ? "that is ∂y₀/∂conv, the gradient of the layer below: activations and gradients must come from the same layer (the backward hook's gradOutput on `relu`, not its gradInput nor a hook on another layer)"
            : "the score is the raw logit y₀, not its softmax probability"
        #expect(atReLU.gradients.data == reluGradient,
                "∂y₀/∂relu = w₀ₖ/4 = [1/4, 1/2] at every position (the backward hook's gradOutput); received \(brief(atReLU.gradients.data))\n  hint: \(reluHint)")
        let atConv = try Graded.activationsAndGradients(of: model, at: "conv", images: handSetInput, targets: [0])
        let convActivationHint = atConv.activations.data == reluOutput ? "\n  hint: that is relu's output, the layer above: keep the forward hook's output on the layer asked for" : ""
        #expect(atConv.activations.data == convOutput,
                "conv's output (before the ReLU) is [x, 2.5 − x]; received \(brief(atConv.activations.data))\(convActivationHint)")
        let convGradientHint = atConv.gradients.data == reluGradient ? "\n  hint: that is ∂y₀/∂relu, the gradient of the layer above: activations and gradients must come from the same layer" : ""
        #expect(atConv.gradients.data == convGradient,
                "∂y₀/∂conv = w₀ₖ/4 · 1[conv > 0]; received \(brief(atConv.gradients.data))\(convGradientHint)")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount) — remove both hooks with their handles")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
    }

    @Test("Exercise 5.1: at relu3 of mnist-gap the gradient is fc.weight[c, k] / 49 at every position")
    func gradientsAtRelu3AreFCWeights() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1])
        let targets = [3, 9]
        let (a, g) = try Graded.activationsAndGradients(of: model, at: "relu3", images: images, targets: targets)
        #expect(a.shape == [2, 64, 7, 7] && g.shape == [2, 64, 7, 7], "relu3 of mnist-gap is [N, 64, 7, 7]; received \(a.shape), \(g.shape)")
        guard g.shape == [2, 64, 7, 7], a.shape == g.shape else { return }
        // What a layer mix-up gives: conv3 (relu3's input) and its gradient.
        let conv3 = try Reference.activationsAndGradients(of: model, at: "conv3", images: images, targets: targets)
        let relu3 = try Reference.activationsAndGradients(of: model, at: "relu3", images: images, targets: targets)
        if let problem = MapDiagnosis.compare(received: a.data, expected: relu3.activations.data, shape: relu3.activations.shape,
                                              receivedShape: a.shape, what: "activations at relu3") {
            let hint = agree(a.data, conv3.activations.data, tolerance: 1e-5)
                ? "\n  hint: these are conv3's output (relu3's input): keep the forward hook's output of the layer asked for" : ""
            Issue.record(Comment(rawValue: problem + hint))
        }
        let w = try model.module(named: "fc").namedParameters().first { $0.name == "weight" }.orThrow("fc.weight").tensor
        var worst: Float = 0
        for n in 0..<2 {
            for k in 0..<64 {
                let expected = w.data[targets[n] * 64 + k] / 49
                for p in 0..<49 { worst = max(worst, abs(g.data[(n * 64 + k) * 49 + p] - expected)) }
            }
        }
        let hint = agree(g.data, conv3.gradients.data, tolerance: 1e-6)
            ? "these are the gradients at conv3, the layer below relu3 (masked by its ReLU): activations and gradients must come from the same layer — the backward hook's gradOutput on relu3, not its gradInput nor a hook on another layer"
            : "the score must be the raw logit of each image's own target"
        #expect(worst < 1e-6, "y = fc(mean of relu3) + b, so ∂y_c/∂A_k[i, j] = w_ck / 49; largest deviation \(worst)\n  hint: \(hint)")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 5.1: the gradient at conv3 equals central differences of the target logit")
    func gradientCheck() throws {
        let model = try Fixtures.model("mnist-gap")
        let (image, labels) = try Fixtures.mnistImages([0])
        let (activation, received) = try Graded.activationsAndGradients(of: model, at: "conv3", images: image, targets: labels)
        #expect(received.shape == activation.shape && activation.shape == [1, 64, 7, 7],
                "activations and gradients must both be conv3's output shape [1, 64, 7, 7]; received \(activation.shape), \(received.shape)")
        guard received.shape == [1, 64, 7, 7], activation.shape == received.shape else { return }
        let (checked, failures) = try layerGradientCheck(model: model, layer: "conv3", image: image, label: labels[0],
                                                         activation: activation, received: received, start: 1, stride: 23)
        let failed = failures.count
        #expect(checked > 40)
        let relu3 = try Reference.activationsAndGradients(of: model, at: "relu3", images: image, targets: labels)
        let hint = agree(received.data, relu3.gradients.data, tolerance: 1e-6)
            ? "\n  hint: these are the gradients at relu3, the layer above conv3: activations and gradients must come from the same layer" : ""
        #expect(failed == 0, "the gradient at conv3 disagrees with central differences of the target logit at \(failed) of \(checked) coordinates: \(failures.prefix(3).joined(separator: "; "))\(hint)")
    }

    @Test("Exercise 5.1: errors are reported and leave no hook and no gradient behind")
    func activationsAndGradientsErrors() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1])
        _ = try Graded.activationsAndGradients(of: model, at: "relu3", images: images, targets: [7, 2])     // started?
        try expectRealError("an unknown layer name") { _ = try Graded.activationsAndGradients(of: model, at: "relu9", images: images, targets: [7, 2]) }
        try expectRealError("a target class outside 0..<10") { _ = try Graded.activationsAndGradients(of: model, at: "relu3", images: images, targets: [7, 10]) }
        try expectRealError("fewer targets than images") { _ = try Graded.activationsAndGradients(of: model, at: "relu3", images: images, targets: [7]) }
        try expectRealError("a layer that outputs [N, 10], not feature maps") { _ = try Graded.activationsAndGradients(of: model, at: "fc", images: images, targets: [7, 2]) }
        try expectRealError("a wrongly shaped input") { _ = try Graded.activationsAndGradients(of: model, at: "relu3", images: .zeros([1, 3, 28, 28]), targets: [0]) }
        #expect(model.liveHookCount == 0, "a hook survived an error (\(model.liveHookCount) left): remove the hooks in a `defer`")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad() in the `defer` too")
    }

    // MARK: Exercise 5.2

    @Test("Exercise 5.2: Grad-CAM of a hand-set network, two targets in one batch, at relu and at conv")
    func gradCAMHandChecked() throws {
        let model = try handSetNetwork()
        let both = try Tensor.concatenate([handSetInput, handSetInput], axis: 0)
        let map = try Graded.gradCAM(of: model, images: both, targets: [0, 1], layer: "relu")
        #expect(map.shape == [2, 1, 2, 2], "one map per image at the layer's resolution: [2, 1, 2, 2]; received \(map.shape)")
        guard map.count == 8 else { return }
        #expect(maxAbsoluteDifference(Array(map.data[0..<4]), [1, 0.75, 0.75, 1]) < 1e-6,
                "class 0: α = mean gradient = [1/4, 1/2], ReLU(Σ αₖ Aₖ) = [1, 0.75, 0.75, 1]; received \(brief(Array(map.data[0..<4]))) — the mean over the 4 positions, not the sum")
        #expect(maxAbsoluteDifference(Array(map.data[4..<8]), [0.125, 0, 0, 0]) < 1e-6,
                "class 1: α = [−1/4, 1/4], Σ αₖ Aₖ = [0.125, −0.375, −0.75, −1], after the ReLU [0.125, 0, 0, 0]; received \(brief(Array(map.data[4..<8]))) — each image uses its own target's gradients, and the ReLU keeps only positive evidence")
        let atConv = try Graded.gradCAM(of: model, images: handSetInput, targets: [0], layer: "conv")
        #expect(maxAbsoluteDifference(atConv.data, [0.625, 0.625, 0.625, 0.625]) < 1e-6,
                "at conv (before the ReLU), class 0: α = [1/4, 1/4] (the mean of [1/2, 1/2, 0, 0] is 1/4), Σ αₖ Aₖ = x/4 + (2.5 − x)/4 = 0.625; received \(brief(atConv.data))")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 5.2: at relu3 of mnist-gap, Grad-CAM = ReLU(CAM) / 49 for every class")
    func gradCAMEqualsCAM() throws {
        let model = try Fixtures.model("mnist-gap")
        let indices = FigureContext.goldenIndices
        let images = try repeatedImages(indices, times: 10)
        let targets = indices.flatMap { _ in Array(0..<10) }
        let received = try Graded.gradCAM(of: model, images: images, targets: targets, layer: "relu3")
        // The reference's Grad-CAM, which ReferenceChecks.swift proves equal to ReLU(Σₖ w_ck Aₖ)/49.
        let expected = try Reference.gradCAM(of: model, images: images, targets: targets, layer: "relu3").data
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected, shape: [images.shape[0], 1, 7, 7],
                                              receivedShape: received.shape, tolerance: 1e-5,
                                              what: "Grad-CAM at relu3 (3 images × 10 classes) against ReLU(Σₖ w_ck Aₖ)/49") {
            Issue.record(Comment(rawValue: problem + "\n  (at relu3 the gradient is w_ck/49 everywhere: Grad-CAM is CAM, divided by h·w = 49, with a ReLU; weight relu3's output, not conv3's)"))
        }
        #expect(received.data.contains { $0 > 0 } && received.data.contains { $0 == 0 }, "some classes have evidence somewhere, and the ReLU zeroes negative evidence")
    }

    @Test("Exercise 5.2: Grad-CAM on mnist-fc at relu2 (no global pooling: CAM does not apply)")
    func gradCAMOnMNISTFC() throws {
        let model = try Fixtures.model("mnist-fc")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let received = try Graded.gradCAM(of: model, images: images, targets: labels, layer: "relu2")
        let expected = try Reference.gradCAM(of: model, images: images, targets: labels, layer: "relu2")
        #expect(received.shape == [3, 1, 14, 14], "relu2 of mnist-fc is 14×14: expected [3, 1, 14, 14], received \(received.shape)")
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: received.shape, what: "Grad-CAM at relu2 of mnist-fc") {
            let hint = try alphaHint(received, model: model, images: images, targets: labels, layer: "relu2") ?? ""
            Issue.record(Comment(rawValue: problem + hint))
        }
        #expect(received.data.allSatisfy { $0 >= 0 }, "Grad-CAM ends with a ReLU: no negative values")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 5.2: a batch gives each image its own map, whatever the batch")
    func gradCAMBatch() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1, 2, 3])
        let targets = [7, 3, 1, 8]
        let batch = try Graded.gradCAM(of: model, images: images, targets: targets, layer: "relu2")
        #expect(batch.shape == [4, 1, 14, 14], "relu2 of mnist-gap is 14×14: expected [4, 1, 14, 14], received \(batch.shape)")
        guard batch.shape == [4, 1, 14, 14] else { return }
        for n in 0..<4 {
            let single = try Graded.gradCAM(of: model, images: images.sliced(axis: 0, n..<(n + 1)), targets: [targets[n]], layer: "relu2")
            let inBatch = Array(batch.data[(n * 196)..<((n + 1) * 196)])
            #expect(maxAbsoluteDifference(single.data, inBatch) < 1e-5 * max(1, inBatch.max() ?? 0),
                    "image \(n) alone gives a different map than inside the batch: average the gradients over the two spatial axes only, never over the batch")
        }
        // relu2 of mnist-gap is followed by a pooling and a convolution: its gradients vary over
        // the positions, so the mean, the sum and the maximum of them are different weights αₖ.
        let expected = try Reference.gradCAM(of: model, images: images, targets: targets, layer: "relu2")
        if let problem = MapDiagnosis.compare(received: batch.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: batch.shape, what: "Grad-CAM at relu2 of mnist-gap") {
            let hint = try alphaHint(batch, model: model, images: images, targets: targets, layer: "relu2") ?? ""
            Issue.record(Comment(rawValue: problem + hint))
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 5.2: golden — relu3 maps of the predicted class and the reference figures")
    func gradCAMGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let predicted = try Reference.predictions(of: model, images: images)
        let received = try Graded.gradCAM(of: model, images: images, targets: predicted, layer: "relu3")
        if received.shape == [3, 1, 7, 7] {
            // The student's `gradcam-layers`: the reference figure's picture drawn with their Grad-CAM
            // at relu1–relu3 (the handout shows it beside the reference's).
            let captions = FigureContext.goldenIndices.enumerated().map { "#\($0.element) pred \(predicted[$0.offset]) / true \(labels[$0.offset])" }
            if let figure = try? GradCAMDrawings.layerComparison(model: model, images: images, captions: captions,
                                                                 camAt: { try Graded.gradCAM(of: $0, images: $1, targets: $2, layer: $3) },
                                                                 upsampledAndNormalized: { try Graded.upsampledAndNormalized($0, height: 28, width: 28) }) {
                StudentFigures.save(figure.image, lesson: GradCAMDrawings.folder, name: "gradcam-layers")
            }
        }
        // The numbers of the reference figure `gradcam-layers` (its raw maps), computed live; the
        // figures themselves are checked against their goldens in solutions mode (`referenceFigures`).
        let expected = try Reference.gradCAM(of: model, images: images, targets: predicted, layer: "relu3")
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape, receivedShape: received.shape,
                                              what: "Grad-CAM at relu3 of the golden images (predicted class)") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test("Exercise 5.2: agrees with pytorch-grad-cam 1.5.7 (GradCAM, target_layers=[model.relu3])")
    func gradCAMAgreesWithPytorchGradCAM() throws {
        let fixture = try GradCAMFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.gradCAM(of: model, images: images, targets: fixture.targets, layer: "relu3")
        reportAgreement("Grad-CAM raw vs pytorch-grad-cam", received.data, fixture.gradcam_raw.data)
        // Our logits differ from PyTorch's by ≤ 1.5e-5 (summation order): the maps by ~1e-5 of their scale.
        if let problem = MapDiagnosis.compare(received: received.data, expected: fixture.gradcam_raw.data, shape: fixture.gradcam_raw.shape,
                                              receivedShape: received.shape, tolerance: 1e-4,
                                              what: "Grad-CAM at relu3 against \(fixture.library) (before scaling)") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    #if canImport(GradCAMSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(GradCAMFigures.self)
    }
    #endif

    // MARK: Exercise 5.3

    @Test("Exercise 5.3: a 2×2 map resized to 4×4 and scaled, by hand")
    func upsampleHandChecked() throws {
        // One axis, 2 → 4 with align_corners=False: [a, b] → [a, ¾a + ¼b, ¼a + ¾b, b].
        // [[0, 1], [2, 3]] → rows [0, .25, .75, 1], [.5, .75, 1.25, 1.5], [1.5, 1.75, 2.25, 2.5], [2, 2.25, 2.75, 3]; then ÷ 3.
        let received = try Graded.upsampledAndNormalized(tensor([0, 1, 2, 3], [1, 1, 2, 2]), height: 4, width: 4)
        let expected: [Float] = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3].map { $0 / (3 + 1e-7) }
        #expect(received.shape == [1, 1, 4, 4], "expected [1, 1, 4, 4], received \(received.shape)")
        let difference = firstDifference(received.data, expected)
        #expect(difference == nil,
                "\(difference ?? "") — bilinear with align_corners=False (pixel centres: output o samples (o + 0.5)·2/4 − 0.5), then (v − min)/(max − min + 1e-7); align_corners=True would give thirds, not quarters")
    }

    @Test("Exercise 5.3: every map is scaled on its own to [0, 1], after resizing; a constant map gives zeros")
    func normalisationProperties() throws {
        // Map 0: a peak in the middle of 3×3 (resized to 12×12 no sample falls on it). Map 1: a
        // much larger ramp. Map 2: all zeros (a class with no positive evidence).
        let maps = tensor([0, 1, 0, 1, 4, 1, 0, 1, 0] + (0..<9).map { 100 + 10 * Float($0) } + [Float](repeating: 0, count: 9), [3, 1, 3, 3])
        let received = try Graded.upsampledAndNormalized(maps, height: 12, width: 12)
        #expect(received.shape == [3, 1, 12, 12], "expected [3, 1, 12, 12], received \(received.shape)")
        guard received.shape == [3, 1, 12, 12] else { return }
        #expect(received.data.allSatisfy { $0.isFinite }, "a constant map must become zeros, not NaN: (v − min)/(max − min + 1e-7) — keep the epsilon")
        for m in 0..<2 {
            let plane = Array(received.data[(m * 144)..<((m + 1) * 144)])
            let low = plane.min() ?? .nan, high = plane.max() ?? .nan
            #expect(abs(low) < 1e-6 && abs(high - 1) < 1e-6,
                    "map \(m) must span [0, 1] after the resize, received [\(low), \(high)] — normalise each map by its own min and max (not the batch's), after resizing (a bilinear resize does not hit the 3×3 peak, so normalising first leaves the maximum below 1)")
        }
        #expect(received.data[288...].allSatisfy { $0 == 0 }, "the all-zero map must stay all zeros")
    }

    @Test("Exercise 5.3: agrees with what pytorch-grad-cam returns (28×28, scaled)")
    func upsampleAgreesWithPytorchGradCAM() throws {
        let fixture = try GradCAMFixture.load()
        for (name, raw, final) in [("GradCAM", fixture.gradcam_raw, fixture.gradcam), ("GradCAMPlusPlus", fixture.gradcampp_raw, fixture.gradcampp)] {
            let received = try Graded.upsampledAndNormalized(try Tensor(shape: raw.shape, data: raw.data), height: 28, width: 28)
            reportAgreement("\(name) resized and scaled vs pytorch-grad-cam", received.data, final.data)
            // pytorch-grad-cam: scale → cv2.resize (= align_corners=False) → scale again. Scaling is
            // affine and the resize linear with weights summing to 1, so this equals resize → scale.
            if let problem = MapDiagnosis.compare(received: received.data, expected: final.data, shape: final.shape,
                                                  receivedShape: received.shape, tolerance: 1e-5,
                                                  what: "\(name)'s 7×7 maps resized and scaled, against \(fixture.library)") {
                let first = fixture.gradcam_scaled_first.data
                let hint = name == "GradCAM" && maxAbsoluteDifference(received.data, first) < 1e-5
                    ? "\n  hint: you normalised the 7×7 map and then resized it; resize first, then normalise (pytorch-grad-cam normalises once more after resizing)" : ""
                Issue.record(Comment(rawValue: problem + hint))
            }
        }
        // The order matters: scaling the 7×7 map only before the resize leaves the maxima below 1.
        let firstMax = (0..<3).map { n in fixture.gradcam_scaled_first.data[(n * 784)..<((n + 1) * 784)].max() ?? 0 }
        #expect(firstMax.allSatisfy { $0 < 0.99 }, "documentation check: scale-then-resize maxima \(brief(firstMax))")
    }

    // MARK: Exercise 5.4

    @Test("Exercise 5.4: Grad-CAM++ of the hand-set network")
    func gradCAMPlusPlusHandChecked() throws {
        // Class 0 at relu: g = [1/4, 1/2] everywhere, S = [ΣR₁, ΣR₂] = [10, 2].
        //   a₁ = (1/16) / (2/16 + 10/64) = 2/9 → w₁ = 4 · 2/9 · 1/4 = 2/9
        //   a₂ = (1/4) / (2/4 + 2/8) = 1/3   → w₂ = 4 · 1/3 · 1/2 = 2/3
        //   map = 2/9 · [1, 2, 3, 4] + 2/3 · [1.5, 0.5, 0, 0] = [11/9, 7/9, 2/3, 8/9]
        // Class 1: g = [−1/4, 1/4]: w₁ = 0 (ReLU of the gradient), a₂ = (1/16)/(2/16 + 2/64) = 2/5,
        //   w₂ = 4 · 2/5 · 1/4 = 2/5, map = 2/5 · [1.5, 0.5, 0, 0] = [0.6, 0.2, 0, 0].
        let model = try handSetNetwork()
        let both = try Tensor.concatenate([handSetInput, handSetInput], axis: 0)
        let map = try Graded.gradCAMPlusPlus(of: model, images: both, targets: [0, 1], layer: "relu")
        let expected: [Float] = [11.0 / 9, 7.0 / 9, 2.0 / 3, 8.0 / 9, 0.6, 0.2, 0, 0]
        #expect(map.shape == [2, 1, 2, 2], "expected [2, 1, 2, 2], received \(map.shape)")
        let difference = firstDifference(map.data, expected, tolerance: 1e-5)
        #expect(difference == nil,
                "\(difference ?? "") — aᵢⱼ = g²/(2g² + Sₖ·g³ + 1e-6) with Sₖ the sum of channel k's activations over all positions, wₖ = Σ aᵢⱼ·ReLU(gᵢⱼ)")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 5.4: agrees with pytorch-grad-cam 1.5.7 (GradCAMPlusPlus) and the golden maps")
    func gradCAMPlusPlusAgreesWithPytorchGradCAM() throws {
        let fixture = try GradCAMFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.gradCAMPlusPlus(of: model, images: images, targets: fixture.targets, layer: "relu3")
        reportAgreement("Grad-CAM++ raw vs pytorch-grad-cam", received.data, fixture.gradcampp_raw.data)
        // End to end: the reference's Grad-CAM++ of the fixture's images, resized and scaled by the reference.
        let scaled = try Reference.upsampledAndNormalized(
            try Reference.gradCAMPlusPlus(of: model, images: images, targets: fixture.targets, layer: "relu3"), height: 28, width: 28)
        reportAgreement("Grad-CAM++ end to end (reference, resized and scaled) vs pytorch-grad-cam", scaled.data, fixture.gradcampp.data)
        if let problem = MapDiagnosis.compare(received: received.data, expected: fixture.gradcampp_raw.data, shape: fixture.gradcampp_raw.shape,
                                              receivedShape: received.shape, tolerance: 1e-4,
                                              what: "Grad-CAM++ at relu3 against \(fixture.library) (before scaling)") {
            Issue.record(Comment(rawValue: problem))
        }
        // The golden raw maps (true class of the golden images).
        let (golden, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let mine = try Graded.gradCAMPlusPlus(of: model, images: golden, targets: labels, layer: "relu3")
        let expected = try Reference.gradCAMPlusPlus(of: model, images: golden, targets: labels, layer: "relu3")
        if let problem = MapDiagnosis.compare(received: mine.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: mine.shape, what: "Grad-CAM++ of the golden images (true class)") {
            Issue.record(Comment(rawValue: problem))
        }
    }
}
