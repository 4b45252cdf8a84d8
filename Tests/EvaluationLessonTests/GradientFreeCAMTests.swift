import Foundation
#if canImport(EvaluationSolutions)
import EvaluationSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// The network of lesson 05's hand-checked Grad-CAM, for x = [[1, 2], [3, 4]]:
///
///     conv 1×1, weight [1, −1], bias [0, 2.5] → relu:  R₁ = [1, 2, 3, 4],  R₂ = [1.5, 0.5, 0, 0]
///     gap → fc (no bias), weight [[1, 2], [−1, 1]]:      y₀ = mean R₁ + 2·mean R₂ = 2.5 + 1 = 3.5
///
/// Ablation-CAM for class 0 at relu: zeroing R₁ leaves y₀ = 1, zeroing R₂ leaves 2.5, so
/// w = [(3.5 − 1)/3.5, (3.5 − 2.5)/3.5] = [2.5, 1]/3.5 and the map is (2.5·R₁ + R₂)/3.5 = [4, 5.5, 7.5, 10]/3.5.
func handSetNetwork() throws -> Sequential { try handSetGAPNetwork() }

/// The fixture written by Fixtures/make_cam_fixture.py with pytorch-grad-cam 1.5.7:
///
///     python3 Tests/EvaluationLessonTests/Fixtures/make_cam_fixture.py
///
/// AblationCAM / ScoreCAM(model, target_layers=[model.relu3]) on the shipped mnist-gap, for MNIST
/// test images `indices` and `ClassifierOutputTarget(targets[n])`: `*_weights` `[N, 64]` from
/// `get_cam_weights`, `*_raw` ReLU(Σₖ wₖAₖ) `[N, 1, 7, 7]`.
struct CAMFixture: Decodable {
    struct Array: Decodable { let shape: [Int]; let data: [Float] }
    let library: String
    let indices: [Int]
    let targets: [Int]
    let ablationcam_weights: Array, ablationcam_raw: Array
    let scorecam_weights: Array, scorecam_raw: Array

    static func load() throws -> CAMFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cams-pytorch-grad-cam.json")
        return try JSONDecoder().decode(CAMFixture.self, from: Data(contentsOf: url))
    }
}

/// Whether `received` agrees with `expected` within `relative` of the expected maximum magnitude.
func agreesRelative(_ received: [Float], _ expected: [Float], relative: Float = 1e-5) -> Bool {
    let scale = max(expected.map { abs($0) }.max() ?? 0, 1e-12)
    return agree(received, expected, tolerance: relative * scale)
}

@Suite("Lesson 10 — gradient-free CAMs", .graded(Exercises.lesson))
struct GradientFreeCAMTests {
    @Test("Exercise 10.4: Ablation-CAM of a hand-set network")
    func ablationByHand() throws {
        let map = try Graded.ablationCAM(of: try handSetNetwork(), images: tensor([1, 2, 3, 4], [1, 1, 2, 2]), targets: [0], layer: "relu")
        let expected: [Float] = [4, 5.5, 7.5, 10].map { $0 / 3.5 }
        #expect(map.shape == [1, 1, 2, 2], "one map per image at the layer's resolution: [1, 1, 2, 2]; received \(map.shape)")
        let hint = agree(map.data, [2.5 * 1 + 0.4 * 1.5, 2.5 * 2 + 0.4 * 0.5, 7.5, 10], tolerance: 1e-4)
            ? "\n  hint: divide the drop by the ORIGINAL score yᶜ, not the ablated one" : ""
        #expect(agree(map.data, expected, tolerance: 1e-5), "w = [2.5, 1]/3.5: \(brief(expected)); received \(brief(map.data))\(hint)")
    }

    /// Runs `method` on the fixture's images and expects its maps within 1e-5 relative of `expected`.
    /// `hints`, given the model, images and targets: the usual wrong maps with their hints; a hint
    /// is shown only when the map is that one.
    func expectAgreement(_ name: String, _ method: (Module, Tensor, [Int]) throws -> Tensor,
                         _ expected: (CAMFixture) -> CAMFixture.Array,
                         hints: ((Module, Tensor, [Int]) throws -> RecordedHintVariants.Variants)? = nil) throws {
        let fixture = try CAMFixture.load()
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let model = try Fixtures.model("mnist-gap")
        let map = try method(model, images, fixture.targets), reference = expected(fixture)
        #expect(map.shape == reference.shape, "shape \(reference.shape); received \(map.shape)")
        let agrees = agreesRelative(map.data, reference.data)
        if !agrees {
            let hint = try hints?(model, images, fixture.targets).first { agreesRelative(map.data, $0.values) }.map { "\n  hint: \($0.hint)" } ?? ""
            Issue.record(Comment(rawValue: "\(name) differs from \(fixture.library): \(describeDifference(map.data, reference.data, tolerance: 1e-5 * (reference.data.max() ?? 1)))\(hint)"))
        }
    }

    @Test("Exercise 10.4: Ablation-CAM agrees with pytorch-grad-cam 1.5.7 on mnist-gap (1e-5 relative)")
    func ablationAgreesWithPyTorch() throws {
        try expectAgreement("Ablation-CAM", { try Graded.ablationCAM(of: $0, images: $1, targets: $2) }, \.ablationcam_raw)
    }

    @Test("Exercise 10.5: Score-CAM agrees with pytorch-grad-cam 1.5.7 on mnist-gap (1e-5 relative)")
    func scoreAgreesWithPyTorch() throws {
        try expectAgreement("Score-CAM", { try Graded.scoreCAM(of: $0, images: $1, targets: $2) }, \.scorecam_raw,
                            hints: { try Reference.scoreCAMHintVariants(of: $0, images: $1, targets: $2, layer: "relu3") })
    }

    /// The forward passes `method` makes on mnist-gap for two images (counted by a hook on the model).
    func forwardPasses(_ method: (Module, Tensor, [Int]) throws -> Tensor) throws -> Int {
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages([0, 1])
        var calls = 0
        let hook = model.registerForwardHook { _, _, _ in calls += 1 }
        defer { hook.remove() }
        _ = try method(model, images, [7, 2])
        return calls
    }

    @Test("Exercise 10.4: batched — the K ablated copies of an image in one forward pass (at most N + 2 passes for N images)")
    func ablationBatched() throws {
        let calls = try forwardPasses { try Graded.ablationCAM(of: $0, images: $1, targets: $2) }
        #expect(calls <= 4, "\(calls) forward passes for 2 images at relu3 (64 channels): batch the 64 ablated copies of an image into one pass, not one pass per channel")
    }

    @Test("Exercise 10.5: batched — the K masked copies of an image in one forward pass (at most N + 2 passes for N images)")
    func scoreBatched() throws {
        let calls = try forwardPasses { try Graded.scoreCAM(of: $0, images: $1, targets: $2) }
        #expect(calls <= 4, "\(calls) forward passes for 2 images at relu3 (64 channels): batch the 64 masked copies of an image into one pass, not one pass per channel")
    }

    @Test("Exercise 10.5: Score-CAM of a network whose one channel is the whole evidence")
    func scoreByHand() throws {
        // At relu of the hand-set network, class 0: both channels' masks are min-max scaled copies
        // of R₁ and R₂ upsampled 2×2 → 2×2 (identity): M₁ = (R₁ − 1)/3 = [0, 1/3, 2/3, 1], M₂ = R₂/1.5 = [1, 1/3, 0, 0].
        // x ⊙ M₁ = [0, 2/3, 2, 4] → R₁ = same, R₂ = ReLU(2.5 − ·) = [2.5, 11/6, 0.5, 0]: y₀ = 6.6667/4 + 2·4.8333/4.
        // x ⊙ M₂ = [1, 2/3, 0, 0] → R₁ = same, R₂ = [1.5, 11/6, 2.5, 2.5]: y₀ = 1.6667/4 + 2·8.3333/4.
        // y₀ = 49/12 ≈ 4.0833 and 55/12 ≈ 4.5833; softmax weights w = [0.377541, 0.622459];
        // ReLU(w₁R₁ + w₂R₂) = [1.311230, 1.066311, 1.132622, 1.510163].
        let expected: [Float] = [1.3112297, 1.0663110, 1.1326220, 1.5101627]
        let map = try Graded.scoreCAM(of: try handSetNetwork(), images: tensor([1, 2, 3, 4], [1, 1, 2, 2]), targets: [0], layer: "relu")
        #expect(map.shape == [1, 1, 2, 2] && agree(map.data, expected, tolerance: 1e-5),
                "softmax([49/12, 55/12]) weights [0.3775, 0.6225]: \(brief(expected)); received \(map.shape) \(brief(map.data))")
    }
}
