/// Max pooling, average pooling and global average pooling over the last two axes of NCHW.
extension Tensor {
    private func poolingGeometry(_ operation: String, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) throws -> ConvolutionGeometry {
        guard rank == 4, count > 0 else {
            throw TensorError.invalidArgument(operation: operation, message: "input must be a non-empty [N, C, H, W], got \(shape)")
        }
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0,
              padding.0 * 2 <= kernel.0, padding.1 * 2 <= kernel.1 else {
            throw TensorError.invalidArgument(operation: operation, message: "kernel \(kernel), stride \(stride), padding \(padding) invalid (padding must be at most half the kernel, as in PyTorch)")
        }
        let g = ConvolutionGeometry(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
                                    kernelHeight: kernel.0, kernelWidth: kernel.1, strideY: stride.0, strideX: stride.1,
                                    padY: padding.0, padX: padding.1)
        guard g.height + 2 * g.padY >= g.kernelHeight, g.width + 2 * g.padX >= g.kernelWidth else {
            throw TensorError.invalidArgument(operation: operation, message: "kernel \(kernel) larger than input \(shape)")
        }
        return g
    }

    /// Max pooling, like `F.max_pool2d(x, kernel, stride, padding)` (stride defaults to the kernel).
    /// Padding counts as −∞. Backward sends each output's gradient to its arg-max (the first one
    /// in row-major order if several tie), adding where windows overlap.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        let g = try poolingGeometry("maxPool2d", kernel: kernel, stride: stride ?? kernel, padding: padding)
        let ho = g.outputHeight, wo = g.outputWidth
        let planes = g.batch * g.channels
        var out = [Float](repeating: 0, count: planes * ho * wo)
        var arg = [Int32](repeating: 0, count: out.count)
        data.withUnsafeBufferPointer { x in
            for p in 0..<planes {
                let base = p * g.height * g.width
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        var best = -Float.infinity, at = -1
                        for ky in 0..<g.kernelHeight {
                            let y = oy * g.strideY - g.padY + ky
                            guard y >= 0 && y < g.height else { continue }
                            for kx in 0..<g.kernelWidth {
                                let xx = ox * g.strideX - g.padX + kx
                                guard xx >= 0 && xx < g.width else { continue }
                                let v = x[base + y * g.width + xx]
                                if at < 0 || v > best || v.isNaN { best = v; at = base + y * g.width + xx }
                            }
                        }
                        let o = (p * ho + oy) * wo + ox
                        out[o] = best
                        arg[o] = Int32(at)
                    }
                }
            }
        }
        let n = count
        return Tensor.makeResult("maxPool2d", shape: [g.batch, g.channels, ho, wo], data: out, inputs: [self]) { grad, _ in
            var dx = [Float](repeating: 0, count: n)
            for o in 0..<grad.count { dx[Int(arg[o])] += grad[o] }
            return [dx]
        }
    }

    /// Average pooling, like `F.avg_pool2d(x, kernel, stride, padding)` with PyTorch's default
    /// `count_include_pad=True`: every window divides by kh·kw, padding counting as zeros.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        let g = try poolingGeometry("avgPool2d", kernel: kernel, stride: stride ?? kernel, padding: padding)
        let ho = g.outputHeight, wo = g.outputWidth
        let planes = g.batch * g.channels
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        // Visits every (output, input) pair of a window that lies inside the image.
        func forEachPair(_ body: (_ output: Int, _ input: Int) -> Void) {
            for p in 0..<planes {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        for ky in 0..<g.kernelHeight {
                            let y = oy * g.strideY - g.padY + ky
                            guard y >= 0 && y < g.height else { continue }
                            for kx in 0..<g.kernelWidth {
                                let xx = ox * g.strideX - g.padX + kx
                                guard xx >= 0 && xx < g.width else { continue }
                                body((p * ho + oy) * wo + ox, (p * g.height + y) * g.width + xx)
                            }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: planes * ho * wo)
        let x = data
        forEachPair { o, i in out[o] += x[i] * scale }
        let n = count
        return Tensor.makeResult("avgPool2d", shape: [g.batch, g.channels, ho, wo], data: out, inputs: [self]) { grad, _ in
            var dx = [Float](repeating: 0, count: n)
            forEachPair { o, i in dx[i] += grad[o] * scale }
            return [dx]
        }
    }

    /// Global average pooling `[N, C, H, W]` → `[N, C]`: the mean of each feature map
    /// (PyTorch: `AdaptiveAvgPool2d(1)` followed by `flatten(1)`). Backward spreads G/(H·W).
    public func globalAveragePool() throws -> Tensor {
        guard rank == 4, shape[2] * shape[3] > 0 else {
            throw TensorError.invalidArgument(operation: "globalAveragePool", message: "input must be [N, C, H, W] with H·W > 0, got \(shape)")
        }
        let planes = shape[0] * shape[1], area = shape[2] * shape[3]
        let scale = 1 / Float(area)
        var out = [Float](repeating: 0, count: planes)
        data.withUnsafeBufferPointer { x in
            for p in 0..<planes {
                var s: Float = 0
                for i in 0..<area { s += x[p &* area &+ i] }
                out[p] = s * scale
            }
        }
        return Tensor.makeResult("globalAveragePool", shape: [shape[0], shape[1]], data: out, inputs: [self]) { grad, _ in
            var dx = [Float](repeating: 0, count: planes * area)
            for p in 0..<planes {
                let v = grad[p] * scale
                for i in 0..<area { dx[p * area + i] = v }
            }
            return [dx]
        }
    }
}
