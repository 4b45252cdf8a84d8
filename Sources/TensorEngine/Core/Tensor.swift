import Foundation

/// A dense, row-major array of `Float` with an optional place in an autodiff graph.
///
/// Images are NCHW: `[batch, channels, height, width]`. A `Tensor` is a class because the graph
/// needs identity: the same tensor used twice must receive the sum of both gradients.
///
/// - `data` holds `shape.reduce(1, *)` values, the last axis varying fastest.
/// - A tensor made by an op from inputs that require gradients records a `GraphNode`: the op's name,
///   its inputs and a closure that maps the output gradient to input gradients. `backward()` walks
///   those nodes in reverse topological order.
public final class Tensor {
    /// The size of each axis; `[]` is a scalar.
    public let shape: [Int]
    /// The values, row-major. Replace them only with `assign(_:)`, which keeps the count right.
    public internal(set) var data: [Float]
    /// Whether gradients flow to (and accumulate in) this tensor.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf (or of a tensor that called `retainGrad()`), same shape.
    public internal(set) var grad: Tensor?
    /// A name for messages and debugging, e.g. a parameter's dotted name.
    public var name: String?
    /// True for tensors created by the user, false for the outputs of ops that track gradients.
    public let isLeaf: Bool
    /// The op that produced this tensor; `nil` for leaves and after the graph was released.
    var node: GraphNode?
    /// Hooks that see (and may replace) this tensor's gradient during `backward()`.
    var gradientHooks: [(id: Int, hook: (Tensor) throws -> Tensor?)] = []
    /// Keep `grad` for a non-leaf tensor, like PyTorch's `retain_grad()`.
    var retainsGrad = false

    /// Creates a tensor after checking that `data` has exactly as many values as `shape` describes.
    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(operation: "Tensor", message: "negative size in shape \(shape)")
        }
        let count = shape.reduce(1, *)
        guard count == data.count else {
            throw TensorError.invalidArgument(
                operation: "Tensor", message: "shape \(shape) holds \(count) values but \(data.count) were given")
        }
        _ = MemoryTuning.applied
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
        self.isLeaf = true
    }

    /// The initialiser ops use: the count is right by construction.
    init(unchecked shape: [Int], data: [Float], node: GraphNode?) {
        _ = MemoryTuning.applied
        self.shape = shape
        self.data = data
        self.node = node
        self.requiresGrad = node != nil
        self.isLeaf = node == nil
    }

    /// A tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        self.init(unchecked: shape, data: [Float](repeating: value, count: shape.reduce(1, *)), node: nil)
        self.requiresGrad = requiresGrad
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 0, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 1, shape: shape, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor holding `value`.
    public convenience init(scalar value: Float, requiresGrad: Bool = false) {
        self.init(repeating: value, shape: [], requiresGrad: requiresGrad)
    }

    /// `0, 1, …, count - 1` reshaped to `shape` (like `torch.arange(n).reshape(shape)`).
    public static func arange(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(unchecked: shape, data: (0..<n).map(Float.init), node: nil)
    }

    /// Values drawn from N(mean, std²) with a seeded generator.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(unchecked: shape, data: (0..<n).map { _ in mean + std * generator.nextNormal() }, node: nil)
    }

    /// Values drawn uniformly from [low, high) with a seeded generator.
    public static func randomUniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(unchecked: shape, data: (0..<n).map { _ in low + (high - low) * generator.nextFloat() }, node: nil)
    }

    /// The number of values.
    public var count: Int { data.count }
    /// The number of axes.
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public func item() throws -> Float {
        guard data.count == 1 else {
            throw TensorError.invalidArgument(operation: "item", message: "tensor of shape \(shape) has \(data.count) values, not 1")
        }
        return data[0]
    }

    /// The value at a multi-index, e.g. `t.value(at: 0, 2, 5, 5)`. Throws on a bad index.
    public func value(at index: Int...) throws -> Float {
        try data[flatIndex(index)]
    }

    func flatIndex(_ index: [Int]) throws -> Int {
        guard index.count == shape.count else {
            throw TensorError.invalidArgument(operation: "value(at:)", message: "index \(index) has \(index.count) axes, tensor \(shape) has \(shape.count)")
        }
        var flat = 0
        for (i, n) in zip(index, shape) {
            guard i >= 0 && i < n else {
                throw TensorError.invalidArgument(operation: "value(at:)", message: "index \(index) out of range for shape \(shape)")
            }
            flat = flat * n + i
        }
        return flat
    }

    /// Replaces the values in place (e.g. an optimiser step or loading weights). Not recorded in
    /// the graph, like PyTorch's in-place updates under `no_grad`.
    public func assign(_ values: [Float]) throws {
        guard values.count == data.count else {
            throw TensorError.shapeMismatch(operation: "assign\(name.map { " to \($0)" } ?? "")", lhs: shape, rhs: [values.count])
        }
        data = values
    }

    /// Gives in-place write access to the values (used by optimisers and initialisers).
    public func withMutableValues<R>(_ body: (inout [Float]) throws -> R) rethrows -> R {
        let n = data.count
        defer { precondition(data.count == n, "withMutableValues must not change the number of values") }
        return try body(&data)
    }

    /// A new leaf with the same values that is cut off from the graph (PyTorch's `detach()`).
    public func detached() -> Tensor {
        Tensor(unchecked: shape, data: data, node: nil)
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Sets the gradient as a backward pass would have left it (nil: none). The grading wire uses
    /// it to leave on the graders' tensors the gradients a student's call left in the lesson runner.
    public func replaceGradient(with values: [Float]?) throws {
        guard let values else { grad = nil; return }
        grad = try Tensor(shape: shape, data: values)
    }

    /// Keeps this non-leaf tensor's gradient after `backward()` (PyTorch's `retain_grad()`).
    public func retainGrad() { retainsGrad = true }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = data.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(data.count > 8 ? ", …" : "")]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}

extension Array where Element == Float {
    /// An array of `count` values written by `initialize`, which must set every element: the
    /// engine's outputs skip the zero-fill that `init(repeating:count:)` would spend on them.
    @inline(__always)
    init(uninitializedCount count: Int, _ initialize: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            initialize(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
    }
}
