// Held-out inputs for lesson 07 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(AdversarialSolutions)
import Course
import LessonSupport
import AdversarialSolutions
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 07 — held-out inputs", .graded(Exercises.lesson))
struct AdversarialHeldOutTests {
    /// Each side gets its own fresh copy of the model, so nothing one leaves on it reaches the other.
    static func model() throws -> Module { try Fixtures.model("mnist-gap") }

    /// The MNIST test images mnist-gap is unsure of (true class's probability in [0.02, 0.98]).
    /// A confident image's loss gradient is all rounding ((1 − p) ≈ 1e-7), so its FGSM signs are
    /// noise that a correct implementation written differently draws otherwise; these images' are not.
    static let unsure: Result<[Int], Error> = Result {
        let test = try Fixtures.mnistTest(), model = try Fixtures.model("mnist-gap")
        var chosen: [Int] = []
        for start in stride(from: 0, to: test.count, by: 500) {
            let indices = Array(start..<min(start + 500, test.count))
            let (images, labels) = test.batch(indices)
            let p = try withNoGrad { try model(images).softmax() }
            for (n, label) in labels.enumerated() where (0.02...0.98).contains(p.data[n * 10 + label]) { chosen.append(indices[n]) }
        }
        return chosen
    }

    /// `count` images of `unsure` with their labels, and targets the model does not predict.
    static func unsureImages(_ draw: HeldOutInputs, _ count: Int) throws -> (images: Tensor, labels: [Int]) {
        try draw.mnistImages(count, among: try unsure.get())
    }

    /// Classes other than each image's predicted one (a target the model already predicts with
    /// p ≈ 1 has a gradient of rounding only).
    static func unpredictedTargets(_ draw: HeldOutInputs, _ images: Tensor) throws -> [Int] {
        let predicted = try withNoGrad { try Self.model()(images) }.argmax()
        let targets = predicted.map { p in (p + 1 + draw.int(in: 0...8)) % 10 }
        draw.note("targets " + targets.map(String.init).joined(separator: ", "))
        return targets
    }

    /// ∂(Σ cross-entropy)/∂x at `images` for `labels`, by the engine: where it is within rounding
    /// of 0 a sign step may go either way (`HeldOutInputs.checkSteps`).
    static func lossGradient(_ images: Tensor, _ labels: [Int]) throws -> [Float] {
        let x = try Tensor(shape: images.shape, data: images.data, requiresGrad: true)
        let loss = -(try Self.model()(x).logSoftmax().gathered(indices: labels).sum())
        try loss.backward(inputs: [x])
        return try x.grad.orThrow("no gradient reached the images").data
    }

    @Test("Exercise 7.1: held-out images, labels and ε")
    func fgsm() throws {
        let draw = try HeldOutInputs(Exercises.fgsm.number)
        let (images, labels) = try Self.unsureImages(draw, draw.int(in: 1...4))
        let epsilon = draw.float(in: 0.02, 0.3, "ε")
        let expected = try Exercises.fgsm.reference(try Self.model(), images, labels, epsilon)
        draw.checkSteps(try Graded.fgsm(of: try Self.model(), images: images, labels: labels, epsilon: epsilon), expected,
                        "the adversarial images", gradient: try Self.lossGradient(images, labels), step: 2 * epsilon)
    }

    @Test("Exercise 7.2: held-out images, targets and ε")
    func targetedFGSM() throws {
        let draw = try HeldOutInputs(Exercises.targetedFGSM.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        let targets = try Self.unpredictedTargets(draw, images)
        let epsilon = draw.float(in: 0.02, 0.3, "ε")
        let expected = try Exercises.targetedFGSM.reference(try Self.model(), images, targets, epsilon)
        draw.checkSteps(try Graded.targetedFGSM(of: try Self.model(), images: images, targets: targets, epsilon: epsilon), expected,
                        "the adversarial images", gradient: try Self.lossGradient(images, targets), step: 2 * epsilon)
    }

    @Test("Exercise 7.3: held-out images, labels, ε, step size, steps and start")
    func pgd() throws {
        let draw = try HeldOutInputs(Exercises.pgd.number)
        let (images, labels) = try Self.unsureImages(draw, draw.int(in: 1...3))
        let epsilon = draw.float(in: 0.05, 0.3, "ε"), stepSize = draw.float(in: 0.01, 0.05, "step size")
        let randomStart = draw.pick([false, true], "random start"), seed = draw.seed()
        // One step, pixel for pixel (a sign may differ only where the gradient is within rounding of 0).
        let expected = try Exercises.pgd.reference(try Self.model(), images, labels, epsilon, stepSize, 1, randomStart, seed)
        let received = try Graded.pgd(of: try Self.model(), images: images, labels: labels, epsilon: epsilon, stepSize: stepSize, steps: 1,
                                      randomStart: randomStart, seed: seed)
        let start = try Exercises.pgd.reference(try Self.model(), images, labels, epsilon, stepSize, 0, randomStart, seed)
        draw.checkSteps(received, expected, "the adversarial images after one step", gradient: try Self.lossGradient(start, labels), step: 2 * stepSize)
        // Several steps are chaotic where a gradient is near 0 (see `pgdAgreesWithPyTorch`): how far
        // they climb the loss is what they fix, within 10% as there, inside the budget.
        let steps = draw.int(in: 3...6, "steps")
        let climbed = try Exercises.pgd.reference(try Self.model(), images, labels, epsilon, stepSize, steps, false, seed)
        let mine = try Graded.pgd(of: try Self.model(), images: images, labels: labels, epsilon: epsilon, stepSize: stepSize, steps: steps)
        guard draw.checkEqual(mine.shape, images.shape, "the shape after \(steps) steps") else { return }
        let model = try Self.model()
        func losses(_ x: Tensor) throws -> [Float] {
            let p = try logProbabilities(model, x)
            return labels.enumerated().map { -p.data[$0.offset * 10 + $0.element] }
        }
        draw.check(try losses(mine), try losses(climbed), "the cross-entropy after \(steps) steps", tolerance: 0.1)
        let worst = zip(mine.data, images.data).map { abs($0 - $1) }.max() ?? 0
        if worst > epsilon + 1e-6 || mine.data.contains(where: { !($0 >= 0 && $0 <= 1) }) {
            draw.fail("after \(steps) steps ‖x′ − x‖∞ = \(worst) (ε = \(epsilon)) or a pixel outside [0, 1]: project onto the ε-ball and the box after every step")
        }
    }

    @Test("Exercise 7.4: held-out images, labels, budgets and batch size")
    func accuracyUnderFGSM() throws {
        let draw = try HeldOutInputs(Exercises.accuracyUnderFGSM.number)
        let (images, labels) = try Self.unsureImages(draw, draw.int(in: 6...16))
        let epsilons = [0] + (0..<draw.int(in: 1...3)).map { _ in draw.float(in: 0.02, 0.3) }
        draw.note("ε " + epsilons.map { "\($0)" }.joined(separator: ", "))
        let batchSize = draw.int(in: 1...20, "batch size")
        let expected = try Exercises.accuracyUnderFGSM.reference(try Self.model(), images, labels, epsilons, batchSize)
        let received = try Graded.accuracyUnderFGSM(of: try Self.model(), images: images, labels: labels, epsilons: epsilons, batchSize: batchSize)
        // One image whose fate turns on a sign at a rounding-level gradient may differ: 1 / N.
        draw.check(received, expected, "the accuracies", tolerance: 1.01 / Double(labels.count))
    }
}
#endif
