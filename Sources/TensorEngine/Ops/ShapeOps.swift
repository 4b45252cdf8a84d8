/// Ops that move values without changing them: reshape, permute, slice, concatenate, pad, crop.
/// Their backward moves the gradient back the same way.
extension Tensor {
    /// The same values with a new shape; one size may be -1 and is inferred.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if let hole = newShape.firstIndex(of: -1) {
            guard newShape.filter({ $0 == -1 }).count == 1, known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape, detail: "cannot infer -1")
            }
            target[hole] = count / known
        }
        guard target.allSatisfy({ $0 >= 0 }), target.reduce(1, *) == count else {
            throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape, detail: "\(count) values")
        }
        return Tensor.makeResult("reshape", shape: target, data: data, inputs: [self]) { g, _ in [g] }
    }

    /// Flattens axes `startAxis...` into one, like `torch.flatten(x, 1)`: `[N, C, H, W]` → `[N, C·H·W]`.
    public func flattened(from startAxis: Int = 1) throws -> Tensor {
        guard startAxis >= 0 && startAxis < Swift.max(rank, 1) else {
            throw TensorError.invalidArgument(operation: "flatten", message: "start axis \(startAxis) out of range for shape \(shape)")
        }
        return try reshaped(Array(shape.prefix(startAxis)) + [shape.dropFirst(startAxis).reduce(1, *)])
    }

    /// Reorders the axes: output axis i is input axis `order[i]` (like `x.permute(*order)`).
    public func permuted(_ order: [Int]) throws -> Tensor {
        guard order.sorted() == Array(0..<rank) else {
            throw TensorError.invalidArgument(operation: "permute", message: "\(order) is not a permutation of the axes of \(shape)")
        }
        let outShape = order.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for a in stride(from: rank - 2, through: 0, by: -1) { inStrides[a] = inStrides[a + 1] * shape[a + 1] }
        // Source index of each output element: an odometer over the output shape.
        let strides = order.map { inStrides[$0] }
        let source = Tensor.stridedIndices(shape: outShape, strides: strides, offset: 0)
        let out = source.map { data[$0] }
        let n = count
        return Tensor.makeResult("permute", shape: outShape, data: out, inputs: [self]) { g, _ in
            var dx = [Float](repeating: 0, count: n)
            for (i, s) in source.enumerated() { dx[s] = g[i] }
            return [dx]
        }
    }

    /// Flat indices `offset + Σ index[a]·strides[a]` for every multi-index of `shape`, in order.
    static func stridedIndices(shape: [Int], strides: [Int], offset: Int) -> [Int] {
        let n = shape.reduce(1, *)
        var result = [Int](repeating: 0, count: n)
        var counter = [Int](repeating: 0, count: shape.count)
        var position = offset
        for i in 0..<n {
            result[i] = position
            var a = shape.count - 1
            while a >= 0 {
                counter[a] += 1
                position += strides[a]
                if counter[a] < shape[a] { break }
                position -= strides[a] * counter[a]
                counter[a] = 0
                a -= 1
            }
        }
        return result
    }

    private var contiguousStrides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        for a in stride(from: rank - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * shape[a + 1] }
        return strides
    }

    /// Elements `range` along `axis` (like `x.narrow(axis, start, length)` or `x[:, 2:5]`).
    public func sliced(axis: Int, _ range: Range<Int>) throws -> Tensor {
        let a = try normalisedAxes([axis], operation: "slice")[0]
        guard range.lowerBound >= 0 && range.upperBound <= shape[a] else {
            throw TensorError.invalidArgument(operation: "slice", message: "range \(range) out of bounds for axis \(a) of shape \(shape)")
        }
        var outShape = shape
        outShape[a] = range.count
        let strides = contiguousStrides
        let source = Tensor.stridedIndices(shape: outShape, strides: strides, offset: range.lowerBound * strides[a])
        let out = source.map { data[$0] }
        let n = count
        return Tensor.makeResult("slice", shape: outShape, data: out, inputs: [self]) { g, _ in
            var dx = [Float](repeating: 0, count: n)
            for (i, s) in source.enumerated() { dx[s] = g[i] }
            return [dx]
        }
    }

    /// Joins tensors along `axis`; every other size must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(operation: "concatenate", message: "no tensors given")
        }
        let a = try first.normalisedAxes([axis], operation: "concatenate")[0]
        for t in tensors.dropFirst() {
            var x = t.shape, y = first.shape
            guard x.count == y.count else {
                throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: t.shape)
            }
            x[a] = 0; y[a] = 0
            guard x == y else {
                throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: t.shape, detail: "sizes must agree except along axis \(a)")
            }
        }
        var outShape = first.shape
        outShape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
        let outer = first.shape.prefix(a).reduce(1, *)
        let inner = first.shape.dropFirst(a + 1).reduce(1, *)
        let blocks = tensors.map { $0.shape[a] * inner }          // contiguous run per outer index
        let total = blocks.reduce(0, +)
        var out = [Float](repeating: 0, count: outer * total)
        var offset = 0
        for (t, block) in zip(tensors, blocks) {
            for o in 0..<outer {
                for j in 0..<block { out[o * total + offset + j] = t.data[o * block + j] }
            }
            offset += block
        }
        return makeResult("concatenate", shape: outShape, data: out, inputs: tensors) { g, needed in
            var grads: [[Float]?] = []
            var offset = 0
            for (i, block) in blocks.enumerated() {
                if needed[i] {
                    var dx = [Float](repeating: 0, count: outer * block)
                    for o in 0..<outer {
                        for j in 0..<block { dx[o * block + j] = g[o * total + offset + j] }
                    }
                    grads.append(dx)
                } else {
                    grads.append(nil)
                }
                offset += block
            }
            return grads
        }
    }

    /// Pads the last two axes (H, W) of an NCHW tensor with `value` (like `F.pad(x, (left, right,
    /// top, bottom), value=value)`).
    public func padded(top: Int, bottom: Int, left: Int, right: Int, value: Float = 0) throws -> Tensor {
        guard rank >= 2, top >= 0, bottom >= 0, left >= 0, right >= 0 else {
            throw TensorError.invalidArgument(operation: "pad", message: "needs rank ≥ 2 and non-negative padding, got shape \(shape), padding (\(top), \(bottom), \(left), \(right))")
        }
        let h = shape[rank - 2], w = shape[rank - 1]
        let ho = h + top + bottom, wo = w + left + right
        let planes = count / Swift.max(h * w, 1)
        var out = [Float](repeating: value, count: planes * ho * wo)
        for p in 0..<planes {
            for y in 0..<h {
                for x in 0..<w { out[(p * ho + y + top) * wo + x + left] = data[(p * h + y) * w + x] }
            }
        }
        let outShape = Array(shape.dropLast(2)) + [ho, wo]
        let n = count
        return Tensor.makeResult("pad", shape: outShape, data: out, inputs: [self]) { g, _ in
            var dx = [Float](repeating: 0, count: n)
            for p in 0..<planes {
                for y in 0..<h {
                    for x in 0..<w { dx[(p * h + y) * w + x] = g[(p * ho + y + top) * wo + x + left] }
                }
            }
            return [dx]
        }
    }

    /// The window `rows × columns` of the last two axes (H, W).
    public func cropped(rows: Range<Int>, columns: Range<Int>) throws -> Tensor {
        guard rank >= 2 else {
            throw TensorError.invalidArgument(operation: "crop", message: "needs rank ≥ 2, got shape \(shape)")
        }
        return try sliced(axis: rank - 2, rows).sliced(axis: rank - 1, columns)
    }
}
