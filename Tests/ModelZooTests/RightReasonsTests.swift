import Foundation
@testable import ModelZoo
import Testing
import TensorEngine
import TestSupport
/// The stretch of lesson 10 — right for the right reasons — is library code (ModelZoo), not an exercise:
/// its second-order path is checked here against central differences of the penalty itself.
@Suite("Lesson 10 — right for the right reasons (ModelZoo)")
struct RightReasonsTests {
    /// A smooth network (tanh) on 4×4 images, so the penalty is differentiable everywhere.
    static func smoothNetwork() throws -> Sequential {
        var g = SeededGenerator(seed: 17)
        let model = Sequential(named: [("flatten", Flatten()), ("fc1", Linear(16, 6, generator: &g)), ("tanh", Tanh()), ("fc2", Linear(6, 3, generator: &g))])
        model.eval()
        return model
    }
    static var images: Tensor { var g = SeededGenerator(seed: 5); return Tensor.randomUniform([4, 1, 4, 4], using: &g) }
    /// The left two columns of every image: the region the model must not use.
    static var regions: Tensor { tensor((0..<64).map { Float($0 % 4 < 2 ? 1 : 0) }, [4, 1, 4, 4]) }

    @Test("the penalty's weight gradient (mixed partials + a central difference in the input) equals central differences of R in the weights")
    func secondOrderGradientCheck() throws {
        let model = try Self.smoothNetwork(), images = Self.images, regions = Self.regions
        model.zeroGrad()
        let mean = try accumulatePenaltyGradient(of: model, images: images, regions: regions, weight: 1, perturbation: 1e-3)
        #expect(mean > 1e-4, "a penalty to differentiate: \(mean)")
        // Float central differences of R/N in 8 coordinates of each weight matrix. Step 1e-2: R is
        // smooth (tanh), its third derivative O(1), so truncation ≈ 1e-5; rounding ≈ 1e-7·R/h ≈ 1e-5.
        var worst: Float = 0, scale: Float = 0
        for name in ["fc1.weight", "fc2.weight", "fc1.bias"] {
            let parameter = try #require(model.namedParameters().first { $0.name == name }?.tensor)
            let analytic = try #require(parameter.grad).data
            for index in stride(from: 0, to: parameter.count, by: max(1, parameter.count / 8)) {
                let original = parameter.data
                func penalty(at value: Float) throws -> Float {
                    var changed = original; changed[index] = value
                    try parameter.assign(changed)
                    return try inputGradientPenalty(of: model, images: images, regions: regions).penalty / 4
                }
                let h: Float = 1e-2
                let numeric = (try penalty(at: original[index] + h) - penalty(at: original[index] - h)) / (2 * h)
                try parameter.assign(original)
                worst = max(worst, abs(numeric - analytic[index])); scale = max(scale, abs(numeric))
                #expect(abs(numeric - analytic[index]) <= 2e-5 + 1e-2 * abs(numeric), "\(name)[\(index)]: received \(analytic[index]) expected \(numeric)")
            }
        }
        #expect(scale > 1e-3, "the check must see non-zero gradients: largest \(scale)")
        #expect(worst <= 1e-2 * scale, "largest difference \(worst) of gradients up to \(scale)")
    }

    @Test("the penalty is zero outside the region and its input gradient is the model's")
    func penaltyBasics() throws {
        let model = try Self.smoothNetwork(), images = Self.images
        let none = try inputGradientPenalty(of: model, images: images, regions: Tensor.zeros(images.shape))
        #expect(none.penalty == 0)
        let all = try inputGradientPenalty(of: model, images: images, regions: tensor([Float](repeating: 1, count: 64), [4, 1, 4, 4]))
        #expect(abs(all.penalty - all.inputGradient.data.reduce(0) { $0 + $1 * $1 }) < 1e-5 * max(1, all.penalty))
        // No weight receives a gradient from computing the penalty alone.
        model.zeroGrad()
        _ = try inputGradientPenalty(of: model, images: images, regions: Self.regions)
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "the penalty's own backward pass goes to the input only")
        #expect(throws: (any Error).self) { try inputGradientPenalty(of: model, images: images, regions: Tensor.zeros([4, 1, 4, 3])) }
    }

    @Test("Decoy MNIST regions: 16 pixels in the image's corner")
    func regions() throws {
        let r = try decoyRegions(corners: [0, 3])
        #expect(r.shape == [2, 1, 28, 28])
        #expect(r.data[0..<784].reduce(0, +) == 16 && r.data[0] == 1 && r.data[3 * 28 + 3] == 1 && r.data[4 * 28] == 0)
        #expect(r.data[784 + 27 * 28 + 27] == 1 && r.data[784] == 0)
    }
}
