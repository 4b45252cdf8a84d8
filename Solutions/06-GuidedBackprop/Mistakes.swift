// The mistake catalogue of Lesson 06: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify` checks
// it). Never shown to students.

import Course
import LessonSupport
import TensorEngine

public enum GuidedBackpropMistakes {
    /// The input gradient with `rule(index, gradInput, gradOutput)` as the replacement gradInput at
    /// the `index`-th ReLU module (in `namedModules()` order, from the input).
    static func hooked(_ model: Module, images: Tensor, targets: [Int], keepHooks: Bool,
                       rule: @escaping (_ index: Int, _ gradInput: Tensor?, _ gradOutput: Tensor) -> Tensor?) throws -> Tensor {
        let handles = model.namedModules().map(\.module).filter { $0 is ReLU }.enumerated().map { index, relu in
            relu.registerBackwardHook(replacingGradInput: { _, gradInput, gradOutput in rule(index, gradInput, gradOutput) })
        }
        defer { if !keepHooks { handles.removeAll() }; model.zeroGrad() }
        let x = images.detached()
        x.requiresGrad = true
        let logits = try model(x)
        try logits.backward(seed: try oneHot(targets, like: logits))
        return try x.grad.orThrowing()
    }

    // MARK: 6.1

    public typealias GuidedBackprop = GuidedBackpropCourse.GuidedBackprop

    public static func guidedBackprop(_ id: GuidedBackprop, of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try hooked(model, images: images, targets: targets, keepHooks: id == .keepsHooks) { index, gradInput, gradOutput in
            switch id {
            case .deconvnetRule: gradOutput.relu()
            case .plainGradient: nil
            case .firstReLUOnly: index == 0 ? gradInput?.relu() : nil
            case .keepsHooks: gradInput?.relu()
            }
        }
    }

    // MARK: 6.2

    public typealias Deconvnet = GuidedBackpropCourse.Deconvnet

    public static func deconvnet(_ id: Deconvnet, of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try hooked(model, images: images, targets: targets, keepHooks: id == .keepsHooks) { _, gradInput, gradOutput in
            switch id {
            case .guidedRule: gradInput?.relu()
            case .keepsHooks: gradOutput.relu()
            }
        }
    }

    // MARK: 6.3

    public typealias GuidedGradCAM = GuidedBackpropCourse.GuidedGradCAM

    public static func guidedGradCAM(_ id: GuidedGradCAM, of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "guided Grad-CAM", message: "need [N, C, H, W]") }
        let guided: Tensor
        switch id {
        case .plainGradient: guided = try modifiedGradient(of: model, images: images, targets: targets, rule: .gradient)
        case .unnormalisedCAM: guided = try GuidedBackpropSolutions.guidedBackprop(of: model, images: images, targets: targets)
        }
        let cam = try gradCAMMap(of: model, images: images, targets: targets, layer: layer)
        let up = try withNoGrad { try cam.resizedBilinear(height: images.shape[2], width: images.shape[3]) }
        switch id {
        case .unnormalisedCAM: return try withNoGrad { try guided * up }
        case .plainGradient:
            var values = up.data
            let area = images.shape[2] * images.shape[3]
            for m in 0..<(values.count / area) {
                let range = (m * area)..<((m + 1) * area)
                let low = values[range].min() ?? 0, high = values[range].max() ?? 0
                for p in range { values[p] = (values[p] - low) / (high - low + 1e-7) }
            }
            return try withNoGrad { try guided * Tensor(shape: up.shape, data: values) }
        }
    }

    // MARK: 6.4

    public typealias RankCorrelation = GuidedBackpropCourse.RankCorrelation

    public static func rankCorrelation(_ id: RankCorrelation, _ a: [Float], _ b: [Float]) throws -> Double {
        guard a.count == b.count, a.count >= 2 else { throw TensorError.invalidArgument(operation: "rankCorrelation", message: "lengths") }
        func ordinalRanks(_ x: [Float]) -> [Float] {
            var r = [Float](repeating: 0, count: x.count)
            for (rank, i) in x.indices.sorted(by: { x[$0] < x[$1] }).enumerated() { r[i] = Float(rank + 1) }
            return r
        }
        let (u, v): ([Float], [Float])
        switch id {
        case .pearson: (u, v) = (a, b)
        case .ordinalTies: (u, v) = (ordinalRanks(a), ordinalRanks(b))
        }
        let n = Double(u.count)
        let mu = u.reduce(0.0) { $0 + Double($1) } / n, mv = v.reduce(0.0) { $0 + Double($1) } / n
        var num = 0.0, du = 0.0, dv = 0.0
        for (x, y) in zip(u, v) {
            num += (Double(x) - mu) * (Double(y) - mv); du += (Double(x) - mu) * (Double(x) - mu); dv += (Double(y) - mv) * (Double(y) - mv)
        }
        return du > 0 && dv > 0 ? num / (du * dv).squareRoot() : 0
    }
}
