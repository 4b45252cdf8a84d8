// The mistake catalogue of Lesson 01: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise (`swift run workbook verify` checks it). Never shown
// to students.

import LessonSupport
import TensorEngine

public enum HooksMistakes {
    // MARK: 1.1

    public enum Activations: String, MistakeKind {
        case keepsHook = "keeps-hook", capturesInput = "captures-input"
        public var summary: String {
            switch self {
            case .keepsHook: "never removes the forward hook"
            case .capturesInput: "returns the hook's input instead of its output"
            }
        }
    }

    public static func activations(_ id: Activations, of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        let module = try model.module(named: layer)
        var captured: Tensor?
        let handle = module.registerForwardHook { _, input, output in captured = id == .capturesInput ? input : output }
        _ = try model(images)
        if id != .keepsHook { handle.remove() }
        return try captured.orThrow()
    }

    // MARK: 1.2

    public enum Gradient: String, MistakeKind {
        case sumsAllLogits = "sums-all-logits", gradInput = "grad-input"
        public var summary: String {
            switch self {
            case .sumsAllLogits: "backpropagates the sum of all logits instead of the target logit"
            case .gradInput: "returns gradInput (∂score/∂input of the layer) instead of gradOutput"
            }
        }
    }

    public static func gradient(_ id: Gradient, of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
        let module = try model.module(named: layer)
        var captured: Tensor?
        let handle = module.registerBackwardHook { _, gradInput, gradOutput in
            captured = id == .gradInput ? (gradInput ?? gradOutput) : gradOutput
        }
        defer { handle.remove(); model.zeroGrad() }
        let logits = try model(images)
        try logits.backward(seed: id == .sumsAllLogits ? .ones(logits.shape) : oneHot(targets, like: logits))
        return try captured.orThrow()
    }

    // MARK: 1.3

    public enum ConvolutionActivations: String, MistakeKind {
        case everyLayer = "every-layer"
        public var summary: String { "captures every layer, not only the convolutions" }
    }

    public static func convolutionActivations(_ id: ConvolutionActivations, of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
        var captured: [(layer: String, activations: Tensor)] = []
        let handles = model.namedModules().filter { !$0.name.isEmpty }.map { name, module in
            module.registerForwardHook { _, _, output in captured.append((name, output)) }
        }
        defer { handles.removeAll() }
        _ = try model(images)
        return captured
    }

    // MARK: 1.4

    public enum Confidence: String, MistakeKind {
        case maxLogit = "max-logit"
        public var summary: String { "reports the largest logit as the probability" }
    }

    public static func confidence(_ id: Confidence, of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        let logits = try withNoGrad { try model(images) }
        let classes = logits.shape[1]
        return logits.argmax().enumerated().map { n, c in (c, logits.data[n * classes + c]) }
    }
}
