/// The base of every layer and model, like `torch.nn.Module`.
///
/// A module owns named parameters (trainable tensors), named buffers (state such as batch-norm
/// running statistics) and named child modules. Names compose with dots, as in PyTorch's
/// `state_dict`: a `Conv2d` registered as `conv1` has `conv1.weight` and `conv1.bias`; inside a
/// `Sequential` called `features` its weight is `features.0.weight`.
///
/// Call a module as a function (`try model(x)`); that runs `forward` between the hooks (see
/// `ModuleHooks.swift`). Subclasses override `forward` and register their tensors in `init`.
open class Module {
    /// `true` in training mode (batch statistics, dropout on), `false` in evaluation mode.
    public private(set) var isTraining = true
    /// The dotted name of this module inside the model it was registered in (`""` for the root).
    public internal(set) var path = ""

    private(set) var parameterSlots: [(name: String, tensor: Tensor)] = []
    private(set) var bufferSlots: [(name: String, tensor: Tensor)] = []
    private(set) var childSlots: [(name: String, module: Module)] = []

    var forwardHooks: [(id: Int, hook: (Module, Tensor, Tensor) throws -> Tensor?)] = []
    var backwardHooks: [(id: Int, hook: (Module, Tensor?, Tensor) throws -> Tensor?)] = []

    public init() {}

    /// The layer's kind as shown in summaries and errors, e.g. `Conv2d`.
    open var typeName: String { String(describing: type(of: self)) }

    /// The layer's arguments as shown in summaries, in PyTorch's spelling: `Conv2d(1, 16,
    /// kernel_size=3, padding=1)` shows `1, 16, kernel_size=3, padding=1`.
    open var argumentsDescription: String { "" }

    /// The computation. Subclasses override it; call the module itself (`module(x)`) to get hooks.
    open func forward(_ input: Tensor) throws -> Tensor {
        throw TensorError.invalidArgument(operation: typeName, message: "forward(_:) is not implemented")
    }

    // MARK: Registration

    /// Registers a trainable tensor under `name`; it will require gradients.
    public func registerParameter(_ name: String, _ tensor: Tensor) {
        tensor.requiresGrad = true
        parameterSlots.append((name, tensor))
        tensor.name = qualified(name)
    }

    /// Registers a state tensor (saved with the model, not trained) under `name`.
    public func registerBuffer(_ name: String, _ tensor: Tensor) {
        bufferSlots.append((name, tensor))
        tensor.name = qualified(name)
    }

    /// Registers a child module under `name` and gives it (and its descendants) dotted paths.
    public func registerModule(_ name: String, _ module: Module) {
        childSlots.append((name, module))
        module.rename(to: qualified(name))
    }

    private func qualified(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private func rename(to newPath: String) {
        path = newPath
        for (name, tensor) in parameterSlots + bufferSlots { tensor.name = qualified(name) }
        for (name, child) in childSlots { child.rename(to: qualified(name)) }
    }

    // MARK: Lookup

    /// The direct children, in registration order.
    public var children: [(name: String, module: Module)] { childSlots }

    /// Every module in the tree with its dotted name relative to this one, depth first,
    /// starting with this module under `""` (like `named_modules()`).
    public func namedModules() -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [("", self)]
        for (name, child) in childSlots {
            for (sub, module) in child.namedModules() {
                result.append((sub.isEmpty ? name : "\(name).\(sub)", module))
            }
        }
        return result
    }

    /// The submodule at a dotted name such as `"conv3"` or `"features.0"`.
    public func module(named name: String) throws -> Module {
        if let found = namedModules().first(where: { $0.name == name }) { return found.module }
        throw TensorError.notFound(kind: "module", name: name, available: namedModules().map(\.name).filter { !$0.isEmpty })
    }

    /// Every parameter with its dotted name (like `named_parameters()`).
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { prefix, module in
            module.parameterSlots.map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.tensor) }
        }
    }

    /// Every buffer with its dotted name (like `named_buffers()`).
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { prefix, module in
            module.bufferSlots.map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.tensor) }
        }
    }

    /// All parameters, for an optimiser.
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters and buffers by dotted name: what a model file stores (like `state_dict()`).
    public func stateDictionary() -> [(name: String, tensor: Tensor)] {
        namedParameters() + namedBuffers()
    }

    /// Copies values from `state` into the tensors with the same names, checking every name and
    /// shape; names missing on either side are errors (PyTorch's `strict=True`).
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        let own = stateDictionary()
        let ownNames = Set(own.map(\.name))
        if let extra = state.keys.sorted().first(where: { !ownNames.contains($0) }) {
            throw TensorError.notFound(kind: "tensor in the model for saved tensor", name: extra, available: own.map(\.name))
        }
        for (name, tensor) in own {
            guard let saved = state[name] else {
                throw TensorError.notFound(kind: "saved tensor for model tensor", name: name, available: state.keys.sorted())
            }
            guard saved.shape == tensor.shape else {
                throw TensorError.shapeMismatch(operation: "load \(name)", lhs: saved.shape, rhs: tensor.shape, detail: "saved vs model")
            }
            try tensor.assign(saved.data)
        }
    }

    // MARK: Modes

    /// Switches this module and its descendants to training mode.
    public func train() { setTraining(true) }
    /// Switches this module and its descendants to evaluation mode.
    public func eval() { setTraining(false) }

    private func setTraining(_ value: Bool) {
        isTraining = value
        for (_, child) in childSlots { child.setTraining(value) }
    }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { parameters().forEach { $0.zeroGrad() } }
}
