// Correct implementations of Lesson 04 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum CAMVariants {
    /// 4.3 — each map scaled with engine ops (min and max over the plane, then broadcast).
    public static let normalizedMaps: [Exercise<@Sendable (Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "tensor-ops", summary: "(x − min) / (max − min + 1e-7) with reductions over the plane") { maps in
            guard maps.rank == 4, maps.count > 0 else {
                throw TensorError.invalidArgument(operation: "normalizedMaps", message: "expected [N, 1, h, w] maps, got \(maps.shape)")
            }
            return try withNoGrad {
                let (n, c, h, w) = (maps.shape[0], maps.shape[1], maps.shape[2], maps.shape[3])
                let flat = try maps.reshaped([n * c, h * w])
                let low = try flat.min(axis: 1, keepDims: true), high = try flat.max(axis: 1, keepDims: true)
                return try ((flat - low) / (high - low + 1e-7)).reshaped([n, c, h, w])
            }
        },
    ]

    /// 4.1 — the model's structure checked by *watching* a forward pass (a hook on every leaf
    /// module records what runs between the feature layer and the classifier) instead of reading
    /// the module list; the map as one matrix product w_c · A per image.
    public static let classActivationMap: [Exercise<@Sendable (Module, Tensor, [Int], String, String) throws -> Tensor>.Mistake] = [
        .init(id: "watched-forward-matmul", summary: "what runs between the layers seen by hooks, CAM as the product w_c · A") { model, images, targets, featureLayer, classifier in
            guard model.namedModules().contains(where: { $0.module is GlobalAvgPool2d }) else {
                throw TensorError.invalidArgument(operation: "CAM", message: "CAM needs a global average pooling before the classifier, and this model has none (it flattens, so every position has its own weight): use Grad-CAM instead")
            }
            let feature = try model.module(named: featureLayer)
            guard let fc = try model.module(named: classifier) as? Linear else {
                throw TensorError.invalidArgument(operation: "CAM", message: "'\(classifier)' is not a Linear layer")
            }
            var captured: Tensor?
            var ranBetween: [Module] = []
            var state = 0   // 0 before the feature layer, 1 between, 2 after the classifier
            var handles: [HookHandle] = []
            defer { handles.forEach { $0.remove() } }
            for (_, module) in model.namedModules() where module.children.isEmpty || module === feature || module === fc {
                handles.append(module.registerForwardHook { m, _, output in
                    if m === feature { captured = output; state = 1 }
                    else if m === fc { if state == 1 { state = 2 } }
                    else if state == 1 && !(m is Dropout) { ranBetween.append(m) }
                })
            }
            _ = try withNoGrad { try model(images) }
            guard state == 2, ranBetween.count == 1, ranBetween[0] is GlobalAvgPool2d else {
                throw TensorError.invalidArgument(operation: "CAM", message: "between '\(featureLayer)' and '\(classifier)' the model must run one global average pooling and nothing else")
            }
            let a = try captured.orThrow("'\(featureLayer)' did not run")
            guard a.rank == 4, fc.weight.shape[1] == a.shape[1] else {
                throw TensorError.shapeMismatch(operation: "CAM", lhs: a.shape, rhs: fc.weight.shape, detail: "K feature maps and K in-features")
            }
            let (n, k, h, w) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3])
            let classes = fc.weight.shape[0]
            guard targets.count == n, targets.allSatisfy({ $0 >= 0 && $0 < classes }) else {
                throw TensorError.invalidArgument(operation: "CAM", message: "one target in 0..<\(classes) per image")
            }
            var maps: [Tensor] = []
            for i in 0..<n {
                let row = try fc.weight.detached().sliced(axis: 0, targets[i]..<(targets[i] + 1))          // [1, K]
                let planes = try a.sliced(axis: 0, i..<(i + 1)).reshaped([k, h * w])                       // [K, h·w]
                maps.append(try withNoGrad { try row.matmul(planes) }.reshaped([1, 1, h, w]))
            }
            return try Tensor.concatenate(maps, axis: 0).detached()
        },
    ]

    /// 4.2 — two separable passes: every row resampled along the columns into an intermediate
    /// `[planes, h, width]`, then every column of that along the rows.
        /// Second: one interpolation matrix per axis, R · X · Cᵀ for every plane.
public static let upsampleBilinear: [Exercise<@Sendable (Tensor, Int, Int) throws -> Tensor>.Mistake] = [
        .init(id: "separable-passes", summary: "columns first into an intermediate, then rows") { maps, height, width in
            guard maps.rank >= 2, height >= 1, width >= 1 else {
                throw TensorError.invalidArgument(operation: "upsampleBilinear", message: "cannot resize \(maps.shape) to \(height)×\(width)")
            }
            let h = maps.shape[maps.rank - 2], w = maps.shape[maps.rank - 1]
            guard h >= 1, w >= 1 else { throw TensorError.invalidArgument(operation: "upsampleBilinear", message: "an empty plane") }
            struct Tap { var low: Int; var high: Int; var weight: Float }
            func taps(from length: Int, to size: Int) -> [Tap] {
                let scale = Float(length) / Float(size)
                return (0..<size).map { o in
                    var s = (Float(o) + 0.5) * scale - 0.5
                    if s < 0 { s = 0 }
                    let low = Swift.min(Int(s.rounded(.down)), length - 1)
                    return Tap(low: low, high: Swift.min(low + 1, length - 1), weight: s - Float(low))
                }
            }
            let across = taps(from: w, to: width), down = taps(from: h, to: height)
            let planes = maps.count / (h * w)
            var middle = [Float](repeating: 0, count: planes * h * width)
            for p in 0..<planes {
                for r in 0..<h {
                    for (x, t) in across.enumerated() {
                        let left = maps.data[(p * h + r) * w + t.low], right = maps.data[(p * h + r) * w + t.high]
                        middle[(p * h + r) * width + x] = (1 - t.weight) * left + t.weight * right
                    }
                }
            }
            var out = [Float](repeating: 0, count: planes * height * width)
            for p in 0..<planes {
                for (y, t) in down.enumerated() {
                    for x in 0..<width {
                        let upper = middle[(p * h + t.low) * width + x], lower = middle[(p * h + t.high) * width + x]
                        out[(p * height + y) * width + x] = (1 - t.weight) * upper + t.weight * lower
                    }
                }
            }
            return try Tensor(shape: Array(maps.shape.dropLast(2)) + [height, width], data: out)
        },
        .init(id: "interpolation-matrices", summary: "R · X · Cᵀ per plane with one interpolation matrix per axis") { maps, height, width in
            guard maps.rank >= 2, height > 0, width > 0, maps.count > 0 else {
                throw TensorError.invalidArgument(operation: "upsampleBilinear", message: "\(maps.shape) to \(height)×\(width)")
            }
            let h = maps.shape[maps.rank - 2], w = maps.shape[maps.rank - 1]
            // weights[o, i]: how much input i contributes to output o along one axis.
            func interpolation(from input: Int, to output: Int) throws -> Tensor {
                var weights = [Float](repeating: 0, count: output * input)
                let ratio = Float(input) / Float(output)
                for o in 0..<output {
                    let source = Swift.max((Float(o) + 0.5) * ratio - 0.5, 0)
                    let low = Swift.min(Int(source.rounded(.down)), input - 1)
                    let high = Swift.min(low + 1, input - 1)
                    let lambda = source - Float(low)
                    weights[o * input + low] += 1 - lambda
                    weights[o * input + high] += lambda
                }
                return try Tensor(shape: [output, input], data: weights)
            }
            let rowMatrix = try interpolation(from: h, to: height)
            let columnMatrixT = try interpolation(from: w, to: width).permuted([1, 0])     // [w, width]
            let planes = maps.count / (h * w)
            return try withNoGrad {
                // Along the columns for all planes at once, then along the rows plane by plane.
                let wide = try maps.reshaped([planes * h, w]).matmul(columnMatrixT)        // [planes·h, width]
                var parts: [Tensor] = []
                for p in 0..<planes {
                    parts.append(try rowMatrix.matmul(try wide.sliced(axis: 0, (p * h)..<((p + 1) * h))))
                }
                return try Tensor.concatenate(parts, axis: 0).reshaped(Array(maps.shape.dropLast(2)) + [height, width])
            }
        },
    ]
}
