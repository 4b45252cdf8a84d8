// The mistake catalogue of Lesson 05: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify` checks
// it). Never shown to students.

import Course
import LessonSupport
import TensorEngine

public enum GradCAMMistakes {
    // MARK: 5.1

    public typealias ActivationsAndGradients = GradCAMCourse.ActivationsAndGradients

    public static func activationsAndGradients(_ id: ActivationsAndGradients, of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
        let module = try model.module(named: layer)
        var activations: Tensor?, gradients: Tensor?
        let forward = module.registerForwardHook { _, _, output in activations = output }
        let backward = module.registerBackwardHook { _, gradInput, gradOutput in
            switch id {
            case .gradInput: gradients = gradInput ?? gradOutput
            case .keepsHooks, .softmaxScore: gradients = gradOutput
            }
        }
        defer {
            switch id {
            case .keepsHooks: break
            case .gradInput, .softmaxScore: forward.remove(); backward.remove()
            }
            model.zeroGrad()
        }
        var scores = try model(images)
        switch id {
        case .softmaxScore: scores = try scores.softmax()
        case .keepsHooks, .gradInput: break
        }
        try scores.backward(seed: try oneHot(targets, like: scores))
        guard let a = activations, let g = gradients, a.rank == 4 else {
            throw TensorError.invalidArgument(operation: "Grad-CAM", message: "no feature maps at '\(layer)'")
        }
        return (a, g)
    }

    // MARK: 5.2

    public typealias GradCAM = GradCAMCourse.GradCAM

    public static func gradCAM(_ id: GradCAM, of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        var (a, g) = try GradCAMSolutions.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
        let weights: Tensor
        switch id {
        case .sumsGradients: weights = try g.sum(axes: [2, 3], keepDims: true)
        case .maxGradients:
            let (n, k, area) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
            let maxima = (0..<(n * k)).map { m in g.data[(m * area)..<((m + 1) * area)].max() ?? 0 }
            weights = try Tensor(shape: [n, k, 1, 1], data: maxima)
        case .batchMeanWeights:
            let perImage = try g.mean(axes: [0, 2, 3], keepDims: true)
            weights = try Tensor.concatenate(Array(repeating: perImage, count: g.shape[0]), axis: 0)
        case .capturesInput:
            // The forward hook kept `input` instead of `output`.
            let module = try model.module(named: layer)
            var input: Tensor?
            let handle = module.registerForwardHook { _, x, _ in input = x }
            defer { handle.remove() }
            _ = try withNoGrad { try model(images) }
            a = try input.orThrow()
            weights = try g.mean(axes: [2, 3], keepDims: true)
        case .noReLU: weights = try g.mean(axes: [2, 3], keepDims: true)
        }
        let map = try withNoGrad { try (a * weights).sum(axes: [1], keepDims: true) }
        switch id {
        case .noReLU: return map.detached()
        case .sumsGradients, .maxGradients, .capturesInput, .batchMeanWeights: return map.relu().detached()
        }
    }

    // MARK: 5.3

    public typealias UpsampledAndNormalized = GradCAMCourse.UpsampledAndNormalized

    public static func upsampledAndNormalized(_ id: UpsampledAndNormalized, _ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        guard maps.rank >= 2 else { throw TensorError.invalidArgument(operation: "upsample", message: "need maps") }
        let area = height * width
        func normalize(_ values: inout [Float], planeSize: Int, epsilon: Float) {
            for m in 0..<(values.count / planeSize) {
                let range = (m * planeSize)..<((m + 1) * planeSize)
                let low = values[range].min() ?? 0, high = values[range].max() ?? 0
                for p in range { values[p] = (values[p] - low) / (high - low + epsilon) }
            }
        }
        switch id {
        case .alignCorners:
            var values = try withNoGrad { try maps.resizedBilinear(height: height, width: width, alignCorners: true) }.data
            normalize(&values, planeSize: area, epsilon: 1e-7)
            return try Tensor(shape: Array(maps.shape.dropLast(2)) + [height, width], data: values)
        case .normalizesFirst:
            var small = maps.data
            normalize(&small, planeSize: maps.shape[maps.rank - 2] * maps.shape[maps.rank - 1], epsilon: 1e-7)
            return try withNoGrad { try Tensor(shape: maps.shape, data: small).resizedBilinear(height: height, width: width) }
        case .batchMinMax, .noEpsilon:
            let up = try withNoGrad { try maps.resizedBilinear(height: height, width: width) }
            var values = up.data
            if id == .batchMinMax {
                normalize(&values, planeSize: values.count, epsilon: 1e-7)
            } else {
                normalize(&values, planeSize: area, epsilon: 0)
            }
            return try Tensor(shape: up.shape, data: values)
        }
    }

    // MARK: 5.4

    public typealias GradCAMPlusPlus = GradCAMCourse.GradCAMPlusPlus

    public static func gradCAMPlusPlus(_ id: GradCAMPlusPlus, of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        let (a, g) = try GradCAMSolutions.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
        let (n, k, h, w) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3])
        var map = [Float](repeating: 0, count: n * h * w)
        for i in 0..<n {
            for c in 0..<k {
                let base = (i * k + c) * h * w
                let sumA = a.data[base..<(base + h * w)].reduce(0, +)
                var weight: Float = 0
                for p in 0..<(h * w) {
                    let gv = g.data[base + p]
                    guard gv != 0 else { continue }
                    let g2 = gv * gv, g3 = g2 * gv
                    switch id {
                    case .localActivationSum: weight += g2 / (2 * g2 + a.data[base + p] * g3 + 1e-6) * max(gv, 0)
                    case .noReLUGradients: weight += g2 / (2 * g2 + sumA * g3 + 1e-6) * gv
                    }
                }
                for p in 0..<(h * w) { map[i * h * w + p] += weight * a.data[base + p] }
            }
        }
        return try Tensor(shape: [n, 1, h, w], data: map.map { max($0, 0) })
    }
}
