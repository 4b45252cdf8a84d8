// Correct implementations of Lesson 10 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum EvaluationVariants {
    /// 10.6a — the same system solved by Gauss–Seidel sweeps in Double (the reference uses
    /// preconditioned conjugate gradients): each removed pixel becomes the weighted mean of its
    /// neighbours' current values, until no pixel moves by more than 1e-11.
    public static let linearImputation: [Exercise<@Sendable (Tensor, Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "gauss-seidel", summary: "Gauss–Seidel sweeps in Double until the largest change is below 1e-11") { images, keep in
            guard images.rank == 4 else {
                throw TensorError.invalidArgument(operation: "linear imputation", message: "images must be [N, C, H, W]; received \(images.shape)")
            }
            let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
            guard keep.shape == [n, 1, h, w] else {
                throw TensorError.invalidArgument(operation: "linear imputation", message: "keep must be [\(n), 1, \(h), \(w)]; received \(keep.shape)")
            }
            var out = images.data
            let neighbours: [(Int, Int, Double)] = [(-1, 0, 1.0 / 6), (1, 0, 1.0 / 6), (0, -1, 1.0 / 6), (0, 1, 1.0 / 6),
                                                    (-1, -1, 1.0 / 12), (-1, 1, 1.0 / 12), (1, -1, 1.0 / 12), (1, 1, 1.0 / 12)]
            for i in 0..<n {
                let removed = (0..<(h * w)).filter { keep.data[i * h * w + $0] == 0 }
                for ch in 0..<c {
                    let base = (i * c + ch) * h * w
                    var x = (0..<(h * w)).map { Double(images.data[base + $0]) }
                    for p in removed { x[p] = 0 }
                    guard removed.count < h * w else {
                        for p in removed { out[base + p] = 0 }
                        continue
                    }
                    for _ in 0..<200_000 {
                        var change = 0.0
                        for p in removed {
                            let (y0, x0) = (p / w, p % w)
                            var sum = 0.0, weight = 0.0
                            for (dy, dx, wt) in neighbours where (0..<h).contains(y0 + dy) && (0..<w).contains(x0 + dx) {
                                sum += wt * x[(y0 + dy) * w + x0 + dx]
                                weight += wt
                            }
                            let value = sum / weight
                            change = max(change, abs(value - x[p]))
                            x[p] = value
                        }
                        if change < 1e-11 { break }
                    }
                    for p in removed { out[base + p] = Float(x[p]) }
                }
            }
            return try Tensor(shape: images.shape, data: out)
        },
    ]
}
