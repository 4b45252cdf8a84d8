// Correct implementations of Lesson 08 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum FeatureVisualizationVariants {
    /// 8.2 — the neighbour differences as matrix products: each row of pixels times the W × (W − 1)
    /// difference matrix (column j = x[j + 1] − x[j]), each column after a permute times the
    /// H × (H − 1) one; the gradient comes through `matmul` and `permuted` instead of `sliced`.
    public static let totalVariation: [Exercise<@Sendable (Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "difference-matrices", summary: "differences as products with (W × W−1) and (H × H−1) difference matrices") { images in
            guard images.rank == 4 else {
                throw TensorError.invalidArgument(operation: "totalVariation", message: "images must be [N, C, H, W], got \(images.shape)")
            }
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            func differences(_ size: Int) throws -> Tensor {
                var values = [Float](repeating: 0, count: size * (size - 1))
                for j in 0..<(size - 1) { values[j * (size - 1) + j] = -1; values[(j + 1) * (size - 1) + j] = 1 }
                return try Tensor(shape: [size, size - 1], data: values)
            }
            var terms: [Tensor] = []
            if w > 1 {
                let across = try images.reshaped([n * c * h, w]).matmul(differences(w))
                terms.append(try (across * across).sum())
            }
            if h > 1 {
                let down = try images.permuted([0, 1, 3, 2]).reshaped([n * c * w, h]).matmul(differences(h))
                terms.append(try (down * down).sum())
            }
            return try terms.reduce(Tensor(scalar: 0)) { try $0 + $1 }
        },
    ]

    /// 8.1 — only the logit goes through autograd; the L2 term's gradient −2λ(x − x₀) and its value
    /// are written out on the numbers (in Double), the step and the clamp as a loop.
    public static let classImage: [Exercise<@Sendable (Module, Int, Tensor, Int, Float, Float) throws -> (image: Tensor, objectives: [Float])>.Mistake] = [
        .init(id: "l2-by-hand", summary: "autograd for the logit only, the L2 term's value and gradient by hand") { model, target, start, steps, learningRate, l2 in
            guard steps >= 0 else { throw TensorError.invalidArgument(operation: "classImage", message: "steps must be ≥ 0") }
            var x = start.data
            var objectives: [Float] = []
            for _ in 0..<steps {
                let input = try Tensor(shape: start.shape, data: x)
                input.requiresGrad = true
                let score = try model(input).gathered(indices: [Int](repeating: target, count: start.shape[0])).sum()
                try score.backward(inputs: [input])
                let g = try input.grad.orThrow("no gradient reached the image").data
                var penalty = 0.0
                for q in x.indices { let d = Double(x[q] - start.data[q]); penalty += d * d }
                objectives.append(Float(Double(score.data[0]) - Double(l2) * penalty))
                for q in x.indices {
                    let ascent = g[q] - 2 * l2 * (x[q] - start.data[q])
                    x[q] = Swift.min(Swift.max(x[q] + learningRate * ascent, 0), 1)
                }
            }
            return (try Tensor(shape: start.shape, data: x), objectives)
        },
    ]

    /// 8.3 — one 2-D pass with the outer product of the 1-D kernel (not separable passes),
    /// weights and sums in Double.
        /// Second: two matrix products with blur matrices that hold the reflected border, rows then columns.
public static let gaussianBlur: [Exercise<@Sendable (Tensor, Float) throws -> Tensor>.Mistake] = [
        .init(id: "two-dimensional-kernel", summary: "one pass with the k ⊗ k kernel, in Double") { images, sigma in
            guard images.rank == 4, sigma > 0, sigma.isFinite else {
                throw TensorError.invalidArgument(operation: "gaussianBlur", message: "[N, C, H, W] images and σ > 0")
            }
            let r = Swift.max(1, Int((3 * Double(sigma)).rounded(.up)))
            let raw = (-r...r).map { k in Foundation.exp(-Double(k * k) / (2 * Double(sigma) * Double(sigma))) }
            let total = raw.reduce(0, +)
            let kernel = raw.map { $0 / total }
            let (h, w) = (images.shape[2], images.shape[3])
            guard r < h, r < w else { throw TensorError.invalidArgument(operation: "gaussianBlur", message: "planes not larger than the radius \(r)") }
            func mirror(_ i: Int, _ n: Int) -> Int { i < 0 ? -i : (i > n - 1 ? 2 * n - 2 - i : i) }
            var out = [Float](repeating: 0, count: images.count)
            for plane in 0..<(images.count / (h * w)) {
                let base = plane * h * w
                for i in 0..<h {
                    for j in 0..<w {
                        var sum = 0.0
                        for a in -r...r {
                            for b in -r...r {
                                sum += kernel[a + r] * kernel[b + r] * Double(images.data[base + mirror(i + a, h) * w + mirror(j + b, w)])
                            }
                        }
                        out[base + i * w + j] = Float(sum)
                    }
                }
            }
            return try Tensor(shape: images.shape, data: out)
        },
        .init(id: "blur-matrices", summary: "rows then columns as products with H × H and W × W blur matrices (reflection folded in)") { images, sigma in
            guard images.rank == 4 else {
                throw TensorError.invalidArgument(operation: "gaussianBlur", message: "images must be [N, C, H, W], got \(images.shape)")
            }
            guard sigma > 0, sigma.isFinite else {
                throw TensorError.invalidArgument(operation: "gaussianBlur", message: "sigma must be positive, got \(sigma)")
            }
            let r = Swift.max(1, Int((3 * Double(sigma)).rounded(.up)))
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            guard h > r, w > r else {
                throw TensorError.invalidArgument(operation: "gaussianBlur", message: "radius \(r) needs planes larger than \(r), got \(h)×\(w)")
            }
            let raw = (0...(2 * r)).map { exp(-Double(($0 - r) * ($0 - r)) / (2 * Double(sigma) * Double(sigma))) }
            let norm = raw.reduce(0, +)
            // Bᵀ, [size, size]: column i holds the weights output i takes from each input m.
            func blurMatrixTransposed(_ size: Int) throws -> Tensor {
                var entries = [Double](repeating: 0, count: size * size)
                for i in 0..<size {
                    for k in -r...r {
                        var m = i + k
                        if m < 0 { m = -m } else if m >= size { m = 2 * size - 2 - m }
                        entries[m * size + i] += raw[k + r] / norm
                    }
                }
                return try Tensor(shape: [size, size], data: entries.map(Float.init))
            }
            return try withNoGrad {
                let rows = try images.reshaped([n * c * h, w]).matmul(blurMatrixTransposed(w)).reshaped([n, c, h, w])
                let columns = try rows.permuted([0, 1, 3, 2]).reshaped([n * c * w, h]).matmul(blurMatrixTransposed(h))
                return try columns.reshaped([n, c, w, h]).permuted([0, 1, 3, 2])
            }
        },
    ]

    /// 8.4 — the rolled picture assembled one row (then one column) at a time, each a one-wide
    /// slice taken from its source index (i − dy) mod H, concatenated: the gradient follows.
        /// Second: out = Pᴴ · x · (Pᵂ)ᵀ with 0/1 permutation matrices (the gradient through matmul).
public static let jittered: [Exercise<@Sendable (Tensor, Int, Int) throws -> Tensor>.Mistake] = [
        .init(id: "row-by-row", summary: "every output row and column sliced from its source and concatenated") { images, dy, dx in
            guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "jittered", message: "[N, C, H, W] images") }
            func roll(_ x: Tensor, by shift: Int, axis: Int) throws -> Tensor {
                let n = x.shape[axis]
                let pieces = try (0..<n).map { i -> Tensor in
                    let source = ((i - shift) % n + n) % n
                    return try x.sliced(axis: axis, source..<(source + 1))
                }
                return try Tensor.concatenate(pieces, axis: axis)
            }
            return try roll(roll(images, by: dy, axis: 2), by: dx, axis: 3)
        },
        .init(id: "permutation-matrices", summary: "out = Pᴴ · x · (Pᵂ)ᵀ with 0/1 permutation matrices, by matmul") { images, dy, dx in
            guard images.rank == 4 else {
                throw TensorError.invalidArgument(operation: "jittered", message: "images must be [N, C, H, W], got \(images.shape)")
            }
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            // [size, size] with entry (m, i) = 1 when output i reads input m = (i − shift) mod size.
            func rollMatrix(_ size: Int, _ shift: Int) throws -> Tensor {
                var entries = [Float](repeating: 0, count: size * size)
                for i in 0..<size { entries[(((i - shift) % size + size) % size) * size + i] = 1 }
                return try Tensor(shape: [size, size], data: entries)
            }
            let across = try images.reshaped([n * c * h, w]).matmul(rollMatrix(w, dx)).reshaped([n, c, h, w])
            let down = try across.permuted([0, 1, 3, 2]).reshaped([n * c * w, h]).matmul(rollMatrix(h, dy))
            return try down.reshaped([n, c, w, h]).permuted([0, 1, 3, 2])
        },
    ]

    /// 8.5 — the regularisers' gradients derived by hand (−2·l2·(x̃ − anchor) and the TV gradient
    /// 2(x[i] − x[i−1]) − 2(x[i+1] − x[i]) along each axis), added to the objective's autograd
    /// gradient; J's terms summed in Double.
    public static let ascend: [Exercise<@Sendable ((Tensor) throws -> Tensor, Tensor, AscentSettings, UInt64) throws -> (image: Tensor, objectives: [Float])>.Mistake] = [
        .init(id: "regularisers-by-hand", summary: "autograd for the objective only, the L2 and TV gradients by hand") { objective, start, settings, seed in
            guard settings.steps >= 0 else { throw TensorError.invalidArgument(operation: "ascend", message: "steps must be ≥ 0") }
            guard start.rank == 4 else { throw TensorError.invalidArgument(operation: "ascend", message: "[N, C, H, W] images") }
            let (h, w) = (start.shape[2], start.shape[3])
            var x = start.detached()
            var objectives: [Float] = []
            for (t, offset) in settings.jitterOffsets(seed: seed).enumerated() {
                let input = try FeatureVisualizationSolutions.jittered(x, dy: offset.dy, dx: offset.dx).detached()
                input.requiresGrad = true
                let anchor = try FeatureVisualizationSolutions.jittered(start, dy: offset.dy, dx: offset.dx).data
                let score = try objective(input).sum()
                try score.backward(inputs: [input])
                var g = try input.grad.orThrow("no gradient reached the image").data
                let v = input.data
                var j = Double(score.data[0])
                if settings.l2 != 0 {
                    var squared = 0.0
                    for q in v.indices {
                        let d = v[q] - anchor[q]
                        squared += Double(d * d)
                        g[q] -= settings.l2 * 2 * d
                    }
                    j -= Double(settings.l2) * squared
                }
                if settings.tv != 0 {
                    var tv = 0.0
                    for plane in 0..<(v.count / (h * w)) {
                        let base = plane * h * w
                        for i in 0..<h {
                            for k in 0..<w {
                                let q = base + i * w + k
                                if i + 1 < h {
                                    let d = v[q + w] - v[q]
                                    tv += Double(d * d)
                                    g[q] += settings.tv * 2 * d; g[q + w] -= settings.tv * 2 * d
                                }
                                if k + 1 < w {
                                    let d = v[q + 1] - v[q]
                                    tv += Double(d * d)
                                    g[q] += settings.tv * 2 * d; g[q + 1] -= settings.tv * 2 * d
                                }
                            }
                        }
                    }
                    j -= Double(settings.tv) * tv
                }
                objectives.append(Float(j))
                let moved = try Tensor(shape: input.shape, data: v.indices.map { v[$0] + settings.learningRate * g[$0] })
                x = try withNoGrad { try FeatureVisualizationSolutions.jittered(moved, dy: -offset.dy, dx: -offset.dx).clamped(min: 0, max: 1) }
                if settings.blurEvery > 0 && (t + 1) % settings.blurEvery == 0 {
                    x = try FeatureVisualizationSolutions.gaussianBlur(x, sigma: settings.blurSigma)
                }
            }
            return (x, objectives)
        },
    ]

    /// 8.6 — every channel's plane mean at once (`mean(axes: [2, 3])`), then the channel's column.
        /// Second: the flattened output [N, K·P] times a column holding 1/P on the channel's positions.
public static let meanActivation: [Exercise<@Sendable (Module, String, Int, Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "all-channels-then-column", summary: "the means of every channel, then the channel's column") { model, layer, channel, images in
            var output: Tensor?
            let handle = try model.module(named: layer).registerForwardHook { _, _, out in output = out }
            defer { handle.remove() }
            _ = try model(images)
            let a = try output.orThrow("'\(layer)' did not run")
            guard a.rank >= 2, (0..<a.shape[1]).contains(channel) else {
                throw TensorError.invalidArgument(operation: "meanActivation", message: "no channel \(channel) at '\(layer)'")
            }
            let means = a.rank == 2 ? a : try a.mean(axes: Array(2..<a.rank))             // [N, K]
            return try means.sliced(axis: 1, channel..<(channel + 1)).reshaped([a.shape[0]])
        },
        .init(id: "selector-product", summary: "the flattened output times a column with 1/HW on the channel's positions") { model, layer, channel, images in
            var seen: Tensor?
            let handle = try model.module(named: layer).registerForwardHook { _, _, output in seen = output }
            defer { handle.remove() }
            _ = try model(images)
            let output = try seen.orThrow("layer '\(layer)' did not run")
            let units = output.rank >= 2 ? output.shape[1] : 0
            guard (0..<units).contains(channel) else {
                throw TensorError.invalidArgument(operation: "meanActivation", message: "channel \(channel) outside 0..<\(units) of '\(layer)'")
            }
            let batch = output.shape[0]
            let positions = output.count / Swift.max(batch * units, 1)
            var selector = [Float](repeating: 0, count: units * positions)
            for q in 0..<positions { selector[channel * positions + q] = 1 / Float(positions) }
            let flat = try output.reshaped([batch, units * positions])
            return try flat.matmul(Tensor(shape: [units * positions, 1], data: selector)).reshaped([batch])
        },
    ]

    /// 8.7 — the octave loop written with numbers: the step x̃ + stepSize · g / mean|g| (mean |g| in
    /// Double), the clamp and the carried detail as loops; A captured by a hook of its own.
    public static let deepDream: [Exercise<@Sendable (Module, Tensor, String, DreamSettings, UInt64) throws -> Tensor>.Mistake] = [
        .init(id: "numbers-step", summary: "the normalised step and the clamp as loops, mean |g| in Double") { model, image, layer, settings, seed in
            guard image.rank == 4 else { throw TensorError.invalidArgument(operation: "deepDream", message: "[1, C, H, W] image") }
            let module = try model.module(named: layer)
            let sizes = settings.sizes(height: image.shape[2], width: image.shape[3])
            let offsets = AscentSettings(steps: settings.steps * sizes.count, jitter: settings.jitter).jitterOffsets(seed: seed)
            var detail: Tensor?
            var x = image
            for (o, size) in sizes.enumerated() {
                let base = try withNoGrad { try image.resizedBilinear(height: size.height, width: size.width) }
                x = base
                if let detail {
                    let carried = try withNoGrad { try detail.resizedBilinear(height: size.height, width: size.width) }
                    x = try Tensor(shape: base.shape, data: base.data.indices.map { Swift.min(Swift.max(base.data[$0] + carried.data[$0], 0), 1) })
                }
                for s in 0..<settings.steps {
                    let offset = offsets[o * settings.steps + s]
                    let input = try FeatureVisualizationSolutions.jittered(x, dy: offset.dy, dx: offset.dx).detached()
                    input.requiresGrad = true
                    var activation: Tensor?
                    let handle = module.registerForwardHook { _, _, out in activation = out }
                    defer { handle.remove() }
                    _ = try model(input)
                    let a = try activation.orThrow("'\(layer)' did not run")
                    try ((a * a).sum() * 0.5).backward(inputs: [input])
                    let g = try input.grad.orThrow("no gradient reached the image").data
                    let meanAbs = Float(g.reduce(0.0) { $0 + Double(Swift.abs($1)) } / Double(Swift.max(g.count, 1)))
                    let factor = settings.stepSize / Swift.max(meanAbs, 1e-8)
                    let moved = try Tensor(shape: input.shape, data: input.data.indices.map { input.data[$0] + factor * g[$0] })
                    let back = try FeatureVisualizationSolutions.jittered(moved, dy: -offset.dy, dx: -offset.dx).data
                    x = try Tensor(shape: input.shape, data: back.map { Swift.min(Swift.max($0, 0), 1) })
                }
                detail = try withNoGrad { try x - base }
            }
            return x
        },
    ]

    /// 8.8 — the guided rule on the numbers from each ReLU's forward output, the backward pass
    /// seeded at the layer's output with a mask that is 1 on the channel's plane.
        /// Second: the guided rule as gradient hooks on each ReLU's output that clamp the arriving gradient at 0.
public static let channelGuidedBackprop: [Exercise<@Sendable (Module, Tensor, String, Int) throws -> Tensor>.Mistake] = [
        .init(id: "mask-seed-numbers", summary: "backward from the layer's output with a channel mask seed, the guided rule on the numbers") { model, images, layer, channel in
            let target = try model.module(named: layer)
            var outputs: [ObjectIdentifier: [Float]] = [:]
            var handles: [HookHandle] = []
            for (_, module) in model.namedModules() where module is ReLU {
                handles.append(module.registerForwardHook { m, _, out in outputs[ObjectIdentifier(m)] = out.data })
                handles.append(module.registerBackwardHook(replacingGradInput: { m, _, r in
                    let o = try outputs[ObjectIdentifier(m)].orThrow("no forward output")
                    return try Tensor(shape: r.shape, data: zip(o, r.data).map { $0 > 0 && $1 > 0 ? $1 : 0 })
                }))
            }
            var captured: Tensor?
            handles.append(target.registerForwardHook { _, _, out in captured = out })
            defer { handles.forEach { $0.remove() }; model.zeroGrad() }
            let x = images.detached()
            x.requiresGrad = true
            _ = try model(x)
            let a = try captured.orThrow("'\(layer)' did not run")
            guard a.rank >= 2, (0..<a.shape[1]).contains(channel) else {
                throw TensorError.invalidArgument(operation: "channelGuidedBackprop", message: "no channel \(channel) at '\(layer)'")
            }
            let (k, plane) = (a.shape[1], a.count / (a.shape[0] * a.shape[1]))
            let seed = (0..<a.count).map { q -> Float in (q / plane) % k == channel ? 1 : 0 }
            try a.backward(seed: try Tensor(shape: a.shape, data: seed), inputs: [x])
            return try x.grad.orThrow("no gradient reached the image")
        },
        .init(id: "output-gradient-hooks", summary: "relu(g) by gradient hooks on every ReLU's output; seed = a one-hot channel mask") { model, images, layer, channel in
            let target = try model.module(named: layer)
            var tensorHooks: [HookHandle] = []
            var moduleHooks: [HookHandle] = []
            for (_, module) in model.namedModules() where module is ReLU {
                moduleHooks.append(module.registerForwardHook { _, _, output in
                    tensorHooks.append(output.registerGradientHook { g in g.relu() })
                })
            }
            var seen: Tensor?
            moduleHooks.append(target.registerForwardHook { _, _, output in seen = output })
            defer {
                for handle in moduleHooks + tensorHooks { handle.remove() }
                model.zeroGrad()
            }
            let copy = try Tensor(shape: images.shape, data: images.data, requiresGrad: true)
            _ = try model(copy)
            let output = try seen.orThrow("layer '\(layer)' did not run")
            let channels = output.rank >= 2 ? output.shape[1] : 0
            guard (0..<channels).contains(channel) else {
                throw TensorError.invalidArgument(operation: "channelGuidedBackprop", message: "channel \(channel) outside 0..<\(channels) of '\(layer)'")
            }
            let inner = output.count / Swift.max(output.shape[0] * channels, 1)
            let mask = (0..<output.count).map { Float(($0 / inner) % channels == channel ? 1 : 0) }
            try output.backward(seed: Tensor(shape: output.shape, data: mask), inputs: [copy])
            return try copy.grad.orThrow("no gradient reached the image")
        },
    ]
}
