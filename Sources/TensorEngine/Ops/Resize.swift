import Foundation

/// Resizing the last two axes (H, W) of NCHW: bilinear and nearest, with PyTorch's conventions.
///
/// Bilinear with `align_corners=False` treats pixels as unit squares: output pixel `o` samples
/// input coordinate `(o + 0.5)·in/out − 0.5`, clamped below at 0, and interpolates the two
/// neighbours. This is what `F.interpolate(x, size, mode="bilinear")` and pytorch-grad-cam use.
/// Both are linear maps, so backward scatters the gradient with the same weights.
extension Tensor {
    /// One axis of bilinear interpolation: for each output index, two source indices and the
    /// weight of the second.
    static func bilinearTaps(input: Int, output: Int, alignCorners: Bool = false) -> [(Int, Int, Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { o in
            let source = alignCorners
                ? (output > 1 ? Float(o) * Float(input - 1) / Float(output - 1) : 0)
                : Swift.max((Float(o) + 0.5) * scale - 0.5, 0)
            let i0 = Swift.min(Int(source), input - 1)
            let i1 = Swift.min(i0 + 1, input - 1)
            return (i0, i1, source - Float(i0))
        }
    }

    /// Bilinear resize to `height × width` (PyTorch's `align_corners`, default false).
    public func resizedBilinear(height: Int, width: Int, alignCorners: Bool = false) throws -> Tensor {
        guard rank >= 2, height > 0, width > 0, shape[rank - 2] > 0, shape[rank - 1] > 0 else {
            throw TensorError.invalidArgument(operation: "resizedBilinear", message: "cannot resize \(shape) to \(height)×\(width)")
        }
        let h = shape[rank - 2], w = shape[rank - 1]
        let rows = Tensor.bilinearTaps(input: h, output: height, alignCorners: alignCorners)
        let cols = Tensor.bilinearTaps(input: w, output: width, alignCorners: alignCorners)
        let planes = count / (h * w)
        func forEachTap(_ body: (_ output: Int, _ input: Int, _ weight: Float) -> Void) {
            for p in 0..<planes {
                for (oy, (y0, y1, ly)) in rows.enumerated() {
                    for (ox, (x0, x1, lx)) in cols.enumerated() {
                        let o = (p * height + oy) * width + ox, b = p * h * w
                        body(o, b + y0 * w + x0, (1 - ly) * (1 - lx))
                        body(o, b + y0 * w + x1, (1 - ly) * lx)
                        body(o, b + y1 * w + x0, ly * (1 - lx))
                        body(o, b + y1 * w + x1, ly * lx)
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: planes * height * width)
        let x = data
        forEachTap { o, i, weight in out[o] += weight * x[i] }
        let n = count
        return Tensor.makeResult("resizedBilinear", shape: Array(shape.dropLast(2)) + [height, width], data: out, inputs: [self]) { g, _ in
            var dx = [Float](repeating: 0, count: n)
            forEachTap { o, i, weight in dx[i] += weight * g[o] }
            return [dx]
        }
    }

    /// Nearest-neighbour resize (PyTorch `mode="nearest"`: source index ⌊o · in/out⌋).
    public func resizedNearest(height: Int, width: Int) throws -> Tensor {
        guard rank >= 2, height > 0, width > 0, shape[rank - 2] > 0, shape[rank - 1] > 0 else {
            throw TensorError.invalidArgument(operation: "resizedNearest", message: "cannot resize \(shape) to \(height)×\(width)")
        }
        let h = shape[rank - 2], w = shape[rank - 1]
        let sy = Float(h) / Float(height), sx = Float(w) / Float(width)
        let planes = count / (h * w)
        var source = [Int](repeating: 0, count: planes * height * width)
        for p in 0..<planes {
            for oy in 0..<height {
                let y = Swift.min(Int(floorf(Float(oy) * sy)), h - 1)
                for ox in 0..<width {
                    let x = Swift.min(Int(floorf(Float(ox) * sx)), w - 1)
                    source[(p * height + oy) * width + ox] = p * h * w + y * w + x
                }
            }
        }
        let out = source.map { data[$0] }
        let n = count
        return Tensor.makeResult("resizedNearest", shape: Array(shape.dropLast(2)) + [height, width], data: out, inputs: [self]) { g, _ in
            var dx = [Float](repeating: 0, count: n)
            for (o, i) in source.enumerated() { dx[i] += g[o] }
            return [dx]
        }
    }
}
