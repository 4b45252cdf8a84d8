import Course
import Foundation
import LessonSupport
#if canImport(SaliencySolutions)
import SaliencySolutions
#endif
import Testing
import TensorEngine
import TestSupport

/// Exercises 2.5a (the integration rules) and 2.5 (Integrated Gradients): the graders of the
/// lesson's second half, beside `SaliencyTests` (exercises 2.1–2.4, and the one check of the
/// lesson's reference figures, 2.5's included).
@Suite("Lesson 02 — Integrated Gradients", .graded(Exercises.lesson))
struct IntegratedGradientsTests {
    // MARK: Exercise 2.5a

    @Test("Exercise 2.5a: the four Riemann rules for n = 4, by hand")
    func riemannHandChecked() throws {
        let cases: [(IntegrationMethod, [Double], [Double])] = [
            (.riemannLeft, [0, 0.25, 0.5, 0.75], [0.25, 0.25, 0.25, 0.25]),
            (.riemannRight, [0.25, 0.5, 0.75, 1], [0.25, 0.25, 0.25, 0.25]),
            (.riemannMiddle, [0.125, 0.375, 0.625, 0.875], [0.25, 0.25, 0.25, 0.25]),
            (.riemannTrapezoid, [0, 1.0 / 3, 2.0 / 3, 1], [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6]),
        ]
        for (method, alphas, weights) in cases {
            let points = try Graded.integrationPoints(method, steps: 4)
            #expect(points.alphas.count == 4 && zip(points.alphas, alphas).allSatisfy { abs($0 - $1) < 1e-12 },
                    "\(method) with 4 steps: α should be \(alphas), received \(brief(points.alphas))")
            #expect(points.weights.count == 4 && zip(points.weights, weights).allSatisfy { abs($0 - $1) < 1e-12 },
                    """
                    \(method) with 4 steps: w should be \(weights), received \(brief(points.weights))\
                    \(method == .riemannTrapezoid ? " (4 points 1/3 apart: the trapezoid weights are 1/(n − 1), halved at both ends)" : "")
                    """)
        }
    }

    @Test("Exercise 2.5a: Gauss–Legendre with n = 5 matches numpy's leggauss(5)")
    func gaussLegendreFive() throws {
        // numpy.polynomial.legendre.leggauss(5) (numpy 2.x), on [−1, 1]:
        let nodes = [-0.906179845938664, -0.5384693101056831, 0.0, 0.5384693101056831, 0.906179845938664]
        let weights = [0.23692688505618928, 0.4786286704993663, 0.5688888888888887, 0.4786286704993663, 0.23692688505618928]
        let points = try Graded.integrationPoints(.gaussLegendre, steps: 5)
        let alphas = nodes.map { (1 + $0) / 2 }, halved = weights.map { $0 / 2 }
        #expect(points.alphas.count == 5 && zip(points.alphas, alphas).allSatisfy { abs($0 - $1) < 1e-14 },
                "α = (1 + ξ)/2 for numpy's nodes ξ: expected \(alphas), received \(brief(points.alphas)) (ascending order)")
        #expect(points.weights.count == 5 && zip(points.weights, halved).allSatisfy { abs($0 - $1) < 1e-14 },
                "w = ω/2 for numpy's weights ω (they sum to 2 on [−1, 1], to 1 on [0, 1]): expected \(halved), received \(brief(points.weights))")
    }

    @Test("Exercise 2.5a: weights sum to 1; Gauss–Legendre integrates every polynomial of degree < 2n exactly")
    func integrationProperties() throws {
        var checks = LimitedIssues()
        for method in IntegrationMethod.allCases {
            for steps in [2, 3, 7, 20, 50] {
                let (alphas, weights) = try Graded.integrationPoints(method, steps: steps)
                checks.expect(alphas.count == steps && weights.count == steps, "\(method), \(steps) steps: \(alphas.count) points and \(weights.count) weights")
                checks.expect(abs(weights.reduce(0, +) - 1) < 1e-12, "\(method), \(steps) steps: the weights sum to \(weights.reduce(0, +)), not 1")
                let outside = alphas.firstIndex { !($0 >= 0 && $0 <= 1) }
                let descending = alphas.indices.dropLast().first { !(alphas[$0] < alphas[$0 + 1]) }
                let position = outside.map { "α[\($0)] = \(alphas[$0]) is outside [0, 1]" }
                    ?? descending.map { "α[\($0)] = \(alphas[$0]) ≥ α[\($0 + 1)] = \(alphas[$0 + 1])" } ?? ""
                checks.expect(outside == nil && descending == nil, "\(method), \(steps) steps: the points must be ascending, in [0, 1]: \(position)")
                // ∫₀¹ α dα = 1/2: the midpoint, trapezoid and Gauss–Legendre rules are exact for linear
                // functions; left and right sums miss by ∓1/(2n).
                let mean = zip(alphas, weights).map { $0 * $1 }.reduce(0, +)
                let exact = method == .riemannLeft ? 0.5 - 0.5 / Double(steps) : method == .riemannRight ? 0.5 + 0.5 / Double(steps) : 0.5
                checks.expect(abs(mean - exact) < 1e-12, "\(method), \(steps) steps: Σ wᵢ αᵢ = \(mean), expected \(exact) (∫₀¹ α dα = 1/2)")
            }
        }
        for steps in [1, 2, 5, 12, 33, 64] {
            let (alphas, weights) = try Graded.integrationPoints(.gaussLegendre, steps: steps)
            for k in stride(from: 0, through: 2 * steps - 1, by: max(1, steps / 4)) {
                let sum = zip(alphas, weights).map { pow($0, Double(k)) * $1 }.reduce(0, +)
                checks.expect(abs(sum - 1 / Double(k + 1)) < 1e-13,
                              "Gauss–Legendre, \(steps) points: Σ wᵢ αᵢ^\(k) = \(sum), but ∫₀¹ α^\(k) dα = 1/\(k + 1) (exact up to degree 2n − 1)")
            }
        }
        checks.finish("checks of the points and weights")
    }

    @Test("Exercise 2.5a: agrees with captum's approximation_methods for n = 20")
    func integrationPointsCaptum() throws {
        let fixture = try CaptumFixture.shared.get()
        for method in IntegrationMethod.allCases {
            let theirs = try fixture.points["points_\(method.rawValue)"].orThrow("no points for \(method.rawValue) in the fixture")
            let mine = try Graded.integrationPoints(method, steps: fixture.steps)
            // captum's Riemann α come from torch.linspace in Float32 (≈ 6e-8 off); Gauss–Legendre is Double.
            let alphas = firstDifference(mine.alphas, theirs.alphas, tolerance: 1e-7, name: "α")
            #expect(alphas == nil, "\(method.rawValue): α differ from captum's: \(alphas ?? "")")
            // captum 0.9's riemann_trapezoid uses 1/n (halved at the ends), which sums to (n − 1)/n; this
            // workbook uses the trapezoidal rule's 1/(n − 1) — the same shape, scaled by n/(n − 1).
            let scale = method == .riemannTrapezoid ? Double(fixture.steps) / Double(fixture.steps - 1) : 1
            let weights = firstDifference(mine.weights, theirs.weights.map { $0 * scale }, tolerance: 1e-12, name: "w")
            #expect(weights == nil, "\(method.rawValue): weights differ from captum's\(scale == 1 ? "" : " × n/(n − 1)"): \(weights ?? "")")
        }
    }

    @Test("Exercise 2.5a: fewer than one step, or fewer than two for the trapezoid, is an error")
    func integrationPointsErrors() throws {
        _ = try Graded.integrationPoints(.riemannLeft, steps: 2)     // started?
        for method in IntegrationMethod.allCases {
            try expectRealError("\(method) with 0 steps") { _ = try Graded.integrationPoints(method, steps: 0) }
        }
        try expectRealError("the trapezoidal rule with 1 step (1/(n − 1) would divide by zero)") {
            _ = try Graded.integrationPoints(.riemannTrapezoid, steps: 1)
        }
    }

    // MARK: Exercise 2.5

    @Test("Exercise 2.5: one ReLU, every rule by hand")
    func integratedGradientsHandChecked() throws {
        let model = try kinkModel()
        let x = tensor([2, 1], [1, 1, 1, 2])
        // F(αx) = ReLU(3α − 1.95): the gradient [1, 1] counts only at points α > 0.65, so
        // IG = x · s = [2s, s] with s = Σ of the weights of those points, and δ = 3s − 1.05.
        let cases: [(IntegrationMethod, Double, String)] = [
            (.riemannLeft, 0.2, "α = 0, .2, .4, .6, .8: only .8 counts, s = 1/5"),
            (.riemannRight, 0.4, "α = .2, .4, .6, .8, 1: .8 and 1 count, s = 2/5"),
            (.riemannMiddle, 0.4, "α = .1, .3, .5, .7, .9: .7 and .9 count, s = 2/5"),
            (.riemannTrapezoid, 0.375, "α = 0, .25, .5, .75, 1 with w = 1/8, 1/4, 1/4, 1/4, 1/8: s = 1/4 + 1/8"),
            (.gaussLegendre, 0.23931433524968315 + 0.11846344252809464, "α ≈ .047, .231, .5, .769, .953: the last two count"),
        ]
        var checks = LimitedIssues()
        for (method, s, why) in cases {
            let result = try Graded.integratedGradients(of: model, images: x, targets: [0], steps: 5, method: method)
            let expected = [Float(2 * s), Float(s)]
            checks.expect(result.attributions.shape == [1, 1, 1, 2] && maxAbsoluteDifference(result.attributions.data, expected) < 1e-5,
                          "\(method), 5 steps: IG should be (x − 0) ⊙ Σ wᵢ ∇F = [2s, s] = \(expected) (\(why)); received \(brief(result.attributions.data))")
            let sum = String(format: "%.4f", 3 * s), delta = String(format: "%+.4f", 3 * s - 1.05)
            checks.expect(result.delta.count == 1 && abs((result.delta.first ?? .nan) - Float(3 * s - 1.05)) < 1e-5,
                          "\(method): δ = Σ IG − (F(x) − F(0)) = \(sum) − 1.05 = \(delta); received \(brief(result.delta))")
        }
        checks.finish("checks of the five rules")
    }

    @Test("Exercise 2.5: on a linear model IG is exactly (x − x′) ⊙ W[c], for every rule and baseline")
    func integratedGradientsLinear() throws {
        let model = try linearModel()
        let pixels: [Float] = [0.1, 0.9, 0.4, 0.7, 0.3, 0.2, 0.8, 0.6]
        let base: [Float] = [0.5, 0.5, 0.5, 0.5, 1, 0, 1, 0]
        let weights = linearWeights[0] + linearWeights[1]
        let expected = (0..<8).map { (pixels[$0] - base[$0]) * weights[$0] }
        var checks = LimitedIssues()
        for method in IntegrationMethod.allCases {
            let result = try Graded.integratedGradients(of: model, images: tensor(pixels, [2, 1, 2, 2]), targets: [0, 1],
                                                        baseline: tensor(base, [2, 1, 2, 2]), steps: 3, method: method)
            checks.expect(maxAbsoluteDifference(result.attributions.data, expected) < 1e-5,
                          "\(method): the gradient of a linear model is constant, so IG = (x − x′) ⊙ W[c] = \(expected); received \(brief(result.attributions.data))")
            checks.expect(result.delta.count == 2 && result.delta.allSatisfy { abs($0) < 1e-5 },
                          "\(method): for a linear model the rule is exact, δ must be 0; received \(brief(result.delta))")
        }
        checks.finish("checks of the five rules")
    }

    @Test("Exercise 2.5: completeness on mnist-gap — δ is Σ IG − (F(x) − F(x′)), small for Gauss–Legendre with 50 steps")
    func integratedGradientsCompleteness() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1, 2])
        let result = try Graded.integratedGradients(of: model, images: images, targets: labels, steps: 50, method: .gaussLegendre)
        #expect(result.attributions.shape == images.shape && result.delta.count == 3,
                "attributions \(result.attributions.shape) (expected \(images.shape)), \(result.delta.count) deltas (expected 3)")
        guard result.attributions.shape == images.shape, result.delta.count == 3 else { return }
        let top = try withNoGrad { try model(images) }, bottom = try withNoGrad { try model(.zeros(images.shape)) }
        for n in 0..<3 {
            let sum = result.attributions.data[(n * 784)..<((n + 1) * 784)].reduce(0.0) { $0 + Double($1) }
            let rise = Double(top.data[n * 10 + labels[n]]) - Double(bottom.data[n * 10 + labels[n]])
            #expect(abs(Double(result.delta[n]) - (sum - rise)) < 1e-3,
                    "image \(n): δ should be Σ IG − (F(x) − F(x′)) = \(sum) − \(rise) = \(sum - rise); received \(result.delta[n])")
            // Measured (Gauss–Legendre, 50 steps): δ = −0.036, −0.018, +0.001 for test images 0, 1, 2,
            // whose F(x) − F(0) are 13.8, 9.1 and 5.5 — at most 0.3%. The test allows 1%.
            #expect(abs(sum - rise) < 0.01 * abs(rise),
                    "image \(n): Σ IG = \(sum) but F(x) − F(0) = \(rise): with 50 Gauss–Legendre steps they agree to a few per mille")
        }
    }

    @Test("Exercise 2.5: one batched forward pass; batch = per image; baseline = input gives 0")
    func integratedGradientsBatch() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1])
        let counter = ForwardCounter(model)
        let batch = try Graded.integratedGradients(of: model, images: images, targets: labels, steps: 16, method: .riemannMiddle)
        counter.stop()
        #expect(counter.batchSizes.contains(32) && counter.batchSizes.count <= 3,
                """
                all 16 steps × 2 images must go through the model in one forward pass of 32 images (plus at most two more \
                for F(x) and F(x′)); the model ran on batches \(brief(counter.batchSizes))
                """)
        for n in 0..<2 {
            let single = try Graded.integratedGradients(of: model, images: images.sliced(axis: 0, n..<(n + 1)), targets: [labels[n]],
                                                        steps: 16, method: .riemannMiddle)
            #expect(maxAbsoluteDifference(single.attributions.data, Array(batch.attributions.data[(n * 784)..<((n + 1) * 784)])) < 1e-5,
                    "image \(n) alone must get the same attributions as inside the batch")
            #expect(abs((single.delta.first ?? .nan) - batch.delta[min(n, batch.delta.count - 1)]) < 1e-4, "image \(n): the same δ alone and in the batch")
        }
        let same = try Graded.integratedGradients(of: model, images: images, targets: labels, baseline: images, steps: 4, method: .gaussLegendre)
        let nonzero = same.attributions.data.count { $0 != 0 }
        #expect(nonzero == 0 && same.delta.allSatisfy { abs($0) < 1e-5 },
                "with the baseline equal to the input, x − x′ = 0: every attribution and δ must be 0")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: call model.zeroGrad()")
        #expect(model.liveHookCount == 0, "hooks left on the model: \(model.liveHookCount)")
    }

    @Test("Exercise 2.5: a baseline of another shape is an error")
    func integratedGradientsErrors() throws {
        let model = try linearModel()
        let x = tensor([0.1, 0.9, 0.4, 0.7], [1, 1, 2, 2])
        _ = try Graded.integratedGradients(of: model, images: x, targets: [0], steps: 2, method: .riemannLeft)   // started?
        try expectRealError("a [1, 1, 1, 4] baseline for [1, 1, 2, 2] images") {
            _ = try Graded.integratedGradients(of: model, images: x, targets: [0], baseline: .zeros([1, 1, 1, 4]), steps: 2, method: .riemannLeft)
        }
        try expectRealError("0 steps") { _ = try Graded.integratedGradients(of: model, images: x, targets: [0], steps: 0, method: .riemannLeft) }
    }

    @Test("Exercise 2.5: golden images — Integrated Gradients of mnist-gap")
    func integratedGradientsGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let steps = SaliencyDrawings.integratedGradientsSteps
        let received = try Graded.integratedGradients(of: model, images: images, targets: labels, steps: steps, method: .gaussLegendre)
        let expected = try Reference.integratedGradients(of: model, images: images, targets: labels, steps: steps, method: .gaussLegendre)
        expectMap(received.attributions, expected.attributions,
                  "Integrated Gradients of the golden images (Gauss–Legendre, \(steps) steps)")
        if received.attributions.shape == images.shape && received.delta.count == 3 {
            let inputs = try SaliencyDrawings.inputs(FigureContext(mnistTest: Fixtures.mnistTest()))
            let product = try Reference.gradientTimesInput(of: model, images: images, targets: labels)
            StudentFigures.save(try SaliencyDrawings.integratedGradientsGrid(inputs, product: product, attributions: received.attributions,
                                                                            delta: received.delta),
                                lesson: SaliencyDrawings.folder, name: "integrated-gradients")
        }
    }

    @Test("Exercise 2.5: agrees with captum's IntegratedGradients for every rule (20 steps, black baseline)")
    func integratedGradientsCaptum() throws {
        let fixture = try CaptumFixture.shared.get()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        var checks = LimitedIssues()
        func compareMap(_ received: Tensor, _ expected: Tensor, _ what: String) {
            let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                               receivedShape: received.shape, tolerance: 1e-4, what: what)
            checks.expect(problem == nil, problem ?? "")
        }
        for method in IntegrationMethod.allCases {
            let received = try Graded.integratedGradients(of: model, images: images, targets: fixture.targets, steps: fixture.steps, method: method)
            let theirs = try fixture.array("ig_\(method.rawValue)")
            let theirDelta = try fixture.array("ig_\(method.rawValue)_delta")
            if method == .riemannTrapezoid {
                // captum 0.9's trapezoid weights are ours × (n − 1)/n (see the README): compare after that factor.
                let n = Float(fixture.steps)
                let scaled = try Tensor(shape: received.attributions.shape, data: received.attributions.data.map { $0 * (n - 1) / n })
                compareMap(scaled, theirs, "IG (\(method.rawValue)) × (n − 1)/n vs captum")
            } else {
                compareMap(received.attributions, theirs, "IG (\(method.rawValue), \(fixture.steps) steps) vs captum")
                // captum sums in Float32, this reference in Double: deltas agree to ~1e-5.
                checks.expect(received.delta.count == 2 && maxAbsoluteDifference(received.delta, theirDelta.data) < 1e-3,
                              "\(method.rawValue): δ = \(brief(received.delta)), captum's convergence delta \(brief(theirDelta.data))")
            }
        }
        checks.finish("comparisons with captum")
    }
}
