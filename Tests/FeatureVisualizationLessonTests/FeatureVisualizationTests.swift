#if canImport(FeatureVisualizationSolutions)
import FeatureVisualizationSolutions
#endif
import Foundation
import GradingWire
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// Flatten → Linear(4 → 2, no bias) with weight rows w₀ = [1, −2, 0.5, 0] and w₁ = 0: the target-0
/// logit of a [1, 1, 2, 2] image x is w₀ · x, so every step of the ascent can be done by hand.
func linearModel() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let fc = Linear(4, 2, bias: false, generator: &g)
    try fc.weight.assign([1, -2, 0.5, 0, 0, 0, 0, 0])
    return Sequential(named: [("flat", Flatten()), ("fc", fc)])
}

/// A 1×1 convolution with weights [1, −1] (channel 0 = x, channel 1 = −x), a ReLU, and a 1×1
/// convolution mixing the two with [1, −1]: its output is relu(x) − relu(−x) = x.
func twoChannelModel() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let conv = Conv2d(1, 2, kernelSize: 1, bias: false, generator: &g)
    try conv.weight.assign([1, -1])
    let mix = Conv2d(2, 1, kernelSize: 1, bias: false, generator: &g)
    try mix.weight.assign([1, -1])
    return Sequential(named: [("conv", conv), ("relu", ReLU()), ("mix", mix)])
}

/// `map` compared with `expected`: nil, or one message (first difference, count, pictures).
func compareMap(_ received: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, what: String) -> String? {
    MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                         receivedShape: received.shape, tolerance: tolerance, what: what)
}

@Suite("Lesson 08 — What a network has learned", .graded(Exercises.lesson))
struct FeatureVisualizationTests {
    // MARK: Exercise 8.1

    @Test("Exercise 8.1: two steps on a hand-set linear model")
    func classImageHandChecked() throws {
        let model = try linearModel()
        let start = Tensor(repeating: 0.5, shape: [1, 1, 2, 2])
        let result = try Graded.classImage(of: model, target: 0, start: start, steps: 2, learningRate: 0.1, l2: 0.3)
        // J₀ = w·x₀ = −0.25, x₁ = x₀ + 0.1 w = [0.6, 0.3, 0.55, 0.5];
        // J₁ = w·x₁ − 0.3‖x₁ − x₀‖² = 0.275 − 0.01575; ∇J₁ = w − 0.6 (x₁ − x₀) = [0.94, −1.88, 0.47, 0].
        let expectedObjectives: [Float] = [-0.25, 0.25925]
        let expectedImage: [Float] = [0.694, 0.112, 0.597, 0.5]
        #expect(result.objectives.count == 2, "one objective per step: expected 2, received \(result.objectives.count)")
        if let problem = firstDifference(result.objectives, expectedObjectives, tolerance: 1e-5) {
            let hint = result.objectives.first.map { abs($0 - 0.25925) < 1e-4 } == true
                ? "\n  hint: record J before each step, not after it" : "\n  hint: J = y_target − λ‖x − x₀‖², with the raw logit (no softmax)"
            Issue.record(Comment(rawValue: "objectives J₀, J₁ should be −0.25 and 0.25925: \(problem)\(hint)"))
        }
        if let problem = firstDifference(result.image.data, expectedImage, tolerance: 1e-5) {
            let descended = result.image.data.first.map { $0 < 0.5 } == true
            Issue.record(Comment(rawValue: "after two steps x = [0.694, 0.112, 0.597, 0.5]: \(problem)"
                + (descended ? "\n  hint: x moved against the gradient: ascent is x + lr·∇J" : "")))
        }
    }

    @Test("Exercise 8.1: every step is clamped to [0, 1]")
    func classImageClamped() throws {
        let model = try linearModel()
        let result = try Graded.classImage(of: model, target: 0, start: Tensor(repeating: 0.5, shape: [1, 1, 2, 2]),
                                           steps: 1, learningRate: 10, l2: 0)
        // x₀ + 10 w = [10.5, −19.5, 5.5, 0.5] → clamped [1, 0, 1, 0.5].
        if let problem = firstDifference(result.image.data, [1, 0, 1, 0.5], tolerance: 1e-6) {
            Issue.record(Comment(rawValue: "one step of 10·w from 0.5 must clamp to [1, 0, 1, 0.5]: \(problem)\n  hint: clamp x to [0, 1] after every step (clamped(min: 0, max: 1))"))
        }
    }

    @Test("Exercise 8.1: the clamp acts after every step, not once at the end (two steps with λ = 1)")
    func classImageClampedEveryStep() throws {
        // J = w·x − ‖x − 0.5‖², lr 1, from 0.5: step 1 adds w = [1, −2, 0.5, 0] → [1.5, −1.5, 1, 0.5],
        // clamped [1, 0, 1, 0.5]; step 2 adds w − 2(x − 0.5) = [0, −1, −0.5, 0] → [1, −1, 0.5, 0.5],
        // clamped [1, 0, 0.5, 0.5]. Clamped only at the end, step 2 adds [−1, 2, −0.5, 0] to the
        // unclamped [1.5, −1.5, 1, 0.5]: 0.5 everywhere.
        let result = try Graded.classImage(of: try linearModel(), target: 0, start: Tensor(repeating: 0.5, shape: [1, 1, 2, 2]),
                                           steps: 2, learningRate: 1, l2: 1)
        if let problem = firstDifference(result.image.data, [1, 0, 0.5, 0.5], tolerance: 1e-6) {
            let hint = agree(result.image.data, [0.5, 0.5, 0.5, 0.5], tolerance: 1e-6)
                ? "\n  hint: the image was clamped only once, at the end (or never): clamp x to [0, 1] after every step, so the next gradient is taken at the clamped image" : ""
            Issue.record(Comment(rawValue: "two steps of J = w·x − ‖x − 0.5‖² (lr 1) from 0.5 give [1, 0, 0.5, 0.5]: \(problem)\(hint)"))
        }
    }

    @Test("Exercise 8.1: on mnist-gap the class score rises at every step and matches the reference")
    func classImageOnMNIST() throws {
        let model = try Fixtures.model("mnist-gap")
        // A noisy start: a constant image ties every max-pool window, a kink for the gradient.
        let start = TestData.uniform([1, 1, 28, 28], seed: 21, low: 0.3, high: 0.7)
        let received = try Graded.classImage(of: model, target: 3, start: start, steps: 8, learningRate: 0.002, l2: 0.02)
        let expected = try Reference.classImage(of: model, target: 3, start: start, steps: 8, learningRate: 0.002, l2: 0.02)
        let falls = zip(received.objectives, received.objectives.dropFirst()).filter { $1 <= $0 }.count
        #expect(falls == 0, "with a small step the objective must rise at every step; it fell \(falls) times (received \(brief(received.objectives)))")
        if let problem = compareMap(received.image, expected.image, what: "the class-3 image after 8 steps") { Issue.record(Comment(rawValue: problem)) }
        if let problem = firstDifference(received.objectives, expected.objectives, tolerance: 1e-3) {
            Issue.record(Comment(rawValue: "objectives differ from the reference: \(problem)"))
        }
    }

    // MARK: Exercise 8.2

    @Test("Exercise 8.2: total variation of a hand-made 2×3 image")
    func totalVariationHandChecked() throws {
        // [[0, 1, 3], [2, 2, 2]]: vertical (2−0)² + (2−1)² + (2−3)² = 6, horizontal 1² + 2² + 0 + 0 = 5.
        let tv = try Graded.totalVariation(tensor([0, 1, 3, 2, 2, 2], [1, 1, 2, 3]))
        #expect(tv.count == 1, "TV is one number; received shape \(tv.shape)")
        let value = tv.data.first ?? .nan
        #expect(abs(value - 11) < 1e-5, """
            TV([[0, 1, 3], [2, 2, 2]]) = 6 (vertical) + 5 (horizontal) = 11; received \(value)
              hint: \(abs(value - 6) < 1e-5 ? "only the vertical differences are summed: add x[i, j+1] − x[i, j]" : abs(value - 7) < 1e-5 ? "|differences| (β = 1): square them" : "sum the squared differences of neighbours, down and right")
            """)
        let flat = try Graded.totalVariation(Tensor(repeating: 0.3, shape: [2, 1, 4, 4]))
        #expect(abs(flat.data.first ?? .nan) < 1e-6, "a constant image has TV 0")
    }

    @Test("Exercise 8.2: the gradient of TV equals central differences")
    func totalVariationGradient() throws {
        let x = TestData.uniform([1, 2, 4, 5], seed: 8)
        let input = x.detached()
        input.requiresGrad = true
        let tv = try Graded.totalVariation(input)
        try tv.backward()
        let gradient = try #require(input.grad, "TV has no gradient: build it from tensor ops (sliced, -, *, sum), not from .data")
        // TV is quadratic, so a central difference is exact but for Float rounding: h = 0.01 on
        // values in [−1, 1] gives sums ~40 to ~1e-5, divided by 2h ~1e-3.
        let h: Float = 1e-2
        var wrong = LimitedIssues()
        for j in stride(from: 1, to: x.count, by: 3) {
            var plus = x.data, minus = x.data
            plus[j] += h; minus[j] -= h
            let expected = (Double(try Reference.totalVariation(tensor(plus, x.shape)).data[0])
                - Double(try Reference.totalVariation(tensor(minus, x.shape)).data[0])) / Double(2 * h)
            wrong.expect(abs(Double(gradient.data[j]) - expected) < 5e-3 + 1e-3 * abs(expected),
                         "∂TV/∂x at \(j): received \(gradient.data[j]), expected \(expected) (central difference)")
        }
        wrong.finish("coordinates")
    }

    @Test("Exercise 8.2: TV of three test digits matches the reference")
    func totalVariationOnMNIST() throws {
        let (images, _) = try Fixtures.mnistImages([0, 1, 2])
        let received = try Graded.totalVariation(images).data.first ?? .nan
        let expected = try Reference.totalVariation(images).data[0]
        #expect(abs(received - expected) <= 1e-4 * expected, "TV of test digits 0–2: received \(received), expected \(expected)")
    }

    // MARK: Exercise 8.3

    @Test("Exercise 8.3: a blurred impulse is the outer product of the kernel")
    func blurImpulse() throws {
        var impulse = [Float](repeating: 0, count: 49)
        impulse[24] = 1
        let received = try Graded.gaussianBlur(tensor(impulse, [1, 1, 7, 7]), sigma: 0.5)
        let k = try Reference.gaussianKernel(sigma: 0.5)     // 5 weights, r = 2
        let expected = (0..<49).map { p -> Float in
            let (i, j) = (p / 7 - 3, p % 7 - 3)
            return abs(i) <= 2 && abs(j) <= 2 ? k[i + 2] * k[j + 2] : 0
        }
        let total = received.data.reduce(0, +)
        if let problem = firstDifference(received.data, expected, tolerance: 1e-6) {
            Issue.record(Comment(rawValue: "the blur of a centred impulse (σ 0.5, weights \(brief(k))) should be wᵢ·wⱼ: \(problem)\n  hint: "
                + (abs(total - 1) > 1e-3 ? "the result sums to \(total), not 1: normalise the weights to sum 1" : "blur the rows, then the columns")))
        }
    }

    @Test("Exercise 8.3: borders reflect, constant images stay, bad sizes are refused")
    func blurBorders() throws {
        let x = TestData.uniform([1, 1, 6, 7], seed: 3, low: 0, high: 1)
        let received = try Graded.gaussianBlur(x, sigma: 0.7)
        let expected = try Reference.gaussianBlur(x, sigma: 0.7)
        if let problem = compareMap(received, expected, tolerance: 1e-5, what: "a blurred 6×7 random image (σ 0.7, reflected borders: index −1 reads 1)") {
            Issue.record(Comment(rawValue: problem))
        }
        let flat = try Graded.gaussianBlur(Tensor(repeating: 0.25, shape: [1, 1, 5, 5]), sigma: 0.5)
        #expect(flat.data.allSatisfy { abs($0 - 0.25) < 1e-6 }, "blurring a constant image must not change it (normalised weights, reflected borders)")
        try expectRealError("σ = 0") { _ = try Graded.gaussianBlur(x, sigma: 0) }
        try expectRealError("a 2×2 plane with a radius-2 kernel") { _ = try Graded.gaussianBlur(Tensor.zeros([1, 1, 2, 2]), sigma: 0.5) }
    }

    @Test("Exercise 8.3: a blurred test digit matches the reference")
    func blurOnMNIST() throws {
        let (images, _) = try Fixtures.mnistImages([7])
        if let problem = compareMap(try Graded.gaussianBlur(images, sigma: 1), try Reference.gaussianBlur(images, sigma: 1),
                                    tolerance: 1e-5, what: "test digit 7 blurred with σ 1") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    // MARK: Exercise 8.4

    @Test("Exercise 8.4: a hand-rolled 2×3 image, also with negative and large shifts")
    func jitterHandChecked() throws {
        let x = tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3])
        // out[i][j] = in[(i − 1) mod 2][(j − 1) mod 3]: [[5, 3, 4], [2, 0, 1]].
        let expected: [Float] = [5, 3, 4, 2, 0, 1]
        let received = try Graded.jittered(x, dy: 1, dx: 1)
        if let problem = firstDifference(received.data, expected, tolerance: 0) {
            let hint = received.data == [1, 2, 0, 4, 5, 3] || received.data == [4, 5, 3, 1, 2, 0] ? "it rolled the other way: out[i] = in[(i − dy) mod H]" : "shift the rows by dy and the columns by dx, wrapping around"
            Issue.record(Comment(rawValue: "roll([[0, 1, 2], [3, 4, 5]], dy 1, dx 1) = [[5, 3, 4], [2, 0, 1]]: \(problem)\n  hint: \(hint)"))
        }
        let wrapped = try Graded.jittered(x, dy: -3, dx: 7)      // ≡ (1, 1)
        #expect(wrapped.data == expected, "dy = −3 ≡ 1 (mod 2) and dx = 7 ≡ 1 (mod 3) give the same roll; received \(wrapped.data)")
        let tall = tensor((0..<15).map(Float.init), [1, 1, 5, 3])
        let shifted = try Graded.jittered(tall, dy: 2, dx: 1)
        // out[i][j] = in[(i − 2) mod 5][(j − 1) mod 3] (numpy.roll(x, (2, 1), axis=(0, 1))).
        #expect(shifted.data == [11, 9, 10, 14, 12, 13, 2, 0, 1, 5, 3, 4, 8, 6, 7],
                "a 5×3 image (0 … 14) rolled by (2, 1): rows by dy, columns by dx; received \(shifted.data)")
    }

    @Test("Exercise 8.4: the gradient flows back through the roll")
    func jitterGradient() throws {
        let x = TestData.uniform([1, 1, 4, 5], seed: 5).detached()
        x.requiresGrad = true
        let weights = tensor((0..<20).map(Float.init), [1, 1, 4, 5])
        try (try Graded.jittered(x, dy: 1, dx: -2) * weights).sum().backward()
        let gradient = try #require(x.grad, "no gradient reached the input: roll with slices and concatenate, not through .data")
        // ∂/∂x Σ w · roll(x) = roll(w, −dy, −dx): numpy.roll(w, (−1, 2), axis=(0, 1)) of w = 0 … 19.
        let expected: [Float] = [8, 9, 5, 6, 7, 13, 14, 10, 11, 12, 18, 19, 15, 16, 17, 3, 4, 0, 1, 2]
        if let problem = firstDifference(gradient.data, expected, tolerance: 1e-6) {
            Issue.record(Comment(rawValue: "the gradient of Σ w·roll(x, 1, −2) is roll(w, −1, 2): \(problem)"))
        }
    }

    // MARK: Exercise 8.5

    @Test("Exercise 8.5: without regularisers it is 8.1's ascent")
    func ascendPlain() throws {
        let model = try Fixtures.model("mnist-gap")
        let start = Tensor(repeating: 0.5, shape: [1, 1, 28, 28])
        var settings = AscentSettings.plain
        settings.steps = 6
        settings.learningRate = 0.01
        let received = try Graded.ascend(.logits(model, classes: [5]), from: start, settings: settings, seed: 0)
        let expected = try Reference.classImage(of: model, target: 5, start: start, steps: 6, learningRate: 0.01, l2: 0)
        if let problem = compareMap(received.image, expected.image, tolerance: 1e-5, what: "ascend with AscentSettings.plain (no L2, TV, blur or jitter)") {
            Issue.record(Comment(rawValue: problem))
        }
        #expect(received.objectives.count == 6, "one objective per step; received \(received.objectives.count)")
    }

    @Test("Exercise 8.5: the jitter is undone after every step")
    func ascendJitterUndone() throws {
        // Objective Σ w·x̃ on a 5×6 image: each step adds lr · roll(w, −dy, −dx) to x.
        let w = TestData.uniform([1, 1, 5, 6], seed: 9)
        let start = Tensor(repeating: 0.5, shape: [1, 1, 5, 6])
        let settings = AscentSettings(steps: 4, learningRate: 0.05, l2: 0, tv: 0, blurEvery: 0, blurSigma: 0.5, jitter: 2)
        let received = try Graded.ascend(.linear(weights: w), from: start, settings: settings, seed: 11)
        // The reference's ascent of the same objective (ReferenceChecks.swift derives it step by step).
        let x = try Reference.ascendLinear(weights: w, from: start, settings: settings, seed: 11).image.data
        if let problem = firstDifference(received.image.data, x, tolerance: 1e-5) {
            // A hint only when the image is the catalogued mistake's (the jitter kept).
            let variants = try Reference.ascendLinearHintVariants(weights: w, from: start, settings: settings, seed: 11)
            let hint = variants.first { agree(received.image.data, $0.values, tolerance: 1e-5) }.map { "\n  hint: \($0.hint)" } ?? ""
            Issue.record(Comment(rawValue: "4 jittered steps of Σ w·x̃ (offsets \(brief(settings.jitterOffsets(seed: 11).map { "(\($0.dy), \($0.dx))" }))): \(problem)\(hint)"))
        }
    }

    @Test("Exercise 8.5: the clamp acts after every step, not once at the end (8.1's two steps with λ = 1)")
    func ascendClampedEveryStep() throws {
        let model = try linearModel()
        let settings = AscentSettings(steps: 2, learningRate: 1, l2: 1, tv: 0, blurEvery: 0, blurSigma: 0.5, jitter: 0)
        let result = try Graded.ascend(.logits(model, classes: [0]), from: Tensor(repeating: 0.5, shape: [1, 1, 2, 2]), settings: settings, seed: 0)
        if let problem = firstDifference(result.image.data, [1, 0, 0.5, 0.5], tolerance: 1e-6) {
            let hint = agree(result.image.data, [0.5, 0.5, 0.5, 0.5], tolerance: 1e-6)
                ? "\n  hint: the image was clamped only once, at the end (or never): clamp after every step, after rolling the jitter back" : ""
            Issue.record(Comment(rawValue: "two steps of J = w·x − ‖x − 0.5‖² (lr 1) from 0.5 give [1, 0, 0.5, 0.5] (see 8.1): \(problem)\(hint)"))
        }
    }

    @Test("Exercise 8.5: regularised steps on mnist-gap match the reference")
    func ascendRegularised() throws {
        let model = try Fixtures.model("mnist-gap")
        let start = Tensor(repeating: 0.5, shape: [2, 1, 28, 28])
        let settings = AscentSettings(steps: 12, learningRate: 0.05, l2: 0.02, tv: 0.05, blurEvery: 4, blurSigma: 0.5, jitter: 1)
        let objective = AscentObjective.logits(model, classes: [2, 7])
        let received = try Graded.ascend(objective, from: start, settings: settings, seed: 5)
        let expected = try Reference.ascendLogits(of: model, classes: [2, 7], from: start, settings: settings, seed: 5)
        if let problem = compareMap(received.image, expected.image, what: "class images 2 and 7 after 12 regularised steps") {
            Issue.record(Comment(rawValue: problem))
        }
        if let problem = firstDifference(received.objectives, expected.objectives, tolerance: 1e-2) {
            let higher = !received.objectives.isEmpty && !expected.objectives.isEmpty && received.objectives[0] > expected.objectives[0] + 1e-2
            let hint = higher
                ? "\n  hint: J is larger than the reference's: subtract the penalties (− l2·‖x̃ − x₀‖² − tv·TV)" : ""
            Issue.record(Comment(rawValue: "objectives differ from the reference: \(problem)\(hint)"))
        }
    }

    @Test("Exercise 8.5: with the default settings (from grey 0.25, seed 0) every class image is its class with p ≥ 0.99")
    func ascendDefaultsConfident() throws {
        let model = try Fixtures.model("mnist-gap")
        let classes = Array(0..<10)
        let result = try Graded.ascend(.logits(model, classes: classes), from: Tensor(repeating: AscentSettings.startGrey, shape: [10, 1, 28, 28]),
                                       settings: .regularised, seed: 0)
        let p = try withNoGrad { try model(result.image).softmax() }
        let weak = classes.filter { p.data[$0 * 10 + $0] < 0.99 }
        #expect(weak.count == 0, "class images read as their class with p < 0.99: \(weak.map { "\($0): " + String(format: "%.3f", p.data[$0 * 10 + $0]) }.joined(separator: ", "))")
        #expect(result.image.data.allSatisfy { $0 >= 0 && $0 <= 1 }, "pixels must stay in [0, 1]")
    }

    // MARK: Exercise 8.6

    @Test("Exercise 8.6: mean activations of a hand-set network")
    func meanActivationHandChecked() throws {
        let model = try twoChannelModel()
        let x = tensor([1, 2, 3, 4], [1, 1, 2, 2])
        let conv1 = try Graded.meanActivation(of: model, at: "conv", channel: 1, for: x)
        #expect(conv1.shape == [1], "one value per image: shape [1], received \(conv1.shape)")
        let summed = conv1.data.first.map { abs($0 + 10) < 1e-6 } == true
        #expect(abs((conv1.data.first ?? .nan) + 2.5) < 1e-6, Comment(rawValue: "channel 1 of 'conv' is −x, mean −2.5; received \(conv1.data.first ?? .nan)"
                + (summed ? " — average over the plane, don't sum" : "")))
        let relu0 = try Graded.meanActivation(of: model, at: "relu", channel: 0, for: x)
        #expect(abs((relu0.data.first ?? .nan) - 2.5) < 1e-6, "channel 0 of 'relu' is relu(x), mean 2.5; received \(relu0.data.first ?? .nan)")
        let linear = try linearModel()
        let logit = try Graded.meanActivation(of: linear, at: "fc", channel: 0, for: Tensor(repeating: 0.5, shape: [1, 1, 2, 2]))
        #expect(abs((logit.data.first ?? .nan) + 0.25) < 1e-6, "a [N, K] output gives unit K itself: fc's unit 0 is −0.25; received \(logit.data)")
        #expect(model.liveHookCount == 0 && linear.liveHookCount == 0, "hooks left on the model: remove them before returning")
        try expectRealError("channel 5 of a 2-channel layer") { _ = try Graded.meanActivation(of: model, at: "conv", channel: 5, for: x) }
        #expect(model.liveHookCount == 0, "a hook survived an error: remove hooks in a `defer`")
    }

    @Test("Exercise 8.6: conv3 on mnist-gap matches the reference, with its gradient")
    func meanActivationOnMNIST() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1, 2])
        let received = try Graded.meanActivation(of: model, at: "conv3", channel: 5, for: images)
        let expected = try Reference.meanActivation(of: model, at: "conv3", channel: 5, for: images)
        if let problem = firstDifference(received.data, expected.data, tolerance: 1e-4) {
            Issue.record(Comment(rawValue: "mean activation of conv3 channel 5 for test digits 0–2: \(problem)"))
        }
        // conv1 is linear in the pixels, so central differences are exact but for rounding.
        let x = try images.sliced(axis: 0, 0..<1).detached()
        x.requiresGrad = true
        try Graded.meanActivation(of: model, at: "conv1", channel: 3, for: x).sum().backward()
        let gradient = try #require(x.grad, "no gradient reached the image: keep the hook's output in the graph (no withNoGrad, no .data copies)")
        let h: Float = 1e-2
        var wrong = LimitedIssues()
        for j in stride(from: 5, to: 784, by: 61) {
            var plus = x.data, minus = x.data
            plus[j] += h; minus[j] -= h
            let f = { (v: [Float]) in Double(try Reference.meanActivation(of: model, at: "conv1", channel: 3, for: tensor(v, [1, 1, 28, 28])).data[0]) }
            let expected = (try f(plus) - f(minus)) / Double(2 * h)
            wrong.expect(abs(Double(gradient.data[j]) - expected) < 1e-4 + 1e-2 * abs(expected),
                         "∂(mean conv1[3])/∂x at \(j): received \(gradient.data[j]), expected \(expected)")
        }
        wrong.finish("coordinates")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    // MARK: Exercise 8.7

    @Test("Exercise 8.7: one octave, one step moves the mean pixel by the step size")
    func dreamStepNormalised() throws {
        let model = try Fixtures.model("mnist-gap")
        let (digit, _) = try Fixtures.mnistImages([0])
        let x = 0.6 * digit + 0.2                                   // away from the clamp
        let settings = DreamSettings(octaves: 1, octaveScale: 1.4, steps: 1, stepSize: 0.01, jitter: 0)
        let dreamed = try Graded.deepDream(of: model, image: x, layer: "relu2", settings: settings, seed: 0)
        #expect(dreamed.shape == x.shape, "the dream has the image's shape \(x.shape); received \(dreamed.shape)")
        guard dreamed.shape == x.shape else { return }
        let meanStep = zip(dreamed.data, x.data).map { abs($0 - $1) }.reduce(0, +) / Float(x.count)
        #expect(abs(meanStep - 0.01) < 2e-4, Comment(rawValue: "x + 0.01 · g / mean|g| moves the pixels by 0.01 on average; received \(meanStep)"
                + (meanStep < 0.005 ? "\n  hint: divide the gradient by its mean absolute value" : "")))
    }

    @Test("Exercise 8.7: two octaves at relu2 match the reference and raise ½‖A‖²")
    func dreamOctaves() throws {
        let model = try Fixtures.model("mnist-gap")
        let (digit, _) = try Fixtures.mnistImages([0])
        let settings = DreamSettings(octaves: 2, octaveScale: 1.4, steps: 3, stepSize: 0.02, jitter: 1)
        let received = try Graded.deepDream(of: model, image: digit, layer: "relu2", settings: settings, seed: 3)
        let expected = try Reference.deepDream(of: model, image: digit, layer: "relu2", settings: settings, seed: 3)
        if let problem = compareMap(received, expected, what: "DeepDream of digit 0 at relu2 (2 octaves of 3 steps)") {
            // A hint only when the dream is a catalogued mistake's.
            let variants = try Reference.deepDreamHintVariants(of: model, image: digit, layer: "relu2", settings: settings, seed: 3)
            let scale = max(expected.data.map { abs($0) }.max() ?? 1, 1e-6)
            let hint = variants.first { agree(received.data, $0.values, tolerance: 1e-4 * scale) }.map { "\n  hint: \($0.hint)" } ?? ""
            Issue.record(Comment(rawValue: problem + hint))
        }
        func energy(_ image: Tensor) throws -> Float {
            var captured: Tensor?
            let handle = try model.module(named: "relu2").registerForwardHook { _, _, output in captured = output }
            defer { handle.remove() }
            _ = try withNoGrad { try model(image) }
            return (captured?.data ?? []).reduce(0) { $0 + $1 * $1 } / 2
        }
        if received.shape == digit.shape {
            #expect(try energy(received) > energy(digit), "the dream must raise ½‖A_relu2‖² above the original's")
            #expect(received.data.allSatisfy { $0 >= 0 && $0 <= 1 }, "pixels must stay in [0, 1]")
        }
    }

    // MARK: Exercise 8.8

    @Test("Exercise 8.8: guided backprop of one channel of a hand-set network")
    func channelGuidedHandChecked() throws {
        let model = try twoChannelModel()
        let x = tensor([1, -2, 3, -4], [1, 1, 2, 2])
        // mix = relu(x) − relu(−x): arriving at the ReLU, R = [1, −1]; guided keeps only R > 0,
        // so only channel 0 (x > 0) passes: ∂/∂x = 1[x > 0]. Plain backprop would give 1 everywhere.
        let received = try Graded.channelGuidedBackprop(of: model, images: x, layer: "mix", channel: 0)
        if let problem = firstDifference(received.data, [1, 0, 1, 0], tolerance: 1e-6) {
            Issue.record(Comment(rawValue: "guided backprop from 'mix' (= relu(x) − relu(−x)) at x = [1, −2, 3, −4] is 1[x > 0] = [1, 0, 1, 0]: \(problem)"
                + (received.data == [1, 1, 1, 1] ? "\n  hint: that is the plain gradient: put the guided rule ReLU(gradInput) on every ReLU" : "")))
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
    }

    @Test("Exercise 8.8: conv3's strongest channel on test digit 0 matches the reference")
    func channelGuidedOnMNIST() throws {
        let model = try Fixtures.model("mnist-gap")
        let (digit, _) = try Fixtures.mnistImages([0])
        let channel = try Reference.topChannels(of: model, image: digit, layer: "conv3", count: 1)[0]
        let received = try Graded.channelGuidedBackprop(of: model, images: digit, layer: "conv3", channel: channel)
        let expected = try Reference.channelGuidedBackprop(of: model, images: digit, layer: "conv3", channel: channel)
        if let problem = compareMap(received, expected, what: "guided backprop from conv3 channel \(channel)") {
            Issue.record(Comment(rawValue: problem + "\n  hint: seed at Σᵢⱼ A[channel, i, j] of the layer's output, not at a logit"))
        }
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    // MARK: The reference engine (solutions mode)

    #if canImport(FeatureVisualizationSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(FeatureVisualizationFigures.self)
    }
    #endif
}
