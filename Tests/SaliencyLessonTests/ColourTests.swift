import Foundation
import LessonSupport
#if canImport(SaliencySolutions)
import SaliencySolutions
#endif
import Testing
import TensorEngine
import TestSupport

/// Lesson 02 on colour images: the seeded 3-channel model of `Datasets/colour` on its two 32×32
/// images, against captum 0.9 (`Tests/ColourFixtures/colour-reference.json`). A gray-only
/// implementation (one plane per image, a sum where the max belongs) fails these.
@Suite("Lesson 02 — colour images", .graded(Exercises.lesson))
struct SaliencyColourTests {
    @Test("Exercise 2.1: a colour image gets one gradient per channel, as captum's Saliency(abs=False)")
    func saliencyColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.saliency(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets)
        try reference.expectMatch(received, "saliency", "saliency of a colour image [2, 3, 32, 32]")
    }

    @Test("Exercise 2.2: a colour saliency map is maxₖ |∂y/∂xₖ| over the three channels (Simonyan et al. 2014)")
    func magnitudeColour() throws {
        let reference = try ColourReference.shared.get()
        // captum's |gradient| reduced by the max over channels; the input is captum's gradient.
        let received = try Graded.saliencyMagnitude(try reference.array("saliency"))
        try reference.expectMatch(received, "saliency_max_abs",
                                  "the saliency map of a colour image (the largest |∂y/∂x| of the three channels — not their sum, not one channel)")
    }

    @Test("Exercise 2.3: gradient × input of a colour image, channel by channel, as captum's InputXGradient")
    func gradientTimesInputColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.gradientTimesInput(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets)
        try reference.expectMatch(received, "input_x_gradient", "gradient × input of a colour image [2, 3, 32, 32]")
    }

    @Test("Exercise 2.4: SmoothGrad keeps a colour image's three channels (a linear model's is its weights, whatever the noise)")
    func smoothGradColour() throws {
        // Logits W·x + b of a [N, 3, 2, 2] input: ∂y_c/∂x = W[c] for every x, so the mean over any
        // noisy copies is exactly W[c], arranged as [3, 2, 2].
        var g = SeededGenerator(seed: 0)
        let fc = Linear(12, 2, bias: true, generator: &g)
        let weights: [Float] = (0..<24).map { Float($0 % 7) - 3 + Float($0) / 32 }
        try fc.weight.assign(weights)
        let model = Sequential(named: [("flatten", Flatten()), ("fc", fc)])
        let images = TestData.uniform([2, 3, 2, 2], seed: 5, low: 0, high: 1)
        let received = try Graded.smoothGrad(of: model, images: images, targets: [1, 0], samples: 5, noiseLevel: 0.3, seed: 2)
        #expect(received.shape == [2, 3, 2, 2], "SmoothGrad of [2, 3, 2, 2] colour images has their shape; received \(received.shape)")
        let expected = Array(weights[12..<24]) + Array(weights[0..<12])
        #expect(received.shape == [2, 3, 2, 2] && maxAbsoluteDifference(received.data, expected) < 1e-5,
                "a linear model's SmoothGrad is its weight row W[target] on all three channels; received \(brief(received.data))")
    }

    @Test("Exercise 2.5: Integrated Gradients of a colour image from the dimmed image 0.25·x, and its delta, as captum (Gauss–Legendre, 20 steps)")
    func integratedGradientsColour() throws {
        let reference = try ColourReference.shared.get()
        let images = try ColourReference.images()
        // Not black: along a path from a flat baseline every pooling window ties (see the script).
        let baseline = images * Float(0.25)
        let result = try Graded.integratedGradients(of: try ColourReference.model(), images: images,
                                                    targets: reference.targets, baseline: baseline, steps: 20, method: .gaussLegendre)
        try reference.expectMatch(result.attributions, "ig", "Integrated Gradients of a colour image [2, 3, 32, 32]")
        let delta = try reference.array("ig_delta").data
        // The delta subtracts two logits of up to 17: 1e-5 of that is 2e-4; a wrong sign or a
        // missing channel moves it by 0.01 to 0.1.
        #expect(result.delta.count == 2 && maxAbsoluteDifference(result.delta, delta) < 2e-4,
                "the completeness delta Σ attributions − (F(x) − F(x′)) sums all three channels: captum gives \(delta), received \(result.delta)")
    }
}

/// The channel reductions the lesson's README documents, on the captum fixture: saliency's
/// max of |·| and the signed sum over channels that captum's `visualize_image_attr` applies.
@Suite("Lesson 02 — colour conventions (Render.reducedChannels)")
struct SaliencyColourConventionTests {
    @Test("maxAbsolute and sum over channels agree with the fixture's saliency_max_abs, input_x_gradient_sum and ig_sum")
    func reductions() throws {
        let reference = try ColourReference.shared.get()
        for (source, reduced, reduction) in [("saliency", "saliency_max_abs", Render.ChannelReduction.maxAbsolute),
                                             ("input_x_gradient", "input_x_gradient_sum", .sum), ("ig", "ig_sum", .sum)] {
            let map = try reference.array(source)
            var values: [Float] = []
            for n in 0..<2 {
                values += Render.reducedChannels(Array(map.data[(n * 3072)..<((n + 1) * 3072)]), channels: 3, area: 1024, reduction)
            }
            try reference.expectMatch(try Tensor(shape: [2, 1, 32, 32], data: values), reduced, "\(source) reduced over channels")
        }
    }
}
