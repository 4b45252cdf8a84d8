// Reference solutions of Lesson 02 — Saliency. Same API as Lessons/02-Saliency/Saliency.swift.
//
// Conventions (captum 0.9): the score is the raw logit of the target class; every gradient is
// taken with respect to the pixels in [0, 1] (the model normalises inside, in its first layer).

import Foundation
import LessonSupport
import TensorEngine

// MARK: - Shared helpers

/// Throws unless `images` is `[N, C, H, W]` with one target per image.
func checkImages(_ images: Tensor, targets: [Int], operation: String) throws {
    guard images.rank == 4 else {
        throw TensorError.invalidArgument(operation: operation, message: "images must be [N, C, H, W], got shape \(images.shape)")
    }
    guard targets.count == images.shape[0] else {
        throw TensorError.shapeMismatch(operation: operation, lhs: [targets.count], rhs: images.shape, detail: "one target per image")
    }
}

/// ∂ logits[r, t(r)] / ∂ inputs[r] for every row r of `inputs` (`[R, C, H, W]`), where row r's
/// target is `targets[r % targets.count]` — so `R = k · N` rows made of k blocks of the N images
/// (SmoothGrad's samples, IG's steps) each get their own image's target. One forward pass, one
/// backward pass from a one-hot seed. Leaves no gradient in the model's parameters.
func inputGradient(of model: Module, inputs: Tensor, targets: [Int], operation: String) throws -> (gradient: Tensor, logits: Tensor) {
    guard inputs.rank == 4, !targets.isEmpty, inputs.shape[0] % targets.count == 0 else {
        throw TensorError.invalidArgument(operation: operation, message: "\(inputs.shape[0]) rows do not fit \(targets.count) targets")
    }
    let x = inputs.detached()
    x.requiresGrad = true
    defer { model.zeroGrad() }
    let logits = try model(x)
    guard logits.rank == 2, logits.shape[0] == inputs.shape[0] else {
        throw TensorError.invalidArgument(operation: operation, message: "the model must return [N, classes] logits, got \(logits.shape)")
    }
    let classes = logits.shape[1]
    var seed = [Float](repeating: 0, count: logits.count)
    for r in 0..<logits.shape[0] {
        let c = targets[r % targets.count]
        guard c >= 0 && c < classes else {
            throw TensorError.invalidArgument(operation: operation, message: "target class \(c) outside 0..<\(classes)")
        }
        seed[r * classes + c] = 1
    }
    // `inputs: [x]` (PyTorch's `backward(inputs=…)`, what `torch.autograd.grad` does): only the
    // path to the image is differentiated, the weights' gradients are never computed.
    try logits.backward(seed: try Tensor(shape: logits.shape, data: seed), inputs: [x])
    return (try x.grad.orThrow("no gradient reached the input"), logits.detached())
}

/// `inputGradient(…).gradient` computed in passes of whole blocks of the N images, each within
/// `MemoryBudget` (IG's steps or SmoothGrad's samples of a 224×224 photo through an ImageNet
/// network); the lessons' small batches run in one pass, as before.
func inputGradientInPasses(of model: Module, inputs: Tensor, targets: [Int], operation: String) throws -> Tensor {
    let rows = inputs.shape.first ?? 0, n = max(targets.count, 1)
    let perPass = try MemoryBudget.rowsPerPass(of: model, batch: inputs)
    guard perPass < rows else { return try inputGradient(of: model, inputs: inputs, targets: targets, operation: operation).gradient }
    // Passes start at multiples of N, so row r keeps its image's target, targets[r % N].
    let block = max(n, perPass / n * n)
    var data: [Float] = []
    data.reserveCapacity(inputs.count)
    for start in stride(from: 0, to: rows, by: block) {
        let part = try inputs.sliced(axis: 0, start..<min(rows, start + block))
        data += try inputGradient(of: model, inputs: part, targets: targets, operation: operation).gradient.data
    }
    return try Tensor(shape: inputs.shape, data: data)
}

// MARK: - Exercise 2.1

/// Exercise 2.1 (reference): ∂y_c/∂x, signed, with the shape of `images`.
public func saliency(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    try checkImages(images, targets: targets, operation: "saliency")
    return try inputGradient(of: model, inputs: images, targets: targets, operation: "saliency").gradient
}

// MARK: - Exercise 2.2

/// Exercise 2.2 (reference): maxₖ |g[n, k, i, j]|, `[N, C, H, W]` → `[N, 1, H, W]`.
public func saliencyMagnitude(_ gradient: Tensor) throws -> Tensor {
    guard gradient.rank == 4 else {
        throw TensorError.invalidArgument(operation: "saliencyMagnitude", message: "expected [N, C, H, W], got shape \(gradient.shape)")
    }
    return try withNoGrad { try gradient.abs().max(axis: 1, keepDims: true) }
}

// MARK: - Exercise 2.3

/// Exercise 2.3 (reference): x ⊙ ∂y_c/∂x.
public func gradientTimesInput(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
    let g = try saliency(of: model, images: images, targets: targets)
    return try withNoGrad { try images * g }
}

// MARK: - Exercise 2.4

/// Exercise 2.4 (reference): the mean signed gradient over `samples` noisy copies.
public func smoothGrad(of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
    try checkImages(images, targets: targets, operation: "smoothGrad")
    guard samples >= 1 else {
        throw TensorError.invalidArgument(operation: "smoothGrad", message: "samples must be at least 1, got \(samples)")
    }
    guard noiseLevel >= 0, noiseLevel.isFinite else {
        throw TensorError.invalidArgument(operation: "smoothGrad", message: "noiseLevel must be finite and ≥ 0, got \(noiseLevel)")
    }
    let n = images.shape[0], size = images.count / max(n, 1)
    var generator = SeededGenerator(seed: seed)
    let noise = Tensor.randomNormal([samples * n] + Array(images.shape.dropFirst()), using: &generator)
    let sigmas = (0..<n).map { i -> Float in
        let pixels = images.data[(i * size)..<((i + 1) * size)]
        return noiseLevel * ((pixels.max() ?? 0) - (pixels.min() ?? 0))
    }
    var noisy = [Float](repeating: 0, count: samples * n * size)
    for s in 0..<samples {
        for i in 0..<n {
            let row = s * n + i
            for p in 0..<size {
                noisy[row * size + p] = images.data[i * size + p] + sigmas[i] * noise.data[row * size + p]
            }
        }
    }
    let batch = try Tensor(shape: noise.shape, data: noisy)
    let gradients = try inputGradientInPasses(of: model, inputs: batch, targets: targets, operation: "smoothGrad")
    var mean = [Float](repeating: 0, count: n * size)
    for s in 0..<samples {
        for q in 0..<(n * size) { mean[q] += gradients.data[s * n * size + q] }
    }
    return try Tensor(shape: images.shape, data: mean.map { $0 / Float(samples) })
}

// MARK: - Exercise 2.5a

/// The n-point Gauss–Legendre rule on [−1, 1], nodes ascending: Newton's method on Pₙ from the
/// initial guesses cos(π(i − ¼)/(n + ½)), with Pₙ and Pₙ′ from Bonnet's recurrence
/// (k + 1) Pₖ₊₁(z) = (2k + 1) z Pₖ(z) − k Pₖ₋₁(z) and Pₙ′(z) = n (z Pₙ(z) − Pₙ₋₁(z)) / (z² − 1);
/// weights 2 / ((1 − z²) Pₙ′(z)²). Only the upper half is computed, the lower half mirrors it.
func gaussLegendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
    var nodes = [Double](repeating: 0, count: n), weights = [Double](repeating: 0, count: n)
    func legendre(_ z: Double) -> (p: Double, derivative: Double) {
        var p0 = 1.0, p1 = z
        if n == 0 { return (1, 0) }
        for k in 1..<n {
            let p2 = (Double(2 * k + 1) * z * p1 - Double(k) * p0) / Double(k + 1)
            p0 = p1; p1 = p2
        }
        return (p1, Double(n) * (z * p1 - p0) / (z * z - 1))
    }
    for i in 1...((n + 1) / 2) {
        var z = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
        for _ in 0..<100 {
            let (p, derivative) = legendre(z)
            let step = p / derivative
            z -= step
            if abs(step) <= 1e-16 * max(1, abs(z)) { break }
        }
        if n % 2 == 1 && i == (n + 1) / 2 { z = 0 }   // the middle root of an odd rule is exactly 0
        let derivative = legendre(z).derivative
        let w = 2 / ((1 - z * z) * derivative * derivative)
        nodes[n - i] = z; nodes[i - 1] = -z
        weights[n - i] = w; weights[i - 1] = w
    }
    return (nodes, weights)
}

/// Exercise 2.5a (reference): the points αᵢ and weights wᵢ of `method` with `steps` points.
public func integrationPoints(_ method: IntegrationMethod, steps: Int) throws -> (alphas: [Double], weights: [Double]) {
    guard steps >= 1 else {
        throw TensorError.invalidArgument(operation: "integrationPoints", message: "steps must be at least 1, got \(steps)")
    }
    let n = Double(steps)
    switch method {
    case .riemannLeft:
        return ((0..<steps).map { Double($0) / n }, Array(repeating: 1 / n, count: steps))
    case .riemannRight:
        return ((0..<steps).map { Double($0 + 1) / n }, Array(repeating: 1 / n, count: steps))
    case .riemannMiddle:
        return ((0..<steps).map { (Double($0) + 0.5) / n }, Array(repeating: 1 / n, count: steps))
    case .riemannTrapezoid:
        guard steps >= 2 else {
            throw TensorError.invalidArgument(operation: "integrationPoints", message: "the trapezoidal rule needs at least 2 steps, got \(steps)")
        }
        var weights = Array(repeating: 1 / (n - 1), count: steps)
        weights[0] /= 2; weights[steps - 1] /= 2
        return ((0..<steps).map { Double($0) / (n - 1) }, weights)
    case .gaussLegendre:
        let rule = gaussLegendre(steps)
        return (rule.nodes.map { (1 + $0) / 2 }, rule.weights.map { $0 / 2 })
    }
}

// MARK: - Exercise 2.5

/// Exercise 2.5 (reference): Integrated Gradients and its completeness delta per image.
public func integratedGradients(of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
    try checkImages(images, targets: targets, operation: "integratedGradients")
    let reference = baseline ?? Tensor.zeros(images.shape)
    guard reference.shape == images.shape else {
        throw TensorError.shapeMismatch(operation: "integratedGradients baseline", lhs: reference.shape, rhs: images.shape,
                                        detail: "the baseline must have the shape of the images")
    }
    let (alphas, weights) = try integrationPoints(method, steps: steps)
    let n = images.shape[0], total = images.count
    let x = images.data, b = reference.data
    let difference = zip(x, b).map { $0 - $1 }

    // Every point of every path in one batch, step-major: row s·N + i is x′ᵢ + αₛ (xᵢ − x′ᵢ)
    // (through the network in passes within `MemoryBudget` for photo-sized inputs).
    var path = [Float](repeating: 0, count: alphas.count * total)
    for (s, alpha) in alphas.enumerated() {
        let a = Float(alpha)
        for q in 0..<total { path[s * total + q] = b[q] + a * difference[q] }
    }
    let batch = try Tensor(shape: [alphas.count * n] + Array(images.shape.dropFirst()), data: path)
    let gradients = try inputGradientInPasses(of: model, inputs: batch, targets: targets, operation: "integratedGradients")

    var summed = [Float](repeating: 0, count: total)
    for (s, weight) in weights.enumerated() {
        let w = Float(weight)
        for q in 0..<total { summed[q] += w * gradients.data[s * total + q] }
    }
    let attributions = try Tensor(shape: images.shape, data: zip(difference, summed).map { $0 * $1 })

    // Completeness: Σ attributions − (F(x) − F(x′)), per image.
    let ends = try withNoGrad { try model(Tensor.concatenate([images, reference], axis: 0)) }
    let classes = ends.shape[1], size = total / max(n, 1)
    let delta = (0..<n).map { i -> Float in
        let sum = attributions.data[(i * size)..<((i + 1) * size)].reduce(0.0) { $0 + Double($1) }
        let rise = Double(ends.data[i * classes + targets[i]]) - Double(ends.data[(n + i) * classes + targets[i]])
        return Float(sum - rise)
    }
    return (attributions, delta)
}
