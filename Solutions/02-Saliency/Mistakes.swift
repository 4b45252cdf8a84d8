// The mistake catalogue of Lesson 02: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify` checks it).
// Never shown to students.

import Course
import LessonSupport
import TensorEngine

public enum SaliencyMistakes {
    // MARK: 2.1

    public typealias Saliency = SaliencyCourse.Saliency

    public static func saliency(_ id: Saliency, of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try checkImages(images, targets: targets, operation: "saliency")
        let x = images.detached()
        x.requiresGrad = true
        defer { model.zeroGrad() }
        let logits = try model(x)
        switch id {
        case .softmaxProbability:
            guard targets.allSatisfy({ $0 >= 0 && $0 < logits.shape[1] }) else {
                throw TensorError.invalidArgument(operation: "saliency", message: "target class outside 0..<\(logits.shape[1])")
            }
            let probabilities = try logits.softmax()
            var seed = [Float](repeating: 0, count: logits.count)
            for (n, c) in targets.enumerated() { seed[n * logits.shape[1] + c] = 1 }
            try probabilities.backward(seed: try Tensor(shape: logits.shape, data: seed))
        case .lossGradient:
            try logits.crossEntropy(labels: targets).backward()
        }
        return try x.grad.orThrow("no gradient reached the input")
    }

    // MARK: 2.2

    public typealias SaliencyMagnitude = SaliencyCourse.SaliencyMagnitude

    public static func saliencyMagnitude(_ id: SaliencyMagnitude, _ gradient: Tensor) throws -> Tensor {
        guard gradient.rank == 4 else {
            throw TensorError.invalidArgument(operation: "saliencyMagnitude", message: "expected [N, C, H, W]")
        }
        return try withNoGrad {
            switch id {
            case .forgetsAbs: return try gradient.max(axis: 1, keepDims: true)
            case .absAfterMax: return try gradient.max(axis: 1, keepDims: true).abs()
            case .batchAxis: return try gradient.abs().max(axis: 0, keepDims: true)
            case .sumOverChannels: return try gradient.abs().sum(axes: [1], keepDims: true)
            }
        }
    }

    // MARK: 2.3

    public typealias GradientTimesInput = SaliencyCourse.GradientTimesInput

    public static func gradientTimesInput(_ id: GradientTimesInput, of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        let g = try SaliencySolutions.saliency(of: model, images: images, targets: targets)
        return try withNoGrad {
            switch id {
            case .normalisedInput:
                // What the first layer (norm) outputs: (x − μ)/σ.
                let first = try model.children.first.orThrow("the model has no layers").module
                return try first(images) * g
            case .absGradient:
                return try images * g.abs()
            }
        }
    }

    // MARK: 2.4

    public typealias SmoothGrad = SaliencyCourse.SmoothGrad

    public static func smoothGrad(_ id: SmoothGrad, of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
        try checkImages(images, targets: targets, operation: "smoothGrad")
        guard samples >= 1, noiseLevel >= 0 else {
            throw TensorError.invalidArgument(operation: "smoothGrad", message: "bad samples or noise level")
        }
        let (scalesSigma, imageMajor, magnitudes) = switch id {
        case .unscaledSigma: (false, false, false)
        case .imageMajorNoise: (true, true, false)
        case .meanOfMagnitude: (true, false, true)
        }
        let n = images.shape[0], size = images.count / max(n, 1)
        var generator = SeededGenerator(seed: seed)
        let noise = Tensor.randomNormal([samples * n] + Array(images.shape.dropFirst()), using: &generator)
        var noisy = [Float](repeating: 0, count: samples * n * size)
        for s in 0..<samples {
            for i in 0..<n {
                let pixels = images.data[(i * size)..<((i + 1) * size)]
                let range = (pixels.max() ?? 0) - (pixels.min() ?? 0)
                let sigma = scalesSigma ? noiseLevel * range : noiseLevel
                let row = imageMajor ? i * samples + s : s * n + i
                for p in 0..<size {
                    noisy[(s * n + i) * size + p] = images.data[i * size + p] + sigma * noise.data[row * size + p]
                }
            }
        }
        let batch = try Tensor(shape: noise.shape, data: noisy)
        var gradients = try inputGradient(of: model, inputs: batch, targets: targets, operation: "smoothGrad").gradient.data
        if magnitudes { gradients = gradients.map { Swift.abs($0) } }
        var mean = [Float](repeating: 0, count: n * size)
        for s in 0..<samples {
            for q in 0..<(n * size) { mean[q] += gradients[s * n * size + q] }
        }
        return try Tensor(shape: images.shape, data: mean.map { $0 / Float(samples) })
    }

    // MARK: 2.5a

    public typealias IntegrationPoints = SaliencyCourse.IntegrationPoints

    /// Each mistake changes one rule; the other rules are right.
    public static func integrationPoints(_ id: IntegrationPoints, _ method: IntegrationMethod, steps: Int) throws -> (alphas: [Double], weights: [Double]) {
        let correct = try SaliencySolutions.integrationPoints(method, steps: steps)
        let n = Double(steps)
        switch id {
        case .trapezoid1OverN:
            guard method == .riemannTrapezoid else { return correct }
            var weights = Array(repeating: 1 / n, count: steps)
            weights[0] /= 2; weights[steps - 1] /= 2
            return (correct.alphas, weights)
        case .leftIncludesOne:
            guard method == .riemannLeft else { return correct }
            return ((0..<steps).map { steps > 1 ? Double($0) / (n - 1) : 0 }, correct.weights)
        case .unhalvedGaussWeights:
            guard method == .gaussLegendre else { return correct }
            return (correct.alphas, correct.weights.map { $0 * 2 })
        }
    }

    // MARK: 2.5

    public typealias IntegratedGradients = SaliencyCourse.IntegratedGradients

    public static func integratedGradients(_ id: IntegratedGradients, of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                           steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
        let reference = baseline ?? Tensor.zeros(images.shape)
        switch id {
        case .forgetsInputDifference, .unweightedMean:
            try checkImages(images, targets: targets, operation: "integratedGradients")
            guard reference.shape == images.shape else {
                throw TensorError.shapeMismatch(operation: "integratedGradients baseline", lhs: reference.shape, rhs: images.shape)
            }
            var (alphas, weights) = try SaliencySolutions.integrationPoints(method, steps: steps)
            if id == .unweightedMean { weights = Array(repeating: 1 / Double(alphas.count), count: alphas.count) }
            let total = images.count
            let difference = zip(images.data, reference.data).map { $0 - $1 }
            var path = [Float](repeating: 0, count: alphas.count * total)
            for (s, alpha) in alphas.enumerated() {
                for q in 0..<total { path[s * total + q] = reference.data[q] + Float(alpha) * difference[q] }
            }
            let batch = try Tensor(shape: [alphas.count * images.shape[0]] + Array(images.shape.dropFirst()), data: path)
            let gradients = try inputGradient(of: model, inputs: batch, targets: targets, operation: "integratedGradients").gradient
            var summed = [Float](repeating: 0, count: total)
            for (s, weight) in weights.enumerated() {
                for q in 0..<total { summed[q] += Float(weight) * gradients.data[s * total + q] }
            }
            let attributions = id == .forgetsInputDifference ? summed : zip(difference, summed).map { $0 * $1 }
            let ends = try withNoGrad { try model(Tensor.concatenate([images, reference], axis: 0)) }
            let n = images.shape[0], classes = ends.shape[1], size = total / max(n, 1)
            let delta = (0..<n).map { i -> Float in
                let sum = attributions[(i * size)..<((i + 1) * size)].reduce(0.0) { $0 + Double($1) }
                return Float(sum - Double(ends.data[i * classes + targets[i]]) + Double(ends.data[(n + i) * classes + targets[i]]))
            }
            return (try Tensor(shape: images.shape, data: attributions), delta)
        case .deltaSign:
            let result = try SaliencySolutions.integratedGradients(of: model, images: images, targets: targets, baseline: baseline,
                                                                   steps: steps, method: method)
            return (result.attributions, result.delta.map { -$0 })
        }
    }
}
