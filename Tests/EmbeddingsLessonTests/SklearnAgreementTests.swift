import EmbeddingsSolutions
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// The reference t-SNE of lesson 09 against scikit-learn's `TSNE(method="exact")` (not graded: no
/// student code runs here; solutions mode only, as it takes a few seconds).
@Suite("Lesson 09 reference agrees with scikit-learn")
struct EmbeddingsSklearnTests {
    @Test("exact t-SNE of 500 test digits: trustworthiness (k = 5) within 0.01 of scikit-learn's", .enabled(if: checksReferenceFigures))
    func tsneTrustworthiness() throws {
        let fixture = try SklearnFixture.load()
        let (images, _) = try Fixtures.mnistImages(Array(0..<500))
        let data = try Matrix(images.reshaped([500, 784]))
        let start = Date()
        let result = try tsne(data, settings: TSNESettings(perplexity: 30, iterations: 1000))
        let seconds = Date().timeIntervalSince(start)
        let trust = try trustworthiness(high: data, low: result.embedding, neighbours: 5)
        let kl = result.kl.last?.value ?? .nan
        if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil {
            print(String(format: "t-SNE 500 digits: T(5) %.4f (sklearn %.4f), KL %.4f (sklearn %.4f), %.2f s (sklearn %.2f s), %d iterations",
                         trust, fixture.tsne_trust_5, kl, fixture.tsne_kl, seconds, fixture.tsne_seconds, result.iterations))
        }
        #expect(abs(trust - fixture.tsne_trust_5) <= 0.01, "T(5): ours \(trust), scikit-learn (\(fixture.library)) \(fixture.tsne_trust_5)")
        #expect(abs(kl - fixture.tsne_kl) <= 0.05, "final KL: ours \(kl), scikit-learn \(fixture.tsne_kl)")
    }
}
