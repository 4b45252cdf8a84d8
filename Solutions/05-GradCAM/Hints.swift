// The wrong Grad-CAM maps the graders' hints recognise, computed from the reference's activations
// and gradients. They live here, not in the tests, because they spell out Grad-CAM itself; the
// graders ask for them through `Reference` (recorded for the student edition). Never shown to
// students.

import TensorEngine

/// For `images` and `targets` at `layer`: the usual wrong variants of Grad-CAM's channel weights αₖ
/// (or of its final ReLU), each as its `[N, 1, h, w]` map's values with the hint a student whose
/// map equals it gets.
public func gradCAMHintVariants(of model: Module, images: Tensor, targets: [Int], layer: String) throws -> [(values: [Float], hint: String)] {
    let (a, g) = try activationsAndGradients(of: model, at: layer, images: images, targets: targets)
    let (n, k, area) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
    func planes(_ m: Int) -> ArraySlice<Float> { g.data[(m * area)..<((m + 1) * area)] }
    func map(_ weights: [Float], relu: Bool = true) -> [Float] {
        var values = [Float](repeating: 0, count: n * area)
        for i in 0..<n {
            for c in 0..<k {
                let w = weights[i * k + c], base = (i * k + c) * area
                for p in 0..<area { values[i * area + p] += w * a.data[base + p] }
            }
        }
        return relu ? values.map { max($0, 0) } : values
    }
    let means = (0..<(n * k)).map { planes($0).reduce(0, +) / Float(area) }
    let batchMeans = (0..<(n * k)).map { m in (0..<n).map { means[$0 * k + m % k] }.reduce(0, +) / Float(n) }
    return [
        (map((0..<(n * k)).map { planes($0).max() ?? 0 }),
         "αₖ is the spatial MEAN of the gradients, (1/h·w) Σᵢⱼ ∂yᶜ/∂Aₖ[i, j], not their maximum"),
        (map((0..<(n * k)).map { planes($0).reduce(0, +) }),
         "αₖ is the MEAN of the gradients over the h·w positions, not their sum"),
        (map(batchMeans), "αₖ averages the gradients over the two spatial axes of each image only, never over the batch"),
        (map(means, relu: false), "Grad-CAM ends with a ReLU: keep only the positive evidence"),
    ]
}
