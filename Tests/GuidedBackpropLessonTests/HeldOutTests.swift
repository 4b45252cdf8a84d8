// Held-out inputs for lesson 06 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(GuidedBackpropSolutions)
import Course
import LessonSupport
import GuidedBackpropSolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 06 — held-out inputs", .graded(Exercises.lesson))
struct GuidedBackpropHeldOutTests {
    /// Each side gets its own fresh copy of the model, so nothing one leaves on it reaches the other.
    static func model() throws -> Module { try Fixtures.model("mnist-gap") }

    @Test("Exercise 6.1: held-out images and classes")
    func guidedBackprop() throws {
        let draw = try HeldOutInputs(Exercises.guidedBackprop.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 2...4))
        let targets = draw.classes(images.shape[0])
        let expected = try Exercises.guidedBackprop.reference(try Self.model(), images, targets)
        draw.check(try Graded.guidedBackprop(of: try Self.model(), images: images, targets: targets), expected, "the guided backpropagation map")
    }

    @Test("Exercise 6.2: held-out images and classes")
    func deconvnet() throws {
        let draw = try HeldOutInputs(Exercises.deconvnet.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 2...4))
        let targets = draw.classes(images.shape[0])
        let expected = try Exercises.deconvnet.reference(try Self.model(), images, targets)
        draw.check(try Graded.deconvnet(of: try Self.model(), images: images, targets: targets), expected, "the deconvnet map")
    }

    @Test("Exercise 6.3: held-out images, classes and layer")
    func guidedGradCAM() throws {
        let draw = try HeldOutInputs(Exercises.guidedGradCAM.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 2...3))
        let targets = draw.classes(images.shape[0])
        let layer = draw.pick(["relu2", "relu3"], "layer")
        let expected = try Exercises.guidedGradCAM.reference(try Self.model(), images, targets, layer)
        draw.check(try Graded.guidedGradCAM(of: try Self.model(), images: images, targets: targets, layer: layer), expected, "Guided Grad-CAM at \(layer)")
    }

    @Test("Exercise 6.4: held-out values, with ties")
    func rankCorrelation() throws {
        let draw = try HeldOutInputs(Exercises.rankCorrelation.number)
        let count = draw.int(in: 5...60, "length")
        // Rounded to one decimal, so some values tie (ties share the mean of their ranks).
        let a = draw.uniform([count], "a, rounded to 0.1").data.map { ($0 * 10).rounded() / 10 }
        let b = draw.uniform([count], "b").data
        let expected = try Exercises.rankCorrelation.reference(a, b)
        draw.check([try Graded.rankCorrelation(a, b)], [expected], "Spearman's ρ", tolerance: 1e-6)
    }
}
#endif
