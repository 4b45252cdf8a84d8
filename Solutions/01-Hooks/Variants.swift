// Correct implementations of Lesson 01 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it), so a student is graded on what an
// exercise asks, not on how the reference computes it. Never shown to students.

import LessonSupport
import TensorEngine

public enum HooksVariants {
    /// 1.1 — the hook copies the output into a fresh tensor; removed by its handle in a `defer`.
    public static let activations: [Exercise<@Sendable (Module, String, Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "copies-output", summary: "a forward hook that copies the output into a new tensor") { model, layer, images in
            var copy: Tensor?
            let handle = try model.module(named: layer).registerForwardHook { _, _, output in
                copy = try Tensor(shape: output.shape, data: output.data)
            }
            defer { handle.remove() }
            _ = try withNoGrad { try model(images) }
            return try copy.orThrow("layer '\(layer)' did not run")
        },
    ]

    /// 1.2 — a gradient hook on the captured output tensor instead of a backward hook on the
    /// module; and one backward pass per image instead of one for the batch.
    public static let gradient: [Exercise<@Sendable (Module, String, Tensor, [Int]) throws -> Tensor>.Mistake] = [
        .init(id: "tensor-gradient-hook", summary: "a gradient hook on the layer's output tensor, registered in a forward hook") { model, layer, images, targets in
            var gradient: Tensor?
            var tensorHook: HookHandle?
            let handle = try model.module(named: layer).registerForwardHook { _, _, output in
                tensorHook = output.registerGradientHook { g in gradient = g; return nil }
            }
            defer { handle.remove(); tensorHook?.remove(); model.zeroGrad() }
            let logits = try model(images)
            try logits.backward(seed: try Tensor.oneHot(targets, classes: logits.shape[1]))
            return try gradient.orThrow("no gradient reached '\(layer)'")
        },
        .init(id: "image-by-image", summary: "one forward and backward pass per image, the gradients stacked") { model, layer, images, targets in
            guard targets.count == images.shape[0] else {
                throw TensorError.shapeMismatch(operation: "gradient", lhs: [targets.count], rhs: images.shape, detail: "one target per image")
            }
            var parts: [Tensor] = []
            for (n, target) in targets.enumerated() {
                var captured: Tensor?
                let handle = try model.module(named: layer).registerBackwardHook { _, _, gradOutput in captured = gradOutput }
                defer { handle.remove(); model.zeroGrad() }
                let logits = try model(try images.sliced(axis: 0, n..<(n + 1)))
                var seed = [Float](repeating: 0, count: logits.count)
                seed[target] = 1
                try logits.backward(seed: try Tensor(shape: logits.shape, data: seed))
                parts.append(try captured.orThrow("no gradient reached '\(layer)'"))
            }
            return try Tensor.concatenate(parts, axis: 0)
        },
    ]

    /// 1.3 — one hook on every module that checks the type inside the hook.
    public static let convolutionActivations: [Exercise<@Sendable (Module, Tensor) throws -> [(layer: String, activations: Tensor)]>.Mistake] = [
        .init(id: "filter-in-hook", summary: "a hook on every module, keeping Conv2d outputs inside the hook") { model, images in
            var captured: [(layer: String, activations: Tensor)] = []
            let handles = model.namedModules().map { name, module in
                module.registerForwardHook { m, _, output in if m is Conv2d { captured.append((name, output)) } }
            }
            defer { handles.forEach { $0.remove() } }
            _ = try model(images)
            return captured
        },
    ]

    /// 1.4 — the log-sum-exp form in Double, from the logits' numbers.
    public static let confidence: [Exercise<@Sendable (Module, Tensor) throws -> [(predicted: Int, probability: Float)]>.Mistake] = [
        .init(id: "log-sum-exp", summary: "softmax as exp(y_c − max − log Σ exp(y_j − max)) in Double") { model, images in
            let logits = try withNoGrad { try model(images) }
            let classes = logits.shape[1]
            return (0..<logits.shape[0]).map { n in
                let row = logits.data[(n * classes)..<((n + 1) * classes)].map(Double.init)
                let top = row.indices.max { row[$0] < row[$1] }!
                let m = row[top]
                let logSum = log(row.reduce(0) { $0 + exp($1 - m) })
                return (top, Float(exp(row[top] - m - logSum)))
            }
        },
    ]
}
