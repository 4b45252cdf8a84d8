// Lesson 05 — Grad-CAM: where does a convolutional layer see the evidence for a class?
//
// Fill in the four functions below, in order (5.4 is a stretch exercise). Each one throws
// `notStarted(…)` until you replace its body; the tests report it as "not started" until then.
// Run the tests of this lesson with
//
//     swift test --filter GradCAMLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file; keep the
// signatures as they are (the tests call them).

import LessonSupport
import TensorEngine

/// **Exercise 5.1** — The activations of a layer and the gradients of the target logits with
/// respect to them, from one forward and one backward pass.
///
/// For images xₙ and targets cₙ, return
///
///     A  = the output of `layer` (what a PyTorch forward hook on it sees),  [N, K, h, w]
///     G  = ∂ yₙ[cₙ] / ∂ Aₙ  for every image n,                                [N, K, h, w]
///
/// where y are the raw logits (pre-softmax), as pytorch-grad-cam's `ClassifierOutputTarget`.
/// Layer names are the model file's: at `mnist-gap`, `"conv3"` is the convolution's output
/// *before* its ReLU and `"relu3"` the same maps after it; both are `[N, 64, 7, 7]`.
///
/// Register a forward hook (keep `output`) and a backward hook (keep `gradOutput`) on the layer,
/// run the model once, call `backward(seed:)` once with a one-hot seed `[N, classes]` (1 at
/// `[n, targets[n]]`). Remove both hooks and clear the parameters' gradients (`model.zeroGrad()`)
/// before returning — also when something throws.
///
/// - Throws: for an unknown layer, a target outside `0..<classes`, `targets.count != N`, or a
///   layer whose output is not a stack of feature maps (rank 4), e.g. `"fc"`.
public func activationsAndGradients(of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
    throw notStarted("5.1")
}

/// **Exercise 5.2** — Grad-CAM (Selvaraju et al. 2017) at `layer`, for one target class per image.
///
///     αₖ  = (1 / h·w) Σᵢⱼ ∂yᶜ/∂Aₖ[i, j]          (the spatial *mean* of the gradients, per image)
///     map = ReLU( Σₖ αₖ · Aₖ )                     [N, 1, h, w], at the layer's own resolution
///
/// Use your `activationsAndGradients` (5.1). Image n uses its own weights αₖ(n) from its own
/// target `targets[n]`: average over the two spatial axes only, never over the batch. Return the
/// raw map: no resizing, no normalisation (that is 5.3), no gradient history (`detached()`).
///
/// Sanity check: at `relu3` of `mnist-gap` (conv → ReLU → global average pooling → fc),
/// ∂yᶜ/∂Aₖ[i, j] = w_ck / (h·w) everywhere, so Grad-CAM = ReLU(CAM) / (h·w) with CAM = Σₖ w_ck Aₖ.
public func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    throw notStarted("5.2")
}

/// **Exercise 5.3** — The map as a picture: resized to the input and scaled to [0, 1].
///
/// `maps` is `[N, 1, h, w]` (any leading axes: every h×w plane is one map). Return
/// `[N, 1, height, width]`:
///
///  1. bilinear resize to `height × width` with PyTorch's `align_corners=False` (pixel centres:
///     output o samples input (o + 0.5)·h/height − 0.5, clamped at the border) —
///     `Tensor.resizedBilinear(height:width:)` does exactly this;
///  2. then, **for each map on its own**, min-max normalisation with pytorch-grad-cam's epsilon:
///
///         v ← (v − min) / (max − min + 1e-7)
///
///     A constant map (e.g. all zeros) becomes all zeros, never NaN.
///
/// Resize first, normalise second: each returned map has minimum 0 and maximum 1 (up to the
/// epsilon) unless it is constant. The README explains why this equals pytorch-grad-cam's output.
public func upsampledAndNormalized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
    throw notStarted("5.3")
}

/// **Exercise 5.4** (stretch) — Grad-CAM++ (Chattopadhyay et al. 2018) with pytorch-grad-cam's
/// closed form. With gᵢⱼ = ∂yᶜ/∂Aₖ[i, j] and Sₖ = Σₐᵦ Aₖ[a, b] (per image and channel):
///
///     aᵢⱼ = gᵢⱼ² / (2·gᵢⱼ² + Sₖ·gᵢⱼ³ + 1e-6)      (and aᵢⱼ = 0 where gᵢⱼ = 0)
///     wₖ  = Σᵢⱼ aᵢⱼ · ReLU(gᵢⱼ)
///     map = ReLU( Σₖ wₖ · Aₖ )                     [N, 1, h, w]
///
/// Same inputs and output as `gradCAM`; only the channel weights differ.
public func gradCAMPlusPlus(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    throw notStarted("5.4")
}
