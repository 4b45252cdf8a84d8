// Correct implementations of Lesson 06 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum GuidedBackpropVariants {
    /// 6.4 — ranks by counting instead of sorting: rank(xᵢ) = #{j : xⱼ < xᵢ} + (#{j : xⱼ = xᵢ} + 1)/2
    /// (the average rank of a tie, O(N²)), then Pearson's r of the ranks from its one-pass sums.
    public static let rankCorrelation: [Exercise<@Sendable ([Float], [Float]) throws -> Double>.Mistake] = [
        .init(id: "counting-ranks", summary: "average ranks by counting smaller and equal values; r from one-pass sums") { a, b in
            guard a.count == b.count, a.count >= 2 else {
                throw TensorError.invalidArgument(operation: "rankCorrelation", message: "need two arrays of the same length ≥ 2, got \(a.count) and \(b.count)")
            }
            func ranks(_ x: [Float]) -> [Double] {
                x.map { value in
                    var below = 0, equal = 0
                    for other in x { if other < value { below += 1 } else if other == value { equal += 1 } }
                    return Double(below) + Double(equal + 1) / 2
                }
            }
            let (ra, rb) = (ranks(a), ranks(b))
            let n = Double(a.count)
            var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
            for (x, y) in zip(ra, rb) { sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y }
            let vx = sxx - sx * sx / n, vy = syy - sy * sy / n
            // Ranks are exact halves, so the sums are exact and a constant array gives exactly 0.
            return vx > 0 && vy > 0 ? (sxy - sx * sy / n) / (vx * vy).squareRoot() : 0
        },
    ]

    /// The gradient of Σₙ yₙ[cₙ] with respect to a copy of `images`, read by a gradient hook on
    /// the copy, with `replace(reluOutput, gradOutput)` giving each ReLU's gradInput as numbers.
    /// Each ReLU's forward output is kept by a forward hook (output > 0 ⟺ input > 0).
    static func gradient(of model: Module, images: Tensor, targets: [Int],
                         replace: @escaping (_ output: [Float], _ gradOutput: [Float]) -> [Float]) throws -> Tensor {
        var outputs: [ObjectIdentifier: Tensor] = [:]
        var handles: [HookHandle] = []
        for (_, module) in model.namedModules() where module is ReLU {
            handles.append(module.registerForwardHook { m, _, output in outputs[ObjectIdentifier(m)] = output })
            handles.append(module.registerBackwardHook(replacingGradInput: { m, _, gradOutput in
                let output = try outputs[ObjectIdentifier(m)].orThrow("a ReLU ran backward without a forward pass")
                return try Tensor(shape: gradOutput.shape, data: replace(output.data, gradOutput.data))
            }))
        }
        let x = images.detached()
        x.requiresGrad = true
        var captured: Tensor?
        let hook = x.registerGradientHook { g in captured = g; return nil }
        defer { handles.forEach { $0.remove() }; hook.remove(); model.zeroGrad() }
        let logits = try model(x)
        try logits.gathered(indices: targets).sum().backward()
        return try captured.orThrow("no gradient reached the input")
    }

    /// 6.1 — the guided rule written out on the numbers, 1[output > 0] · max(R, 0), from the
    /// ReLU's *output* kept by a forward hook; the input's gradient read by a gradient hook.
    public static let guidedBackprop: [Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>.Mistake] = [
        .init(id: "mask-from-forward-output", summary: "1[output > 0] · max(R, 0) from a forward hook's output, a gradient hook on the input") { model, images, targets in
            try gradient(of: model, images: images, targets: targets) { output, r in
                zip(output, r).map { o, g in o > 0 && g > 0 ? g : 0 }
            }
        },
    ]

    /// 6.2 — max(R, 0) written out on the numbers, the input's gradient read by a gradient hook.
    public static let deconvnet: [Exercise<@Sendable (Module, Tensor, [Int]) throws -> Tensor>.Mistake] = [
        .init(id: "numbers-and-gradient-hook", summary: "max(R, 0) on the numbers, a gradient hook on the input") { model, images, targets in
            try gradient(of: model, images: images, targets: targets) { _, r in r.map { Swift.max($0, 0) } }
        },
    ]

    /// 6.3 — image by image: Grad-CAM weights from a gradient hook on the layer's output, the map
    /// resized with `resizedBilinear`, scaled and multiplied in by loops.
    public static let guidedGradCAM: [Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>.Mistake] = [
        .init(id: "image-by-image", summary: "per image: Grad-CAM by a tensor hook, scaled and multiplied by loops") { model, images, targets, layer in
            guard images.rank == 4, targets.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "guided Grad-CAM", message: "one target per image of [N, C, H, W] images")
            }
            let guided = try GuidedBackpropSolutions.guidedBackprop(of: model, images: images, targets: targets)
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            let module = try model.module(named: layer)
            var out = [Float](repeating: 0, count: images.count)
            for i in 0..<n {
                var a: Tensor?, g: Tensor?, tensorHook: HookHandle?
                let handle = module.registerForwardHook { _, _, output in
                    a = output
                    tensorHook = output.registerGradientHook { grad in g = grad; return nil }
                }
                defer { handle.remove(); tensorHook?.remove(); model.zeroGrad() }
                let logits = try model(try images.sliced(axis: 0, i..<(i + 1)))
                try logits.gathered(indices: [targets[i]]).sum().backward()
                let activations = try a.orThrow("no activations"), gradients = try g.orThrow("no gradients")
                let (k, mh, mw) = (activations.shape[1], activations.shape[2], activations.shape[3])
                var map = [Float](repeating: 0, count: mh * mw)
                for channel in 0..<k {
                    let plane = channel * mh * mw
                    let alpha = gradients.data[plane..<(plane + mh * mw)].reduce(0, +) / Float(mh * mw)
                    for p in 0..<(mh * mw) { map[p] += alpha * activations.data[plane + p] }
                }
                let cam = try Tensor(shape: [1, 1, mh, mw], data: map.map { Swift.max($0, 0) })
                let up = try withNoGrad { try cam.resizedBilinear(height: h, width: w) }.data
                let low = up.min()!, high = up.max()!
                for k in 0..<c {
                    for p in 0..<(h * w) {
                        let q = (i * c + k) * h * w + p
                        out[q] = guided.data[q] * ((up[p] - low) / (high - low + 1e-7))
                    }
                }
            }
            return try Tensor(shape: images.shape, data: out)
        },
    ]
}
