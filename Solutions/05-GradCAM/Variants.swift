// Correct implementations of Lesson 05 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum GradCAMVariants {
    /// 5.2 — the weights and the weighted sum by loops over the numbers, in Double.
    public static let gradCAM: [Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>.Mistake] = [
        .init(id: "loops-in-double", summary: "αₖ and ReLU(Σₖ αₖ Aₖ) by loops, accumulated in Double") { model, images, targets, layer in
            let (a, g) = try GradCAMSolutions.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
            let (n, k, area) = (a.shape[0], a.shape[1], a.shape[2] * a.shape[3])
            var out = [Float](repeating: 0, count: n * area)
            for i in 0..<n {
                var map = [Double](repeating: 0, count: area)
                for channel in 0..<k {
                    let base = (i * k + channel) * area
                    var alpha = 0.0
                    for p in 0..<area { alpha += Double(g.data[base + p]) }
                    alpha /= Double(area)
                    for p in 0..<area { map[p] += alpha * Double(a.data[base + p]) }
                }
                for p in 0..<area { out[i * area + p] = Float(max(map[p], 0)) }
            }
            return try Tensor(shape: [n, 1, a.shape[2], a.shape[3]], data: out)
        },
    ]

    /// 5.1 — a gradient hook on the layer's output tensor, registered by the forward hook, instead
    /// of a backward hook on the module; the backward pass from Σₙ yₙ[cₙ] (the same vector as the
    /// one-hot seed).
    public static let activationsAndGradients: [Exercise<@Sendable (Module, String, Tensor, [Int]) throws -> (activations: Tensor, gradients: Tensor)>.Mistake] = [
        .init(id: "tensor-gradient-hook", summary: "the output tensor's gradient hook, backward from the summed target logits") { model, layer, images, targets in
            let module = try model.module(named: layer)
            var activations: Tensor?, gradients: Tensor?
            var tensorHook: HookHandle?
            let handle = module.registerForwardHook { _, _, output in
                activations = output
                tensorHook = output.registerGradientHook { g in gradients = g; return nil }
            }
            defer { handle.remove(); tensorHook?.remove(); model.zeroGrad() }
            let logits = try model(images)
            guard logits.rank == 2, targets.count == logits.shape[0] else {
                throw TensorError.shapeMismatch(operation: "Grad-CAM", lhs: [targets.count], rhs: logits.shape, detail: "one target per image")
            }
            try logits.gathered(indices: targets).sum().backward()
            guard let a = activations, a.rank == 4 else {
                throw TensorError.invalidArgument(operation: "Grad-CAM", message: "'\(layer)' gives no feature maps [N, K, h, w]")
            }
            return (a, try gradients.orThrow("no gradient reached '\(layer)'"))
        },
    ]

    /// 5.3 — the normalisation with tensor ops on `[maps, h·w]` rows: per-row min and max that
    /// broadcast, instead of a loop over the planes.
    public static let upsampledAndNormalized: [Exercise<@Sendable (Tensor, Int, Int) throws -> Tensor>.Mistake] = [
        .init(id: "row-reductions", summary: "min and max per row of a [maps, h·w] view, broadcast") { maps, height, width in
            try withNoGrad {
                let up = try maps.resizedBilinear(height: height, width: width)
                let rows = try up.reshaped([up.count / (height * width), height * width])
                let low = try rows.min(axis: 1, keepDims: true), high = try rows.max(axis: 1, keepDims: true)
                return try ((rows - low) / ((high - low) + 1e-7)).reshaped(up.shape)
            }
        },
    ]

    /// 5.4 — the closed form with whole-tensor arithmetic (no loops, no special case for g = 0:
    /// there g² = 0 already makes aᵢⱼ = 0 / 1e-6 = 0).
    public static let gradCAMPlusPlus: [Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>.Mistake] = [
        .init(id: "tensor-arithmetic", summary: "α, w and the map as tensor expressions") { model, images, targets, layer in
            let (a, g) = try GradCAMSolutions.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
            return try withNoGrad {
                let s = try a.sum(axes: [2, 3], keepDims: true)
                let g2 = try g * g
                let alpha = try g2 / (try 2 * g2 + s * g2 * g + 1e-6)
                let weights = try (alpha * g.relu()).sum(axes: [2, 3], keepDims: true)
                return try (weights * a).sum(axes: [1], keepDims: true).relu()
            }
        },
    ]
}
