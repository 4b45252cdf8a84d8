// The mistake catalogue of Lesson 01: plausible wrong answers, each of which must fail at least
// one test of its exercise (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum HooksMistakes {
    public static let catalogue = [
        Mistake(exercise: "1.1", id: "keeps-hook", summary: "never removes the forward hook"),
        Mistake(exercise: "1.1", id: "captures-input", summary: "returns the hook's input instead of its output"),
        Mistake(exercise: "1.2", id: "sums-all-logits", summary: "backpropagates the sum of all logits instead of the target logit"),
        Mistake(exercise: "1.2", id: "grad-input", summary: "returns gradInput (∂score/∂input of the layer) instead of gradOutput"),
        Mistake(exercise: "1.3", id: "every-layer", summary: "captures every layer, not only the convolutions"),
        Mistake(exercise: "1.4", id: "max-logit", summary: "reports the largest logit as the probability"),
    ]

    public static func activations(_ id: String, of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        let module = try model.module(named: layer)
        var captured: Tensor?
        let handle = module.registerForwardHook { _, input, output in captured = id == "captures-input" ? input : output }
        _ = try model(images)
        if id != "keeps-hook" { handle.remove() }
        return try captured.orThrow()
    }

    public static func gradient(_ id: String, of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
        let module = try model.module(named: layer)
        var captured: Tensor?
        let handle = module.registerBackwardHook { _, gradInput, gradOutput in
            captured = id == "grad-input" ? (gradInput ?? gradOutput) : gradOutput
        }
        defer { handle.remove(); model.zeroGrad() }
        let logits = try model(images)
        try logits.backward(seed: id == "sums-all-logits" ? .ones(logits.shape) : oneHot(targets, like: logits))
        return try captured.orThrow()
    }

    public static func convolutionActivations(_ id: String, of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
        var captured: [(layer: String, activations: Tensor)] = []
        let handles = model.namedModules().filter { !$0.name.isEmpty }.map { name, module in
            module.registerForwardHook { _, _, output in captured.append((name, output)) }
        }
        defer { handles.removeAll() }
        _ = try model(images)
        return captured
    }

    public static func confidence(_ id: String, of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        let logits = try withNoGrad { try model(images) }
        let classes = logits.shape[1]
        return logits.argmax().enumerated().map { n, c in (c, logits.data[n * classes + c]) }
    }
}
