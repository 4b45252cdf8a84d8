// The mistake catalogue of Lesson 07: plausible wrong answers, each of which must fail at least
// one test of its exercise (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum AdversarialMistakes {
    public static let catalogue = [
        Mistake(exercise: "7.1", id: "minus-sign", summary: "x − ε·sign(∇ₓ loss): lowers the loss instead of raising it"),
        Mistake(exercise: "7.1", id: "no-clamp", summary: "forgets to clamp the result to [0, 1]"),
        Mistake(exercise: "7.1", id: "raw-gradient", summary: "x + ε·∇ₓ loss without the sign"),
        Mistake(exercise: "7.2", id: "plus-sign", summary: "x + ε·sign(∇ₓ CE(f(x), t)): moves away from the target"),
        Mistake(exercise: "7.2", id: "no-clamp", summary: "forgets to clamp the result to [0, 1]"),
        Mistake(exercise: "7.3", id: "no-projection", summary: "clamps to [0, 1] but never projects back onto the ε-ball"),
        Mistake(exercise: "7.3", id: "l2-projection", summary: "projects the perturbation onto the L2 ball of radius ε instead of the L∞ box"),
        Mistake(exercise: "7.3", id: "fixed-gradient", summary: "reuses the gradient of the clean image at every step"),
        Mistake(exercise: "7.4", id: "clean-images", summary: "evaluates the clean images instead of the attacked ones"),
        Mistake(exercise: "7.4", id: "last-batch-only", summary: "divides the correct count of the last batch only by the number of images"),
    ]

    public static func fgsm(_ id: String, of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
        let g = try lossGradient(of: model, images: images, classes: labels)
        return try withNoGrad {
            switch id {
            case "minus-sign": return try (images - g.sign() * epsilon).clamped(min: 0, max: 1)
            case "no-clamp": return try images + g.sign() * epsilon
            case "raw-gradient": return try (images + g * epsilon).clamped(min: 0, max: 1)
            default: return try (images + g.sign() * epsilon).clamped(min: 0, max: 1)
            }
        }
    }

    public static func targetedFGSM(_ id: String, of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
        let g = try lossGradient(of: model, images: images, classes: targets)
        return try withNoGrad {
            id == "no-clamp" ? try images - g.sign() * epsilon : try (images + g.sign() * epsilon).clamped(min: 0, max: 1)
        }
    }

    public static func pgd(_ id: String, of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                           randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
        let original = images.detached()
        var x = original
        if randomStart {
            var generator = SeededGenerator(seed: seed)
            x = try withNoGrad { try (original + Tensor.randomUniform(images.shape, low: -epsilon, high: epsilon, using: &generator)).clamped(min: 0, max: 1) }
        }
        let first = try lossGradient(of: model, images: x, classes: labels)
        for _ in 0..<steps {
            let g = id == "fixed-gradient" ? first : try lossGradient(of: model, images: x, classes: labels)
            let stepped = try withNoGrad { try x + g.sign() * stepSize }
            switch id {
            case "no-projection":
                x = stepped.clamped(min: 0, max: 1)
            case "l2-projection":
                var delta = try withNoGrad { try stepped - original }.data
                let n = images.shape[0], per = delta.count / max(n, 1)
                for i in 0..<n {
                    let norm = delta[(i * per)..<((i + 1) * per)].reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if norm > epsilon { for p in (i * per)..<((i + 1) * per) { delta[p] *= epsilon / norm } }
                }
                x = try withNoGrad { try (original + Tensor(shape: images.shape, data: delta)).clamped(min: 0, max: 1) }
            default:
                let low = withNoGrad { (original - epsilon).clamped(min: 0) }, high = withNoGrad { (original + epsilon).clamped(max: 1) }
                x = try withNoGrad { try clamp(stepped, low, high) }
            }
        }
        return x.detached()
    }

    public static func accuracyUnderFGSM(_ id: String, of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
        try epsilons.map { epsilon in
            var correct = 0
            for start in stride(from: 0, to: labels.count, by: batchSize) {
                let end = min(start + batchSize, labels.count)
                let x = try images.sliced(axis: 0, start..<end), y = Array(labels[start..<end])
                let evaluated = id == "clean-images" ? x : try AdversarialSolutions.fgsm(of: model, images: x, labels: y, epsilon: epsilon)
                let count = zip(try withNoGrad { try model(evaluated) }.argmax(), y).filter { $0 == $1 }.count
                correct = id == "last-batch-only" ? count : correct + count
            }
            return Double(correct) / Double(labels.count)
        }
    }
}
