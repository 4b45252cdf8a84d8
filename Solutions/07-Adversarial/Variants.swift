// Correct implementations of Lesson 07 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum AdversarialVariants {
    /// 7.1 — one image at a time, PyTorch's mean cross-entropy (a positive factor changes no sign),
    /// the sign and the clamp written out over the pixels.
    public static let fgsm: [Exercise<@Sendable (Module, Tensor, [Int], Float) throws -> Tensor>.Mistake] = [
        .init(id: "image-by-image", summary: "each image's own backward pass, sign and clamp as loops") { model, images, labels, epsilon in
            guard epsilon >= 0, epsilon.isFinite else {
                throw TensorError.invalidArgument(operation: "fgsm", message: "epsilon must be a finite number ≥ 0, got \(epsilon)")
            }
            guard images.rank >= 1, labels.count == images.shape[0] else {
                throw TensorError.invalidArgument(operation: "fgsm", message: "one label per image: \(labels.count) labels for \(images.shape)")
            }
            let size = images.count / max(images.shape[0], 1)
            var result = [Float](repeating: 0, count: images.count)
            for n in 0..<images.shape[0] {
                let x = try images.sliced(axis: 0, n..<(n + 1)).detached()
                x.requiresGrad = true
                let logits = try model(x)
                guard logits.rank == 2, labels[n] >= 0, labels[n] < logits.shape[1] else {
                    throw TensorError.invalidArgument(operation: "fgsm", message: "label \(labels[n]) is not a class of \(logits.shape)")
                }
                try logits.crossEntropy(labels: [labels[n]]).backward(inputs: [x])
                guard let gradient = x.grad else { throw TensorError.gradient(message: "no gradient reached image \(n)") }
                for p in 0..<size {
                    let g = gradient.data[p], value = images.data[n * size + p]
                    let step: Float = g > 0 ? epsilon : (g < 0 ? -epsilon : 0)
                    result[n * size + p] = min(max(value + step, 0), 1)
                }
            }
            return try Tensor(shape: images.shape, data: result)
        },
    ]
}
