// The mistake catalogue of Lesson 08: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify`).

import Course
import LessonSupport
import TensorEngine

public enum FeatureVisualizationMistakes {
    // MARK: 8.1

    public typealias ClassImage = FeatureVisualizationCourse.ClassImage

    public static func classImage(_ id: ClassImage, of model: Module, target: Int, start: Tensor, steps: Int,
                                  learningRate: Float, l2: Float) throws -> (image: Tensor, objectives: [Float]) {
        let targets = [Int](repeating: target, count: start.shape.first ?? 0)
        var x = start.detached()
        var objectives: [Float] = []
        func objective(_ input: Tensor) throws -> Tensor {
            let logits = try model(input)
            let scores = id == .softmaxProbability ? try logits.softmax() : logits
            let difference = try input - start
            return try scores.gathered(indices: targets).sum() - l2 * (try (difference * difference).sum())
        }
        for _ in 0..<steps {
            let input = x.detached()
            input.requiresGrad = true
            let value = try objective(input)
            try value.backward(inputs: [input])
            let gradient = try input.grad.orThrow()
            let sign: Float = id == .descent ? -1 : 1
            x = try withNoGrad {
                let moved = try input.detached() + sign * learningRate * gradient
                return id == .noClamp || id == .clampOnlyAtEnd ? moved : moved.clamped(min: 0, max: 1)
            }
            objectives.append(id == .objectiveAfterStep ? try withNoGrad { try objective(x) }.data[0] : value.data[0])
        }
        if id == .clampOnlyAtEnd { x = x.clamped(min: 0, max: 1) }
        return (x, objectives)
    }

    // MARK: 8.2

    public typealias TotalVariation = FeatureVisualizationCourse.TotalVariation

    public static func totalVariation(_ id: TotalVariation, _ images: Tensor) throws -> Tensor {
        let (h, w) = (images.shape[2], images.shape[3])
        let down = try images.sliced(axis: 2, 1..<h) - images.sliced(axis: 2, 0..<(h - 1))
        switch id {
        case .oneDirection:
            return try (down * down).sum()
        case .absoluteDifferences:
            let right = try images.sliced(axis: 3, 1..<w) - images.sliced(axis: 3, 0..<(w - 1))
            return try down.abs().sum() + right.abs().sum()
        }
    }

    // MARK: 8.3

    public typealias GaussianBlur = FeatureVisualizationCourse.GaussianBlur

    public static func gaussianBlur(_ id: GaussianBlur, _ images: Tensor, sigma: Float) throws -> Tensor {
        switch id {
        case .unnormalisedKernel:
            let kernel = FeatureVisualizationSolutions.gaussianKernel(sigma: sigma)
            let radius = kernel.count / 2
            var total: Float = 0
            for k in -radius...radius { total += exp(-Float(k * k) / (2 * sigma * sigma)) }
            // Blurring with the unnormalised kernel multiplies a separable blur by total².
            return try FeatureVisualizationSolutions.gaussianBlur(images, sigma: sigma) * (total * total)
        case .rowsOnly:
            _ = try FeatureVisualizationSolutions.gaussianBlur(images, sigma: sigma)     // the same checks
            let kernel = FeatureVisualizationSolutions.gaussianKernel(sigma: sigma)
            let radius = kernel.count / 2
            let (h, w) = (images.shape[2], images.shape[3])
            var out = images.data
            for plane in 0..<(images.count / (h * w)) {
                for i in 0..<h {
                    let row = Array(images.data[(plane * h * w + i * w)..<(plane * h * w + (i + 1) * w)])
                    for j in 0..<w {
                        var sum: Float = 0
                        for k in -radius...radius {
                            let index = j + k < 0 ? -(j + k) : (j + k >= w ? 2 * (w - 1) - (j + k) : j + k)
                            sum += kernel[k + radius] * row[index]
                        }
                        out[plane * h * w + i * w + j] = sum
                    }
                }
            }
            return try Tensor(shape: images.shape, data: out)
        }
    }

    // MARK: 8.4

    public typealias Jittered = FeatureVisualizationCourse.Jittered

    public static func jittered(_ id: Jittered, _ images: Tensor, dy: Int, dx: Int) throws -> Tensor {
        switch id {
        case .shiftSign: return try FeatureVisualizationSolutions.jittered(images, dy: -dy, dx: -dx)
        case .axesSwapped: return try FeatureVisualizationSolutions.jittered(images, dy: dx, dx: dy)
        }
    }

    // MARK: 8.5

    public typealias Ascend = FeatureVisualizationCourse.Ascend

    public static func ascend(_ id: Ascend, _ objective: (Tensor) throws -> Tensor, from start: Tensor, settings: AscentSettings,
                              seed: UInt64) throws -> (image: Tensor, objectives: [Float]) {
        var x = start.detached()
        var objectives: [Float] = []
        for (t, offset) in settings.jitterOffsets(seed: seed).enumerated() {
            let input = try FeatureVisualizationSolutions.jittered(x, dy: offset.dy, dx: offset.dx).detached()
            input.requiresGrad = true
            let difference = try input - FeatureVisualizationSolutions.jittered(start, dy: offset.dy, dx: offset.dx)
            let tvSign: Float = id == .tvRewarded ? 1 : -1
            let score = try objective(input).sum() - settings.l2 * (difference * difference).sum()
                + tvSign * settings.tv * FeatureVisualizationSolutions.totalVariation(input)
            try score.backward(inputs: [input])
            objectives.append(score.data[0])
            var gradient = try input.grad.orThrow()
            let blurNow = settings.blurEvery > 0 && (t + 1) % settings.blurEvery == 0
            if id == .blursGradient && blurNow { gradient = try FeatureVisualizationSolutions.gaussianBlur(gradient, sigma: settings.blurSigma) }
            x = try withNoGrad {
                let moved = try input.detached() + settings.learningRate * gradient
                let back = id == .jitterNotUndone ? moved : try FeatureVisualizationSolutions.jittered(moved, dy: -offset.dy, dx: -offset.dx)
                return id == .clampOnlyAtEnd ? back : back.clamped(min: 0, max: 1)
            }
            if id != .blursGradient && blurNow { x = try FeatureVisualizationSolutions.gaussianBlur(x, sigma: settings.blurSigma) }
        }
        if id == .clampOnlyAtEnd { x = x.clamped(min: 0, max: 1) }
        return (x, objectives)
    }

    // MARK: 8.6

    public typealias MeanActivation = FeatureVisualizationCourse.MeanActivation

    public static func meanActivation(_ id: MeanActivation, of model: Module, at layer: String, channel: Int, for images: Tensor) throws -> Tensor {
        let module = try model.module(named: layer)
        var captured: Tensor?
        let handle = module.registerForwardHook { _, _, output in captured = output }
        _ = try model(images)
        if id != .keepsHook { handle.remove() }
        let output = try captured.orThrow()
        let picked = try output.sliced(axis: 1, channel..<(channel + 1))
        if picked.rank == 2 { return try picked.reshaped([output.shape[0]]) }
        return id == .sumNotMean ? try picked.sum(axes: Array(1..<picked.rank)) : try picked.mean(axes: Array(1..<picked.rank))
    }

    // MARK: 8.7

    public typealias DeepDream = FeatureVisualizationCourse.DeepDream

    public static func deepDream(_ id: DeepDream, of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> Tensor {
        var sizes = settings.sizes(height: image.shape[2], width: image.shape[3])
        if id == .largestOctaveFirst { sizes.reverse() }
        let dreamed = try FeatureVisualizationSolutions.dream(of: model, image: image, layer: layer, sizes: sizes, settings: settings,
                                                               seed: seed, normalisedSteps: id != .unnormalisedStep)
        return try withNoGrad { try dreamed.resizedBilinear(height: image.shape[2], width: image.shape[3]) }
    }

    // MARK: 8.8

    public typealias ChannelGuidedBackprop = FeatureVisualizationCourse.ChannelGuidedBackprop

    public static func channelGuidedBackprop(_ id: ChannelGuidedBackprop, of model: Module, images: Tensor, layer: String, channel: Int) throws -> Tensor {
        let module = try model.module(named: layer)
        let relus = id == .plainGradient ? [] : model.namedModules().map(\.module).filter { $0 is ReLU }
        var handles: [HookHandle] = relus.map { relu in
            relu.registerBackwardHook(replacingGradInput: { _, gradInput, _ in gradInput?.relu() })
        }
        var captured: Tensor?
        handles.append(module.registerForwardHook { _, _, output in captured = output })
        defer { handles.removeAll(); model.zeroGrad() }
        let x = images.detached()
        x.requiresGrad = true
        let logits = try model(x)
        let output = try captured.orThrow()
        switch id {
        case .seededAtLogit:
            try logits.gathered(indices: logits.argmax()).sum().backward(inputs: [x])
        case .plainGradient:
            try output.sliced(axis: 1, channel..<(channel + 1)).sum().backward(inputs: [x])
        }
        return try x.grad.orThrow()
    }
}
