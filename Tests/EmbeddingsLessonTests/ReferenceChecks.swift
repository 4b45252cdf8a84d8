// Independent checks of the reference itself (full edition only: they spell out what the graders
// compare with, so the student edition leaves this file out). The graders compare a student's
// answers with the reference; these tests are why the reference can be trusted.

#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions
import LessonSupport
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 09 — the reference against independent derivations (full edition)")
struct EmbeddingsReferenceChecks {
    @Test("9.1's reference: a layer's features are its output of one forward pass, flattened in PyTorch's order")
    func featuresAreOneForwardPass() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(Array(0..<7))
        for layer in ["conv3", "gap"] {
            var captured: Tensor?
            let handle = try model.module(named: layer).registerForwardHook { _, _, output in captured = output }
            _ = try withNoGrad { try model(images) }
            handle.remove()
            let expected = try #require(captured)
            for batchSize in [7, 3] {
                let reference = try Reference.features(of: model, at: layer, for: images, batchSize: batchSize)
                #expect(reference.shape == [7, expected.count / 7])
                #expect(firstDifference(reference.data, expected.data, tolerance: 1e-5) == nil,
                        "\(layer), batches of \(batchSize): \(describeDifference(reference.data, expected.data, tolerance: 1e-5))")
            }
        }
    }
}
#endif
