import TensorEngine

/// A result the graders differentiate: 8.2's total variation and 11.1's loss (the tests call
/// `backward()` on them), 8.4's roll (the tests backpropagate `Σ w · roll(x)`). A graph cannot
/// cross the wire, so the runner sends the value with its Jacobian with respect to every tensor
/// argument that asked for gradients (one backward pass per value of the result), and the judge
/// rebuilds the result on its own arguments as `value + J (x − x)`: the added term is zero, its
/// gradient is Jᵀ g for any upstream g. A test then reads the same values and the same `.grad`
/// as in its own process (to the rounding of Jᵀ g, which the runner's graph would round too).
///
/// Results so large that their Jacobians would not fit the wire (`maximumEntries`) are refused.
public struct DifferentiableResult: WireCodable {
    public var value: Tensor
    /// Per tensor argument, in order: the Jacobian `[result.count, argument.count]`, or nil (no
    /// gradient asked for, or no graph).
    public var jacobians: [Tensor?]

    /// Far above what the graders differentiate (at most a few thousand entries).
    public static let maximumEntries = 1 << 22

    /// In the runner: `result`'s value and, when it is on a graph, its Jacobians for `inputs`.
    public init(_ result: Tensor, inputs: [Tensor]) throws {
        value = Tensor.constant(result)
        jacobians = inputs.map { _ in nil }
        guard result.requiresGrad else { return }
        let asking = inputs.indices.filter { inputs[$0].requiresGrad }
        guard !asking.isEmpty else { return }
        let entries = asking.reduce(0) { $0 + inputs[$1].count } * result.count
        guard entries <= Self.maximumEntries else {
            throw WireError("a differentiable result of \(result.count) values for inputs of \(asking.map { inputs[$0].count }) values: its Jacobian is too large for the wire")
        }
        var rows = asking.map { _ in [Float]() }
        var reached = asking.map { _ in false }
        for k in 0..<result.count {
            for i in asking { inputs[i].zeroGrad() }
            var seed = [Float](repeating: 0, count: result.count)
            seed[k] = 1
            try result.backward(seed: try Tensor(shape: result.shape, data: seed), retainGraph: k + 1 < result.count)
            for (slot, i) in asking.enumerated() {
                if let gradient = inputs[i].grad { reached[slot] = true; rows[slot] += gradient.data }
                else { rows[slot] += [Float](repeating: 0, count: inputs[i].count) }
            }
        }
        for i in asking { inputs[i].zeroGrad() }
        // An input the graph never reached keeps a nil gradient on the judge's side too.
        for (slot, i) in asking.enumerated() where reached[slot] {
            jacobians[i] = try Tensor(shape: [result.count, inputs[i].count], data: rows[slot])
        }
    }

    init(value: Tensor, jacobians: [Tensor?]) { self.value = value; self.jacobians = jacobians }

    /// In the judge: the result on the caller's `inputs` (the arguments the call was given).
    public func rebuilt(on inputs: [Tensor]) throws -> Tensor {
        guard inputs.count == jacobians.count else { throw WireError("\(jacobians.count) Jacobians for \(inputs.count) inputs") }
        var result = value
        for (input, jacobian) in zip(inputs, jacobians) {
            guard let jacobian, input.requiresGrad else { continue }
            guard jacobian.shape == [value.count, input.count] else {
                throw WireError("a Jacobian of shape \(jacobian.shape) for a result of \(value.count) values and an input of \(input.count)")
            }
            let zero = try (input - Tensor.constant(input)).reshaped([input.count, 1])
            result = try result + jacobian.matmul(zero).reshaped(value.shape)
        }
        return result
    }

    public func encode(into writer: inout WireWriter) throws {
        writer.record("DifferentiableResult")
        value.encode(into: &writer)
        try jacobians.encode(into: &writer)
    }

    public static func decode(from reader: inout WireReader) throws -> DifferentiableResult {
        try reader.record("DifferentiableResult")
        return DifferentiableResult(value: try Tensor.decode(from: &reader), jacobians: try [Tensor?].decode(from: &reader))
    }
}

extension Tensor {
    /// The values alone: no graph, no gradient.
    static func constant(_ tensor: Tensor) -> Tensor {
        (try? Tensor(shape: tensor.shape, data: tensor.data)) ?? tensor
    }
}

/// What `ascend` (8.5) climbs: a closure in the graders, named here so it can cross the wire.
public enum AscentObjective: WireCodable {
    /// `model(x).gathered(indices: classes)`: each image's logit of its class.
    case logits(Module, classes: [Int])
    /// `(x * weights).sum()`: a linear objective whose gradient is `weights`.
    case linear(weights: Tensor)

    public func callAsFunction(_ images: Tensor) throws -> Tensor {
        switch self {
        case let .logits(model, classes): return try model(images).gathered(indices: classes)
        case let .linear(weights): return try (images * weights).sum()
        }
    }

    public func encode(into writer: inout WireWriter) throws {
        writer.record("AscentObjective")
        switch self {
        case let .logits(model, classes): "logits".encode(into: &writer); try model.encode(into: &writer); try classes.encode(into: &writer)
        case let .linear(weights): "linear".encode(into: &writer); weights.encode(into: &writer)
        }
    }

    public static func decode(from reader: inout WireReader) throws -> AscentObjective {
        try reader.record("AscentObjective")
        switch try String.decode(from: &reader) {
        case "logits": return .logits(try Module.decode(from: &reader), classes: try [Int].decode(from: &reader))
        case "linear": return .linear(weights: try Tensor.decode(from: &reader))
        case let other: throw WireError("no ascent objective '\(other)'")
        }
    }
}
