// The mistake catalogue of Lesson 01: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise (`swift run workbook verify` checks it). Never shown
// to students.

import Course
import LessonSupport
import TensorEngine

public enum HooksMistakes {
    // MARK: 1.1

    public typealias Activations = HooksCourse.Activations

    public static func activations(_ id: Activations, of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        let module = try model.module(named: layer)
        var captured: Tensor?
        let handle = module.registerForwardHook { _, input, output in captured = id == .capturesInput ? input : output }
        _ = try model(images)
        if id != .keepsHook { handle.remove() }
        return try captured.orThrow()
    }

    // MARK: 1.2

    public typealias Gradient = HooksCourse.Gradient

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

    public typealias ConvolutionActivations = HooksCourse.ConvolutionActivations

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

    public typealias Confidence = HooksCourse.Confidence

    public static func confidence(_ id: Confidence, of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        let logits = try withNoGrad { try model(images) }
        let classes = logits.shape[1]
        return logits.argmax().enumerated().map { n, c in (c, logits.data[n * classes + c]) }
    }
}
