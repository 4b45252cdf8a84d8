/// Reverse-mode automatic differentiation.
///
/// Every op that tracks gradients stores a `GraphNode`: its inputs and a closure `backward` that
/// turns the gradient of the output into gradients of the inputs. `Tensor.backward()` orders the
/// graph topologically, walks it from the output to the leaves and **adds** each input gradient to
/// what that input has received so far — so a tensor used twice gets the sum of both paths.
final class GraphNode {
    /// The op's name, for error messages.
    let operation: String
    /// The tensors the op read.
    let inputs: [Tensor]
    /// Maps the gradient of the output (same count as the output) to one gradient per input
    /// (same count as that input), or `nil` for an input that does not need one. `needed[i]` says
    /// whether input `i` needs a gradient, so an op can skip work nobody will use.
    let backward: (_ outputGradient: [Float], _ needed: [Bool]) throws -> [[Float]?]

    init(operation: String, inputs: [Tensor], backward: @escaping ([Float], [Bool]) throws -> [[Float]?]) {
        self.operation = operation
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops record the graph. Task-local, so a `withNoGrad` block in one test never switches
/// gradients off in another test running concurrently.
public enum GradientMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording a graph, like `with torch.no_grad():`. Results of ops inside are
/// leaves that do not require gradients, and no closures or inputs are retained.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Makes the output of an op. The graph node is built only when gradients are enabled and at
    /// least one input requires them; otherwise the result is a plain leaf (no bookkeeping).
    static func makeResult(
        _ operation: String, shape: [Int], data: [Float], inputs: [Tensor],
        backward: @escaping ([Float], [Bool]) throws -> [[Float]?]
    ) -> Tensor {
        if OpProfile.isEnabled { OpProfile.forward(operation, shape: shape) }
        if GradientMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            return Tensor(unchecked: shape, data: data,
                          node: GraphNode(operation: operation, inputs: inputs, backward: backward))
        }
        return Tensor(unchecked: shape, data: data, node: nil)
    }

    /// Backpropagates from this tensor.
    ///
    /// - Parameters:
    ///   - seed: the gradient of some scalar with respect to this tensor (same shape). `nil` means
    ///     this tensor is a scalar and the seed is 1. To differentiate the logit of class `c`, pass
    ///     a one-hot seed.
    ///   - retainGraph: keep the graph so `backward` can run through it again.
    ///   - inputs: PyTorch's `backward(inputs=…)`: only the part of the graph that leads to these
    ///     tensors is differentiated. Explanation methods want ∂score/∂image, not the weights'
    ///     gradients: `inputs: [image]` skips every convolution's ∂W, about a third of the work.
    ///     As in PyTorch, each input (a leaf or not) receives `grad`; leaves that are not inputs
    ///     receive nothing; tensors that called `retainGrad()` still receive theirs when they lie
    ///     on a path to an input; hooks fire only on such paths. Must not be empty. `nil` (the
    ///     default) means every leaf.
    ///
    /// Leaves (and tensors that called `retainGrad()`) **accumulate** into `grad` across calls, as
    /// in PyTorch: call `zeroGrad()` between steps. Afterwards the graph is released (each node's
    /// closures and inputs are dropped) unless `retainGraph` is true.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false, inputs: [Tensor]? = nil) throws {
        guard requiresGrad else {
            throw TensorError.gradient(message: "this tensor does not require gradients (were gradients disabled, or does no input require them?)")
        }
        let start: [Float]
        if let seed {
            guard seed.shape == shape else {
                throw TensorError.shapeMismatch(operation: "backward seed", lhs: seed.shape, rhs: shape)
            }
            start = seed.data
        } else {
            guard data.count == 1 else {
                throw TensorError.gradient(message: "backward() without a seed needs a scalar, got shape \(shape); pass seed: (e.g. a one-hot on a class)")
            }
            start = [1]
        }
        if let inputs, inputs.isEmpty {
            throw TensorError.gradient(message: "backward(inputs:) needs at least one tensor (nil means every leaf)")
        }
        if let inputs, let stray = inputs.first(where: { !$0.requiresGrad }) {
            throw TensorError.gradient(message: "backward(inputs:) got a tensor\(stray.name.map { " '\($0)'" } ?? "") that does not require gradients")
        }
        let order = try topologicalOrder()
        // With `inputs`, only tensors on a path to one of them take part (order lists inputs first).
        let requested = inputs.map { Set($0.map(ObjectIdentifier.init)) }
        var onPath: Set<ObjectIdentifier>? = nil
        if var set = requested {
            for tensor in order where !set.contains(ObjectIdentifier(tensor)) {
                if let node = tensor.node, node.inputs.contains(where: { set.contains(ObjectIdentifier($0)) }) {
                    set.insert(ObjectIdentifier(tensor))
                }
            }
            onPath = set
        }
        func takesPart(_ tensor: Tensor) -> Bool { tensor.requiresGrad && (onPath?.contains(ObjectIdentifier(tensor)) ?? true) }
        var pending: [ObjectIdentifier: [Float]] = [ObjectIdentifier(self): start]
        // Released also when a hook throws half-way, so a failed backward leaks nothing.
        defer { if !retainGraph { for tensor in order where !tensor.isLeaf { tensor.node = nil } } }

        for tensor in order.reversed() {
            guard var gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
            for (_, hook) in tensor.gradientHooks {
                if let replaced = try hook(Tensor(unchecked: tensor.shape, data: gradient, node: nil)) {
                    guard replaced.shape == tensor.shape else {
                        throw TensorError.shapeMismatch(operation: "gradient hook on \(tensor.name ?? "tensor")",
                                                        lhs: replaced.shape, rhs: tensor.shape)
                    }
                    gradient = replaced.data
                }
            }
            // Every leaf, or only the requested tensors; and retained tensors (on the path) always.
            if tensor.retainsGrad || (requested.map { $0.contains(ObjectIdentifier(tensor)) } ?? tensor.isLeaf) {
                if let existing = tensor.grad {
                    add(gradient, into: &existing.data)
                } else {
                    tensor.grad = Tensor(unchecked: tensor.shape, data: gradient, node: nil)
                }
            }
            guard let node = tensor.node else { continue }
            let needed = node.inputs.map(takesPart)
            guard needed.contains(true) else { continue }
            let started = OpProfile.isEnabled ? OpProfile.now() : 0
            let inputGradients = try node.backward(gradient, needed)
            if OpProfile.isEnabled { OpProfile.backward(node.operation, shape: tensor.shape, since: started) }
            for (input, inputGradient) in zip(node.inputs, inputGradients) where takesPart(input) {
                guard let inputGradient else { continue }
                let key = ObjectIdentifier(input)
                if pending[key] != nil {
                    add(inputGradient, into: &pending[key]!)
                } else {
                    pending[key] = inputGradient
                }
            }
        }
    }

    /// The tensors that require gradients and reach `self`, each after all its inputs.
    private func topologicalOrder() throws -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: deep graphs (long training loops unrolled) must not
        // overflow the stack.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            if !tensor.isLeaf && tensor.node == nil {
                throw TensorError.gradient(message: "the graph through this tensor was already released by an earlier backward(); pass retainGraph: true to backpropagate twice")
            }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    /// Registers `hook`, called with this tensor's gradient during `backward()`; return a tensor
    /// of the same shape to replace the gradient passed on, or `nil` to leave it unchanged.
    @discardableResult
    public func registerGradientHook(_ hook: @escaping (Tensor) throws -> Tensor?) -> HookHandle {
        let id = HookHandle.nextIdentifier()
        gradientHooks.append((id, hook))
        return HookHandle(id: id) { [weak self] in self?.gradientHooks.removeAll { $0.id == id } }
    }

    /// The number of gradient hooks registered on this tensor.
    public var gradientHookCount: Int { gradientHooks.count }
}

/// `accumulator[i] += values[i]`, the one place gradients are summed.
@inline(__always)
func add(_ values: [Float], into accumulator: inout [Float]) {
    precondition(values.count == accumulator.count, "gradient count mismatch")
    values.withUnsafeBufferPointer { v in
        accumulator.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] += v[i] }
        }
    }
}
