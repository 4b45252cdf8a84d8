// Reference solutions of Lesson 06 — guided backpropagation (Springenberg et al. 2015), the
// deconvnet rule (Zeiler & Fergus 2014), guided Grad-CAM, and the sanity check of Adebayo et al. (2018).

import TensorEngine

/// The backward rule put on every ReLU.
public enum ReLURule: String, Sendable {
    /// Plain backpropagation: 1[x > 0] · R (no hook at all).
    case gradient
    /// Guided backpropagation: 1[x > 0] · 1[R > 0] · R, i.e. ReLU of the usual gradInput.
    case guided
    /// Deconvnet: ReLU(R), ignoring which units were active in the forward pass.
    case deconvnet
}

/// ∂yₙ[cₙ]/∂x with `rule` applied at every ReLU module, `[N, C, H, W]`. The hooks are removed
/// afterwards, also when something throws.
public func modifiedGradient(of model: Module, images: Tensor, targets: [Int], rule: ReLURule) throws -> Tensor {
    let relus = model.namedModules().map(\.module).filter { $0 is ReLU }
    let handles: [HookHandle] = relus.map { relu in
        relu.registerBackwardHook(replacingGradInput: { _, gradInput, gradOutput in
            switch rule {
            case .gradient: return nil
            case .guided: return gradInput?.relu()
            case .deconvnet: return gradOutput.relu()
            }
        })
    }
    defer { handles.removeAll(); model.zeroGrad() }
    let x = images.detached()
    x.requiresGrad = true
    let logits = try model(x)
    try logits.backward(seed: try oneHot(targets, like: logits), inputs: [x])   // no weight gradients
    return try x.grad.orThrowing()
}

/// A `[N, classes]` one-hot seed for the logits: 1 at each image's target class.
func oneHot(_ targets: [Int], like logits: Tensor) throws -> Tensor {
    guard logits.rank == 2, targets.count == logits.shape[0] else {
        throw TensorError.shapeMismatch(operation: "one-hot targets", lhs: [targets.count], rhs: logits.shape, detail: "one target per image")
    }
    return try Tensor.oneHot(targets, classes: logits.shape[1])
}

/// Guided backpropagation.
public func guidedBackprop(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    try modifiedGradient(of: model, images: images, targets: targets, rule: .guided)
}

/// The deconvnet rule.
public func deconvnet(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    try modifiedGradient(of: model, images: images, targets: targets, rule: .deconvnet)
}

/// Guided Grad-CAM: guided backprop ⊙ (Grad-CAM upsampled to the input and min-max normalised),
/// as in Selvaraju et al. and pytorch-grad-cam's example.
public func guidedGradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: "guided Grad-CAM", message: "images must be [N, C, H, W], got \(images.shape)")
    }
    let guided = try guidedBackprop(of: model, images: images, targets: targets)
    let cam = try gradCAMMap(of: model, images: images, targets: targets, layer: layer)
    let (h, w) = (images.shape[2], images.shape[3])
    let up = try withNoGrad { try cam.resizedBilinear(height: h, width: w) }
    var values = up.data
    let area = h * w
    for m in 0..<(values.count / area) {
        let slice = values[(m * area)..<((m + 1) * area)]
        let low = slice.min() ?? 0, high = slice.max() ?? 0
        for p in (m * area)..<((m + 1) * area) { values[p] = (values[p] - low) / (high - low + 1e-7) }
    }
    return try withNoGrad { try guided * Tensor(shape: up.shape, data: values) }
}

/// Grad-CAM at `layer` (the lesson 05 definition), `[N, 1, h, w]`, unscaled.
public func gradCAMMap(of model: Module, images: Tensor, targets: [Int], layer: String) throws -> Tensor {
    let module = try model.module(named: layer)
    var a: Tensor?, g: Tensor?
    let f = module.registerForwardHook { _, _, output in a = output }
    let b = module.registerBackwardHook { _, _, gradOutput in g = gradOutput }
    defer { f.remove(); b.remove(); model.zeroGrad() }
    let logits = try model(images)
    try logits.backward(seed: try oneHot(targets, like: logits))
    let activations = try a.orThrowing(), gradients = try g.orThrowing()
    return try withNoGrad { try (activations * gradients.mean(axes: [2, 3], keepDims: true)).sum(axes: [1], keepDims: true).relu() }
}

/// Spearman's rank correlation of two equally long arrays (average ranks for ties): the Pearson
/// correlation of the ranks. 0 when either array is constant (its ranks have no variance).
public func rankCorrelation(_ a: [Float], _ b: [Float]) throws -> Double {
    guard a.count == b.count, a.count >= 2 else {
        throw TensorError.invalidArgument(operation: "rankCorrelation", message: "need two arrays of the same length ≥ 2, got \(a.count) and \(b.count)")
    }
    func ranks(_ x: [Float]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = average }
            i = j + 1
        }
        return r
    }
    let ra = ranks(a), rb = ranks(b)
    let n = Double(a.count)
    let ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
    var num = 0.0, da = 0.0, db = 0.0
    for (x, y) in zip(ra, rb) { num += (x - ma) * (y - mb); da += (x - ma) * (x - ma); db += (y - mb) * (y - mb) }
    return da > 0 && db > 0 ? num / (da * db).squareRoot() : 0
}

/// The cascading randomisation test: re-initialise the layers with parameters from the top down
/// (seeded), and after each step compare each method's map with the map of the trained model
/// (Spearman rank correlation of the absolute values). A method whose maps barely change is not
/// explaining what the model learned.
public func cascadingRandomization(
    of model: Module, images: Tensor, targets: [Int], seed: UInt64 = 1,
    methods: [(name: String, map: (Module) throws -> Tensor)],
    correlation: ([Float], [Float]) throws -> Double = rankCorrelation
) throws -> [(layer: String, correlations: [String: Double])] {
    let originals = try methods.map { try $0.map(model).data.map { abs($0) } }
    var generator = SeededGenerator(seed: seed)
    var result: [(layer: String, correlations: [String: Double])] = []
    let layers = model.namedModules().filter { !$0.module.namedParameters().isEmpty && $0.module.children.isEmpty }.reversed()
    for (name, layer) in layers {
        for (_, tensor) in layer.namedParameters() {
            let fanIn = max(tensor.shape.dropFirst().reduce(1, *), 1)
            let bound = 1 / Float(fanIn).squareRoot()
            try tensor.assign(Tensor.randomUniform(tensor.shape, low: -bound, high: bound, using: &generator).data)
        }
        var correlations: [String: Double] = [:]
        for (method, original) in zip(methods, originals) {
            correlations[method.name] = try correlation(original, try method.map(model).data.map { abs($0) })
        }
        result.append((name, correlations))
    }
    return result
}

extension Optional {
    func orThrowing() throws -> Wrapped {
        guard let self else { throw TensorError.gradient(message: "no gradient reached the input (did a hook fire?)") }
        return self
    }
}
