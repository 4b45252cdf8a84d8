/// NumPy/PyTorch broadcasting: shapes are aligned from the right; each pair of sizes must be equal
/// or one of them 1. `[2, 1, 4]` and `[3, 1]` broadcast to `[2, 3, 4]`.
enum Broadcasting {
    static func shape(_ a: [Int], _ b: [Int], operation: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else {
                throw TensorError.shapeMismatch(operation: operation, lhs: a, rhs: b,
                                                detail: "sizes \(x) and \(y) at axis \(i) cannot broadcast")
            }
            result[i] = max(x, y)
        }
        return result
    }

    /// For each element of `outputShape`, the flat index of the element of `shape` it reads.
    static func sourceIndices(of shape: [Int], in outputShape: [Int]) -> [Int] {
        let rank = outputShape.count
        let padded = [Int](repeating: 1, count: rank - shape.count) + shape
        var strides = [Int](repeating: 0, count: rank)
        var running = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = padded[axis] == 1 ? 0 : running
            running *= padded[axis]
        }
        // A broadcast axis has stride 0: every output position along it reads the same element.
        return Tensor.stridedIndices(shape: outputShape, strides: strides, offset: 0)
    }

    /// p when `shape` is `outputShape`'s last axes (after any leading 1s) with count p < the
    /// output's: element i of the output reads element i mod p. Nil otherwise.
    static func tilePeriod(of shape: [Int], in outputShape: [Int]) -> Int? {
        var trimmed = shape[...]
        while trimmed.first == 1 { trimmed = trimmed.dropFirst() }
        guard !trimmed.isEmpty, trimmed.count < outputShape.count, Array(outputShape.suffix(trimmed.count)) == Array(trimmed) else { return nil }
        let period = trimmed.reduce(1, *)
        return period > 0 ? period : nil          // an empty row: the general path (nothing to read)
    }

    /// Sums a gradient of `outputShape` back to `shape` (the backward of broadcasting).
    static func reduce(_ gradient: [Float], from outputShape: [Int], to shape: [Int]) -> [Float] {
        if outputShape == shape { return gradient }
        if shape.reduce(1, *) == 1 { return [gradient.reduce(0, +)] }
        if let p = tilePeriod(of: shape, in: outputShape) {
            // Row by row: each result[j] gets its additions in the general path's order.
            var result = [Float](repeating: 0, count: p)
            result.withUnsafeMutableBufferPointer { r in
                gradient.withUnsafeBufferPointer { g in
                    for row in stride(from: 0, to: g.count, by: p) { for j in 0..<p { r[j] += g[row &+ j] } }
                }
            }
            return result
        }
        let indices = sourceIndices(of: shape, in: outputShape)
        var result = [Float](repeating: 0, count: shape.reduce(1, *))
        for (i, source) in indices.enumerated() { result[source] += gradient[i] }
        return result
    }
}
