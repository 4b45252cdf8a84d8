// Held-out inputs for lesson 03 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(OcclusionSolutions)
import Course
import LessonSupport
import OcclusionSolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 03 — held-out inputs", .graded(Exercises.lesson))
struct OcclusionHeldOutTests {
    @Test("Exercise 3.1: a held-out image size, window and stride")
    func occlusionWindows() throws {
        let draw = try HeldOutInputs(Exercises.occlusionWindows.number)
        let height = draw.int(in: 4...40, "height"), width = draw.int(in: 4...40, "width")
        let window = draw.int(in: 1...min(height, width), "window"), stride = draw.int(in: 1...6, "stride")
        let expected = try Exercises.occlusionWindows.reference(height, width, window, stride)
        let received = try Graded.occlusionWindows(height: height, width: width, window: window, stride: stride)
        func flat(_ windows: [(rows: Range<Int>, columns: Range<Int>)]) -> [[Int]] {
            windows.map { [$0.rows.lowerBound, $0.rows.upperBound, $0.columns.lowerBound, $0.columns.upperBound] }
        }
        draw.checkEqual(flat(received), flat(expected), "the windows (rows and columns, in order)")
    }

    @Test("Exercise 3.2: held-out images, classes, window, stride, baseline and batch size")
    func occlusion() throws {
        let draw = try HeldOutInputs(Exercises.occlusion.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...2))
        let targets = draw.classes(images.shape[0])
        let window = draw.int(in: 3...9, "window"), stride = draw.int(in: 2...5, "stride")
        let baseline = draw.pick([0, -0.5, 0.5], "baseline") as Float, batchSize = draw.int(in: 1...70, "batch size")
        let expected = try Exercises.occlusion.reference(try Fixtures.model("mnist-gap"), images, targets, window, stride, baseline, batchSize)
        let received = try Graded.occlusion(of: try Fixtures.model("mnist-gap"), images: images, targets: targets, window: window, stride: stride,
                                            baseline: baseline, batchSize: batchSize)
        draw.check(received, expected, "the occlusion map")
    }
}
#endif
