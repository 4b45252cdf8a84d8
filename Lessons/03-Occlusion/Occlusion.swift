// Lesson 03 — Occlusion: hide a patch of the image and watch the class score change.
//
// Fill in the two functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter OcclusionLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file; keep the
// signatures as they are (the tests call them).

import LessonSupport
import TensorEngine

/// **Exercise 3.1** — Where the occluding window goes.
///
/// A `window × window` square slides over a `height × width` image in steps of `stride`,
/// starting at the top-left corner (offset 0). Along an axis of length D there are
///
///     P(D) = ⌈(D − window) / stride⌉ + 1
///
/// positions, at offsets 0, stride, 2·stride, … . The last one may stick out of the image when
/// `stride` does not divide `D − window`: it is **cropped** to the image, not dropped and not
/// shifted back (captum's `Occlusion` does the same). Example: D = 5, window 2, stride 2 gives
/// ⌈3/2⌉ + 1 = 3 positions: `0..<2`, `2..<4` and `4..<5` (cropped).
///
/// - Returns: the P(height) · P(width) windows in **row-major order** (the row offset changes
///   slowest): `(rows: 0..<w, columns: 0..<w)`, `(rows: 0..<w, columns: s..<s+w)`, … .
///   For a 28×28 image, window 4 and stride 2: 13 · 13 = 169 windows.
/// - Throws: when a size is not positive (height, width, window, stride ≥ 1) or the window is
///   larger than the image (window > height or window > width).
public func occlusionWindows(height: Int, width: Int, window: Int, stride: Int) throws -> [(rows: Range<Int>, columns: Range<Int>)] {
    throw notStarted("3.1")
}

/// **Exercise 3.2** — Occlusion sensitivity (Zeiler & Fergus 2014), with captum's conventions.
///
/// For image x (`[C, H, W]`), its target class c and the raw logit F(x) = model(x)[c]
/// (pre-softmax), every window k of `occlusionWindows` (3.1) gives an occluded copy x₍ₖ₎: the
/// window's pixels, in every channel, set to `baseline`. The attribution of pixel p is the mean,
/// over the windows that cover p, of the drop in the score:
///
///     A(p) = (1 / |{k : p ∈ k}|) · Σ_{k ∋ p} ( F(x) − F(x₍ₖ₎) )
///
/// Positive: hiding p lowers the score (evidence *for* c); negative: hiding p raises it.
/// This is exactly captum's `Occlusion(model).attribute(x, target=c,
/// sliding_window_shapes=(C, window, window), strides=(C, stride, stride), baselines=baseline)`,
/// which sums the differences into the covered pixels and divides by the number of windows
/// covering each pixel.
///
/// - Parameters:
///   - images: `[N, C, H, W]`.
///   - targets: one class per image (`targets.count == N`, each in `0..<classes`).
///   - batchSize: how many occluded images go through the network in one forward pass (≥ 1).
///     Build the occluded copies of all images (N · windows in all), and evaluate them in chunks
///     of `batchSize` — the last chunk may be smaller. No graph is needed: run the model inside
///     `withNoGrad { … }`.
/// - Returns: `[N, C, H, W]`, the same value in every channel of a pixel. The result must not
///   depend on `batchSize` — not even in the last bit (the tests compare 1, 7 and 169).
/// - Throws: for `targets.count != N`, a target outside the classes, `batchSize < 1`, or
///   window sizes that `occlusionWindows` rejects.
public func occlusion(of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                      baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
    throw notStarted("3.2")
}
