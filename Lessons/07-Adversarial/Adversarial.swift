// Lesson 07 — Adversarial examples: the gradient that explains a decision can also change it.
//
// Fill in the four functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter AdversarialLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file (a function
// returning ∇ₓ of the cross-entropy is used by all four); keep the signatures as they are.

import LessonSupport
import TensorEngine

/// **Exercise 7.1** — The fast gradient sign method (Goodfellow et al. 2015), untargeted.
///
///     x′ = clamp( x + ε · sign(∇ₓ CE(f(x), y)), 0, 1 )
///
/// with CE the cross-entropy of the logits (`crossEntropy(labels:)`) and y the true labels. One
/// step that *raises* the loss as much as possible, to first order, among all perturbations with
/// ‖x′ − x‖∞ ≤ ε; the clamp keeps a valid image. `Tensor.sign()` gives sign(0) = 0, like
/// `torch.sign`: a pixel whose gradient is exactly 0 does not move.
///
/// - Parameters:
///   - images: `[N, C, H, W]` (`[N, 1, 28, 28]` for MNIST, `[N, 3, 32, 32]` in colour), pixels in [0, 1].
///   - labels: the true class of each image.
///   - epsilon: ε ≥ 0, in pixel units (0.1 = a tenth of the pixel range).
/// - Returns: the adversarial images, the shape of `images`, without gradient history.
///
/// Get ∇ₓ on a detached copy of the images with `requiresGrad = true`. The mean over the batch
/// scales every image's gradient by 1/N — no sign changes. Leave no parameter gradients
/// (`model.zeroGrad()`). Throw for a negative ε or a bad label.
public func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
    throw notStarted("7.1")
}

/// **Exercise 7.2** — Targeted FGSM: push each image towards the class `targets[n]`.
///
///     x′ = clamp( x − ε · sign(∇ₓ CE(f(x), t)), 0, 1 )
///
/// The *minus* step lowers the loss of the target class t, i.e. raises its probability. Same
/// shapes and rules as 7.1.
public func targetedFGSM(of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
    throw notStarted("7.2")
}

/// **Exercise 7.3** — Iterative FGSM / projected gradient descent (Kurakin et al. 2017; Madry
/// et al. 2018), untargeted, in the L∞ ball.
///
///     x⁰ = x                                   (or, with `randomStart`, x + uniform(−ε, ε), projected)
///     xᵗ⁺¹ = Π( xᵗ + α · sign(∇ₓ CE(f(xᵗ), y)) )
///
/// with α = `stepSize`, `steps` iterations, and Π the projection onto the allowed set
/// {x′ : ‖x′ − x‖∞ ≤ ε} ∩ [0, 1]: clamp each pixel to [max(x − ε, 0), min(x + ε, 1)] — always
/// around the **original** x, not around xᵗ. The gradient is recomputed at every step.
///
/// With `randomStart`, draw the noise with `Tensor.randomUniform(shape, low: -ε, high: ε,
/// using: &generator)` from `var generator = SeededGenerator(seed: seed)`: the same seed must give
/// the same result.
///
/// - Returns: the shape of `images`, every value (each channel of each pixel) within ε of the original and in [0, 1].
public func pgd(of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
    throw notStarted("7.3")
}

/// **Exercise 7.4** — Accuracy against ε.
///
/// For each ε in `epsilons`, attack every image with your untargeted `fgsm` (7.1) and return the
/// fraction of **attacked** images the model still classifies correctly (ε = 0 gives the clean
/// accuracy). Work through the images in batches of at most `batchSize`
/// (`images.sliced(axis: 0, start..<end)`); the result must not depend on `batchSize`.
///
/// - Returns: one accuracy in [0, 1] per ε, in the order of `epsilons`.
public func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
    throw notStarted("7.4")
}
