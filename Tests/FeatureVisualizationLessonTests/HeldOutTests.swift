// Held-out inputs for lesson 08 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(FeatureVisualizationSolutions)
import Course
import FeatureVisualizationSolutions
import GradingWire
import LessonSupport
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 08 — held-out inputs", .graded(Exercises.lesson))
struct FeatureVisualizationHeldOutTests {
    /// Each side gets its own fresh copy of the model, so nothing one leaves on it reaches the other.
    static func model() throws -> Module { try Fixtures.model("mnist-gap") }

    @Test("Exercise 8.1: held-out class, start, steps, learning rate and L2")
    func classImage() throws {
        let draw = try HeldOutInputs(Exercises.classImage.number)
        let target = draw.int(in: 0...9, "class")
        let start = draw.uniform([1, 1, 28, 28], low: 0.3, high: 0.7, "start")
        let steps = draw.int(in: 2...6, "steps"), learningRate = draw.float(in: 0.005, 0.05, "learning rate"), l2 = draw.float(in: 0, 0.1, "L2")
        let expected = try Exercises.classImage.reference(try Self.model(), target, start, steps, learningRate, l2)
        let received = try Graded.classImage(of: try Self.model(), target: target, start: start, steps: steps, learningRate: learningRate, l2: l2)
        draw.check(received.image, expected.image, "the class image")
        draw.check(received.objectives, expected.objectives, "the objectives", tolerance: 1e-3)
    }

    @Test("Exercise 8.2: held-out images")
    func totalVariation() throws {
        let draw = try HeldOutInputs(Exercises.totalVariation.number)
        let images = draw.uniform([draw.int(in: 1...3), draw.pick([1, 3], "channels"), draw.int(in: 2...16), draw.int(in: 2...16)], low: 0, high: 1, "images")
        let expected = try Exercises.totalVariation.reference(images)
        draw.check(try Graded.totalVariation(images), expected, "the total variation", tolerance: 1e-5)
    }

    @Test("Exercise 8.3: held-out images and σ")
    func gaussianBlur() throws {
        let draw = try HeldOutInputs(Exercises.gaussianBlur.number)
        let images = draw.uniform([draw.int(in: 1...2), draw.pick([1, 3], "channels"), draw.int(in: 8...20), draw.int(in: 8...20)], low: 0, high: 1, "images")
        let sigma = draw.float(in: 0.3, 2, "σ")
        let expected = try Exercises.gaussianBlur.reference(images, sigma)
        draw.check(try Graded.gaussianBlur(images, sigma: sigma), expected, "the blurred images", tolerance: 1e-5)
    }

    @Test("Exercise 8.4: held-out images and shifts")
    func jittered() throws {
        let draw = try HeldOutInputs(Exercises.jittered.number)
        let images = draw.uniform([draw.int(in: 1...2), draw.pick([1, 3], "channels"), draw.int(in: 3...12), draw.int(in: 3...12)], "images")
        let dy = draw.int(in: -15...15, "dy"), dx = draw.int(in: -15...15, "dx")
        let expected = try Exercises.jittered.reference(images, dy, dx)
        draw.check(try Graded.jittered(images, dy: dy, dx: dx), expected, "the shifted images", tolerance: 0)
    }

    @Test("Exercise 8.5: held-out classes, start, settings and seed")
    func ascend() throws {
        let draw = try HeldOutInputs(Exercises.ascend.number)
        let classes = draw.classes(draw.int(in: 1...2))
        let start = draw.uniform([classes.count, 1, 28, 28], low: 0.3, high: 0.7, "start")
        let settings = AscentSettings(steps: draw.int(in: 3...8, "steps"), learningRate: draw.float(in: 0.01, 0.05, "learning rate"),
                                      l2: draw.float(in: 0, 0.05, "L2"), tv: draw.float(in: 0, 0.1, "TV"), blurEvery: draw.pick([0, 2, 3], "blur every"),
                                      blurSigma: 0.5, jitter: draw.int(in: 0...2, "jitter"))
        let seed = draw.seed()
        let reference = try Self.model()
        let expected = try Exercises.ascend.reference(AscentObjective.logits(reference, classes: classes).callAsFunction, start, settings, seed)
        let received = try Graded.ascend(.logits(try Self.model(), classes: classes), from: start, settings: settings, seed: seed)
        draw.check(received.image, expected.image, "the images")
        draw.check(received.objectives, expected.objectives, "the objectives", tolerance: 1e-2)
    }

    @Test("Exercise 8.6: held-out images, layer and channel")
    func meanActivation() throws {
        let draw = try HeldOutInputs(Exercises.meanActivation.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...3))
        let (layer, channels) = draw.pick([("conv1", 16), ("relu1", 16), ("conv2", 32), ("relu2", 32), ("conv3", 64), ("relu3", 64)])
        let channel = draw.int(in: 0...(channels - 1))
        draw.note("layer \(layer), channel \(channel)")
        let expected = try Exercises.meanActivation.reference(try Self.model(), layer, channel, images)
        draw.check(try Graded.meanActivation(of: try Self.model(), at: layer, channel: channel, for: images), expected, "the mean activation", tolerance: 1e-5)
    }

    @Test("Exercise 8.7: a held-out digit, layer, settings and seed")
    func deepDream() throws {
        let draw = try HeldOutInputs(Exercises.deepDream.number)
        let (digit, _) = try draw.mnistImages(1)
        let layer = draw.pick(["relu2", "relu3"], "layer")
        let settings = DreamSettings(octaves: draw.int(in: 1...2, "octaves"), octaveScale: draw.float(in: 1.3, 1.5, "octave scale"),
                                     steps: draw.int(in: 1...3, "steps"), stepSize: draw.float(in: 0.01, 0.03, "step size"), jitter: draw.int(in: 0...1, "jitter"))
        let seed = draw.seed()
        let expected = try Exercises.deepDream.reference(try Self.model(), digit, layer, settings, seed)
        draw.check(try Graded.deepDream(of: try Self.model(), image: digit, layer: layer, settings: settings, seed: seed), expected, "the dream")
    }

    @Test("Exercise 8.8: held-out images, layer and channel")
    func channelGuidedBackprop() throws {
        let draw = try HeldOutInputs(Exercises.channelGuidedBackprop.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...2))
        let (layer, channels) = draw.pick([("conv2", 32), ("relu2", 32), ("conv3", 64), ("relu3", 64)])
        let channel = draw.int(in: 0...(channels - 1))
        draw.note("layer \(layer), channel \(channel)")
        let expected = try Exercises.channelGuidedBackprop.reference(try Self.model(), images, layer, channel)
        draw.check(try Graded.channelGuidedBackprop(of: try Self.model(), images: images, layer: layer, channel: channel), expected,
                   "guided backprop from \(layer) channel \(channel)")
    }
}
#endif
