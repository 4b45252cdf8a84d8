// Lesson 06 — Guided backpropagation, deconvnet, guided Grad-CAM, and a sanity check.
//
// Fill in the four functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter GuidedBackpropLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file (for instance
// one function taking the ReLU rule as a closure, and a copy of your Grad-CAM from lesson 05);
// keep the signatures as they are (the tests call them).

import LessonSupport
import TensorEngine

/// **Exercise 6.1** — Guided backpropagation (Springenberg et al. 2015).
///
/// The gradient ∂yₙ[cₙ]/∂xₙ of each image's target logit with respect to its pixels — except that
/// at **every** `ReLU` module the gradient passed back is changed. With x the ReLU's input and
/// R = ∂y/∂(ReLU output) the gradient arriving from above (`gradOutput`):
///
///     plain backprop:   ∂y/∂x = 1[x > 0] · R               (what `gradInput` already is)
///     guided backprop:  ∂y/∂x = 1[x > 0] · 1[R > 0] · R   = ReLU(gradInput)
///
/// so only positive evidence flows back, through units that were active. Register a backward
/// hook with `registerBackwardHook(replacingGradInput:)` on every module `is ReLU` (use
/// `model.namedModules()`); return the replacement gradInput. Make a detached copy of the images
/// with `requiresGrad = true`, run the model, backpropagate a one-hot seed `[N, classes]`, read
/// the copy's `grad`.
///
/// - Parameters:
///   - images: `[N, C, H, W]` (the tests also use a `[N, features]` input: do not assume rank 4).
///   - targets: one class per image.
/// - Returns: a map with the images' shape, signed.
///
/// Remove every hook before returning — **also when something throws** (`defer`), and leave no
/// gradients in the parameters (`model.zeroGrad()`). Throw for a bad target or target count.
public func guidedBackprop(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    throw notStarted("6.1")
}

/// **Exercise 6.2** — The deconvnet rule (Zeiler & Fergus 2014).
///
/// Like 6.1, but at every ReLU the gradient passed back is ReLU(R) = ReLU(`gradOutput`): the
/// forward pass's mask 1[x > 0] is ignored. Same shapes, same rules about hooks.
public func deconvnet(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    throw notStarted("6.2")
}

/// **Exercise 6.3** — Guided Grad-CAM (Selvaraju et al. 2017).
///
///     guided Grad-CAM = guided backprop ⊙ upsampledAndNormalized(Grad-CAM at `layer`)
///
/// Guided backprop is sharp but not class-discriminative; Grad-CAM is class-discriminative but
/// coarse. Multiply them pixel by pixel: guided backprop `[N, C, H, W]` (6.1) times the Grad-CAM
/// of `layer` (lesson 05: ReLU(Σₖ αₖ Aₖ), αₖ the spatial mean of ∂yᶜ/∂Aₖ), resized bilinearly to
/// `H × W` (align_corners=False, `resizedBilinear`) and min-max scaled per image to [0, 1] with
/// (v − min) / (max − min + 1e-7) — exactly lesson 05's 5.2 followed by 5.3.
///
/// - Returns: `[N, C, H, W]` (C = 1 for MNIST), signed; |result| ≤ |guided backprop| everywhere.
public func guidedGradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
    throw notStarted("6.3")
}

/// **Exercise 6.4** — Spearman's rank correlation.
///
/// Replace each value by its rank (1 for the smallest … n for the largest; values that tie all
/// get the **average** of the ranks they occupy: [5, 7, 7, 9] → [1, 2.5, 2.5, 4]), then return the
/// Pearson correlation of the two rank arrays:
///
///     ρ = Σᵢ (rᵢ − r̄)(sᵢ − s̄) / √( Σᵢ (rᵢ − r̄)² · Σᵢ (sᵢ − s̄)² )
///
/// If either array is constant (zero variance of its ranks) return 0. Compute in `Double`.
///
/// - Throws: if the arrays differ in length or have fewer than 2 values.
public func rankCorrelation(_ a: [Float], _ b: [Float]) throws -> Double {
    throw notStarted("6.4")
}
