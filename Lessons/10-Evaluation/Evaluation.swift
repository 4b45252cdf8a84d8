// Lesson 10 — Are the explanations right? Faithfulness (deletion, insertion), ground truth
// (pointing game, relevance mass and rank), a shortcut caught (the decoy share), and two CAMs
// that need no gradient (Ablation-CAM, Score-CAM).
//
// Fill in the functions below, in order. Each one throws `notStarted(…)` until you replace its
// body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter EvaluationLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file; keep the
// signatures as they are (the tests call them).
//
// Shapes: images are `[N, C, H, W]` (C = 1 for MNIST, 3 for Shapes); attribution maps and masks
// are `[N, 1, H, W]`, one map per image (a method that gives one value per channel reduces the
// channels first). A "pixel" is a position (y, x): replacing it replaces all C channels.

import LessonSupport
import TensorEngine

/// **Exercise 10.1a** — The perturbation curve of deletion and insertion (Petsiuk, Das & Saenko
/// 2018, "RISE", §4.1).
///
/// Order the H·W pixel positions of each map from the **most** relevant (largest attribution) to
/// the least; equal values keep the lower index (y·W + x) first. With p = `pixelsPerStep` and
/// S = ⌈H·W / p⌉ steps, the image at step k = 0 … S is `start` with its first min(k·p, H·W)
/// positions in that order replaced (every channel) by `end`'s values. Record
///
///     curve[n, k] = softmax(model(image_k))[targets[n]]          [N, S + 1]
///
/// - Deletion: start = the image, end = a baseline (zeros): a faithful map makes it fall fast.
/// - Insertion: start = a blurred copy, end = the image: a faithful map makes it rise fast.
///
/// Batch: stack the S + 1 perturbed copies of an image into one `[S + 1, C, H, W]` tensor and run
/// the model once per image (inside `withNoGrad`), never once per step. Graded: at most N forward
/// passes for N images.
///
/// - Throws: for images not `[N, C, H, W]`, `end` shaped differently, maps not `[N, 1, H, W]`,
///   `targets.count != N`, a target outside the classes, or `pixelsPerStep < 1`.
public func perturbationCurve(of model: Module, from start: Tensor, to end: Tensor, attributions: Tensor, targets: [Int], pixelsPerStep: Int) throws -> Tensor {
    throw notStarted("10.1a")
}

/// **Exercise 10.1b** — The area under each curve `[N, S + 1]` by the trapezoid rule, on the
/// x positions 0, 1/S, 2/S, …, 1 (the share of pixels replaced):
///
///     AUC = Σₖ₌₀^{S−1} (yₖ + yₖ₊₁)/2 · (1/S)  =  (Σ y − y₀/2 − y_S/2) / S
///
/// (RISE's own `auc`). The step width 1/S matters: without it the area grows with the number of
/// steps and two step sizes cannot be compared. Returns one value per row.
///
/// - Throws: for anything but `[N, S + 1]` with S ≥ 1.
public func areaUnderCurve(_ curves: Tensor) throws -> [Float] {
    throw notStarted("10.1b")
}

/// **Exercise 10.2a** — The pointing game (Zhang et al. 2016, "Top-down neural attention by
/// excitation backprop"): does the map's maximum fall on the object?
///
/// `masks` `[N, 1, H, W]`: nonzero on the object. Convention of this course (write it down with
/// any number you report): a pixel is a *hit* if it lies within Euclidean distance `tolerance`
/// (in pixels) of a mask pixel — Zhang et al. use 15 px on ~224 px images; 0 means inside the mask.
/// The distance is Euclidean, to the nearest mask pixel, and inclusive: a maximum exactly
/// `tolerance` away is a hit. An image whose mask is empty scores 0.
/// **Ties**: an upsampled CAM has plateaus, so a map may have many maximal pixels. Score each
/// image as the fraction of its maximal pixels (every pixel equal to the maximum) that are hits —
/// a constant map then scores the hit share of the image (chance), never 1 or 0 by the accident of
/// which maximum comes first. Returns `[N]` scores in [0, 1].
///
/// - Throws: for maps not `[N, 1, H, W]`, masks of another shape, or a negative tolerance.
public func pointingGame(attributions: Tensor, masks: Tensor, tolerance: Int = 0) throws -> [Float] {
    throw notStarted("10.2a")
}

/// **Exercise 10.2b** — Relevance mass accuracy (Arras, Osman & Samek 2022, "CLEVR-XAI", §4.2):
/// the share of the **positive** attribution inside the mask,
///
///     mass = Σ_{mask} max(a, 0) / Σ_{all} max(a, 0)      (0 when no attribution is positive)
///
/// Negative attribution is evidence *against* the class; it is left out, not cancelled against
/// positive evidence. Returns `[N]` values in [0, 1].
///
/// - Throws: as `pointingGame`.
public func relevanceMass(attributions: Tensor, masks: Tensor) throws -> [Float] {
    throw notStarted("10.2b")
}

/// **Exercise 10.2c** — Relevance rank accuracy (Arras, Osman & Samek 2022): with K = the number
/// of mask pixels, take the K pixels with the highest attribution (ties: lower index first) and
/// return the share of them that lie in the mask (`[N]`, 0 for an empty mask). A random map scores
/// K / (H·W) on average; a perfect one 1.
///
/// - Throws: as `pointingGame`.
public func relevanceRankAccuracy(attributions: Tensor, masks: Tensor) throws -> [Float] {
    throw notStarted("10.2c")
}

/// **Exercise 10.3** — The decoy share on Decoy MNIST (Ross, Hughes & Doshi-Velez 2017): how much
/// of a map lies in the image's 4×4 swatch, the shortcut a decoy-trained model can read.
///
///     share = Σ_{swatch} |a| / Σ_{all} |a|             (0 for an all-zero map)
///
/// `corners[n]` ∈ 0…3 places image n's swatch: bit 0 set = right columns W−4 ..< W (else 0 ..< 4),
/// bit 1 set = bottom rows H−4 ..< H (else 0 ..< 4) — `DecoyMNIST.origin(ofCorner:)`. Absolute
/// values: a swatch that *lowers* a class score is still being read. Evenly spread attribution
/// scores 16 / (H·W) ≈ 2% on MNIST. Returns `[N]`.
///
/// - Throws: for maps not `[N, 1, H, W]` (H, W ≥ 4), or `corners` not one value in 0…3 per map.
public func decoyShare(attributions: Tensor, corners: [Int]) throws -> [Float] {
    throw notStarted("10.3")
}

/// **Exercise 10.4** — Ablation-CAM (Desai & Ramaswamy 2020) at `layer`, as pytorch-grad-cam 1.5.7
/// computes it. With Aₖ the layer's maps `[N, K, h, w]`, yᶜ the target's raw logit and yᶜₖ the
/// same logit when channel k of the layer's output is set to 0 (a forward hook that replaces the
/// output: `registerForwardHook(replacingOutput:)`):
///
///     wₖ  = (yᶜ − yᶜₖ) / yᶜ                         (the relative drop of the score)
///     map = ReLU( Σₖ wₖ · Aₖ )                        [N, 1, h, w], at the layer's resolution
///
/// Batch the K ablations of an image into one forward pass of K copies (copy k ablates channel k).
/// Graded: at most N + 2 forward passes of the model for N images (the original scores, one
/// batch of K ablated copies per image, one spare).
/// Remove the hook when done (`defer { handle.remove() }`): a replacing hook left installed breaks
/// every later forward pass of the model.
/// No gradients are needed. (pytorch-grad-cam writes min − 10⁷ instead of 0 when the layer's
/// output has no zero; after a ReLU, as at `relu3`, both are 0.)
public func ablationCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    throw notStarted("10.4")
}

/// **Exercise 10.5** — Score-CAM (Wang et al. 2020) at `layer`, as pytorch-grad-cam 1.5.7 computes it:
///
///  1. Uₖ = Aₖ upsampled to the input's H×W by bilinear interpolation with **align_corners=True**
///     (`torch.nn.UpsamplingBilinear2d`): output o samples input o·(h − 1)/(H − 1);
///  2. Mₖ = (Uₖ − min Uₖ) / (max Uₖ − min Uₖ + 1e-8), per image and channel;
///  3. sₖ = the target's raw logit of the masked input x ⊙ Mₖ (the mask multiplies every channel);
///  4. wₖ = softmax over k of sₖ;   map = ReLU( Σₖ wₖ · Aₖ )   [N, 1, h, w].
///
/// Batch the K masked copies of an image into one forward pass. Graded: at most N + 2 forward passes
/// of the model for N images (the activations, one batch of K masked copies per image, one spare).
public func scoreCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    throw notStarted("10.5")
}

/// **Exercise 10.6a** — ROAD's linear imputation (Rong et al. 2022, "A consistent and efficient
/// evaluation strategy for attribution methods"), as pytorch-grad-cam 1.5.7's `NoisyLinearImputer`
/// computes it, without the noise (10.6b adds it).
///
/// `keep` `[N, 1, H, W]`: nonzero = kept, 0 = removed. Every removed pixel becomes the weighted mean
/// of its neighbours that lie inside the image — kept neighbours at their values, removed ones at
/// their own (unknown) imputed values:
///
///     weights: 1/6 for the 4 neighbours sharing an edge, 1/12 for the 4 diagonal ones
///     s_i · x_i − Σ_{removed j ~ i} w_ij · x_j  =  Σ_{kept j ~ i} w_ij · v_j,    s_i = Σ_{j ~ i inside} w_ij
///
/// (s_i = 1 inside the image, less at the border: a corner pixel has only 1/6 + 1/6 + 1/12.) That is
/// one linear system per plane with one unknown per removed pixel, the same matrix for every channel.
/// Solve it to ~1e-7: the matrix is symmetric positive definite, so conjugate gradients with the
/// diagonal s_i as preconditioner converge in tens of iterations. Gauss–Seidel (sweep
/// x_i ← (Σ w_ij x_j + Σ w_ij v_j) / s_i until nothing changes by more than 1e-9) is correct too,
/// but needs thousands of sweeps when nearly everything is removed — the tests then take minutes. Kept pixels keep their values; every channel
/// is imputed with the same mask. If every pixel of a plane is removed there is nothing to
/// interpolate from (the library returns NaN): fill it with 0.
///
/// - Returns: `[N, C, H, W]`.
/// - Throws: for images not `[N, C, H, W]` or `keep` not `[N, 1, H, W]` of the same N, H, W.
public func linearImputation(of images: Tensor, keeping keep: Tensor) throws -> Tensor {
    throw notStarted("10.6a")
}

/// **Exercise 10.6b** — ROAD at one percentile, as pytorch-grad-cam 1.5.7's `ROADMostRelevantFirst(p)`
/// and `ROADLeastRelevantFirst(p)` compute it with `ClassifierOutputSoftmaxTarget`.
///
/// Per image n, with a = its map (`[N, 1, H, W]`):
///  1. values = a for `.mostRelevantFirst`, 1 − a for `.leastRelevantFirst`;
///  2. threshold = numpy.percentile(values, p): sort, h = (H·W − 1)·p/100, and interpolate
///     linearly between the sorted values at ⌊h⌋ and ⌊h⌋ + 1;
///  3. keep = values < threshold (strictly: pixels *equal* to the threshold are removed too, so a
///     plateau of an upsampled map goes whole);
///  4. the image with the removed pixels imputed (your `linearImputation`), plus `noise` at the
///     removed pixels only (`noise` is shaped like `images`; the library draws 0.01·N(0, 1) there,
///     here the caller draws it so results are reproducible);
///  5. score = softmax(model(imputed))[target] − softmax(model(image))[target].
///
/// So MoRF at p = 30 removes the 70% most relevant pixels: a faithful map makes the probability
/// fall (a large negative score); LeRF removes the 70% least relevant: it should barely move.
/// Run the model inside `withNoGrad`, on all N images at once.
///
/// - Returns: `[N]` score changes.
/// - Throws: for mismatched shapes, `targets.count != N`, a target outside the classes, or a
///   percentile outside 1...99.
public func roadScores(of model: Module, images: Tensor, attributions: Tensor, targets: [Int], percentile: Int,
                       order: RemovalOrder, noise: Tensor) throws -> [Float] {
    throw notStarted("10.6b")
}
