// The mistake catalogue of Lesson 06: plausible wrong answers, each of which must fail at least
// one test of its exercise (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum GuidedBackpropMistakes {
    public static let catalogue = [
        Mistake(exercise: "6.1", id: "deconvnet-rule", summary: "returns ReLU(gradOutput) (the deconvnet rule) instead of ReLU(gradInput)"),
        Mistake(exercise: "6.1", id: "keeps-hooks", summary: "never removes the ReLU hooks"),
        Mistake(exercise: "6.1", id: "plain-gradient", summary: "the hooks return nil: plain backpropagation"),
        Mistake(exercise: "6.2", id: "guided-rule", summary: "returns ReLU(gradInput) (guided backprop) instead of ReLU(gradOutput)"),
        Mistake(exercise: "6.2", id: "keeps-hooks", summary: "never removes the ReLU hooks"),
        Mistake(exercise: "6.3", id: "unnormalised-cam", summary: "multiplies by the upsampled Grad-CAM without min-max scaling"),
        Mistake(exercise: "6.3", id: "plain-gradient", summary: "multiplies the plain gradient, not guided backprop, by the CAM"),
        Mistake(exercise: "6.4", id: "pearson", summary: "Pearson correlation of the values instead of their ranks"),
        Mistake(exercise: "6.4", id: "ordinal-ties", summary: "ties get consecutive ranks (by position) instead of their average rank"),
    ]

    static func hooked(_ model: Module, images: Tensor, targets: [Int], keepHooks: Bool,
                       rule: @escaping (_ gradInput: Tensor?, _ gradOutput: Tensor) -> Tensor?) throws -> Tensor {
        let handles = model.namedModules().map(\.module).filter { $0 is ReLU }.map { relu in
            relu.registerBackwardHook(replacingGradInput: { _, gradInput, gradOutput in rule(gradInput, gradOutput) })
        }
        defer { if !keepHooks { handles.removeAll() }; model.zeroGrad() }
        let x = images.detached()
        x.requiresGrad = true
        let logits = try model(x)
        try logits.backward(seed: try oneHot(targets, like: logits))
        return try x.grad.orThrowing()
    }

    public static func guidedBackprop(_ id: String, of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try hooked(model, images: images, targets: targets, keepHooks: id == "keeps-hooks") { gradInput, gradOutput in
            switch id {
            case "deconvnet-rule": return gradOutput.relu()
            case "plain-gradient": return nil
            default: return gradInput?.relu()
            }
        }
    }

    public static func deconvnet(_ id: String, of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        try hooked(model, images: images, targets: targets, keepHooks: id == "keeps-hooks") { gradInput, gradOutput in
            id == "guided-rule" ? gradInput?.relu() : gradOutput.relu()
        }
    }

    public static func guidedGradCAM(_ id: String, of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "guided Grad-CAM", message: "need [N, C, H, W]") }
        let guided = id == "plain-gradient"
            ? try modifiedGradient(of: model, images: images, targets: targets, rule: .gradient)
            : try GuidedBackpropSolutions.guidedBackprop(of: model, images: images, targets: targets)
        let cam = try gradCAMMap(of: model, images: images, targets: targets, layer: layer)
        let up = try withNoGrad { try cam.resizedBilinear(height: images.shape[2], width: images.shape[3]) }
        if id == "unnormalised-cam" { return try withNoGrad { try guided * up } }
        var values = up.data
        let area = images.shape[2] * images.shape[3]
        for m in 0..<(values.count / area) {
            let range = (m * area)..<((m + 1) * area)
            let low = values[range].min() ?? 0, high = values[range].max() ?? 0
            for p in range { values[p] = (values[p] - low) / (high - low + 1e-7) }
        }
        return try withNoGrad { try guided * Tensor(shape: up.shape, data: values) }
    }

    public static func rankCorrelation(_ id: String, _ a: [Float], _ b: [Float]) throws -> Double {
        guard a.count == b.count, a.count >= 2 else { throw TensorError.invalidArgument(operation: "rankCorrelation", message: "lengths") }
        func ordinalRanks(_ x: [Float]) -> [Float] {
            var r = [Float](repeating: 0, count: x.count)
            for (rank, i) in x.indices.sorted(by: { x[$0] < x[$1] }).enumerated() { r[i] = Float(rank + 1) }
            return r
        }
        let (u, v) = id == "pearson" ? (a, b) : (ordinalRanks(a), ordinalRanks(b))
        let n = Double(u.count)
        let mu = u.reduce(0.0) { $0 + Double($1) } / n, mv = v.reduce(0.0) { $0 + Double($1) } / n
        var num = 0.0, du = 0.0, dv = 0.0
        for (x, y) in zip(u, v) {
            num += (Double(x) - mu) * (Double(y) - mv); du += (Double(x) - mu) * (Double(x) - mu); dv += (Double(y) - mv) * (Double(y) - mv)
        }
        return du > 0 && dv > 0 ? num / (du * dv).squareRoot() : 0
    }
}
