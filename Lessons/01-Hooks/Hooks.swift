// Lesson 01 — Hooks: looking inside a network while it runs.
//
// Fill in the four functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter HooksLessonTests
//
// Read README.md in this folder first. You may add private helpers to this file; keep the
// signatures as they are (the tests call them).

import LessonSupport
import TensorEngine

/// **Exercise 1.1** — The output of one layer, captured with a forward hook.
///
/// Run `model` on `images` and return what the submodule named `layer` (a dotted name such as
/// `"conv3"` or `"relu3"`) produced during that forward pass — exactly what a PyTorch forward
/// hook registered on that module would see as `output`.
///
/// - Parameters:
///   - model: a network, e.g. `mnist-gap`, in evaluation mode.
///   - layer: the name of a submodule (`model.module(named:)` finds it; it throws for an unknown name).
///   - images: `[N, 1, 28, 28]`, pixels in [0, 1].
/// - Returns: the layer's output, e.g. `[N, 64, 7, 7]` for `conv3` of `mnist-gap`.
///
/// Rules: register the hook with `registerForwardHook`, and remove it with its handle before
/// returning — **also when something throws** (`defer` is your friend). Afterwards
/// `model.liveHookCount` must be back to what it was.
public func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
    throw notStarted("1.1")
}

/// **Exercise 1.2** — The gradient of each image's target logit with respect to one layer's output.
///
/// For images xₙ and targets cₙ, return Gₙ = ∂ yₙ[cₙ] / ∂ Aₙ, where Aₙ is the output of `layer`
/// for image n and yₙ the logits (pre-softmax). Because the images of a batch do not interact
/// (evaluation mode), one backward pass from the seed `onehot(targets)` (shape `[N, classes]`)
/// gives all N gradients at once.
///
/// - Parameters:
///   - targets: one class per image (`targets.count == N`).
/// - Returns: a tensor with the shape of the layer's output, e.g. `[N, 64, 7, 7]` at `conv3`.
///
/// Use a backward hook on the layer (its `gradOutput` is ∂score/∂output) or a gradient hook on
/// the captured output tensor. Remove every hook afterwards, also on error, and leave no
/// gradients behind in the model's parameters (`model.zeroGrad()`).
public func gradient(of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
    throw notStarted("1.2")
}

/// **Exercise 1.3** — The feature maps of every convolution, from a single forward pass.
///
/// Return, in the order the model runs them, one entry per `Conv2d` submodule: its dotted name
/// and its output. For `mnist-gap`: `conv1` `[N, 16, 28, 28]`, `conv2` `[N, 32, 14, 14]`,
/// `conv3` `[N, 64, 7, 7]`. Use `model.namedModules()` and `is Conv2d` to find them, register
/// one hook per layer, run the model once, and remove all hooks.
public func convolutionActivations(of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
    throw notStarted("1.3")
}

/// **Exercise 1.4** — How sure is the model?
///
/// For each image, return the predicted class (the arg-max of the logits) and the model's
/// probability for it, softmax(y)[predicted] = e^{y_c} / Σⱼ e^{y_j}. A logit alone says little:
/// 12 vs 11 is unsure, 12 vs 2 is certain — only the softmax compares the classes.
///
/// - Returns: N pairs, in image order.
public func confidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
    throw notStarted("1.4")
}
