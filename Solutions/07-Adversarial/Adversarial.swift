// Reference solutions of Lesson 07 — adversarial examples: FGSM (Goodfellow et al. 2015) and
// PGD (Madry et al. 2018), in pixel space [0, 1] with cross-entropy on the logits.

import TensorEngine

/// ∇ₓ CE(f(x), labels) summed over the batch, `[N, C, H, W]`. (Summing makes each image's
/// gradient its own; only its sign is used below.)
func lossGradient(of model: Module, images: Tensor, labels: [Int]) throws -> Tensor {
    let x = images.detached()
    x.requiresGrad = true
    defer { model.zeroGrad() }
    let loss = try model(x).crossEntropy(labels: labels) * Float(labels.count)
    try loss.backward()
    guard let g = x.grad else { throw TensorError.gradient(message: "no gradient reached the images") }
    return g
}

/// Untargeted FGSM: x + ε · sign(∇ₓ CE(f(x), y)), clamped to [0, 1].
/// Targeted FGSM (`target` given): x − ε · sign(∇ₓ CE(f(x), t)), towards class t.
public func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float, targets: [Int]? = nil) throws -> Tensor {
    let g = try lossGradient(of: model, images: images, labels: targets ?? labels)
    let direction: Float = targets == nil ? 1 : -1
    return try withNoGrad { try (images + g.sign() * (direction * epsilon)).clamped(min: 0, max: 1) }
}

/// Iterative FGSM / PGD with L∞ projection: `steps` steps of size `stepSize`, each followed by a
/// projection onto {x′ : ‖x′ − x‖∞ ≤ ε} ∩ [0, 1]. With `randomStart`, begins at a seeded uniform
/// point of the ε-ball (Madry et al.); without, at x (the basic iterative method).
public func pgd(of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                targets: [Int]? = nil, randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
    guard steps >= 0, epsilon >= 0, stepSize >= 0 else {
        throw TensorError.invalidArgument(operation: "pgd", message: "steps, epsilon and stepSize must be non-negative")
    }
    let low = try withNoGrad { try (images - epsilon).clamped(min: 0) }
    let high = try withNoGrad { try (images + epsilon).clamped(max: 1) }
    var x = images
    if randomStart {
        var generator = SeededGenerator(seed: seed)
        let noise = Tensor.randomUniform(images.shape, low: -epsilon, high: epsilon, using: &generator)
        x = try withNoGrad { try clamp(images + noise, low, high) }
    }
    let direction: Float = targets == nil ? 1 : -1
    for _ in 0..<steps {
        let g = try lossGradient(of: model, images: x, labels: targets ?? labels)
        x = try withNoGrad {
            let stepped = try x + g.sign() * (direction * stepSize)
            return try clamp(stepped, low, high)
        }
    }
    return x.detached()
}

/// Element-wise max(low, min(high, v)): the projection onto the box [low, high].
func clamp(_ v: Tensor, _ low: Tensor, _ high: Tensor) throws -> Tensor {
    try Tensor.maximum(low, -Tensor.maximum(-high, -v))
}

/// Accuracy of `model` on (images, labels) after an untargeted FGSM attack of strength ε, for
/// each ε, evaluated in batches.
public func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
    try epsilons.map { epsilon in
        var correct = 0
        var start = 0
        while start < labels.count {
            let end = min(start + batchSize, labels.count)
            let x = try images.sliced(axis: 0, start..<end)
            let y = Array(labels[start..<end])
            let adversarial = epsilon == 0 ? x : try fgsm(of: model, images: x, labels: y, epsilon: epsilon)
            let predicted = try withNoGrad { try model(adversarial) }.argmax()
            correct += zip(predicted, y).filter { $0 == $1 }.count
            start = end
        }
        return Double(correct) / Double(labels.count)
    }
}
