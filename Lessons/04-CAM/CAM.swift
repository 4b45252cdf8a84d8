// Lesson 04 — CAM: class activation maps of a global-average-pooling network.
//
// Fill in the three functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter '^CAMLessonTests'
//
// Read README.md in this folder first. You may add private helpers to this file; keep the
// signatures as they are (the tests call them).

import LessonSupport
import TensorEngine

/// **Exercise 4.1** — The class activation map (Zhou et al. 2016).
///
/// In a network that ends with `featureLayer → global average pooling → classifier (Linear)`,
/// the logit of class c is
///
///     y_c = Σₖ w_ck · (1 / h·w) Σᵢⱼ Aₖ(i, j) + b_c  =  (1 / h·w) Σᵢⱼ CAM_c(i, j) + b_c
///
/// with the class activation map
///
///     CAM_c(i, j) = Σₖ w_ck · Aₖ(i, j)
///
/// where A (`[N, K, h, w]`) is the output of `featureLayer` (capture it with a forward hook) and
/// w_c the row c of the classifier's weight (`Linear.weight` is `[classes, K]`, row-major: w_ck is
/// `weight.data[c * K + k]`). The bias is **not** part of the map. Image n uses its own class
/// `targets[n]`.
///
/// Before computing anything, check that CAM applies to this model: between `featureLayer` and
/// `classifier` the model must run **exactly one global average pooling** (`GlobalAvgPool2d`)
/// and nothing else, and the classifier must be a `Linear` with K in-features. Otherwise throw an
/// error whose message says why. For a model without any global average pooling (such as
/// `mnist-fc`, which flattens its feature maps), the message must say that it has **no global
/// average pooling** — flattening keeps the positions, so there are no per-channel class
/// weights — and that **Grad-CAM** (Lesson 05) works instead.
///
/// - Parameters:
///   - images: `[N, C, H, W]` (`[N, 1, 28, 28]` for MNIST, `[N, 3, 32, 32]` for the colour tests).
///   - targets: one class per image, each in `0..<classes`.
///   - featureLayer: the module whose output is A; `"relu3"` for `mnist-gap`.
///   - classifier: the final `Linear`; `"fc"` for `mnist-gap`.
/// - Returns: `[N, 1, h, w]`, at the feature maps' resolution (7×7 for `mnist-gap`), raw values
///   (they can be negative), no gradient history.
/// - Throws: for an unknown layer name, a model CAM does not apply to (see above), a target out
///   of range or `targets.count != N`. Remove the hook also when something throws.
public func classActivationMap(of model: Module, images: Tensor, targets: [Int],
                               featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
    throw notStarted("4.1")
}

/// **Exercise 4.2** — Bilinear upsampling, by hand, exactly like PyTorch's
/// `F.interpolate(maps, size=(height, width), mode="bilinear", align_corners=False)`.
///
/// Pixels are unit squares; along an axis of input length `in` and output length `out`, output
/// index o samples the input coordinate
///
///     s(o) = max( (o + 0.5) · in / out − 0.5, 0 )
///     i₀ = ⌊s⌋,  i₁ = min(i₀ + 1, in − 1),  λ = s − i₀
///     value = (1 − λ) · x[i₀] + λ · x[i₁]
///
/// In 2-D, do this along the rows and along the columns: the output pixel (oy, ox) is the
/// λ-weighted mix of the four input pixels (i₀ʸ or i₁ʸ, i₀ˣ or i₁ˣ). Compute the weights in
/// `Float` as written above.
///
/// - Parameters:
///   - maps: `[N, C, h, w]` — every `h × w` plane is resized on its own (any number of leading
///     axes works the same way).
/// - Returns: `[N, C, height, width]`.
/// - Throws: for `height` or `width` < 1, or `maps` of rank < 2 or with an empty plane.
///
/// Write it yourself with loops; `Tensor.resizedBilinear` does the same and the tests compare
/// with it (and with PyTorch).
public func upsampleBilinear(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
    throw notStarted("4.2")
}

/// **Exercise 4.3** — Min-max normalisation of each map on its own, pytorch-grad-cam's
/// `scale_cam_image` convention:
///
///     v ← (v − min) / (max − min + 1e-7)
///
/// where min and max are taken over **one** `h × w` map (one image, one channel), never over the
/// batch. A constant map becomes all zeros (0 / 1e-7), never NaN.
///
/// - Parameters:
///   - maps: `[N, C, h, w]` (any leading axes: every `h × w` plane is one map).
/// - Returns: the same shape, every map in [0, 1] (its maximum just below 1 unless it is constant).
public func normalizedMaps(_ maps: Tensor) throws -> Tensor {
    throw notStarted("4.3")
}
