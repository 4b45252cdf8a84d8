// Independent checks of the reference itself (full edition only: they spell out what the graders
// compare with, so the student edition leaves this file out). The graders compare a student's
// answers with the reference; these tests are why the reference can be trusted.

#if canImport(GradCAMSolutions)
import Course
import GradCAMSolutions
import LessonSupport
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 05 — the reference against independent derivations (full edition)")
struct GradCAMReferenceChecks {
    @Test("at relu3 of mnist-gap, the reference's Grad-CAM is ReLU(Σₖ w_ck Aₖ) / 49 for every class, computed in Double")
    func gradCAMEqualsCAM() throws {
        let model = try Fixtures.model("mnist-gap")
        let indices = FigureContext.goldenIndices
        let images = try repeatedImages(indices, times: 10)
        let targets = indices.flatMap { _ in Array(0..<10) }
        let reference = try Reference.gradCAM(of: model, images: images, targets: targets, layer: "relu3")
        var relu3: Tensor?
        let handle = try model.module(named: "relu3").registerForwardHook { _, _, output in relu3 = output }
        _ = try withNoGrad { try model(images) }
        handle.remove()
        let a = try relu3.orThrow()
        let w = try model.module(named: "fc").namedParameters().first { $0.name == "weight" }.orThrow("fc.weight").tensor
        var expected = [Float](repeating: 0, count: images.shape[0] * 49)
        for m in 0..<images.shape[0] {
            for p in 0..<49 {
                var cam = 0.0
                for k in 0..<64 { cam += Double(w.data[targets[m] * 64 + k]) * Double(a.data[(m * 64 + k) * 49 + p]) }
                expected[m * 49 + p] = Float(max(cam, 0) / 49)
            }
        }
        #expect(reference.shape == [images.shape[0], 1, 7, 7])
        #expect(maxAbsoluteDifference(reference.data, expected) <= 1e-5 * max(1, expected.max() ?? 0),
                "\(describeDifference(reference.data, expected, tolerance: 1e-5))")
    }
}
#endif
