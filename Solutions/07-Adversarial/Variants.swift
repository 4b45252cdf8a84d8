// Correct implementations of Lesson 07 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum AdversarialVariants {
    /// 7.1 — one image at a time, PyTorch's mean cross-entropy (a positive factor changes no sign),
    /// the sign and the clamp written out over the pixels.
    public static let fgsm: [Exercise<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor>.Mistake] = [
        .init(id: "image-by-image", summary: "each image's own backward pass, sign and clamp as loops") { model, images, labels, epsilon in
            guard epsilon >= 0, epsilon.isFinite else {
                throw TensorError.invalidArgument(operation: "fgsm", message: "epsilon must be a finite number ≥ 0, got \(epsilon)")
            }
            guard images.rank >= 1, labels.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "fgsm", message: "one label per image: \(labels.count) labels for \(images.shape)")
            }
            let size = images.count / max(images.shape[0], 1)
            var result = [Float](repeating: 0, count: images.count)
            for n in 0..<images.shape[0] {
                let x = try images.sliced(axis: 0, n..<(n + 1)).detached()
                x.requiresGrad = true
                let logits = try model(x)
                guard logits.rank == 2, labels[n] >= 0, labels[n] < logits.shape[1] else {
                    throw TensorError.invalidArgument(operation: "fgsm", message: "label \(labels[n]) is not a class of \(logits.shape)")
                }
                try logits.crossEntropy(labels: [labels[n]]).backward(inputs: [x])
                guard let gradient = x.grad else { throw TensorError.gradient(message: "no gradient reached image \(n)") }
                for p in 0..<size {
                    let g = gradient.data[p], value = images.data[n * size + p]
                    let step: Float = g > 0 ? epsilon : (g < 0 ? -epsilon : 0)
                    result[n * size + p] = min(max(value + step, 0), 1)
                }
            }
            return try Tensor(shape: images.shape, data: result)
        },
    ]

    /// 7.2 — the loss's gradient from its closed form at the logits, ∂CE/∂y = softmax(y) − onehot(t)
    /// (computed in Double), sent back through the network as the backward seed; step and clamp
    /// as loops.
    public static let targetedFGSM: [Exercise<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor>.Mistake] = [
        .init(id: "softmax-minus-onehot-seed", summary: "backward seeded with softmax − onehot, the step as a loop") { model, images, targets, epsilon in
            guard epsilon >= 0, epsilon.isFinite else { throw TensorError.invalidArgument(operation: "targetedFGSM", message: "epsilon must be finite and ≥ 0") }
            let x = images.detached()
            x.requiresGrad = true
            defer { model.zeroGrad() }
            let logits = try model(x)
            let classes = logits.shape[1]
            guard targets.count == logits.shape[0], targets.allSatisfy({ $0 >= 0 && $0 < classes }) else {
                throw TensorError.invalidArgument(operation: "targetedFGSM", message: "one target in 0..<\(classes) per image")
            }
            var seed = [Float](repeating: 0, count: logits.count)
            for (n, t) in targets.enumerated() {
                let row = (0..<classes).map { Double(logits.data[n * classes + $0]) }
                let top = row.max()!
                let exps = row.map { Foundation.exp($0 - top) }
                let total = exps.reduce(0, +)
                for c in 0..<classes { seed[n * classes + c] = Float(exps[c] / total - (c == t ? 1 : 0)) }
            }
            try logits.backward(seed: try Tensor(shape: logits.shape, data: seed), inputs: [x])
            let g = try x.grad.orThrow("no gradient reached the images").data
            var out = images.data
            for q in out.indices {
                let step: Float = g[q] > 0 ? epsilon : (g[q] < 0 ? -epsilon : 0)
                out[q] = Swift.min(Swift.max(out[q] - step, 0), 1)
            }
            return try Tensor(shape: images.shape, data: out)
        },
    ]

    /// 7.3 — the box [max(x − ε, 0), min(x + ε, 1)] as two arrays of numbers and the projection as
    /// a loop; the loss as the batch mean (its gradient differs from the sum's by the factor 1/N,
    /// which changes no sign).
    /// Second: the loss as −Σ gathered(logSoftmax) (PyTorch's own definition of cross-entropy), the
    /// current image kept in a plain array. Ends up to 278 pixels away from PyTorch's PGD (ten sign steps
    /// are chaotic), which is why 7.3 is graded by the loss reached.
    public static let pgd: [Exercise<@Sendable (Module, Tensor, [Int], Float, Float, Int, Bool, UInt64) throws -> Tensor>.Mistake] = [
        .init(id: "loops-and-mean-loss", summary: "projection by a loop over the pixels, the gradient of the mean loss") { model, images, labels, epsilon, stepSize, steps, randomStart, seed in
            guard epsilon >= 0, epsilon.isFinite, steps >= 0, stepSize >= 0 else {
                throw TensorError.invalidArgument(operation: "pgd", message: "epsilon, stepSize and steps must be ≥ 0")
            }
            let x0 = images.data
            let low = x0.map { Swift.max($0 - epsilon, 0) }, high = x0.map { Swift.min($0 + epsilon, 1) }
            func project(_ v: [Float]) -> [Float] { v.indices.map { Swift.min(Swift.max(v[$0], low[$0]), high[$0]) } }
            var current = x0
            if randomStart {
                var generator = SeededGenerator(seed: seed)
                let noise = Tensor.randomUniform(images.shape, low: -epsilon, high: epsilon, using: &generator).data
                current = project(zip(x0, noise).map { $0 + $1 })
            }
            for _ in 0..<steps {
                let x = try Tensor(shape: images.shape, data: current)
                x.requiresGrad = true
                defer { model.zeroGrad() }
                let logits = try model(x)
                guard labels.count == logits.shape[0], labels.allSatisfy({ $0 >= 0 && $0 < logits.shape[1] }) else {
                    throw TensorError.invalidArgument(operation: "pgd", message: "one label in 0..<\(logits.shape[1]) per image")
                }
                try logits.crossEntropy(labels: labels).backward(inputs: [x])
                let g = try x.grad.orThrow("no gradient reached the images").data
                current = project(current.indices.map { q in
                    current[q] + (g[q] > 0 ? stepSize : (g[q] < 0 ? -stepSize : 0))
                })
            }
            return try Tensor(shape: images.shape, data: current)
        },
        .init(id: "nll-and-loops", summary: "−Σ gathered log-softmax as the loss; step and box projection as loops over an array") { model, images, labels, epsilon, stepSize, steps, randomStart, seed in
            guard epsilon.isFinite, epsilon >= 0, stepSize >= 0, steps >= 0 else {
                throw TensorError.invalidArgument(operation: "pgd", message: "need ε ≥ 0 (finite), stepSize ≥ 0 and steps ≥ 0")
            }
            guard images.rank >= 1, images.shape[0] == labels.count else {
                throw TensorError.invalidArgument(operation: "pgd", message: "\(labels.count) labels for images \(images.shape)")
            }
            let origin = images.data
            let lowest = origin.map { max($0 - epsilon, 0) }, highest = origin.map { min($0 + epsilon, 1) }
            func project(_ values: inout [Float]) {
                for i in values.indices { values[i] = min(max(values[i], lowest[i]), highest[i]) }
            }
            var current = origin
            if randomStart {
                var generator = SeededGenerator(seed: seed)
                let noise = Tensor.randomUniform(images.shape, low: -epsilon, high: epsilon, using: &generator).data
                for i in current.indices { current[i] += noise[i] }
                project(&current)
            }
            defer { model.zeroGrad() }
            for _ in 0..<steps {
                let point = try Tensor(shape: images.shape, data: current, requiresGrad: true)
                let negativeLogLikelihood = -(try model(point).logSoftmax().gathered(indices: labels).sum())
                try negativeLogLikelihood.backward(inputs: [point])
                let slope = try point.grad.orThrow("no gradient reached the images").data
                for i in current.indices where slope[i] != 0 { current[i] += slope[i] > 0 ? stepSize : -stepSize }
                project(&current)
            }
            return try Tensor(shape: images.shape, data: current)
        },
    ]

    /// 7.4 — ε by ε (the outer loop), each ε attacking every batch with `fgsm` (7.1) again; the
    /// predictions compared by a loop over the logits.
    public static let accuracyUnderFGSM: [Exercise<@Sendable (Module, Tensor, [Int], [Float], Int) throws -> [Double]>.Mistake] = [
        .init(id: "epsilon-major", summary: "for each ε, every batch attacked by fgsm afresh") { model, images, labels, epsilons, batchSize in
            guard batchSize >= 1, !labels.isEmpty, images.shape.first == labels.count else {
                throw TensorError.invalidArgument(operation: "accuracyUnderFGSM", message: "one label per image and batchSize ≥ 1")
            }
            return try epsilons.map { epsilon in
                var correct = 0
                var start = 0
                while start < labels.count {
                    let end = Swift.min(start + batchSize, labels.count)
                    let batch = try images.sliced(axis: 0, start..<end)
                    let y = Array(labels[start..<end])
                    let attacked = try AdversarialSolutions.fgsm(of: model, images: batch, labels: y, epsilon: epsilon)
                    let logits = try withNoGrad { try model(attacked) }
                    let classes = logits.shape[1]
                    for (row, label) in y.enumerated() {
                        var best = 0
                        for c in 1..<classes where logits.data[row * classes + c] > logits.data[row * classes + best] { best = c }
                        if best == label { correct += 1 }
                    }
                    start = end
                }
                return Double(correct) / Double(labels.count)
            }
        },
    ]
}
