// Reference solutions of Lesson 05 — Grad-CAM (Selvaraju et al. 2017) and Grad-CAM++
// (Chattopadhyay et al. 2018), with pytorch-grad-cam's conventions.

import TensorEngine

/// The activations A (`[N, K, h, w]`) of `layer` and the gradients ∂yₙ[cₙ]/∂A from one forward
/// and one backward pass (one-hot seed on the targets). Hooks are removed, also on error, and the
/// parameters' gradients cleared.
public func activationsAndGradients(of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
    let module = try model.module(named: layer)
    var activations: Tensor?, gradients: Tensor?, layerInput: Tensor?
    let forward = module.registerForwardHook { _, input, output in activations = output; layerInput = input }
    let backward = module.registerBackwardHook { _, _, gradOutput in gradients = gradOutput }
    defer { forward.remove(); backward.remove(); model.zeroGrad() }
    let logits = try model(images)
    // The backward pass only as far as the layer's input (PyTorch's `backward(inputs=…)`): that is
    // where the backward hook fires, and nothing below the layer, nor any parameter's gradient,
    // is needed. The same numbers as a full pass; on VGG-16 at 224×224 a fraction of its time.
    let seed = try oneHot(targets, like: logits)
    if let layerInput, layerInput.requiresGrad {
        try logits.backward(seed: seed, inputs: [layerInput])
    } else {
        try logits.backward(seed: seed)
    }
    guard let a = activations, let g = gradients else {
        throw TensorError.invalidArgument(operation: "Grad-CAM", message: "layer '\(layer)' did not take part in computing the logits")
    }
    guard a.rank == 4 else {
        throw TensorError.invalidArgument(operation: "Grad-CAM", message: "layer '\(layer)' outputs \(a.shape); Grad-CAM needs feature maps [N, K, h, w] (a conv, ReLU or pooling layer)")
    }
    return (a, g)
}

/// A `[N, classes]` one-hot seed for the logits: 1 at each image's target class.
func oneHot(_ targets: [Int], like logits: Tensor) throws -> Tensor {
    guard logits.rank == 2, targets.count == logits.shape[0] else {
        throw TensorError.shapeMismatch(operation: "one-hot targets", lhs: [targets.count], rhs: logits.shape, detail: "one target per image")
    }
    return try Tensor.oneHot(targets, classes: logits.shape[1])
}

/// Grad-CAM at `layer`: αₖ = mean over positions of ∂yᶜ/∂Aₖ; map = ReLU(Σₖ αₖ Aₖ), `[N, 1, h, w]`
/// at the layer's resolution (unnormalised; see `upsampledAndNormalized`).
public func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    let (a, g) = try activationsAndGradients(of: model, at: layer, images: images, targets: targets)
    let weights = try g.mean(axes: [2, 3], keepDims: true)                       // [N, K, 1, 1]
    return try (a * weights).sum(axes: [1], keepDims: true).relu().detached()
}

/// Grad-CAM++ with pytorch-grad-cam's closed form:
/// aᵢⱼᵏ = g² / (2g² + Σᵢⱼ Aᵏ · g³ + 1e-6) (0 where g = 0); wₖ = Σᵢⱼ aᵢⱼᵏ · ReLU(gᵢⱼᵏ);
/// map = ReLU(Σₖ wₖ Aₖ).
public func gradCAMPlusPlus(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    let (a, g) = try activationsAndGradients(of: model, at: layer, images: images, targets: targets)
    let (n, k, h, w) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3])
    var map = [Float](repeating: 0, count: n * h * w)
    for i in 0..<n {
        for c in 0..<k {
            let base = (i * k + c) * h * w
            var sumA: Float = 0
            for p in 0..<(h * w) { sumA += a.data[base + p] }
            var weight: Float = 0
            for p in 0..<(h * w) {
                let gv = g.data[base + p]
                guard gv != 0 else { continue }
                let g2 = gv * gv, g3 = g2 * gv
                weight += g2 / (2 * g2 + sumA * g3 + 1e-6) * max(gv, 0)
            }
            for p in 0..<(h * w) { map[i * h * w + p] += weight * a.data[base + p] }
        }
    }
    return try Tensor(shape: [n, 1, h, w], data: map.map { max($0, 0) })
}

/// Bilinear upsampling to `height × width` (PyTorch `align_corners=False`, which is also what
/// OpenCV's `cv2.resize` does), then min-max normalisation of each map:
/// (v − min) / (max − min + 1e-7), pytorch-grad-cam's `scale_cam_image` epsilon. A constant map
/// becomes zeros.
public func upsampledAndNormalized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
    let up = try withNoGrad { try maps.resizedBilinear(height: height, width: width) }
    let area = height * width
    var values = up.data
    for m in 0..<(values.count / area) {
        let slice = values[(m * area)..<((m + 1) * area)]
        let low = slice.min() ?? 0, high = slice.max() ?? 0
        for p in (m * area)..<((m + 1) * area) { values[p] = (values[p] - low) / (high - low + 1e-7) }
    }
    return try Tensor(shape: up.shape, data: values)
}
