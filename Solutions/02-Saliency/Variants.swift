// Correct implementations of Lesson 02 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum SaliencyVariants {
    /// 2.1 — the gradient read by a gradient hook on the input instead of `.grad`, seeded by the
    /// sum of the gathered target logits (the same vector as a one-hot seed).
    public static let saliency: [Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>.Mistake] = [
        .init(id: "input-gradient-hook", summary: "a gradient hook on the input, backward from Σₙ yₙ[cₙ]") { model, images, targets in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "saliency", message: "one target per image of [N, C, H, W] images")
            }
            let x = images.detached()
            x.requiresGrad = true
            var captured: Tensor?
            let hook = x.registerGradientHook { g in captured = g; return nil }
            defer { hook.remove(); model.zeroGrad() }
            let logits = try model(x)
            guard targets.allSatisfy({ (0..<logits.shape[1]).contains($0) }) else {
                throw TensorError.invalidArgument(operation: "saliency", message: "a target outside 0..<\(logits.shape[1])")
            }
            try logits.gathered(indices: targets).sum().backward()
            return try captured.orThrow("no gradient reached the input")
        },
    ]

    /// 2.2 — explicit loops over the numbers, no engine op.
    public static let saliencyMagnitude: [Exercise<@Sendable (Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "loops", summary: "max over channels of |g| by loops over the data") { gradient in
            guard gradient.rank == 4 else {
                throw TensorError.invalidArgument(operation: "saliencyMagnitude", message: "expected [N, C, H, W], got \(gradient.shape)")
            }
            let (n, c, area) = (gradient.shape[0], gradient.shape[1], gradient.shape[2] * gradient.shape[3])
            var out = [Float](repeating: 0, count: n * area)
            for i in 0..<n {
                for p in 0..<area {
                    var largest: Float = 0
                    for k in 0..<c { largest = max(largest, abs(gradient.data[(i * c + k) * area + p])) }
                    out[i * area + p] = largest
                }
            }
            return try Tensor(shape: [n, 1, gradient.shape[2], gradient.shape[3]], data: out)
        },
    ]

    /// 2.3 — the gradient from `.grad` after a backward pass from Σₙ yₙ[cₙ], the product by a
    /// loop over the numbers.
        /// Second: the gradient with respect to a gain s = 1 on every pixel (model(x ⊙ s)), which is x ⊙ ∂y/∂x.
public static let gradientTimesInput: [Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>.Mistake] = [
        .init(id: "summed-logits-loop", summary: "backward from the summed target logits, x · g as a loop") { model, images, targets in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "gradientTimesInput", message: "one target per image of [N, C, H, W] images")
            }
            let x = images.detached()
            x.requiresGrad = true
            defer { model.zeroGrad() }
            let logits = try model(x)
            try logits.gathered(indices: targets).sum().backward(inputs: [x])
            let g = try x.grad.orThrow("no gradient reached the input")
            var product = [Float](repeating: 0, count: images.count)
            for q in product.indices { product[q] = images.data[q] * g.data[q] }
            return try Tensor(shape: images.shape, data: product)
        },
        .init(id: "gain-gradient", summary: "the gradient of y(s ⊙ x) with respect to a gain s = 1 on every pixel") { model, images, targets in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "gradientTimesInput", message: "need [N, C, H, W] images and one target each")
            }
            let gain = Tensor.ones(images.shape, requiresGrad: true)
            defer { model.zeroGrad() }
            let scores = try model(try images.detached() * gain)
            let seed = try Tensor.oneHot(targets, classes: scores.shape[1])
            try scores.backward(seed: seed, inputs: [gain])
            return try gain.grad.orThrow("no gradient reached the gain")
        },
    ]

    /// 2.4 — the noisy batch built with tensor arithmetic (σ as a `[S·N, 1, 1, 1]` tensor that
    /// broadcasts), the backward pass from the summed target logits, the mean as a running
    /// average in Double.
    public static let smoothGrad: [Exercise<@Sendable (Module, Tensor, [Int], Int, Float, UInt64) throws -> Tensor>.Mistake] = [
        .init(id: "tensor-arithmetic", summary: "noisy copies by broadcasting tensor ops, mean accumulated in Double") { model, images, targets, samples, noiseLevel, seed in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "smoothGrad", message: "one target per image of [N, C, H, W] images")
            }
            guard samples >= 1, noiseLevel >= 0, noiseLevel.isFinite else {
                throw TensorError.invalidArgument(operation: "smoothGrad", message: "samples ≥ 1 and a finite noiseLevel ≥ 0")
            }
            let n = images.shape[0], size = images.count / max(n, 1)
            var generator = SeededGenerator(seed: seed)
            let z = Tensor.randomNormal([samples * n] + Array(images.shape.dropFirst()), using: &generator)
            var sigma: [Float] = []
            for i in 0..<n {
                let pixels = images.data[(i * size)..<((i + 1) * size)]
                sigma.append(noiseLevel * (pixels.max()! - pixels.min()!))
            }
            let copies = try Tensor.concatenate(Array(repeating: images, count: samples), axis: 0)
            let spread = try Tensor(shape: [samples * n, 1, 1, 1], data: (0..<(samples * n)).map { sigma[$0 % n] })
            let noisy = try withNoGrad { try copies + spread * z }
            noisy.requiresGrad = true
            defer { model.zeroGrad() }
            let logits = try model(noisy)
            try logits.gathered(indices: (0..<(samples * n)).map { targets[$0 % n] }).sum().backward(inputs: [noisy])
            let g = try noisy.grad.orThrow("no gradient reached the input").data
            var mean = [Double](repeating: 0, count: n * size)
            for s in 0..<samples {
                for q in mean.indices { mean[q] += (Double(g[s * n * size + q]) - mean[q]) / Double(s + 1) }
            }
            return try Tensor(shape: images.shape, data: mean.map { Float($0) })
        },
    ]

    /// 2.5a — every root of Pₙ found on its own (no mirroring), Pₙ′ from its own recurrence
    /// P′ₖ₊₁ = P′ₖ₋₁ + (2k + 1) Pₖ instead of the closed form, then sorted; the Riemann points
    /// as a start plus a stride.
    public static let integrationPoints: [Exercise<@Sendable (IntegrationMethod, Int) throws -> (alphas: [Double], weights: [Double])>.Mistake] = [
        .init(id: "every-root-derivative-recurrence", summary: "each Legendre root by its own Newton run, Pₙ′ by recurrence, sorted") { method, steps in
            guard steps >= 1, method != .riemannTrapezoid || steps >= 2 else {
                throw TensorError.invalidArgument(operation: "integrationPoints", message: "too few steps: \(steps)")
            }
            let n = Double(steps)
            func stride(from start: Double, by step: Double) -> [Double] { (0..<steps).map { start + Double($0) * step } }
            switch method {
            case .riemannLeft: return (stride(from: 0, by: 1 / n), [Double](repeating: 1 / n, count: steps))
            case .riemannRight: return (stride(from: 1 / n, by: 1 / n), [Double](repeating: 1 / n, count: steps))
            case .riemannMiddle: return (stride(from: 0.5 / n, by: 1 / n), [Double](repeating: 1 / n, count: steps))
            case .riemannTrapezoid:
                let h = 1 / (n - 1)
                return (stride(from: 0, by: h), (0..<steps).map { $0 == 0 || $0 == steps - 1 ? h / 2 : h })
            case .gaussLegendre:
                // (Pₙ(z), Pₙ′(z)) by the two recurrences side by side.
                func evaluate(_ z: Double) -> (Double, Double) {
                    var (p0, p1, d0, d1) = (1.0, z, 0.0, 1.0)
                    if steps == 1 { return (p1, d1) }
                    for k in 1..<steps {
                        let p2 = (Double(2 * k + 1) * z * p1 - Double(k) * p0) / Double(k + 1)
                        let d2 = d0 + Double(2 * k + 1) * p1
                        (p0, p1, d0, d1) = (p1, p2, d1, d2)
                    }
                    return (p1, d1)
                }
                var rule: [(node: Double, weight: Double)] = []
                for i in 1...steps {
                    var z = cos(Double.pi * (Double(i) - 0.25) / (n + 0.5))
                    for _ in 0..<200 {
                        let (p, d) = evaluate(z)
                        let step = p / d
                        z -= step
                        if abs(step) < 1e-16 { break }
                    }
                    let d = evaluate(z).1
                    rule.append((z, 2 / ((1 - z * z) * d * d)))
                }
                rule.sort { $0.node < $1.node }
                return (rule.map { ($0.node + 1) / 2 }, rule.map { $0.weight / 2 })
            }
        },
    ]

    /// 2.5 — the path built with tensor arithmetic (one `[S·N, …]` batch, as the stub asks), the
    /// weighted sum of the gradients accumulated in Double, F(x) and F(x′) in two forward passes.
        /// Second: the weighted sum over the steps as one product [1, S]·[S, N·C·H·W], the gradient by a hook.
public static let integratedGradients: [Exercise<@Sendable (Module, Tensor, [Int], Tensor?, Int, IntegrationMethod) throws -> (attributions: Tensor, delta: [Float])>.Mistake] = [
        .init(id: "tensor-path-double-sum", summary: "the path by tensor ops, Σ wₛ gₛ in Double, the ends in two passes") { model, images, targets, baseline, steps, method in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "integratedGradients", message: "one target per image of [N, C, H, W] images")
            }
            let start = baseline ?? Tensor.zeros(images.shape)
            guard start.shape == images.shape else {
                throw TensorError.shapeMismatch(operation: "integratedGradients", lhs: start.shape, rhs: images.shape, detail: "baseline and images")
            }
            let (alphas, weights) = try SaliencySolutions.integrationPoints(method, steps: steps)
            let n = images.shape[0], total = images.count, size = total / max(n, 1)
            let path = try withNoGrad { () -> Tensor in
                let difference = try images - start
                return try Tensor.concatenate(try alphas.map { try start + Float($0) * difference }, axis: 0)
            }
            path.requiresGrad = true
            defer { model.zeroGrad() }
            let logits = try model(path)
            try logits.gathered(indices: (0..<(alphas.count * n)).map { targets[$0 % n] }).sum().backward(inputs: [path])
            let g = try path.grad.orThrow("no gradient reached the input").data
            var summed = [Double](repeating: 0, count: total)
            for (s, w) in weights.enumerated() {
                for q in 0..<total { summed[q] += w * Double(g[s * total + q]) }
            }
            let attributions = try Tensor(shape: images.shape, data: (0..<total).map { q in
                (images.data[q] - start.data[q]) * Float(summed[q])
            })
            let high = try withNoGrad { try model(images) }.gathered(indices: targets).data
            let low = try withNoGrad { try model(start) }.gathered(indices: targets).data
            let delta = (0..<n).map { i -> Float in
                let sum = attributions.data[(i * size)..<((i + 1) * size)].reduce(0.0) { $0 + Double($1) }
                return Float(sum - (Double(high[i]) - Double(low[i])))
            }
            return (attributions, delta)
        },
        .init(id: "matmul-weights", summary: "path by broadcasting, gradient hook, Σ wᵢ ∇ᵢ as a [1, S]·[S, N·CHW] product") { model, images, targets, baseline, steps, method in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "integratedGradients", message: "need [N, C, H, W] images and one target each")
            }
            let start = baseline ?? Tensor.zeros(images.shape)
            guard start.shape == images.shape else {
                throw TensorError.shapeMismatch(operation: "integratedGradients", lhs: start.shape, rhs: images.shape)
            }
            let (alphas, weights) = try SaliencySolutions.integrationPoints(method, steps: steps)
            let n = images.shape[0], s = alphas.count, size = images.count / n
            let difference = try withNoGrad { try images - start }
            let path: Tensor = try withNoGrad {
                let column = try Tensor(shape: [s * n, 1, 1, 1], data: alphas.flatMap { a in [Float](repeating: Float(a), count: n) })
                let ends = try Tensor.concatenate(Array(repeating: start, count: s), axis: 0)
                let spans = try Tensor.concatenate(Array(repeating: difference, count: s), axis: 0)
                return try ends + column * spans
            }.detached()
            path.requiresGrad = true
            var captured: Tensor?
            let hook = path.registerGradientHook { g in captured = g; return nil }
            defer { hook.remove(); model.zeroGrad() }
            let logits = try model(path)
            let seed = try Tensor.oneHot((0..<s).flatMap { _ in targets }, classes: logits.shape[1])
            try logits.backward(seed: seed)
            let gradients = try captured.orThrow("no gradient reached the path")
            let attributions = try withNoGrad {
                let w = try Tensor(shape: [1, s], data: weights.map(Float.init))
                let averaged = try w.matmul(try gradients.reshaped([s, n * size])).reshaped(images.shape)
                return try averaged * difference
            }
            let top = try withNoGrad { try model(images) }.gathered(indices: targets)
            let bottom = try withNoGrad { try model(start) }.gathered(indices: targets)
            let sums = try withNoGrad { try attributions.reshaped([n, size]).sum(axes: [1]) }
            let delta = (0..<n).map { sums.data[$0] - (top.data[$0] - bottom.data[$0]) }
            return (attributions, delta)
        },
    ]
}
