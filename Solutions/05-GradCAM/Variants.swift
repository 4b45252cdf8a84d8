// Correct implementations of Lesson 05 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum GradCAMVariants {
    /// 5.2 — the weights and the weighted sum by loops over the numbers, in Double.
    public static let gradCAM: [Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>.Mistake] = [
        .init(id: "loops-in-double", summary: "αₖ and ReLU(Σₖ αₖ Aₖ) by loops, accumulated in Double") { model, images, targets, layer in
            let (a, g) = try activationsAndGradients(of: model, at: layer, images: images, targets: targets)
            let (n, k, area) = (a.shape[0], a.shape[1], a.shape[2] * a.shape[3])
            var out = [Float](repeating: 0, count: n * area)
            for i in 0..<n {
                var map = [Double](repeating: 0, count: area)
                for channel in 0..<k {
                    let base = (i * k + channel) * area
                    var alpha = 0.0
                    for p in 0..<area { alpha += Double(g.data[base + p]) }
                    alpha /= Double(area)
                    for p in 0..<area { map[p] += alpha * Double(a.data[base + p]) }
                }
                for p in 0..<area { out[i * area + p] = Float(max(map[p], 0)) }
            }
            return try Tensor(shape: [n, 1, a.shape[2], a.shape[3]], data: out)
        },
    ]
}
