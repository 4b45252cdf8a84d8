/// Picking classes: one-hot seeds and one element per row.
extension Tensor {
    /// A `[N, classes]` tensor with a 1 at `(n, indices[n])` and 0 elsewhere, like
    /// `torch.nn.functional.one_hot(indices, classes).float()`. The usual seed for a backward
    /// pass from each image's target logit: `logits.backward(seed: .oneHot(targets, classes: 10))`.
    public static func oneHot(_ indices: [Int], classes: Int) throws -> Tensor {
        guard classes > 0 else { throw TensorError.invalidArgument(operation: "oneHot", message: "classes must be positive, got \(classes)") }
        var values = [Float](repeating: 0, count: indices.count * classes)
        for (n, c) in indices.enumerated() {
            guard c >= 0 && c < classes else {
                throw TensorError.invalidArgument(operation: "oneHot", message: "index \(c) at row \(n) outside 0..<\(classes)")
            }
            values[n * classes + c] = 1
        }
        return try Tensor(shape: [indices.count, classes], data: values)
    }

    /// For a `[N, C]` tensor, the `[N]` values `self[n, indices[n]]`, like
    /// `x.gather(1, indices[:, None]).squeeze(1)`: e.g. each image's target logit. The gradient
    /// goes to the picked element of each row.
    public func gathered(indices: [Int]) throws -> Tensor {
        guard rank == 2, indices.count == shape[0] else {
            throw TensorError.shapeMismatch(operation: "gathered", lhs: shape, rhs: [indices.count], detail: "a [N, C] tensor and one index per row")
        }
        let columns = shape[1]
        for (n, c) in indices.enumerated() where c < 0 || c >= columns {
            throw TensorError.invalidArgument(operation: "gathered", message: "index \(c) at row \(n) outside 0..<\(columns)")
        }
        let out = indices.enumerated().map { n, c in data[n * columns + c] }
        let n = count
        return Tensor.makeResult("gathered", shape: [indices.count], data: out, inputs: [self]) { g, _ in
            var dx = [Float](repeating: 0, count: n)
            for (row, c) in indices.enumerated() { dx[row * columns + c] = g[row] }
            return [dx]
        }
    }
}
