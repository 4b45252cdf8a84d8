// Held-out inputs for lesson 01 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(HooksSolutions)
import Course
import LessonSupport
import HooksSolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 01 — held-out inputs", .graded(Exercises.lesson))
struct HooksHeldOutTests {
    /// Each side gets its own fresh copy of the model, so nothing one leaves on it reaches the other.
    static func model() throws -> Module { try Fixtures.model("mnist-gap") }
    static let layers = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3", "gap", "fc"]

    @Test("Exercise 1.1: held-out images and layer")
    func activations() throws {
        let draw = try HeldOutInputs(Exercises.activations.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let layer = draw.pick(Self.layers, "layer")
        let expected = try Exercises.activations.reference(try Self.model(), layer, images)
        draw.check(try Graded.activations(of: try Self.model(), at: layer, for: images), expected, "the output of \(layer)")
    }

    @Test("Exercise 1.2: held-out images, classes and layer")
    func gradient() throws {
        let draw = try HeldOutInputs(Exercises.gradient.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let targets = draw.classes(images.shape[0])
        let layer = draw.pick(["conv1", "relu1", "conv2", "relu2", "conv3", "relu3"], "layer")
        let expected = try Exercises.gradient.reference(try Self.model(), layer, images, targets)
        draw.check(try Graded.gradient(of: try Self.model(), at: layer, for: images, targets: targets), expected, "the gradient at \(layer)")
    }

    @Test("Exercise 1.3: held-out images and network")
    func convolutionActivations() throws {
        let draw = try HeldOutInputs(Exercises.convolutionActivations.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let name = draw.pick(["mnist-gap", "mnist-fc"], "model")
        let expected = try Exercises.convolutionActivations.reference(try Fixtures.model(name), images)
        let received = try Graded.convolutionActivations(of: try Fixtures.model(name), for: images)
        guard draw.checkEqual(received.map(\.layer), expected.map(\.layer), "the convolutions' names, in order") else { return }
        for (mine, theirs) in zip(received, expected) { draw.check(mine.activations, theirs.activations, "the output of \(theirs.layer)") }
    }

    @Test("Exercise 1.4: held-out images")
    func confidence() throws {
        let draw = try HeldOutInputs(Exercises.confidence.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...6))
        let name = draw.pick(["mnist-gap", "mnist-fc"], "model")
        let expected = try Exercises.confidence.reference(try Fixtures.model(name), images)
        let received = try Graded.confidence(of: try Fixtures.model(name), for: images)
        guard draw.checkEqual(received.map(\.predicted), expected.map(\.predicted), "the predicted classes") else { return }
        draw.check(received.map(\.probability), expected.map(\.probability), "the probabilities", tolerance: 1e-5)
    }
}
#endif
