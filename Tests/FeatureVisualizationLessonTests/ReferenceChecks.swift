// Independent checks of the reference itself (full edition only: they spell out what the graders
// compare with, so the student edition leaves this file out). The graders compare a student's
// answers with the reference; these tests are why the reference can be trusted.

#if canImport(FeatureVisualizationSolutions)
import Course
import FeatureVisualizationSolutions
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// The test's own circular shift (index arithmetic), independent of exercise 8.4.
func rolled(_ values: [Float], height: Int, width: Int, dy: Int, dx: Int) -> [Float] {
    (0..<(height * width)).map { p in
        let (i, j) = (p / width, p % width)
        return values[(((i - dy) % height + height) % height) * width + ((j - dx) % width + width) % width]
    }
}

@Suite("Lesson 08 — the reference against independent derivations (full edition)", .enabled(if: checksReferenceFigures))
struct FeatureVisualizationReferenceChecks {
    @Test("8.5 on Σ w·x̃: every step adds lr · roll(w, −dy, −dx) to x and clamps, the jitter undone")
    func ascendJitterUndone() throws {
        let w = TestData.uniform([1, 1, 5, 6], seed: 9)
        let start = Tensor(repeating: 0.5, shape: [1, 1, 5, 6])
        let settings = AscentSettings(steps: 4, learningRate: 0.05, l2: 0, tv: 0, blurEvery: 0, blurSigma: 0.5, jitter: 2)
        let reference = try Reference.ascendLinear(weights: w, from: start, settings: settings, seed: 11)
        var x = start.data
        for offset in settings.jitterOffsets(seed: 11) {
            let back = rolled(w.data, height: 5, width: 6, dy: -offset.dy, dx: -offset.dx)
            x = zip(x, back).map { min(max($0 + 0.05 * $1, 0), 1) }
        }
        #expect(firstDifference(reference.image.data, x, tolerance: 1e-5) == nil, "\(describeDifference(reference.image.data, x, tolerance: 1e-5))")
    }

    @Test("The regularised objective's gradient equals central differences; a seed gives the same bits (solutions mode)")
    func regularisedObjectiveGradient() throws {
        // A smooth network (tanh, no ReLU or max-pool kinks), so every coordinate can be checked.
        var g = SeededGenerator(seed: 12)
        let model = Sequential(named: [("conv", Conv2d(1, 4, kernelSize: 3, padding: 1, generator: &g)), ("tanh", Tanh()),
                                       ("flat", Flatten()), ("fc", Linear(4 * 36, 3, generator: &g))])
        let start = TestData.uniform([1, 1, 6, 6], seed: 13, low: 0.2, high: 0.8)
        let x = TestData.uniform([1, 1, 6, 6], seed: 14, low: 0.1, high: 0.9)
        let (l2, tv): (Float, Float) = (0.3, 0.2)
        func objective(_ input: Tensor) throws -> Tensor {
            let difference = try input - start
            return try model(input).gathered(indices: [1]).sum() - l2 * (difference * difference).sum() - tv * totalVariation(input)
        }
        let input = x.detached()
        input.requiresGrad = true
        try objective(input).backward(inputs: [input])
        let gradient = try #require(input.grad)
        let h: Float = 1e-2      // J is smooth; the Float rounding of J ≈ 1 over 2h is ~1e-5
        var wrong = LimitedIssues()
        for j in 0..<x.count {
            var plus = x.data, minus = x.data
            plus[j] += h; minus[j] -= h
            let expected = (Double(try objective(tensor(plus, x.shape)).data[0]) - Double(try objective(tensor(minus, x.shape)).data[0])) / Double(2 * h)
            wrong.expect(abs(Double(gradient.data[j]) - expected) < 1e-3 + 1e-2 * abs(expected), "∂J/∂x at \(j): received \(gradient.data[j]), expected \(expected)")
        }
        wrong.finish("coordinates")
        let mnist = try Fixtures.model("mnist-gap")
        let first = try classImages(of: mnist, targets: [4, 9], settings: AscentSettings(steps: 20), seed: 7).images
        let second = try classImages(of: mnist, targets: [4, 9], settings: AscentSettings(steps: 20), seed: 7).images
        #expect(first.data == second.data, "the same seed must give the same bits")
    }

    @Test("Regularised class images transfer to mnist-fc far better, and to mnist-simplenet no worse (solutions mode)")
    func regularisersTransfer() throws {
        let model = try Fixtures.model("mnist-gap")
        let judges = [("mnist-fc", try Fixtures.model("mnist-fc") as Module), ("mnist-simplenet", try Fixtures.model("mnist-simplenet") as Module)]
        let study = try FeatureVisualizationFigures.transferStudy(model: model, judges: judges)
        if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil { print(study) }
        // Measured (50 images each, README): mnist-fc reads 21 plain and 41 regularised images as
        // their class; mnist-simplenet (batch norm, another recipe) 11 and 9: near chance either
        // way. So: a clear gain for mnist-fc, and for mnist-simplenet no loss beyond the binomial
        // noise of 50 images (two standard deviations, √(50 · 0.2 · 0.8) ≈ 2.8 each).
        let fc = try #require(study.rates.first { $0.judge == "mnist-fc" })
        #expect(fc.regularised >= fc.plain + 10, "\(fc): the regularised images should transfer clearly better")
        let simplenet = try #require(study.rates.first { $0.judge == "mnist-simplenet" })
        #expect(Double(simplenet.regularised) >= Double(simplenet.plain) - 2 * 2.8, "\(simplenet)")
        #expect(study.tvRegularised < study.tvPlain, "the regularised images must be smoother (lower TV): \(study.tvRegularised) vs \(study.tvPlain)")
    }
}
#endif
