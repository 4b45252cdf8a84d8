// Reference solutions of Lesson 08 — what a network has learned: class images (Simonyan et al.
// 2014), regularised activation maximisation (Yosinski et al. 2015; Mahendran & Vedaldi 2015;
// Olah et al. 2017), unit visualisation, DeepDream (Mordvintsev et al. 2015) and guided
// backpropagation of one channel. Same API as Lessons/08-FeatureVisualization.

import LessonSupport
import TensorEngine

// MARK: 8.1 Class model visualisation

/// Exercise 8.1 (reference): plain gradient ascent on J(x) = y_c(x) − λ‖x − x₀‖², clamped to
/// [0, 1] after every step; `objectives[t]` is J before step t.
public func classImage(of model: Module, target: Int, start: Tensor, steps: Int, learningRate: Float,
                       l2: Float) throws -> (image: Tensor, objectives: [Float]) {
    try checkSteps(steps, operation: "classImage")
    let targets = [Int](repeating: target, count: start.shape.first ?? 0)
    var x = start.detached()
    var objectives: [Float] = []
    for _ in 0..<steps {
        let input = x.detached()
        input.requiresGrad = true
        let logits = try model(input)
        let difference = try input - start
        let objective = try logits.gathered(indices: targets).sum() - l2 * (try (difference * difference).sum())
        try objective.backward(inputs: [input])
        objectives.append(objective.data[0])
        let gradient = try input.grad.orThrow("no gradient reached the image")
        x = try withNoGrad { try (input.detached() + learningRate * gradient).clamped(min: 0, max: 1) }
    }
    return (x, objectives)
}

func checkSteps(_ steps: Int, operation: String) throws {
    guard steps >= 0 else { throw TensorError.invalidArgument(operation: operation, message: "steps must be ≥ 0, got \(steps)") }
}

// MARK: 8.2–8.4 Regularisers

/// Exercise 8.2 (reference): TV(x) = Σ (x[i+1, j] − x[i, j])² + Σ (x[i, j+1] − x[i, j])² over
/// every image and channel (β = 2), a scalar with a gradient.
public func totalVariation(_ images: Tensor) throws -> Tensor {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: "totalVariation", message: "images must be [N, C, H, W], got \(images.shape)")
    }
    let (h, w) = (images.shape[2], images.shape[3])
    var total = Tensor(scalar: 0)
    if h > 1 {
        let down = try images.sliced(axis: 2, 1..<h) - images.sliced(axis: 2, 0..<(h - 1))
        total = try total + (down * down).sum()
    }
    if w > 1 {
        let right = try images.sliced(axis: 3, 1..<w) - images.sliced(axis: 3, 0..<(w - 1))
        total = try total + (right * right).sum()
    }
    return total
}

/// The normalised Gaussian weights exp(−k²/(2σ²)) for k = −r…r, r = max(1, ⌈3σ⌉).
public func gaussianKernel(sigma: Float) -> [Float] {
    let radius = max(1, Int((3 * sigma).rounded(.up)))
    let weights = (-radius...radius).map { k in exp(-Float(k * k) / (2 * sigma * sigma)) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
}

/// Exercise 8.3 (reference): a separable Gaussian blur of every plane, rows then columns, with
/// reflected borders (index −1 reads 1, index H reads H − 2), like torchvision's `gaussian_blur`.
public func gaussianBlur(_ images: Tensor, sigma: Float) throws -> Tensor {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: "gaussianBlur", message: "images must be [N, C, H, W], got \(images.shape)")
    }
    guard sigma > 0, sigma.isFinite else {
        throw TensorError.invalidArgument(operation: "gaussianBlur", message: "sigma must be positive, got \(sigma)")
    }
    let kernel = gaussianKernel(sigma: sigma)
    let radius = kernel.count / 2
    let (h, w) = (images.shape[2], images.shape[3])
    guard radius < h, radius < w else {
        throw TensorError.invalidArgument(operation: "gaussianBlur", message: "a kernel of radius \(radius) needs planes larger than \(radius), got \(h)×\(w)")
    }
    func reflect(_ i: Int, _ n: Int) -> Int { i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i) }
    var out = images.data
    var row = [Float](repeating: 0, count: w), column = [Float](repeating: 0, count: h)
    for plane in 0..<(images.count / (h * w)) {
        let base = plane * h * w
        for i in 0..<h {                                   // along each row
            for j in 0..<w { row[j] = out[base + i * w + j] }
            for j in 0..<w {
                var sum: Float = 0
                for k in -radius...radius { sum += kernel[k + radius] * row[reflect(j + k, w)] }
                out[base + i * w + j] = sum
            }
        }
        for j in 0..<w {                                   // then along each column
            for i in 0..<h { column[i] = out[base + i * w + j] }
            for i in 0..<h {
                var sum: Float = 0
                for k in -radius...radius { sum += kernel[k + radius] * column[reflect(i + k, h)] }
                out[base + i * w + j] = sum
            }
        }
    }
    return try Tensor(shape: images.shape, data: out)
}

/// Exercise 8.4 (reference): `torch.roll(images, shifts=(dy, dx), dims=(2, 3))`:
/// out[i][j] = in[(i − dy) mod H][(j − dx) mod W], with a gradient (slices and concatenations).
public func jittered(_ images: Tensor, dy: Int, dx: Int) throws -> Tensor {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: "jittered", message: "images must be [N, C, H, W], got \(images.shape)")
    }
    func roll(_ x: Tensor, _ shift: Int, axis: Int) throws -> Tensor {
        let n = x.shape[axis]
        let s = ((shift % n) + n) % n
        guard s != 0 else { return x }
        return try Tensor.concatenate([x.sliced(axis: axis, (n - s)..<n), x.sliced(axis: axis, 0..<(n - s))], axis: axis)
    }
    return try roll(roll(images, dy, axis: 2), dx, axis: 3)
}

// MARK: 8.5 The regularised optimiser

/// Exercise 8.5 (reference): regularised gradient ascent of `objective` from `start`, as
/// `AscentSettings` defines a step (jitter, L2, TV, clamp, blur).
/// `progress(t, J)` is called after each step (the command line's progress bar).
public func ascend(_ objective: (Tensor) throws -> Tensor, from start: Tensor, settings: AscentSettings,
                   seed: UInt64, progress: ((Int, Float) -> Void)? = nil) throws -> (image: Tensor, objectives: [Float]) {
    try checkSteps(settings.steps, operation: "ascend")
    var x = start.detached()
    var objectives: [Float] = []
    for (t, offset) in settings.jitterOffsets(seed: seed).enumerated() {
        let input = try jittered(x, dy: offset.dy, dx: offset.dx).detached()
        input.requiresGrad = true
        let anchor = try jittered(start, dy: offset.dy, dx: offset.dx)
        let difference = try input - anchor
        var score = try objective(input).sum()
        if settings.l2 != 0 { score = try score - settings.l2 * (difference * difference).sum() }
        if settings.tv != 0 { score = try score - settings.tv * totalVariation(input) }
        try score.backward(inputs: [input])
        objectives.append(score.data[0])
        progress?(t + 1, score.data[0])
        let gradient = try input.grad.orThrow("no gradient reached the image")
        x = try withNoGrad {
            let moved = try input.detached() + settings.learningRate * gradient
            return try jittered(moved, dy: -offset.dy, dx: -offset.dx).clamped(min: 0, max: 1)
        }
        if settings.blurEvery > 0 && (t + 1) % settings.blurEvery == 0 {
            x = try gaussianBlur(x, sigma: settings.blurSigma)
        }
    }
    return (x, objectives)
}

/// Class images with the regularised optimiser: one image per target, all ascending together
/// from `AscentSettings.startGrey`, `[N, channels, height, width]` (colour models start from the
/// same grey in every channel). (What `workbook visualize --class` and the figures use.)
public func classImages(of model: Module, targets: [Int], settings: AscentSettings = .regularised, seed: UInt64 = 0,
                        channels: Int = 1, height: Int = 28, width: Int = 28, startGrey: Float = AscentSettings.startGrey,
                        progress: ((Int, Float) -> Void)? = nil) throws -> (images: Tensor, objectives: [Float]) {
    let start = Tensor(repeating: startGrey, shape: [targets.count, channels, height, width])
    let result = try ascend({ try model($0).gathered(indices: targets) }, from: start, settings: settings, seed: seed, progress: progress)
    return (result.image, result.objectives)
}

// MARK: 8.6 Unit visualisation

/// `layer`'s output for `images` from one forward pass (a forward hook, removed afterwards),
/// in the graph unless the caller is inside `withNoGrad`.
func layerOutput(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
    let module = try model.module(named: layer)
    var captured: Tensor?
    let handle = module.registerForwardHook { _, _, output in captured = output }
    defer { handle.remove() }
    _ = try model(images)
    return try captured.orThrow("layer '\(layer)' did not run")
}

/// Exercise 8.6 (reference): the mean activation of channel `channel` at `layer` for each image,
/// `[N]`, with the gradient path kept (a forward hook captures the layer's output). A layer whose
/// output is `[N, K]` (e.g. `gap`, `fc`) gives unit `channel` itself.
public func meanActivation(of model: Module, at layer: String, channel: Int, for images: Tensor) throws -> Tensor {
    let output = try layerOutput(of: model, at: layer, for: images)
    guard output.rank >= 2, channel >= 0, channel < output.shape[1] else {
        throw TensorError.invalidArgument(operation: "meanActivation", message: "layer '\(layer)' has \(output.rank >= 2 ? output.shape[1] : 0) channels, asked for \(channel)")
    }
    let picked = try output.sliced(axis: 1, channel..<(channel + 1))
    return try picked.rank == 2 ? picked.reshaped([output.shape[0]]) : picked.mean(axes: Array(1..<picked.rank))
}

/// Unit images: channel `channels[n]` of `layer` maximised from `AscentSettings.startGrey`, all
/// together, each `inputShape` (`[C, H, W]`, the model's input; lesson 08's digits by default).
public func unitImages(of model: Module, layer: String, channels: [Int], settings: AscentSettings = .regularised,
                       seed: UInt64 = 0, inputShape: [Int] = [1, 28, 28], progress: ((Int, Float) -> Void)? = nil) throws -> Tensor {
    let start = Tensor(repeating: AscentSettings.startGrey, shape: [channels.count] + inputShape)
    let objective: (Tensor) throws -> Tensor = { images in
        // One forward pass; image n contributes its own channel.
        let output = try layerOutput(of: model, at: layer, for: images)
        let perChannel = output.rank == 2 ? output : try output.mean(axes: Array(2..<output.rank))
        return try perChannel.gathered(indices: channels)
    }
    return try ascend(objective, from: start, settings: settings, seed: seed, progress: progress).image
}

// MARK: 8.7 DeepDream

/// Exercise 8.7 (reference): DeepDream of `image` ([1, C, H, W]) at `layer`. Octaves smallest
/// first (`settings.sizes`); at each, the octave's base image (the original resized) plus the
/// detail carried up from the octave below (resized to this octave), then `steps` ascents of
/// ½‖A_L(x)‖² with the step normalised by mean |g| and a seeded jitter, clamped to [0, 1]; the
/// detail is what the ascent added. Returns the final image at the original size.
/// `progress(step, ½‖A‖²)` is called after each step, counted over all octaves.
public func deepDream(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64,
                      progress: ((Int, Float) -> Void)? = nil) throws -> Tensor {
    guard image.rank == 4 else {
        throw TensorError.invalidArgument(operation: "deepDream", message: "image must be [N, C, H, W], got \(image.shape)")
    }
    return try dream(of: model, image: image, layer: layer, sizes: settings.sizes(height: image.shape[2], width: image.shape[3]),
                     settings: settings, seed: seed, normalisedSteps: true, progress: progress)
}

/// The octave loop of `deepDream` over the given `sizes` (the catalogued mistakes of 8.7 reuse it
/// with the sizes reversed or the step not normalised); returns the last octave's image.
func dream(of model: Module, image: Tensor, layer: String, sizes: [(height: Int, width: Int)], settings: DreamSettings,
           seed: UInt64, normalisedSteps: Bool, progress: ((Int, Float) -> Void)? = nil) throws -> Tensor {
    _ = try model.module(named: layer)
    let jitter = AscentSettings(steps: settings.steps * sizes.count, jitter: settings.jitter).jitterOffsets(seed: seed)
    var detail: Tensor?
    var dreamed = image
    for (o, size) in sizes.enumerated() {
        let base = try withNoGrad { try image.resizedBilinear(height: size.height, width: size.width) }
        var x = base
        if let detail {
            x = try withNoGrad { try (base + detail.resizedBilinear(height: size.height, width: size.width)).clamped(min: 0, max: 1) }
        }
        for step in 0..<settings.steps {
            let offset = jitter[o * settings.steps + step]
            let input = try jittered(x, dy: offset.dy, dx: offset.dx).detached()
            input.requiresGrad = true
            let activation = try layerOutput(of: model, at: layer, for: input)
            let objective = 0.5 * (try (activation * activation).sum())
            try objective.backward(inputs: [input])
            progress?(o * settings.steps + step + 1, objective.data[0])
            let gradient = try input.grad.orThrow("no gradient reached the image")
            let scale = normalisedSteps ? gradient.data.reduce(0) { $0 + Swift.abs($1) } / Float(max(gradient.count, 1)) : 1
            x = try withNoGrad {
                let moved = try input.detached() + (settings.stepSize / max(scale, 1e-8)) * gradient
                return try jittered(moved, dy: -offset.dy, dx: -offset.dx).clamped(min: 0, max: 1)
            }
        }
        detail = try withNoGrad { try x - base }
        dreamed = x
    }
    return dreamed
}

// MARK: 8.8 Guided backprop of one channel

/// Exercise 8.8 (reference): guided backpropagation (guided rule at every ReLU) seeded at the
/// sum of channel `channel`'s activations at `layer` instead of a logit: what that channel
/// "sees" in each image. `[N, C, H, W]`.
public func channelGuidedBackprop(of model: Module, images: Tensor, layer: String, channel: Int) throws -> Tensor {
    let module = try model.module(named: layer)
    let relus = model.namedModules().map(\.module).filter { $0 is ReLU }
    var handles: [HookHandle] = relus.map { relu in
        relu.registerBackwardHook(replacingGradInput: { _, gradInput, _ in gradInput?.relu() })
    }
    var captured: Tensor?
    handles.append(module.registerForwardHook { _, _, output in captured = output })
    defer { handles.removeAll(); model.zeroGrad() }
    let x = images.detached()
    x.requiresGrad = true
    _ = try model(x)
    let output = try captured.orThrow("layer '\(layer)' did not run")
    guard output.rank >= 2, channel >= 0, channel < output.shape[1] else {
        throw TensorError.invalidArgument(operation: "channelGuidedBackprop", message: "layer '\(layer)' has \(output.rank >= 2 ? output.shape[1] : 0) channels, asked for \(channel)")
    }
    try output.sliced(axis: 1, channel..<(channel + 1)).sum().backward(inputs: [x])
    return try x.grad.orThrow("no gradient reached the image")
}

/// The `count` channels of `layer` with the largest mean activation for `image` ([1, …]),
/// strongest first.
public func topChannels(of model: Module, image: Tensor, layer: String, count: Int) throws -> [Int] {
    let output = try withNoGrad { try layerOutput(of: model, at: layer, for: image) }
    let means = output.rank == 2 ? output.data : try output.mean(axes: Array(2..<output.rank)).data
    return Array(means.indices.sorted { means[$0] > means[$1] || (means[$0] == means[$1] && $0 < $1) }.prefix(count))
}
