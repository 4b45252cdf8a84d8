// Correct implementations of Lesson 02 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum SaliencyVariants {
    /// 2.1 — the gradient read by a gradient hook on the input instead of `.grad`, seeded by the
    /// sum of the gathered target logits (the same vector as a one-hot seed).
    public static let saliency: [Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>.Mistake] = [
        .init(id: "input-gradient-hook", summary: "a gradient hook on the input, backward from Σₙ yₙ[cₙ]") { model, images, targets in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "saliency", message: "one target per image of [N, C, H, W] images")
            }
            let x = images.detached()
            x.requiresGrad = true
            var captured: Tensor?
            let hook = x.registerGradientHook { g in captured = g; return nil }
            defer { hook.remove(); model.zeroGrad() }
            let logits = try model(x)
            guard targets.allSatisfy({ (0..<logits.shape[1]).contains($0) }) else {
                throw TensorError.invalidArgument(operation: "saliency", message: "a target outside 0..<\(logits.shape[1])")
            }
            try logits.gathered(indices: targets).sum().backward()
            return try captured.orThrow("no gradient reached the input")
        },
    ]

    /// 2.2 — explicit loops over the numbers, no engine op.
    public static let saliencyMagnitude: [Exercise<@Sendable (Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "loops", summary: "max over channels of |g| by loops over the data") { gradient in
            guard gradient.rank == 4 else {
                throw TensorError.invalidArgument(operation: "saliencyMagnitude", message: "expected [N, C, H, W], got \(gradient.shape)")
            }
            let (n, c, area) = (gradient.shape[0], gradient.shape[1], gradient.shape[2] * gradient.shape[3])
            var out = [Float](repeating: 0, count: n * area)
            for i in 0..<n {
                for p in 0..<area {
                    var largest: Float = 0
                    for k in 0..<c { largest = max(largest, abs(gradient.data[(i * c + k) * area + p])) }
                    out[i * area + p] = largest
                }
            }
            return try Tensor(shape: [n, 1, gradient.shape[2], gradient.shape[3]], data: out)
        },
    ]
}
