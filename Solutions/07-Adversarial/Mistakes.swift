// The mistake catalogue of Lesson 07: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise (`swift run workbook verify` checks it). Never shown
// to students.

import Course
import LessonSupport
import TensorEngine

public enum AdversarialMistakes {
    // MARK: 7.1

    public typealias FGSM = AdversarialCourse.FGSM

    public static func fgsm(_ id: FGSM, of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
        let g = try lossGradient(of: model, images: images, classes: labels)
        return try withNoGrad {
            switch id {
            case .minusSign: try (images - g.sign() * epsilon).clamped(min: 0, max: 1)
            case .noClamp: try images + g.sign() * epsilon
            case .rawGradient: try (images + g * epsilon).clamped(min: 0, max: 1)
            }
        }
    }

    // MARK: 7.2

    public typealias TargetedFGSM = AdversarialCourse.TargetedFGSM

    public static func targetedFGSM(_ id: TargetedFGSM, of model: Module, images: Tensor, targets: [Int], epsilon: Float) throws -> Tensor {
        let g = try lossGradient(of: model, images: images, classes: targets)
        return try withNoGrad {
            switch id {
            case .plusSign: try (images + g.sign() * epsilon).clamped(min: 0, max: 1)
            case .noClamp: try images - g.sign() * epsilon
            }
        }
    }

    // MARK: 7.3

    public typealias PGD = AdversarialCourse.PGD

    public static func pgd(_ id: PGD, of model: Module, images: Tensor, labels: [Int], epsilon: Float, stepSize: Float, steps: Int,
                           randomStart: Bool = false, seed: UInt64 = 0) throws -> Tensor {
        let original = images.detached()
        var x = original
        if randomStart {
            var generator = SeededGenerator(seed: seed)
            x = try withNoGrad { try (original + Tensor.randomUniform(images.shape, low: -epsilon, high: epsilon, using: &generator)).clamped(min: 0, max: 1) }
        }
        let first = try lossGradient(of: model, images: x, classes: labels)
        for _ in 0..<steps {
            let g: Tensor
            switch id {
            case .fixedGradient: g = first
            case .noProjection, .l2Projection: g = try lossGradient(of: model, images: x, classes: labels)
            }
            let stepped = try withNoGrad { try x + g.sign() * stepSize }
            switch id {
            case .noProjection:
                x = stepped.clamped(min: 0, max: 1)
            case .l2Projection:
                var delta = try withNoGrad { try stepped - original }.data
                let n = images.shape[0], per = delta.count / max(n, 1)
                for i in 0..<n {
                    let norm = delta[(i * per)..<((i + 1) * per)].reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if norm > epsilon { for p in (i * per)..<((i + 1) * per) { delta[p] *= epsilon / norm } }
                }
                x = try withNoGrad { try (original + Tensor(shape: images.shape, data: delta)).clamped(min: 0, max: 1) }
            case .fixedGradient:
                let low = withNoGrad { (original - epsilon).clamped(min: 0) }, high = withNoGrad { (original + epsilon).clamped(max: 1) }
                x = try withNoGrad { try clamp(stepped, low, high) }
            }
        }
        return x.detached()
    }

    // MARK: 7.4

    public typealias AccuracyUnderFGSM = AdversarialCourse.AccuracyUnderFGSM

    public static func accuracyUnderFGSM(_ id: AccuracyUnderFGSM, of model: Module, images: Tensor, labels: [Int], epsilons: [Float],
                                         batchSize: Int = 250) throws -> [Double] {
        try epsilons.map { epsilon in
            var correct = 0
            for start in stride(from: 0, to: labels.count, by: batchSize) {
                let end = min(start + batchSize, labels.count)
                let x = try images.sliced(axis: 0, start..<end), y = Array(labels[start..<end])
                let evaluated: Tensor
                switch id {
                case .cleanImages: evaluated = x
                case .lastBatchOnly: evaluated = try AdversarialSolutions.fgsm(of: model, images: x, labels: y, epsilon: epsilon)
                }
                let count = zip(try withNoGrad { try model(evaluated) }.argmax(), y).filter { $0 == $1 }.count
                switch id {
                case .cleanImages: correct += count
                case .lastBatchOnly: correct = count
                }
            }
            return Double(correct) / Double(labels.count)
        }
    }
}
