// Lesson 08 — What a network has learned: class images, regularisers, units, DeepDream.
//
// Fill in the eight functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter FeatureVisualizationLessonTests
//
// Read README.md in this folder first, and keep ../TOOLBOX.md open. You may add private helpers
// to this file; keep the signatures as they are (the tests call them).

import LessonSupport
import TensorEngine

/// **Exercise 8.1** — A class image by gradient ascent (Simonyan, Vedaldi & Zisserman 2014).
///
/// Optimise the *input* instead of the weights: starting from x₀ = `start`, repeat `steps` times
///
///     J(x) = Σₙ yₙ[target](x) − λ ‖x − x₀‖²        (yₙ: the raw logits, not the softmax)
///     x   ← clamp(x + learningRate · ∇ₓJ(x), 0, 1)
///
/// and record J(x) **before** each step. The logit, not the probability: raising p(c) can be done
/// by lowering the other classes, raising yᶜ cannot. Clamping keeps the image a valid image.
///
/// - Parameters:
///   - start: `[N, 1, 28, 28]`, pixels in [0, 1] (`AscentSettings.startGrey` = 0.25 is the usual start, as the README says: from mid-grey 0.5 the regularised class 2 image stays unconvincing); every image
///     ascends the same `target`.
///   - l2: λ ≥ 0.
/// - Returns: the final image (the shape of `start`) and the `steps` values of J.
///
/// Use a detached copy with `requiresGrad = true` each step, `logits.gathered(indices:)`,
/// `backward(inputs: [x])` (no weight gradients), and `clamped(min:max:)` under `withNoGrad`.
public func classImage(of model: Module, target: Int, start: Tensor, steps: Int, learningRate: Float,
                       l2: Float) throws -> (image: Tensor, objectives: [Float]) {
    throw notStarted("8.1")
}

/// **Exercise 8.2** — Total variation (Mahendran & Vedaldi 2015, β = 2).
///
///     TV(x) = Σₙ,c,i,j (x[i+1, j] − x[i, j])²  +  Σₙ,c,i,j (x[i, j+1] − x[i, j])²
///
/// over every image n and channel c of `images` (`[N, C, H, W]`): large for noise, small for
/// smooth pictures. Return a scalar tensor **with a gradient** (build it from `sliced`, `-`, `*`
/// and `sum()`), so the optimiser can subtract it from the objective.
public func totalVariation(_ images: Tensor) throws -> Tensor {
    throw notStarted("8.2")
}

/// **Exercise 8.3** — Gaussian blur (Yosinski et al. 2015 blur the image every few steps).
///
/// A separable blur of every `H × W` plane: first along each row, then along each column, with
/// the weights wₖ = exp(−k²/(2σ²)) / Σ for k = −r…r, r = max(1, ⌈3σ⌉), **normalised to sum 1**,
/// and reflected borders (index −1 reads index 1, index W reads W − 2; torchvision's
/// `gaussian_blur` pads the same way). No gradient is needed: it is applied to the image between
/// steps. Throw for σ ≤ 0 or planes not larger than r.
///
/// - Returns: the shape of `images`.
public func gaussianBlur(_ images: Tensor, sigma: Float) throws -> Tensor {
    throw notStarted("8.3")
}

/// **Exercise 8.4** — Jitter: a circular shift, like `torch.roll(x, shifts=(dy, dx), dims=(2, 3))`.
///
///     out[n, c, i, j] = in[n, c, (i − dy) mod H, (j − dx) mod W]
///
/// so `dy = 1` moves the picture one row down and the last row wraps to the top. Shifts may be
/// negative or larger than the image. Keep the gradient (slices and `Tensor.concatenate` have
/// one): the optimiser differentiates through it. `jittered(jittered(x, dy, dx), −dy, −dx) == x`.
public func jittered(_ images: Tensor, dy: Int, dx: Int) throws -> Tensor {
    throw notStarted("8.4")
}

/// **Exercise 8.5** — The regularised optimiser (Yosinski et al. 2015; Olah et al. 2017).
///
/// Gradient ascent of `objective` (a function of the images returning one score per image, or a
/// scalar; sum it) from `start`, with the regularisers `settings` turns on. For each step t, with
/// `(dy, dx) = settings.jitterOffsets(seed: seed)[t]`:
///
///     x̃ = jittered(x, dy, dx)                            (a fresh leaf: detached, requiresGrad)
///     J = Σ objective(x̃) − l2 · ‖x̃ − jittered(x₀, dy, dx)‖² − tv · TV(x̃)
///     x = clamp(jittered(x̃ + learningRate · ∇J, −dy, −dx), 0, 1)     ← jitter undone, then clamped
///     if blurEvery > 0 and (t + 1) % blurEvery == 0:  x = gaussianBlur(x, blurSigma)
///
/// recording J before each step. Skip a term whose weight is 0. Regularisers keep the image
/// natural: the picture stops being high-frequency noise that only this one network reads.
///
/// - Returns: the final image and the `settings.steps` values of J.
public func ascend(_ objective: (Tensor) throws -> Tensor, from start: Tensor, settings: AscentSettings,
                   seed: UInt64) throws -> (image: Tensor, objectives: [Float]) {
    throw notStarted("8.5")
}

/// **Exercise 8.6** — What one unit responds to: its mean activation.
///
/// Run `model` on `images` with a forward hook on `layer`; of its output A (`[N, K, H, W]` or
/// `[N, K]`) return, per image, the mean of channel `channel` over its plane,
/// (1/HW) Σᵢⱼ Aₙ[channel, i, j] — or Aₙ[channel] for a `[N, K]` output (`gap`, `fc`).
/// Keep the gradient path (no `withNoGrad`): `ascend` maximises it to draw the unit's "filter".
/// Remove the hook before returning, also on error. Throw for a channel outside 0..<K.
///
/// - Returns: `[N]`.
public func meanActivation(of model: Module, at layer: String, channel: Int, for images: Tensor) throws -> Tensor {
    throw notStarted("8.6")
}

/// **Exercise 8.7** — DeepDream (Mordvintsev, Olah & Tyka 2015).
///
/// Amplify whatever `layer` already sees in `image` (`[1, 1, H, W]`) by ascending
/// ½‖A_layer(x)‖², at several scales. With `sizes = settings.sizes(height: H, width: W)` (smallest
/// first) and `offsets = AscentSettings(steps: settings.steps · sizes.count, jitter: settings.jitter).jitterOffsets(seed: seed)`:
///
///     detail = nothing
///     for octave o, size in sizes:
///         base = image resized (bilinear) to size
///         x    = base, or clamp(base + detail resized to size, 0, 1) after the first octave
///         repeat settings.steps times (step s, offset = offsets[o · steps + s]):
///             x̃ = jittered(x, dy, dx); g = ∇ ½‖A(x̃)‖²
///             x = clamp(jittered(x̃ + stepSize · g / mean|g|, −dy, −dx), 0, 1)
///         detail = x − base
///     return x                                        (the last octave is the full size)
///
/// Dividing by the mean |g| makes the step size mean the same at every layer and octave.
public func deepDream(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> Tensor {
    throw notStarted("8.7")
}

/// **Exercise 8.8** — What one channel "sees": guided backpropagation from a channel.
///
/// As in lesson 06 (the guided rule ReLU(gradInput) at every `ReLU`), but seeded at the sum of
/// channel `channel`'s activations at `layer`, Σᵢⱼ Aₙ[channel, i, j], instead of a class logit.
/// Register the ReLU hooks and a forward hook on `layer`, run the model on a copy of `images`
/// with `requiresGrad`, backpropagate that sum to the copy, remove every hook, and return its
/// gradient, `[N, C, H, W]`.
public func channelGuidedBackprop(of model: Module, images: Tensor, layer: String, channel: Int) throws -> Tensor {
    throw notStarted("8.8")
}
