// Lesson 10 — two CAMs that need no gradients: Ablation-CAM (Desai & Ramaswamy 2020) and Score-CAM
// (Wang et al. 2020), with pytorch-grad-cam 1.5.7's conventions (the fixture beside the tests).

import LessonSupport
import TensorEngine

/// The output of `layer` for `images` (one forward pass, no gradients) and the model's logits.
func featureMaps(of model: Module, at layer: String, images: Tensor) throws -> (activations: Tensor, logits: Tensor) {
    let module = try model.module(named: layer)
    var captured: Tensor?
    let hook = module.registerForwardHook { _, _, output in captured = output }
    defer { hook.remove() }
    let logits = try withNoGrad { try model(images) }
    guard let a = captured, a.rank == 4 else {
        throw TensorError.invalidArgument(operation: "CAM", message: "no feature maps at '\(layer)'")
    }
    return (a.detached(), logits)
}

/// Checks one target per image, each a class of the logits.
func checkTargets(_ targets: [Int], _ logits: Tensor, _ operation: String) throws {
    guard targets.count == logits.shape[0], targets.allSatisfy({ (0..<logits.shape[1]).contains($0) }) else {
        throw TensorError.invalidArgument(operation: operation, message: "need one target in 0..<\(logits.shape[1]) per image (\(logits.shape[0])); received \(targets.count)")
    }
}

/// ReLU(Σₖ wₖ Aₖ) per image: `weights` `[N·K]`, `activations` `[N, K, h, w]` → `[N, 1, h, w]`.
func weightedMap(_ weights: [Float], _ a: Tensor, relu: Bool = true) throws -> Tensor {
    let (n, k, h, w) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3]), area = h * w
    var map = [Float](repeating: 0, count: n * area)
    for i in 0..<n {
        for c in 0..<k {
            let wk = weights[i * k + c], base = (i * k + c) * area
            for p in 0..<area { map[i * area + p] += wk * a.data[base + p] }
        }
    }
    return try Tensor(shape: [n, 1, h, w], data: relu ? map.map { max($0, 0) } : map)
}

/// The score of each image's target in `logits` `[N, classes]`.
func targetScores(_ logits: Tensor, _ targets: [Int]) -> [Float] {
    targets.indices.map { logits.data[$0 * logits.shape[1] + targets[$0]] }
}

/// The logits `[K, classes]` of `image` `[1, C, H, W]` repeated K times with channel k of
/// `layer`'s output set to 0 in copy k: one batched forward pass.
func ablatedLogits(of model: Module, at layer: String, image: Tensor, channels: Int) throws -> Tensor {
    let module = try model.module(named: layer)
    let hook = module.registerForwardHook(replacingOutput: { _, _, output in
        var values = output.data
        let area = output.shape[2] * output.shape[3], k = output.shape[1]
        for copy in 0..<output.shape[0] {
            let base = (copy * k + copy % k) * area
            for p in 0..<area { values[base + p] = 0 }
        }
        return try Tensor(shape: output.shape, data: values)
    })
    defer { hook.remove() }
    let batch = try Tensor.concatenate(Array(repeating: image, count: channels), axis: 0)
    return try withNoGrad { try model(batch) }
}

/// **10.4** Ablation-CAM at `layer`: wₖ = (yᶜ − yᶜₖ) / yᶜ with yᶜ the target logit and yᶜₖ the
/// logit with channel k of the layer set to 0; map = ReLU(Σₖ wₖ Aₖ) `[N, 1, h, w]`. Cost: one
/// forward pass of K images per image.
public func ablationCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    let (a, logits) = try featureMaps(of: model, at: layer, images: images)
    try checkTargets(targets, logits, "Ablation-CAM")
    let k = a.shape[1], original = targetScores(logits, targets)
    var weights: [Float] = []
    for i in 0..<images.shape[0] {
        let ablated = try ablatedLogits(of: model, at: layer, image: try images.sliced(axis: 0, i..<(i + 1)), channels: k)
        weights += targetScores(ablated, Array(repeating: targets[i], count: k)).map { (original[i] - $0) / original[i] }
    }
    return try weightedMap(weights, a)
}

/// Bilinear resize with `align_corners=True` (what `torch.nn.UpsamplingBilinear2d` does, and so
/// Score-CAM): output o samples input o·(in − 1)/(out − 1), corners on corners. The engine's
/// resize, outside the graph.
public func resizedAlignedCorners(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
    guard maps.rank == 4 else {
        throw TensorError.invalidArgument(operation: "resize", message: "cannot resize \(maps.shape) to \(height)×\(width)")
    }
    return try withNoGrad { try maps.resizedBilinear(height: height, width: width, alignCorners: true) }
}

/// Each plane of `[N, K, H, W]` scaled to [0, 1]: (v − min) / (max − min + 1e-8).
func minMaxPlanes(_ maps: Tensor) throws -> Tensor {
    let area = maps.shape[2] * maps.shape[3]
    var values = maps.data
    for plane in 0..<(maps.shape[0] * maps.shape[1]) {
        let slice = maps.data[(plane * area)..<((plane + 1) * area)]
        let (lo, hi) = (slice.min() ?? 0, slice.max() ?? 0)
        for p in 0..<area { values[plane * area + p] = (slice[plane * area + p] - lo) / (hi - lo + 1e-8) }
    }
    return try Tensor(shape: maps.shape, data: values)
}

/// The input masked by each upsampled channel: `[K, C, H, W]` for one image `[1, C, H, W]` and its
/// masks `[1, K, H, W]`.
func maskedCopies(_ image: Tensor, masks: Tensor) throws -> Tensor {
    let (c, area, k) = (image.shape[1], image.shape[2] * image.shape[3], masks.shape[1])
    var out = [Float](repeating: 0, count: k * c * area)
    for m in 0..<k {
        for ch in 0..<c {
            for p in 0..<area { out[(m * c + ch) * area + p] = image.data[ch * area + p] * masks.data[m * area + p] }
        }
    }
    return try Tensor(shape: [k, c, image.shape[2], image.shape[3]], data: out)
}

/// Softmax of a vector.
func softmaxed(_ v: [Float]) -> [Float] {
    let top = v.max() ?? 0
    let e = v.map { exp($0 - top) }, s = e.reduce(0, +)
    return e.map { $0 / s }
}

/// **10.5** Score-CAM at `layer`: each channel Aₖ upsampled to the input (align_corners=True),
/// min-max scaled to a mask Mₖ ∈ [0, 1], the target logit of x ⊙ Mₖ; the weights are the softmax
/// of those K logits; map = ReLU(Σₖ wₖ Aₖ) `[N, 1, h, w]`. Cost: one forward pass of K images
/// per image.
public func scoreCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    let (n, _, height, width) = try imageShape(images, "Score-CAM")
    let (a, logits) = try featureMaps(of: model, at: layer, images: images)
    try checkTargets(targets, logits, "Score-CAM")
    var weights: [Float] = []
    for i in 0..<n {
        let masks = try minMaxPlanes(try resizedAlignedCorners(try a.sliced(axis: 0, i..<(i + 1)), height: height, width: width))
        let scores = try withNoGrad { try model(try maskedCopies(try images.sliced(axis: 0, i..<(i + 1)), masks: masks)) }
        weights += softmaxed((0..<a.shape[1]).map { scores.data[$0 * scores.shape[1] + targets[i]] })
    }
    return try weightedMap(weights, a)
}
