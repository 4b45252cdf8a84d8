import Course
import Foundation
import LessonSupport
#if canImport(SaliencySolutions)
import SaliencySolutions
#endif
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 02 — Saliency", .graded(Exercises.lesson))
struct SaliencyTests {
    // MARK: Exercise 2.1

    @Test("Exercise 2.1: the saliency of a linear model is its weight row")
    func saliencyHandChecked() throws {
        let model = try linearModel()
        let x = tensor([0.1, 0.9, 0.4, 0.7, 0.3, 0.2, 0.8, 0.6], [2, 1, 2, 2])
        let s = try Graded.saliency(of: model, images: x, targets: [0, 1])
        #expect(s.shape == [2, 1, 2, 2], "saliency has the shape of the images [2, 1, 2, 2]; received \(s.shape)")
        let expected = linearWeights[0] + linearWeights[1]
        #expect(maxAbsoluteDifference(s.data, expected) < 1e-6,
                """
                for logits y = W·x + b, ∂y_c/∂x = W[c]: image 0 (target 0) → \(linearWeights[0]), image 1 (target 1) → \
                \(linearWeights[1]); received \(brief(s.data)). Differentiate the raw logit — not softmax(y)[c] (that adds \
                factors p(1 − p)), not a loss (that flips the sign).
                """)
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
    }

    @Test("Exercise 2.1: saliency equals central differences of the target logit (a smooth network)")
    func saliencyGradientCheck() throws {
        // A smooth network (conv → tanh → linear, 3 classes) on two 2-channel 6×6 images: its
        // logits have no kinks, so central differences are accurate. (mnist-gap is piecewise
        // linear with exact max-pool ties on MNIST's black background: a nudge of one pixel
        // switches pieces, and Float32 rounding swamps the tiny steps that would not.)
        let model = smoothModel()
        let images = TestData.uniform([2, 2, 6, 6], seed: 4, low: 0, high: 1)
        let targets = [2, 0]
        let received = try Graded.saliency(of: model, images: images, targets: targets)
        #expect(received.shape == images.shape, "saliency has the shape of the images \(images.shape); received \(received.shape)")
        guard received.shape == images.shape else { return }
        // (y(x + h·eⱼ) − y(x − h·eⱼ)) / 2h for every pixel j, h = 1e-2: truncation h²/6·|y‴| ≈ 1e-5,
        // Float32 rounding ≈ 1e-6/2h = 5e-5; the tolerance 1e-3 + 1% leaves a wide margin and
        // still fails a probability (factor p(1 − p)) or a loss (sign) by far.
        let h: Float = 1e-2, size = 72
        var copies: [Float] = []
        for n in 0..<2 {
            let image = Array(images.data[(n * size)..<((n + 1) * size)])
            for j in 0..<size {
                for sign: Float in [1, -1] {
                    var moved = image
                    moved[j] += sign * h
                    copies += moved
                }
            }
        }
        let logits = try withNoGrad { try model(try Tensor(shape: [copies.count / size, 2, 6, 6], data: copies)) }
        var mismatches: [String] = []
        for n in 0..<2 {
            for j in 0..<size {
                let row = (n * size + j) * 2
                let expected = (Double(logits.data[row * 3 + targets[n]]) - Double(logits.data[(row + 1) * 3 + targets[n]])) / Double(2 * h)
                let got = Double(received.data[n * size + j])
                if abs(got - expected) > 1e-3 + 1e-2 * abs(expected) {
                    mismatches.append("image \(n), value \(j): received \(got), central difference \(expected)")
                }
            }
        }
        let mismatchCount = mismatches.count
        #expect(mismatchCount == 0,
                """
                \(mismatches.count) of 144 gradient values differ from central differences of the target logit; first: \
                \(mismatches.prefix(3).joined(separator: "; ")). Is it the gradient of the raw logit yₙ[cₙ] (not a \
                probability, not a loss), with one one-hot seed row per image?
                """)
    }

    @Test("Exercise 2.1: a batch gives each image its own target's gradient and leaves model and images clean")
    func saliencyBatch() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1, 2])
        let targets = [7, 3, 1]
        let batch = try Graded.saliency(of: model, images: images, targets: targets)
        #expect(batch.shape == [3, 1, 28, 28], "saliency has the shape of the images; received \(batch.shape)")
        guard batch.shape == [3, 1, 28, 28] else { return }
        for n in 0..<3 {
            let single = try Graded.saliency(of: model, images: images.sliced(axis: 0, n..<(n + 1)), targets: [targets[n]])
            #expect(maxAbsoluteDifference(single.data, Array(batch.data[(n * 784)..<((n + 1) * 784)])) < 1e-6,
                    "image \(n) alone must get the same gradient as inside the batch (one one-hot seed row per image)")
        }
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
        #expect(!images.requiresGrad && images.grad == nil,
                "the caller's images were changed (requiresGrad set, or a gradient left in them): differentiate a copy, images.detached()")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 2.1: a wrong number of targets, or a class the model does not have, is an error")
    func saliencyErrors() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1])
        _ = try Graded.saliency(of: model, images: images, targets: [7, 2])     // started?
        try expectRealError("one target for two images") { _ = try Graded.saliency(of: model, images: images, targets: [7]) }
        try expectRealError("target class 10 of a 10-class model") { _ = try Graded.saliency(of: model, images: images, targets: [7, 10]) }
        try expectRealError("a negative target class") { _ = try Graded.saliency(of: model, images: images, targets: [-1, 2]) }
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters after an error: zeroGrad() in a defer")
    }

    @Test("Exercise 2.1: golden images — saliency of mnist-gap")
    func saliencyGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let received = try Graded.saliency(of: model, images: images, targets: labels)
        expectMap(received, try Reference.saliency(of: model, images: images, targets: labels), "saliency of the golden images")
        if received.shape == images.shape {
            let inputs = try SaliencyDrawings.inputs(FigureContext(mnistTest: Fixtures.mnistTest()))
            // |∂y/∂x| by the student's own 2.2 (no figure while 2.2 is not done).
            if let magnitude = try? Graded.saliencyMagnitude(received),
               let grid = try? SaliencyDrawings.saliencyGrid(inputs, gradient: received, magnitude: magnitude) {
                StudentFigures.save(grid, lesson: SaliencyDrawings.folder, name: "saliency")
            }
        }
    }

    @Test("Exercise 2.1: agrees with captum's Saliency(abs=False) on mnist-gap")
    func saliencyCaptum() throws {
        let fixture = try CaptumFixture.shared.get()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.saliency(of: model, images: images, targets: fixture.targets)
        // Same Float32 maths, other summation orders (PyTorch's convolutions vs this engine's):
        // measured ≤ 5e-7 of the largest value for saliency, gradient × input and IG alike. The
        // tolerance 1e-4 of it leaves a 200× margin (another CPU, a retrained model); any real
        // mistake moves values by O(the largest gradient).
        expectMap(received, try fixture.array("saliency"), "saliency vs captum Saliency(abs=False)")
    }

    // MARK: Exercise 2.2

    @Test("Exercise 2.2: the largest magnitude over the channels, by hand")
    func magnitudeHandChecked() throws {
        // [2, 3, 1, 2]: two images, three channels, one row of two pixels.
        let g = tensor([0.5, -0.1, /* ch 1 */ -2, 0.3, /* ch 2 */ 1, -0.2,
                        -3, 0, /* ch 1 */ 1, 0, /* ch 2 */ 2, 0], [2, 3, 1, 2])
        let m = try Graded.saliencyMagnitude(g)
        #expect(m.shape == [2, 1, 1, 2], "[N, C, H, W] = [2, 3, 1, 2] gives [N, 1, H, W] = [2, 1, 1, 2]; received \(m.shape)")
        #expect(m.data == [2, 0.3, 3, 0],
                """
                maxₖ |g| per pixel: image 0 → max(|0.5|, |−2|, |1|) = 2 and max(|−0.1|, |0.3|, |−0.2|) = 0.3; image 1 → \
                max(|−3|, |1|, |2|) = 3 and 0. Received \(brief(m.data)). (The signed max gives 1 for the first pixel of image 0 \
                and 2 for image 1, and so does |max|: take the absolute value first, then the max over axis 1.)
                """)
    }

    @Test("Exercise 2.2: written with tensor operations — not the figures' Render.reducedChannels")
    func magnitudeByHand() throws {
        _ = try Graded.saliencyMagnitude(tensor([1, -2], [1, 2, 1, 1]))     // a stub is not started
        let calls = WrittenByHand.forbiddenCalls(in: "saliencyMagnitude(_:)", lesson: "02-Saliency", forbidden: ["reducedChannels"])
        #expect(calls.isEmpty, "saliencyMagnitude calls \(calls.joined(separator: " and ")): write the reduction yourself (abs, then the max over axis 1)")
    }

    @Test("Exercise 2.2: shape [N, 1, H, W], never negative, and |g| for one channel")
    func magnitudeProperties() throws {
        let rgb = TestData.uniform([2, 4, 3, 5], seed: 11)
        let m = try Graded.saliencyMagnitude(rgb)
        #expect(m.shape == [2, 1, 3, 5], "[2, 4, 3, 5] gives [2, 1, 3, 5]; received \(m.shape)")
        let negatives = m.data.count { $0 < 0 }
        #expect(negatives == 0, "a magnitude is never negative")
        expectMap(m, try Reference.saliencyMagnitude(rgb), "saliencyMagnitude of a [2, 4, 3, 5] tensor")
        let gray = TestData.uniform([3, 1, 4, 4], seed: 12)
        let one = try Graded.saliencyMagnitude(gray)
        #expect(one.shape == gray.shape && maxAbsoluteDifference(one.data, gray.data.map { abs($0) }) == 0,
                "with one channel, maxₖ |g| is |g| itself")
    }

    @Test("Exercise 2.2: a tensor that is not [N, C, H, W] is an error")
    func magnitudeErrors() throws {
        _ = try Graded.saliencyMagnitude(.zeros([1, 1, 2, 2]))     // started?
        try expectRealError("a rank-3 tensor") { _ = try Graded.saliencyMagnitude(.zeros([3, 28, 28])) }
    }

    @Test("Exercise 2.2: agrees with captum's Saliency(abs=True) on one-channel MNIST")
    func magnitudeCaptum() throws {
        let fixture = try CaptumFixture.shared.get()
        let received = try Graded.saliencyMagnitude(try fixture.array("saliency"))
        expectMap(received, try fixture.array("saliency_abs"), "saliencyMagnitude(captum's gradient) vs captum Saliency(abs=True)",
                  tolerance: 1e-6)
    }

    // MARK: Exercise 2.3

    @Test("Exercise 2.3: gradient × input of a linear model is x ⊙ W[c]")
    func gradientTimesInputHandChecked() throws {
        let model = try linearModel()
        let pixels: [Float] = [0.1, 0.9, 0.4, 0.7, 0.3, 0.2, 0.8, 0.6]
        let a = try Graded.gradientTimesInput(of: model, images: tensor(pixels, [2, 1, 2, 2]), targets: [0, 1])
        let expected = zip(pixels, linearWeights[0] + linearWeights[1]).map { $0 * $1 }
        #expect(a.shape == [2, 1, 2, 2] && maxAbsoluteDifference(a.data, expected) < 1e-6,
                "x ⊙ W[c] = \(expected) (the pixels as given, times the gradient); received \(brief(a.data))")
        // "Throws: as saliency": a target count or class the model cannot take.
        try expectRealError("one target for two images") { _ = try Graded.gradientTimesInput(of: model, images: tensor(pixels, [2, 1, 2, 2]), targets: [0]) }
        try expectRealError("a target outside the classes") { _ = try Graded.gradientTimesInput(of: model, images: tensor(pixels, [2, 1, 2, 2]), targets: [0, 9]) }
    }

    @Test("Exercise 2.3: for a bias-free ReLU network the attributions sum to the logit")
    func gradientTimesInputCompleteness() throws {
        let model = homogeneousModel()
        let x = TestData.awayFromKinks([3, 1, 2, 2], seed: 5)
        let targets = [0, 1, 1]
        let a = try Graded.gradientTimesInput(of: model, images: x, targets: targets)
        let logits = try withNoGrad { try model(x) }
        for n in 0..<3 where a.count == x.count {
            let sum = a.data[(n * 4)..<((n + 1) * 4)].reduce(0, +)
            let y = logits.data[n * 2 + targets[n]]
            // Euler: a bias-free ReLU network is positively homogeneous, so Σ x·∂F/∂x = F(x) exactly.
            #expect(abs(sum - y) < 1e-5, "image \(n): Σ x ⊙ ∂y/∂x = \(sum) but y_c = \(y) — for a bias-free ReLU network they are equal")
        }
    }

    @Test("Exercise 2.3: golden images — gradient × input of mnist-gap")
    func gradientTimesInputGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let received = try Graded.gradientTimesInput(of: model, images: images, targets: labels)
        expectMap(received, try Reference.gradientTimesInput(of: model, images: images, targets: labels),
                  "gradient × input of the golden images (multiply by the pixels in [0, 1], not by the normalised input)")
        if received.shape == images.shape {
            let inputs = try SaliencyDrawings.inputs(FigureContext(mnistTest: Fixtures.mnistTest()))
            let gradient = try Reference.saliency(of: model, images: images, targets: labels)
            StudentFigures.save(try SaliencyDrawings.gradientTimesInputGrid(inputs, gradient: gradient, product: received),
                                lesson: SaliencyDrawings.folder, name: "gradient-times-input")
        }
    }

    @Test("Exercise 2.3: agrees with captum's InputXGradient on mnist-gap")
    func gradientTimesInputCaptum() throws {
        let fixture = try CaptumFixture.shared.get()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.gradientTimesInput(of: model, images: images, targets: fixture.targets)
        expectMap(received, try fixture.array("input_x_gradient"), "gradient × input vs captum InputXGradient")
    }

    // MARK: Reference figures

    /// Every reference figure of the lesson (those of 2.5a and 2.5 too), checked once, in solutions
    /// mode only: a student's grade never regenerates nor depends on them.
    #if canImport(SaliencySolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(SaliencyFigures.self)
    }
    #endif

    // MARK: Exercise 2.4

    @Test("Exercise 2.4: on a linear model every noisy copy has the same gradient")
    func smoothGradLinear() throws {
        let model = try linearModel()
        let x = tensor([0.1, 0.9, 0.4, 0.7, 0.3, 0.2, 0.8, 0.6], [2, 1, 2, 2])
        let sg = try Graded.smoothGrad(of: model, images: x, targets: [0, 1], samples: 7, noiseLevel: 0.5, seed: 1)
        #expect(sg.shape == [2, 1, 2, 2] && maxAbsoluteDifference(sg.data, linearWeights[0] + linearWeights[1]) < 1e-5,
                """
                the gradient of W·x + b is W[c] at every noisy copy, so their mean is W[c] = \(linearWeights[0] + linearWeights[1]); \
                received \(brief(sg.data)). SmoothGrad averages the signed gradients (not their magnitudes).
                """)
    }

    @Test("Exercise 2.4: follows the noise recipe exactly (golden images, and dimmed images)")
    func smoothGradGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let (samples, level, seed) = (SaliencyDrawings.smoothGradSamples, SaliencyDrawings.smoothGradNoiseLevel, SaliencyDrawings.smoothGradSeed)
        let received = try Graded.smoothGrad(of: model, images: images, targets: labels, samples: samples, noiseLevel: level, seed: seed)
        expectMap(received, try Reference.smoothGrad(of: model, images: images, targets: labels, samples: samples, noiseLevel: level, seed: seed),
                  """
                  SmoothGrad of the golden images (\(samples) samples, noise level \(level), seed \(seed)); check the recipe: ONE \
                  randomNormal([samples·N, C, H, W]) call, copy s of image n is row s·N + n, σₙ = noiseLevel·(max − min of image n)
                  """)
        // Dimmed digits (pixels in [0, 0.5]): σ must shrink with the image's range.
        let dim = withNoGrad { images * 0.5 }
        let dimmed = try Graded.smoothGrad(of: model, images: dim, targets: labels, samples: 8, noiseLevel: 0.2, seed: 3)
        expectMap(dimmed, try Reference.smoothGrad(of: model, images: dim, targets: labels, samples: 8, noiseLevel: 0.2, seed: 3),
                  "SmoothGrad of dimmed images (range 0.5: σ = 0.2 · 0.5 = 0.1, not 0.2)")
        if received.shape == images.shape {
            let inputs = try SaliencyDrawings.inputs(FigureContext(mnistTest: Fixtures.mnistTest()))
            let gradient = try Reference.saliency(of: model, images: images, targets: labels)
            StudentFigures.save(try SaliencyDrawings.smoothGradGrid(inputs, gradient: gradient, levels: [(level, received)]),
                                lesson: SaliencyDrawings.folder, name: "smoothgrad")
        }
    }

    @Test("Exercise 2.4: seeded, noise 0 gives saliency, all samples in one forward pass")
    func smoothGradProperties() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1])
        let counter = ForwardCounter(model)
        let first = try Graded.smoothGrad(of: model, images: images, targets: labels, samples: 6, noiseLevel: 0.2, seed: 42)
        counter.stop()
        #expect(counter.batchSizes == [12],
                "all 6 samples × 2 images must go through the model in one forward pass of 12 images; the model ran on batches \(brief(counter.batchSizes))")
        let again = try Graded.smoothGrad(of: model, images: images, targets: labels, samples: 6, noiseLevel: 0.2, seed: 42)
        let identical = first.data == again.data
        #expect(identical, "the same seed must give the same result, bit for bit")
        let other = try Graded.smoothGrad(of: model, images: images, targets: labels, samples: 6, noiseLevel: 0.2, seed: 43)
        #expect(maxAbsoluteDifference(first.data, other.data) > 1e-4, "another seed must give other noise (use SeededGenerator(seed: seed))")
        let noiseless = try Graded.smoothGrad(of: model, images: images, targets: labels, samples: 3, noiseLevel: 0, seed: 42)
        expectMap(noiseless, try Reference.saliency(of: model, images: images, targets: labels),
                  "SmoothGrad with noise level 0 (every copy is the image itself: the mean is the plain saliency)", tolerance: 1e-5)
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 2.4: no samples, or negative noise, is an error")
    func smoothGradErrors() throws {
        let model = try linearModel()
        let x = tensor([0.1, 0.9, 0.4, 0.7], [1, 1, 2, 2])
        _ = try Graded.smoothGrad(of: model, images: x, targets: [0], samples: 1, noiseLevel: 0.1, seed: 0)   // started?
        try expectRealError("samples = 0") { _ = try Graded.smoothGrad(of: model, images: x, targets: [0], samples: 0, noiseLevel: 0.1, seed: 0) }
        try expectRealError("noiseLevel = −0.1") { _ = try Graded.smoothGrad(of: model, images: x, targets: [0], samples: 4, noiseLevel: -0.1, seed: 0) }
        try expectRealError("two targets for one image") { _ = try Graded.smoothGrad(of: model, images: x, targets: [0, 1], samples: 4, noiseLevel: 0.1, seed: 0) }
    }
}

