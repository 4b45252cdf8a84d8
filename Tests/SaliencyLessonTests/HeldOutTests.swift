// Held-out inputs for lesson 02 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(SaliencySolutions)
import Course
import LessonSupport
import SaliencySolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 02 — held-out inputs", .graded(Exercises.lesson))
struct SaliencyHeldOutTests {
    /// Each side gets its own fresh copy of the model, so nothing one leaves on it reaches the other.
    static func model() throws -> Module { try Fixtures.model("mnist-gap") }

    @Test("Exercise 2.1: held-out images and classes")
    func saliency() throws {
        let draw = try HeldOutInputs(Exercises.saliency.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let targets = draw.classes(images.shape[0])
        let expected = try Exercises.saliency.reference(try Self.model(), images, targets)
        draw.check(try Graded.saliency(of: try Self.model(), images: images, targets: targets), expected, "the saliency map")
    }

    @Test("Exercise 2.2: a held-out gradient, grey or colour")
    func saliencyMagnitude() throws {
        let draw = try HeldOutInputs(Exercises.saliencyMagnitude.number)
        let shape = [draw.int(in: 1...3), draw.pick([1, 3], "channels"), draw.int(in: 3...12), draw.int(in: 3...12)]
        let gradient = draw.uniform(shape, "gradient")
        let expected = try Exercises.saliencyMagnitude.reference(gradient)
        draw.check(try Graded.saliencyMagnitude(gradient), expected, "the saliency map")
    }

    @Test("Exercise 2.3: held-out images and classes")
    func gradientTimesInput() throws {
        let draw = try HeldOutInputs(Exercises.gradientTimesInput.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let targets = draw.classes(images.shape[0])
        let expected = try Exercises.gradientTimesInput.reference(try Self.model(), images, targets)
        draw.check(try Graded.gradientTimesInput(of: try Self.model(), images: images, targets: targets), expected, "gradient × input")
    }

    @Test("Exercise 2.4: held-out images, classes, samples, noise and seed")
    func smoothGrad() throws {
        let draw = try HeldOutInputs(Exercises.smoothGrad.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...3))
        let targets = draw.classes(images.shape[0])
        let samples = draw.int(in: 2...6, "samples"), noise = draw.float(in: 0.05, 0.3, "noise level"), seed = draw.seed()
        let expected = try Exercises.smoothGrad.reference(try Self.model(), images, targets, samples, noise, seed)
        draw.check(try Graded.smoothGrad(of: try Self.model(), images: images, targets: targets, samples: samples, noiseLevel: noise, seed: seed),
                   expected, "the SmoothGrad map")
    }

    @Test("Exercise 2.5a: a held-out rule and number of steps")
    func integrationPoints() throws {
        let draw = try HeldOutInputs(Exercises.integrationPoints.number)
        let method = draw.pick(IntegrationMethod.allCases, "rule")
        let steps = draw.int(in: 2...64, "steps")
        let expected = try Exercises.integrationPoints.reference(method, steps)
        let received = try Graded.integrationPoints(method, steps: steps)
        draw.check(received.alphas, expected.alphas, "the points α", tolerance: 1e-9)
        draw.check(received.weights, expected.weights, "the weights", tolerance: 1e-9)
    }

    @Test("Exercise 2.5: held-out images, classes, baseline, rule and steps")
    func integratedGradients() throws {
        let draw = try HeldOutInputs(Exercises.integratedGradients.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...3))
        let targets = draw.classes(images.shape[0])
        let baseline: Tensor? = draw.pick([false, true], "a drawn baseline") ? draw.uniform(images.shape, low: 0, high: 1, "baseline") : nil
        let method = draw.pick(IntegrationMethod.allCases, "rule"), steps = draw.int(in: 2...24, "steps")
        let expected = try Exercises.integratedGradients.reference(try Self.model(), images, targets, baseline, steps, method)
        let received = try Graded.integratedGradients(of: try Self.model(), images: images, targets: targets, baseline: baseline, steps: steps, method: method)
        draw.check(received.attributions, expected.attributions, "the attributions")
        draw.check(received.delta, expected.delta, "the completeness gaps δ", tolerance: 1e-3)
    }
}
#endif
