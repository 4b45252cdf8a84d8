/// Forward and backward hooks on modules, the machinery of lesson 01.
///
/// - A **forward hook** runs after `forward` and sees the module, its input and its output. It may
///   return a replacement output (PyTorch: `register_forward_hook`).
/// - A **backward hook** runs during `backward()` once the gradient with respect to the module's
///   input is known. It sees `gradInput` (∂L/∂input, `nil` when the input does not require
///   gradients) and `gradOutput` (∂L/∂output) and may return a replacement for `gradInput`,
///   which is what flows on to earlier layers (PyTorch: `register_full_backward_hook`). Guided
///   backpropagation is built this way on every ReLU.
///
/// How backward hooks work: when a module with backward hooks runs with gradients enabled, its
/// input and output are passed through identity ops. The output identity's backward records
/// ∂L/∂output; the input identity's backward receives ∂L/∂input, calls the hooks and passes on
/// what they return. The state lives in the call, so one module used twice has two independent
/// records, and nothing outlives the graph.
extension Module {
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let hooked = !backwardHooks.isEmpty && GradientMode.isEnabled
        let call = BackwardHookCall()
        var x = input
        if hooked && input.requiresGrad {
            x = Tensor.makeResult("\(typeName) backward hook (input)", shape: input.shape, data: input.data, inputs: [input]) { [self] g, _ in
                // `call.gradOutput` was set when the output identity ran, which is always earlier.
                [try self.runBackwardHooks(gradInput: g, call: call, inputShape: input.shape)]
            }
        }
        var output: Tensor
        do {
            output = try forward(x)
        } catch let error as TensorError where children.isEmpty {
            throw error.within(path.isEmpty ? typeName : "\(path) (\(typeName))")
        }
        for (_, hook) in forwardHooks {
            if let replaced = try hook(self, input, output) { output = replaced }
        }
        if hooked && output.requiresGrad {
            let inputNeedsGradient = input.requiresGrad
            call.outputShape = output.shape
            output = Tensor.makeResult("\(typeName) backward hook (output)", shape: output.shape, data: output.data, inputs: [output]) { [self] g, _ in
                call.gradOutput = g
                if !inputNeedsGradient {
                    // No gradient flows to the input: the hooks still see gradOutput, with nil gradInput.
                    _ = try self.runBackwardHooks(gradInput: nil, call: call, inputShape: input.shape)
                }
                return [g]
            }
        }
        return output
    }

    /// Calls the backward hooks in registration order; each sees the gradInput the previous one
    /// returned. A hook's error propagates out of `backward()`.
    private func runBackwardHooks(gradInput: [Float]?, call: BackwardHookCall, inputShape: [Int]) throws -> [Float]? {
        guard let gradOutput = call.gradOutput else { return gradInput }
        var current = gradInput.map { Tensor(unchecked: inputShape, data: $0, node: nil) }
        let outputGradient = Tensor(unchecked: call.outputShape, data: gradOutput, node: nil)
        for (_, hook) in backwardHooks {
            if let replaced = try hook(self, current, outputGradient) {
                guard replaced.shape == inputShape else {
                    throw TensorError.shapeMismatch(operation: "\(path.isEmpty ? typeName : path) backward hook", lhs: replaced.shape,
                                                    rhs: inputShape, detail: "a replacement gradInput must have the input's shape")
                }
                current = replaced
            }
        }
        return current?.data
    }

    // MARK: Registration

    /// Observes the module's input and output after every forward call.
    @discardableResult
    public func registerForwardHook(_ hook: @escaping (_ module: Module, _ input: Tensor, _ output: Tensor) throws -> Void) -> HookHandle {
        registerForwardHook(replacingOutput: { try hook($0, $1, $2); return nil })
    }

    /// Like `registerForwardHook(_:)`, but a non-nil return value replaces the output.
    /// (Disfavoured so that a trailing closure returning nothing picks the observing form.)
    @discardableResult @_disfavoredOverload
    public func registerForwardHook(replacingOutput hook: @escaping (_ module: Module, _ input: Tensor, _ output: Tensor) throws -> Tensor?) -> HookHandle {
        let id = HookHandle.nextIdentifier()
        forwardHooks.append((id, hook))
        return HookHandle(id: id) { [weak self] in self?.forwardHooks.removeAll { $0.id == id } }
    }

    /// Observes ∂L/∂input (`nil` if the input needs no gradient) and ∂L/∂output during backward.
    @discardableResult
    public func registerBackwardHook(_ hook: @escaping (_ module: Module, _ gradInput: Tensor?, _ gradOutput: Tensor) throws -> Void) -> HookHandle {
        registerBackwardHook(replacingGradInput: { try hook($0, $1, $2); return nil })
    }

    /// Like `registerBackwardHook(_:)`, but a non-nil return value replaces ∂L/∂input, which is
    /// what earlier layers then receive.
    @discardableResult @_disfavoredOverload
    public func registerBackwardHook(replacingGradInput hook: @escaping (_ module: Module, _ gradInput: Tensor?, _ gradOutput: Tensor) throws -> Tensor?) -> HookHandle {
        let id = HookHandle.nextIdentifier()
        backwardHooks.append((id, hook))
        return HookHandle(id: id) { [weak self] in self?.backwardHooks.removeAll { $0.id == id } }
    }

    /// The number of hooks registered on this module alone.
    public var hookCount: Int { forwardHooks.count + backwardHooks.count }

    /// The forward hooks registered on this module (not its children).
    public var forwardHookCount: Int { forwardHooks.count }

    /// Runs this module's forward hooks on an `input` and `output` computed elsewhere, in order;
    /// a replacement a hook returns is ignored. The grading wire replays this way, in the graders'
    /// process, the forward passes a student's function made in the lesson runner, so a hook a
    /// test registered (to count batches, say) sees them as if they had run here.
    public func replayForwardHooks(input: Tensor, output: Tensor) throws {
        for (_, hook) in forwardHooks { _ = try hook(self, input, output) }
    }

    /// The number of live hooks anywhere in this model: module hooks on every submodule and
    /// gradient hooks on every parameter. Zero after a method cleaned up properly.
    public var liveHookCount: Int {
        namedModules().map { $0.module.hookCount }.reduce(0, +) + parameters().map(\.gradientHookCount).reduce(0, +)
    }
}

/// The per-call record shared by the two identity ops of one hooked call.
final class BackwardHookCall {
    var gradOutput: [Float]?
    var outputShape: [Int] = []
}
