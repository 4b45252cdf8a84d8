// Held-out inputs for lesson 05 (see `HeldOut` in TestSupport): each exercise on images, classes
// and layers drawn when the graders run, against the reference computed live. Only where the
// reference is compiled in (the full edition and the Gradescope judge); the student edition grades
// from recorded answers for the visible inputs alone.

#if canImport(GradCAMSolutions)
import Course
import GradCAMSolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 05 — held-out inputs", .graded(Exercises.lesson))
struct GradCAMHeldOutTests {
    /// Each side gets its own fresh copy of the model, so nothing one leaves on it reaches the other.
    static func model() throws -> Module { try Fixtures.model("mnist-gap") }

    @Test("Exercise 5.1: held-out images, classes and layer")
    func activationsAndGradients() throws {
        let draw = try HeldOutInputs(Exercises.activationsAndGradients.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 2...3))
        let targets = draw.classes(images.shape[0])
        let layer = draw.pick(["conv2", "relu2", "conv3", "relu3"], "layer")
        let expected = try Exercises.activationsAndGradients.reference(try Self.model(), layer, images, targets)
        let received = try Graded.activationsAndGradients(of: try Self.model(), at: layer, images: images, targets: targets)
        draw.check(received.activations, expected.activations, "the activations at \(layer)")
        draw.check(received.gradients, expected.gradients, "the gradients at \(layer)")
    }

    @Test("Exercise 5.2: held-out images, classes and layer")
    func gradCAM() throws {
        let draw = try HeldOutInputs(Exercises.gradCAM.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 2...3))
        let targets = draw.classes(images.shape[0])
        let layer = draw.pick(["relu2", "conv3", "relu3"], "layer")
        let expected = try Exercises.gradCAM.reference(try Self.model(), images, targets, layer)
        draw.check(try Graded.gradCAM(of: try Self.model(), images: images, targets: targets, layer: layer), expected, "Grad-CAM at \(layer)")
    }

    @Test("Exercise 5.3: held-out maps and sizes")
    func upsampledAndNormalized() throws {
        let draw = try HeldOutInputs(Exercises.upsampledAndNormalized.number)
        let shape = [draw.int(in: 2...3), 1, draw.int(in: 2...9), draw.int(in: 2...9)]
        let maps = draw.uniform(shape, low: 0, high: 2, "maps")
        let (height, width) = (draw.int(in: 10...40, "height"), draw.int(in: 10...40, "width"))
        let expected = try Exercises.upsampledAndNormalized.reference(maps, height, width)
        draw.check(try Graded.upsampledAndNormalized(maps, height: height, width: width), expected, "the resized, scaled maps")
    }

    @Test("Exercise 5.4: held-out images, classes and layer")
    func gradCAMPlusPlus() throws {
        let draw = try HeldOutInputs(Exercises.gradCAMPlusPlus.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 2...3))
        let targets = draw.classes(images.shape[0])
        let layer = draw.pick(["relu2", "relu3"], "layer")
        let expected = try Exercises.gradCAMPlusPlus.reference(try Self.model(), images, targets, layer)
        draw.check(try Graded.gradCAMPlusPlus(of: try Self.model(), images: images, targets: targets, layer: layer), expected, "Grad-CAM++ at \(layer)")
    }
}
#endif
