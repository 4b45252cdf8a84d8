// Reference solutions of Lesson 04 — CAM. Same API as Lessons/04-CAM/CAM.swift.

import LessonSupport
import TensorEngine

/// pytorch-grad-cam's `scale_cam_image`: `img / (1e-7 + np.max(img))` after subtracting the min.
let camEpsilon: Float = 1e-7

/// Exercise 4.1 (reference).
public func classActivationMap(of model: Module, images: Tensor, targets: [Int],
                               featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
    let fc = try camClassifier(of: model, featureLayer: featureLayer, classifier: classifier)
    let features = try capturedFeatures(of: model, at: featureLayer, images: images)
    return try camFromFeatures(features, weight: fc.weight, targets: targets, variant: CAMVariant())
}

/// Why CAM does not apply to a model without global average pooling.
let noGlobalPoolingExplanation = """
    this model has no global average pooling: it flattens its feature maps, and flattening keeps the \
    positions — every position of every map gets its own weight in the next linear layer — so a class \
    score is not Σₖ w_ck · mean(Aₖ) and there is no per-channel class weight to build a CAM from. \
    Use Grad-CAM (Lesson 05) instead: it works for any architecture
    """

/// Checks that `featureLayer → global average pooling → classifier (Linear)` is how the model
/// ends, and returns the classifier.
func camClassifier(of model: Module, featureLayer: String, classifier: String) throws -> Linear {
    let all = model.namedModules()
    guard all.contains(where: { $0.module is GlobalAvgPool2d }) else {
        throw TensorError.invalidArgument(operation: "CAM", message: noGlobalPoolingExplanation)
    }
    let feature = try model.module(named: featureLayer), head = try model.module(named: classifier)
    guard let fc = head as? Linear else {
        throw TensorError.invalidArgument(operation: "CAM", message: "the classifier '\(classifier)' is a \(head.typeName), not a Linear layer: CAM needs its weight matrix [classes, K]")
    }
    guard let f = all.firstIndex(where: { $0.module === feature }), let c = all.firstIndex(where: { $0.module === fc }), f < c else {
        throw TensorError.invalidArgument(operation: "CAM", message: "'\(featureLayer)' must run before the classifier '\(classifier)'")
    }
    // Dropout is the identity when explaining (evaluation mode), so it may sit there too
    // (mnist-simplenet and shapes-simplenet drop out after the pooling).
    let between = all[(f + 1)..<c].filter { !$0.name.hasPrefix(featureLayer + ".") && $0.module.children.isEmpty && !($0.module is Dropout) }
    guard between.count == 1, between[0].module is GlobalAvgPool2d else {
        let names = between.map { "\($0.name) (\($0.module.typeName))" }.joined(separator: ", ")
        throw TensorError.invalidArgument(operation: "CAM", message: """
            between '\(featureLayer)' and '\(classifier)' the model runs [\(names)]; CAM needs exactly one global \
            average pooling there, so that y_c = Σₖ w_ck · mean(Aₖ) + b_c. Take the layer right before the pooling
            """)
    }
    return fc
}

/// The output of `layer` during one forward pass (no graph), `[N, K, h, w]`.
func capturedFeatures(of model: Module, at layer: String, images: Tensor) throws -> Tensor {
    let module = try model.module(named: layer)
    var captured: Tensor?
    let handle = module.registerForwardHook { _, _, output in captured = output }
    defer { handle.remove() }
    _ = try withNoGrad { try model(images) }
    let features = try captured.orThrow("layer '\(layer)' did not run during the forward pass")
    guard features.rank == 4 else {
        throw TensorError.invalidArgument(operation: "CAM", message: "'\(layer)' outputs \(features.shape), not feature maps [N, K, h, w]")
    }
    return features
}

/// The ways the mistake catalogue departs from the reference computation.
struct CAMVariant {
    var bias: Tensor?
    var transposedWeight = false
    var classes: [Int]?
}

/// CAM_c(i, j) = Σₖ w_ck Aₖ(i, j) for each image's class.
func camFromFeatures(_ features: Tensor, weight: Tensor, targets: [Int], variant: CAMVariant) throws -> Tensor {
    let (count, channels, h, w) = (features.shape[0], features.shape[1], features.shape[2], features.shape[3])
    let classes = weight.shape[0]
    guard weight.shape[1] == channels else {
        throw TensorError.shapeMismatch(operation: "CAM", lhs: features.shape, rhs: weight.shape,
                                        detail: "the classifier has \(weight.shape[1]) in-features, the feature maps \(channels) channels")
    }
    guard targets.count == count else {
        throw TensorError.shapeMismatch(operation: "CAM", lhs: [targets.count], rhs: features.shape, detail: "one target per image")
    }
    if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
        throw TensorError.invalidArgument(operation: "CAM", message: "target \(bad) outside 0..<\(classes)")
    }
    let used = variant.classes ?? targets
    let area = h * w
    var cam = [Float](repeating: 0, count: count * area)
    for n in 0..<count {
        let c = used[n]
        for k in 0..<channels {
            let wck = variant.transposedWeight ? weight.data[k * classes + c] : weight.data[c * channels + k]
            let base = (n * channels + k) * area
            for p in 0..<area { cam[n * area + p] += wck * features.data[base + p] }
        }
        if let bias = variant.bias {
            for p in 0..<area { cam[n * area + p] += bias.data[c] }
        }
    }
    return try Tensor(shape: [count, 1, h, w], data: cam)
}

/// Exercise 4.2 (reference).
public func upsampleBilinear(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
    try bilinear(maps, height: height, width: width) { o, input, output in
        let scale = Float(input) / Float(output)
        return max((Float(o) + 0.5) * scale - 0.5, 0)
    }
}

/// Bilinear resampling of every plane, with `source(o, in, out)` giving the input coordinate of
/// output index o (the mistakes swap it).
func bilinear(_ maps: Tensor, height: Int, width: Int, source: (Int, Int, Int) -> Float) throws -> Tensor {
    guard maps.rank >= 2, height >= 1, width >= 1, maps.shape[maps.rank - 2] >= 1, maps.shape[maps.rank - 1] >= 1 else {
        throw TensorError.invalidArgument(operation: "upsampleBilinear", message: "cannot resize \(maps.shape) to \(height)×\(width)")
    }
    let h = maps.shape[maps.rank - 2], w = maps.shape[maps.rank - 1]
    func taps(_ input: Int, _ output: Int) -> [(i0: Int, i1: Int, lambda: Float)] {
        (0..<output).map { o in
            let s = source(o, input, output)
            let i0 = min(Int(s), input - 1)        // s ≥ 0 here, so Int(s) = ⌊s⌋
            return (i0, min(i0 + 1, input - 1), s - Float(i0))
        }
    }
    let rows = taps(h, height), columns = taps(w, width)
    let planes = maps.count / (h * w)
    var out = [Float](repeating: 0, count: planes * height * width)
    for p in 0..<planes {
        let base = p * h * w
        for (oy, r) in rows.enumerated() {
            for (ox, c) in columns.enumerated() {
                let top = (1 - c.lambda) * maps.data[base + r.i0 * w + c.i0] + c.lambda * maps.data[base + r.i0 * w + c.i1]
                let bottom = (1 - c.lambda) * maps.data[base + r.i1 * w + c.i0] + c.lambda * maps.data[base + r.i1 * w + c.i1]
                out[(p * height + oy) * width + ox] = (1 - r.lambda) * top + r.lambda * bottom
            }
        }
    }
    return try Tensor(shape: Array(maps.shape.dropLast(2)) + [height, width], data: out)
}

/// Exercise 4.3 (reference).
public func normalizedMaps(_ maps: Tensor) throws -> Tensor {
    try minMax(maps, epsilon: camEpsilon, perMap: true)
}

func minMax(_ maps: Tensor, epsilon: Float, perMap: Bool) throws -> Tensor {
    guard maps.rank >= 2, maps.count > 0 else {
        throw TensorError.invalidArgument(operation: "normalizedMaps", message: "expected maps [..., h, w], got \(maps.shape)")
    }
    let area = perMap ? maps.shape[maps.rank - 2] * maps.shape[maps.rank - 1] : maps.count
    var out = maps.data
    for start in stride(from: 0, to: maps.count, by: area) {
        let plane = maps.data[start..<(start + area)]
        let low = plane.min() ?? 0, high = plane.max() ?? 0
        for i in start..<(start + area) { out[i] = (maps.data[i] - low) / (high - low + epsilon) }
    }
    return try Tensor(shape: maps.shape, data: out)
}
