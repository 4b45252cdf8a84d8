// Reference solutions of Lesson 07 — adversarial examples: FGSM (Goodfellow et al. 2015) and
// PGD (Madry et al. 2018), in pixel space [0, 1] with cross-entropy on the logits.

import TensorEngine

/// ∇ₓ Σₙ CE(f(xₙ), classesₙ), `[N, C, H, W]`: each image's own gradient (PyTorch's default mean
/// reduction divides all of them by N, which changes no sign). Leaves no parameter gradients.
func lossGradient(of model: Module, images: Tensor, classes: [Int]) throws -> Tensor {
    let x = images.detached()
    x.requiresGrad = true
    defer { model.zeroGrad() }
    let logits = try model(x)
    guard logits.rank == 2, classes.count == logits.shape[0], classes.allSatisfy({ $0 >= 0 && $0 < logits.shape[1] }) else {
        throw TensorError.invalidArgument(operation: "adversarial", message: "need one class in 0..<\(logits.shape.last ?? 0) per image, got \(classes) for \(logits.shape[0]) images")
    }
    let loss = try logits.crossEntropy(labels: classes) * Float(classes.count)
    try loss.backward(inputs: [x])   // only the path to the image: no weight gradients computed
    guard let g = x.grad else { throw TensorError.gradient(message: "no gradient reached the images") }
    return g
}

func checkEpsilon(_ epsilon: Float, _ operation: String) throws {
    guard epsilon >= 0, epsilon.isFinite else {
        throw TensorError.invalidArgument(operation: operation, message: "epsilon must be a finite number ≥ 0, got \(epsilon)")
    }
}

/// Exercise 7.1: untargeted FGSM, x + ε · sign(∇ₓ CE(f(x), y)), clamped to [0, 1].
public func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
    try checkEpsilon(epsilon, "fgsm")
    let g = try lossGradient(of: model, images: images, classes: labels)
    return try withNoGrad { try (images.detached() + g.sign() * epsilon).clamped(min: 0, max: 1) }
}

/// Exercise 7.2: targeted FGSM, x − ε · sign(∇ₓ CE(f(x), t)), clamped to [0, 1]: a step that
/// lowers the loss of the target class t.
public func targetedFGSM(of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
    try checkEpsilon(epsilon, "targetedFGSM")
    let g = try lossGradient(of: model, images: images, classes: targets)
    return try withNoGrad { try (images.detached() - g.sign() * epsilon).clamped(min: 0, max: 1) }
}

/// Exercise 7.3: untargeted iterative FGSM / PGD with L∞ projection: `steps` steps of size
/// `stepSize`, each followed by a projection onto {x′ : ‖x′ − x‖∞ ≤ ε} ∩ [0, 1]. With
/// `randomStart`, begins at a seeded uniform point of the ε-ball (Madry et al.), projected the
/// same way; without, at x (the basic iterative method of Kurakin et al.).
public func pgd(of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
    try checkEpsilon(epsilon, "pgd")
    guard steps >= 0, stepSize >= 0 else {
        throw TensorError.invalidArgument(operation: "pgd", message: "steps and stepSize must be non-negative")
    }
    let original = images.detached()
    let low = withNoGrad { (original - epsilon).clamped(min: 0) }
    let high = withNoGrad { (original + epsilon).clamped(max: 1) }
    var x = original
    if randomStart {
        var generator = SeededGenerator(seed: seed)
        let noise = Tensor.randomUniform(images.shape, low: -epsilon, high: epsilon, using: &generator)
        x = try withNoGrad { try clamp(original + noise, low, high) }
    }
    for _ in 0..<steps {
        let g = try lossGradient(of: model, images: x, classes: labels)
        x = try withNoGrad { try clamp(x + g.sign() * stepSize, low, high) }
    }
    return x.detached()
}

/// Element-wise max(low, min(high, v)): the projection onto the box [low, high].
func clamp(_ v: Tensor, _ low: Tensor, _ high: Tensor) throws -> Tensor {
    try Tensor.maximum(low, -Tensor.maximum(-high, -v))
}

/// Exercise 7.4: the accuracy of `model` on (images, labels) after an untargeted FGSM attack of
/// strength ε, for each ε (ε = 0: the clean accuracy), evaluated in batches of `batchSize`.
/// The gradient does not depend on ε: one backward pass per batch serves every ε (the result is
/// exactly `fgsm(…, epsilon: ε)`'s).
public func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
    guard batchSize > 0, images.rank >= 1, images.shape[0] == labels.count, !labels.isEmpty else {
        throw TensorError.invalidArgument(operation: "accuracyUnderFGSM", message: "need one label per image and batchSize > 0")
    }
    for epsilon in epsilons { try checkEpsilon(epsilon, "accuracyUnderFGSM") }
    var correct = [Int](repeating: 0, count: epsilons.count)
    for start in stride(from: 0, to: labels.count, by: batchSize) {
        let end = min(start + batchSize, labels.count)
        let x = try images.sliced(axis: 0, start..<end).detached()
        let y = Array(labels[start..<end])
        let direction = try lossGradient(of: model, images: x, classes: y).sign()
        for (e, epsilon) in epsilons.enumerated() {
            let adversarial = epsilon == 0 ? x : try withNoGrad { try (x + direction * epsilon).clamped(min: 0, max: 1) }
            let predicted = try withNoGrad { try model(adversarial) }.argmax()
            correct[e] += zip(predicted, y).filter { $0 == $1 }.count
        }
    }
    return correct.map { Double($0) / Double(labels.count) }
}
