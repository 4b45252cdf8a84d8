// Lesson 02 — Saliency: which pixels does the score depend on?
//
// Fill in the functions below, in order (2.1, 2.2, 2.3, 2.4, 2.5a, 2.5). Each one throws
// `notStarted(…)` until you replace its body; the tests report it as "not started" until then.
// Run the tests of this lesson with
//
//     swift test --filter SaliencyLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file; keep the
// signatures as they are (the tests call them).
//
// Conventions for every function here:
// - `images` are pixels in [0, 1], `[N, C, H, W]` (`[N, 1, 28, 28]` for MNIST). The model's first
//   layer normalises them, so every gradient is with respect to the *pixels*, as in captum.
// - The score of image n is its raw logit yₙ[cₙ] for the target class cₙ = `targets[n]`
//   (pre-softmax), never a probability or a loss.
// - Leave the model as you found it: no gradients in its parameters (`model.zeroGrad()`), and do
//   not change the caller's `images` (differentiate a copy: `images.detached()`).

import LessonSupport
import TensorEngine

/// **Exercise 2.1** — Vanilla saliency (Simonyan, Vedaldi & Zisserman, 2014).
///
/// Return the signed gradient of each image's target logit with respect to its pixels:
///
///     S[n, k, i, j] = ∂ yₙ[cₙ] / ∂ x[n, k, i, j]
///
/// — captum's `Saliency(model).attribute(x, target=targets, abs=False)`.
///
/// - Parameters:
///   - model: a classifier returning logits `[N, classes]`, e.g. `mnist-gap`.
///   - images: `[N, C, H, W]`, pixels in [0, 1].
///   - targets: one class per image (`targets.count == N`, each in `0..<classes`).
/// - Returns: a tensor with the shape of `images`.
/// - Throws: if `targets.count != N` or a target is not a class of the model.
///
/// How: make a copy of the images that requires gradients (`let x = images.detached();
/// x.requiresGrad = true`), run the model on it, and call `backward(seed:)` on the logits with a
/// one-hot seed (`[N, classes]`, a 1 at `[n, targets[n]]`) — one backward pass for the whole batch,
/// because the images of a batch do not interact. The answer is then in `x.grad`.
/// Clear the parameters' gradients afterwards (`model.zeroGrad()`, best in a `defer`).
public func saliency(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    throw notStarted("2.1")
}

/// **Exercise 2.2** — The saliency map as Simonyan et al. draw it.
///
/// The magnitude of the gradient, and of the channels the largest:
///
///     M[n, 0, i, j] = maxₖ | g[n, k, i, j] |
///
/// `[N, C, H, W]` → `[N, 1, H, W]` (the channel axis is kept, with size 1). For one-channel MNIST
/// this is just |g|; for RGB it picks, per pixel, the colour channel with the strongest gradient.
/// captum's `Saliency(abs=True)` takes the absolute value but keeps every channel.
///
/// - Parameter gradient: any `[N, C, H, W]` tensor, typically the output of `saliency`.
/// - Returns: `[N, 1, H, W]`, every value ≥ 0.
/// - Throws: if `gradient` is not of rank 4.
///
/// Hint: `abs()` and `max(axis:keepDims:)` — in which order?
public func saliencyMagnitude(_ gradient: Tensor) throws -> Tensor {
    throw notStarted("2.2")
}

/// **Exercise 2.3** — Gradient × input (Shrikumar et al., 2016).
///
///     A[n, k, i, j] = x[n, k, i, j] · ∂ yₙ[cₙ] / ∂ x[n, k, i, j]
///
/// — captum's `InputXGradient`. Multiply by the pixels in [0, 1] as given (`images`), not by what
/// the network's normalisation layer makes of them. Black pixels (0) get no attribution at all.
///
/// - Returns: a tensor with the shape of `images`.
/// - Throws: as `saliency`.
public func gradientTimesInput(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    throw notStarted("2.3")
}

/// **Exercise 2.4** — SmoothGrad (Smilkov et al., 2017): the average gradient of noisy copies.
///
///     SG(xₙ) = (1/S) Σₛ ∂ y[cₙ] / ∂ x |_{x = xₙ + σₙ zₛₙ},   zₛₙ ~ N(0, I),
///     σₙ = noiseLevel · (max(xₙ) − min(xₙ))      (max and min over all pixels of image n)
///
/// with S = `samples`. The result is signed (the mean of signed gradients).
///
/// **The noise, exactly** (so that your result matches the reference to rounding):
/// 1. `var g = SeededGenerator(seed: seed)`, then ONE call
///    `let z = Tensor.randomNormal([samples * N, C, H, W], using: &g)`.
/// 2. Sample-major rows: copy s of image n (s = 0..<samples, n = 0..<N) is row `s * N + n`,
///    noisy pixel = `x[n, p] + σₙ * z[s * N + n, p]` (computed in `Float`, in this order). No clipping.
/// 3. Run all `samples * N` noisy images through the model in ONE forward pass and ONE backward
///    pass (row `s * N + n` has target `targets[n]`), then average the S gradients of each image.
///
/// - Parameters:
///   - samples: S ≥ 1.
///   - noiseLevel: σ as a fraction of each image's range, ≥ 0 (Smilkov et al. suggest 0.1–0.2).
///     0 gives back `saliency`.
///   - seed: the noise's seed; the same seed gives the same result.
/// - Returns: a tensor with the shape of `images`.
/// - Throws: if `samples < 1`, `noiseLevel < 0`, or as `saliency`.
public func smoothGrad(of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
    throw notStarted("2.4")
}

/// **Exercise 2.5a** — Where to evaluate the gradient along the path, and with what weight.
///
/// Integrated Gradients needs ∫₀¹ f(α) dα ≈ Σᵢ wᵢ f(αᵢ). Return the points αᵢ and weights wᵢ of
/// `method` for n = `steps` (i = 0, …, n − 1), as captum's `approximation_methods`:
///
/// | method | αᵢ | wᵢ |
/// | --- | --- | --- |
/// | `.riemannLeft` | i / n | 1 / n |
/// | `.riemannRight` | (i + 1) / n | 1 / n |
/// | `.riemannMiddle` | (i + ½) / n | 1 / n |
/// | `.riemannTrapezoid` | i / (n − 1) | 1/(n − 1), but 1/(2(n − 1)) for the first and the last (n ≥ 2) |
/// | `.gaussLegendre` | (1 + ξᵢ) / 2 | ωᵢ / 2 |
///
/// (ξᵢ, ωᵢ) is the n-point Gauss–Legendre rule on [−1, 1] (numpy's `leggauss(n)`), nodes in
/// ascending order: ξᵢ are the n roots of the Legendre polynomial Pₙ, ωᵢ = 2 / ((1 − ξᵢ²) Pₙ′(ξᵢ)²).
/// Compute them in `Double` by Newton's method:
/// - Pₙ(z) by Bonnet's recurrence P₀ = 1, P₁ = z, (k + 1) Pₖ₊₁ = (2k + 1) z Pₖ − k Pₖ₋₁;
///   then Pₙ′(z) = n (z Pₙ(z) − Pₙ₋₁(z)) / (z² − 1).
/// - The i-th largest root (i = 1, 2, …) is close to cos(π (i − ¼) / (n + ½)); iterate
///   z ← z − Pₙ(z)/Pₙ′(z) until the step is below ~1e-15. The roots are symmetric: ξ and −ξ.
///
/// For n = 5, numpy's `leggauss(5)` gives ξ = −0.906179845938664, −0.5384693101056831, 0, and
/// their mirror images, with ω = 0.23692688505618928, 0.4786286704993663, 0.5688888888888887
/// (= 128/225), 0.4786286704993663, 0.23692688505618928 — the tests check yours against these
/// to 1e-14.
///
/// - Returns: `steps` points in [0, 1] (ascending) and `steps` weights that sum to 1.
/// - Throws: if `steps < 1`, or `steps < 2` for the trapezoidal rule.
public func integrationPoints(_ method: IntegrationMethod, steps: Int) throws -> (alphas: [Double], weights: [Double]) {
    throw notStarted("2.5a")
}

/// **Exercise 2.5** — Integrated Gradients (Sundararajan, Taly & Yan, 2017).
///
///     IGₙ = (xₙ − x′ₙ) ⊙ Σᵢ wᵢ ∇ y[cₙ] (x′ₙ + αᵢ (xₙ − x′ₙ))
///
/// with (αᵢ, wᵢ) = `integrationPoints(method, steps:)` — captum's
/// `IntegratedGradients(model).attribute(x, baselines=x′, target=targets, n_steps=steps, method=…,
/// return_convergence_delta=True)`. Also return, for each image, the **completeness delta**
///
///     δₙ = Σ_{k,i,j} IGₙ[k, i, j] − (yₙ[cₙ](xₙ) − yₙ[cₙ](x′ₙ))
///
/// which would be 0 for the exact integral; it measures the quadrature error.
///
/// - Parameters:
///   - baseline: x′, the shape of `images`; `nil` means all zeros (a black image).
///   - steps: the number of points on the path (`≥ 1`, `≥ 2` for the trapezoid).
///   - method: the quadrature rule (exercise 2.5a).
/// - Returns: the attributions (shape of `images`) and the N deltas.
/// - Throws: if the baseline's shape differs from the images', or as `saliency` and `integrationPoints`.
///
/// Batch the work: put every point of every path in ONE tensor of `steps * N` images (step-major:
/// row s·N + n is x′ₙ + αₛ (xₙ − x′ₙ)), one forward and one backward pass for all of them (row
/// s·N + n has target `targets[n]`), then sum the weighted gradients of each image. F(x) and F(x′)
/// for the delta may come from one or two more forward passes (under `withNoGrad`).
public func integratedGradients(of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
    throw notStarted("2.5")
}
