#if canImport(FeatureVisualizationSolutions)
import FeatureVisualizationSolutions
#endif
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport
// The reference engine's own tests: the full edition only (the student edition has no Solutions/).
#if canImport(FeatureVisualizationSolutions)

/// What `Fixtures/make_pytorch_fixture.py` computed in PyTorch (torch.roll, reflect-padded conv2d,
/// bilinear interpolate, autograd) on the shipped mnist-gap.
struct VisualizeFixture: Decodable {
    struct Array: Decodable { let shape: [Int]; let data: [Float] }
    let library: String
    let ascent_images: Array, ascent_objectives: Array, tv: Array, blur: Array, dream: Array, channel_guided: Array
    let offsets: [[Int]]

    static func load() throws -> VisualizeFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/visualize-pytorch.json")
        return try JSONDecoder().decode(VisualizeFixture.self, from: Data(contentsOf: url))
    }
}

/// The reference engine of lesson 08 against PyTorch (not graded: no student code runs here).
@Suite("Lesson 08 reference agrees with PyTorch")
struct FeatureVisualizationPyTorchTests {
    let fixture: VisualizeFixture
    init() throws { fixture = try VisualizeFixture.load() }

    func agreement(_ what: String, _ received: [Float], _ expected: VisualizeFixture.Array, relative: Float) {
        reportAgreement(what, received, expected.data)
        let scale = max(expected.data.map { abs($0) }.max() ?? 0, 1e-12)
        if let problem = firstDifference(received, expected.data, tolerance: relative * scale) {
            Issue.record(Comment(rawValue: "\(what) differs from PyTorch (\(fixture.library)): \(problem)"))
        }
    }

    @Test("the jitter offsets are the same random numbers")
    func offsets() {
        let mine = AscentSettings(steps: 6, jitter: 1).jitterOffsets(seed: 5).map { [$0.dy, $0.dx] }
        #expect(mine == fixture.offsets)
    }

    @Test("30 regularised ascent steps of classes 2 and 7")
    func ascent() throws {
        let model = try Fixtures.model("mnist-gap")
        let result = try classImages(of: model, targets: [2, 7], settings: AscentSettings(steps: 30), seed: 5)
        // 30 steps through clamps and blurs: Float rounding grows step by step; 1e-4 of the range.
        agreement("ascent images", result.images.data, fixture.ascent_images, relative: 1e-4)
        agreement("ascent objectives", result.objectives, fixture.ascent_objectives, relative: 1e-5)
    }

    @Test("total variation, blur, DeepDream and channel guided backprop")
    func pieces() throws {
        let model = try Fixtures.model("mnist-gap")
        agreement("TV of digits 0–2", try totalVariation(try Fixtures.mnistImages([0, 1, 2]).images).data, fixture.tv, relative: 1e-6)
        agreement("blur σ 1 of digit 7", try gaussianBlur(try Fixtures.mnistImages([7]).images, sigma: 1).data, fixture.blur, relative: 1e-6)
        let zero = try Fixtures.mnistImages([0]).images
        let settings = DreamSettings(octaves: 2, octaveScale: 1.4, steps: 3, stepSize: 0.02, jitter: 1)
        agreement("DeepDream at relu2", try deepDream(of: model, image: zero, layer: "relu2", settings: settings, seed: 3).data, fixture.dream, relative: 1e-4)
        agreement("guided backprop from conv3 channel 27", try channelGuidedBackprop(of: model, images: zero, layer: "conv3", channel: 27).data,
                  fixture.channel_guided, relative: 1e-5)
    }
}
#endif
