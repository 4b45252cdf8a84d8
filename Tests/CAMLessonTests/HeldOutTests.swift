// Held-out inputs for lesson 04 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(CAMSolutions)
import Course
import LessonSupport
import CAMSolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 04 — held-out inputs", .graded(Exercises.lesson))
struct CAMHeldOutTests {
    @Test("Exercise 4.1: held-out images and classes")
    func classActivationMap() throws {
        let draw = try HeldOutInputs(Exercises.classActivationMap.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let targets = draw.classes(images.shape[0])
        let expected = try Exercises.classActivationMap.reference(try Fixtures.model("mnist-gap"), images, targets, "relu3", "fc")
        draw.check(try Graded.classActivationMap(of: try Fixtures.model("mnist-gap"), images: images, targets: targets), expected, "the class activation maps")
    }

    @Test("Exercise 4.2: held-out maps and sizes")
    func upsampleBilinear() throws {
        let draw = try HeldOutInputs(Exercises.upsampleBilinear.number)
        let shape = [draw.int(in: 1...3), draw.int(in: 1...2), draw.int(in: 2...9), draw.int(in: 2...9)]
        let maps = draw.uniform(shape, "maps")
        let (height, width) = (draw.int(in: 2...40, "height"), draw.int(in: 2...40, "width"))
        let expected = try Exercises.upsampleBilinear.reference(maps, height, width)
        draw.check(try Graded.upsampleBilinear(maps, height: height, width: width), expected, "the upsampled maps")
    }

    @Test("Exercise 4.3: held-out maps")
    func normalizedMaps() throws {
        let draw = try HeldOutInputs(Exercises.normalizedMaps.number)
        let shape = [draw.int(in: 2...3), 1, draw.int(in: 2...12), draw.int(in: 2...12)]
        let maps = draw.uniform(shape, low: -2, high: 3, "maps")
        let expected = try Exercises.normalizedMaps.reference(maps)
        draw.check(try Graded.normalizedMaps(maps), expected, "the normalised maps")
    }
}
#endif
