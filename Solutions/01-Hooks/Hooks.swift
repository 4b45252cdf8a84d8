// Reference solutions of Lesson 01 — Hooks. Same API as Lessons/01-Hooks/Hooks.swift.

import TensorEngine

/// Exercise 1.1 (reference).
public func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
    let module = try model.module(named: layer)
    var captured: Tensor?
    let handle = module.registerForwardHook { _, _, output in captured = output }
    defer { handle.remove() }
    _ = try model(images)
    guard let captured else {
        throw TensorError.invalidArgument(operation: "activations", message: "layer '\(layer)' did not run during the forward pass")
    }
    return captured
}

/// Exercise 1.2 (reference).
public func gradient(of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
    let module = try model.module(named: layer)
    var captured: Tensor?
    let handle = module.registerBackwardHook { _, _, gradOutput in captured = gradOutput }
    defer { handle.remove(); model.zeroGrad() }
    let logits = try model(images)
    try logits.backward(seed: oneHot(targets, like: logits))
    guard let captured else {
        throw TensorError.invalidArgument(operation: "gradient", message: "no gradient reached layer '\(layer)'")
    }
    return captured
}

/// A `[N, classes]` seed with a 1 at each image's target class.
func oneHot(_ targets: [Int], like logits: Tensor) throws -> Tensor {
    guard logits.rank == 2, targets.count == logits.shape[0] else {
        throw TensorError.shapeMismatch(operation: "one-hot targets", lhs: [targets.count], rhs: logits.shape, detail: "one target per image")
    }
    return try Tensor.oneHot(targets, classes: logits.shape[1])
}

/// Exercise 1.3 (reference).
public func convolutionActivations(of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
    var captured: [(layer: String, activations: Tensor)] = []
    let handles = model.namedModules().filter { $0.module is Conv2d }.map { name, module in
        module.registerForwardHook { _, _, output in captured.append((name, output)) }
    }
    defer { handles.removeAll() }
    _ = try model(images)
    return captured
}

/// Exercise 1.4 (reference).
public func confidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
    let probabilities = try withNoGrad { try model(images).softmax() }
    let classes = probabilities.shape[1]
    return probabilities.argmax().enumerated().map { n, c in (c, probabilities.data[n * classes + c]) }
}
