/// Matrix products: `matmul` and the fully connected layer's `linear`.
extension Tensor {
    /// The matrix product of `[M, K]` and `[K, N]`, giving `[M, N]`.
    ///
    /// Backward: ∂L/∂A = G·Bᵀ (`[M, N]·[N, K]`) and ∂L/∂B = Aᵀ·G (`[K, M]·[M, N]`).
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard rank == 2, other.rank == 2, shape[1] == other.shape[0] else {
            throw TensorError.shapeMismatch(operation: "matmul", lhs: shape, rhs: other.shape,
                                            detail: "needs [M, K] · [K, N]")
        }
        let m = shape[0], k = shape[1], n = other.shape[1]
        let a = data, b = other.data
        let out = GEMM.product(a, b, m: m, n: n, k: k)
        return Tensor.makeResult("matmul", shape: [m, n], data: out, inputs: [self, other]) { g, needed in
            [needed[0] ? GEMM.product(g, b, transposeB: true, m: m, n: k, k: n) : nil,
             needed[1] ? GEMM.product(a, transposeA: true, g, m: k, n: n, k: m) : nil]
        }
    }

    /// `y = x·Wᵀ + b` for `x: [N, in]`, `weight: [out, in]` (PyTorch's layout), `bias: [out]`.
    ///
    /// Backward: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ over the batch of G.
    public func linear(weight: Tensor, bias: Tensor?) throws -> Tensor {
        guard rank == 2, weight.rank == 2, shape[1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(operation: "linear", lhs: shape, rhs: weight.shape,
                                            detail: "input [N, in] needs weight [out, in]")
        }
        let batch = shape[0], inputs = shape[1], outputs = weight.shape[0]
        if let bias, bias.shape != [outputs] {
            throw TensorError.shapeMismatch(operation: "linear bias", lhs: bias.shape, rhs: [outputs])
        }
        let x = data, w = weight.data
        // A few rows through a large matrix (a photo through VGG's classifier) read the weights in
        // place (`SmallBatchProduct`); anything else is one GEMM.
        let small = SmallBatchProduct.applies(batch: batch, inputs: inputs, outputs: outputs)
        var out = small ? SmallBatchProduct.forward(x, w, batch: batch, inputs: inputs, outputs: outputs)
                        : GEMM.product(x, w, transposeB: true, m: batch, n: outputs, k: inputs)
        if let b = bias?.data {
            for i in 0..<batch { for j in 0..<outputs { out[i * outputs + j] += b[j] } }
        }
        let parents = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.makeResult("linear", shape: [batch, outputs], data: out, inputs: parents) { g, needed in
            var grads: [[Float]?] = [
                needed[0] ? (small ? SmallBatchProduct.inputGradient(g, w, batch: batch, inputs: inputs, outputs: outputs)
                                   : GEMM.product(g, w, m: batch, n: inputs, k: outputs)) : nil,
                needed[1] ? (small ? SmallBatchProduct.weightGradient(g, x, batch: batch, inputs: inputs, outputs: outputs)
                                   : GEMM.product(g, transposeA: true, x, m: outputs, n: inputs, k: batch)) : nil,
            ]
            if needed.count == 3 {
                var db = [Float](repeating: 0, count: outputs)
                if needed[2] { for i in 0..<batch { for j in 0..<outputs { db[j] += g[i * outputs + j] } } }
                grads.append(needed[2] ? db : nil)
            }
            return grads
        }
    }
}
