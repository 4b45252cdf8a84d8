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
}
