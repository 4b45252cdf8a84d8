#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions
import LargeScaleEmbedding
#endif
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport
// The reference engine's own tests: the full edition only (the student edition has no Solutions/).
#if canImport(EmbeddingsSolutions)

/// The reference t-SNE of lesson 09 against scikit-learn's `TSNE(method="exact")` (not graded: no
/// student code runs here; solutions mode only, as it takes a few seconds).
@Suite("Lesson 09 reference agrees with scikit-learn")
struct EmbeddingsSklearnTests {
    #if canImport(EmbeddingsSolutions)
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
    #endif

    #if canImport(EmbeddingsSolutions)
    @Test("exact and Barnes-Hut t-SNE of 2,000 test digits: trustworthiness (k = 5) within 0.01 of scikit-learn's", .enabled(if: checksReferenceFigures))
    func tsneOf2000() throws {
        let fixture = try BarnesHutFixture.load()
        let (images, _) = try Fixtures.mnistImages(Array(0..<2000))
        let data = try Matrix(images.reshaped([2000, 784]))
        let settings = TSNESettings(perplexity: 30, iterations: 1000)
        for (name, expected) in [("Barnes-Hut", fixture.bh_2000_trust_5), ("exact", fixture.exact_2000_trust_5)] {
            let start = Date()
            let embedding = name == "exact" ? try tsne(data, settings: settings).embedding : try barnesHutTSNE(data, settings: settings).embedding
            let seconds = Date().timeIntervalSince(start)
            let trust = try largeScaleTrustworthiness(high: data, low: embedding, neighbours: 5)
            if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil {
                print(String(format: "%@ t-SNE 2,000 digits: T(5) %.4f (sklearn %.4f), %.1f s", name, trust, expected, seconds))
            }
            #expect(abs(trust - expected) <= 0.01, "\(name) T(5): ours \(trust), scikit-learn (\(fixture.library)) \(expected)")
        }
    }
    #endif
}

extension EmbeddingsSklearnTests {
    #if canImport(EmbeddingsSolutions)
    @Test("UMAP of 2,000 test digits: trustworthiness (k = 5) within 0.01 of umap-learn's", .enabled(if: checksReferenceFigures))
    func umapOf2000() throws {
        let fixture = try UMAPFixture.load()
        let (images, _) = try Fixtures.mnistImages(Array(0..<2000))
        let data = try Matrix(images.reshaped([2000, 784]))
        let start = Date()
        let embedding = try umap(data, principalComponents: { try fastPCA($0, components: 2).projection })
        let seconds = Date().timeIntervalSince(start)
        let trust = try largeScaleTrustworthiness(high: data, low: embedding, neighbours: 5)
        if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil {
            print(String(format: "UMAP 2,000 digits: T(5) %.4f (umap-learn %.4f), %.1f s (umap-learn %.1f s)", trust, fixture.umap_2000_trust_5, seconds, fixture.umap_2000_seconds))
        }
        #expect(abs(trust - fixture.umap_2000_trust_5) <= 0.01, "T(5): ours \(trust), umap-learn (\(fixture.library)) \(fixture.umap_2000_trust_5)")
    }
    #endif
}

/// `Fixtures/barnes-hut-sklearn.json`, written by `make_barnes_hut_fixture.py` beside it.
struct BarnesHutFixture: Decodable {
    let library: String
    let bh_joint: [Double], bh_y: [Double]
    let bh_kl_0: Double, bh_grad_0: [Double], bh_kl_5: Double, bh_grad_5: [Double]
    let bh_2000_trust_5: Double, bh_2000_kl: Double, bh_2000_seconds: Double
    let exact_2000_trust_5: Double, exact_2000_kl: Double, exact_2000_seconds: Double

    static let shared: Result<BarnesHutFixture, Error> = Result {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/barnes-hut-sklearn.json")
        return try JSONDecoder().decode(BarnesHutFixture.self, from: Data(contentsOf: url))
    }
    static func load() throws -> BarnesHutFixture { try shared.get() }
}
#endif
