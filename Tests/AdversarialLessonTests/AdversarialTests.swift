import Course
#if canImport(AdversarialSolutions)
import AdversarialSolutions
#endif
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// A linear "model" with hand-set weights W = [[1, −1], [−1, 1]] (logits y = W·x, no bias).
///
/// For x = [0.5, 0.5]: y = [0, 0], softmax = [½, ½]. With label 0, ∂CE/∂y = softmax − onehot =
/// [−½, ½] and ∇ₓ CE = Wᵀ[−½, ½] = [−1, 1]; with label (or target) 1 it is [1, −1].
/// For x = [0.1, 0.95]: y = [−0.85, 0.85]; ∇ₓ CE for label 0 has signs [−1, 1], for label 1 [1, −1].
func handSetModel() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let lin = Linear(2, 2, bias: false, generator: &g)
    try lin.weight.assign([1, -1, -1, 1])
    let model = Sequential(named: [("lin", lin)])
    model.eval()
    return model
}

var handSetImages: Tensor { tensor([0.5, 0.5, 0.1, 0.95], [2, 2]) }

/// Per-image log-probabilities `[N, classes]`.
func logProbabilities(_ model: Module, _ images: Tensor) throws -> Tensor {
    try withNoGrad { try model(images).logSoftmax() }
}

/// Checks ‖x′ − x‖∞ ≤ ε (up to one Float rounding of x ± ε) and x′ ∈ [0, 1] exactly.
func checkBudget(_ adversarial: Tensor, _ images: Tensor, epsilon: Float, _ what: String) {
    guard adversarial.shape == images.shape else {
        Issue.record(Comment(rawValue: "\(what): expected the images' shape \(images.shape), received \(adversarial.shape)"))
        return
    }
    let worst = zip(adversarial.data, images.data).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= epsilon + 1e-6, "\(what): ‖x′ − x‖∞ = \(worst) exceeds ε = \(epsilon) — project back onto the ε-ball around the original image")
    let outside = adversarial.data.filter { !($0 >= 0 && $0 <= 1) }
    let outsideCount = outside.count   // a count, not the array: #expect would print the whole array
    #expect(outsideCount == 0, "\(what): \(outside.count) pixels outside [0, 1] (e.g. \(outside.prefix(3))) — clamp the result to [0, 1]")
}

/// The fixture written by Fixtures/make_fgsm_fixture.py with PyTorch:
///
///     /opt/pyref/bin/python Tests/AdversarialLessonTests/Fixtures/make_fgsm_fixture.py
///
/// FGSM (ε = 0.1), targeted FGSM and PGD (10 steps of 0.02, ε = 0.1, no random start) on the
/// shipped mnist-gap for MNIST test images `indices`, computed with `F.cross_entropy` and
/// `torch.sign` (sign(0) = 0). `*_tiny` lists the pixels whose gradient is ≤ 1e-6 of the image's
/// largest (their sign depends on rounding; there are none for these images).
struct FGSMFixture: Decodable {
    let library: String
    let indices: [Int], labels: [Int], targets: [Int]
    let epsilon: Float, pgd_step: Float, pgd_steps: Int
    let shape: [Int]
    let fgsm: [Float], fgsm_sign: [Int], fgsm_tiny: [Int]
    let targeted: [Float], targeted_sign: [Int], targeted_tiny: [Int]
    let pgd: [Float]

    static func load() throws -> FGSMFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fgsm-pytorch.json")
        return try JSONDecoder().decode(FGSMFixture.self, from: Data(contentsOf: url))
    }
}

/// How many positions of `a` and `b` differ (all of the longer one's extra positions count).
func differingCount(_ a: [Float], _ b: [Float]) -> Int {
    zip(a, b).filter { $0 != $1 }.count + abs(a.count - b.count)
}

/// Pixels where `received` and the fixture differ by more than 1e-6, except the `skip`ped ones.
func disagreements(_ received: [Float], _ expected: [Float], skip: [Int] = []) -> [Int] {
    let skipped = Set(skip)
    return zip(received, expected).enumerated().filter { !skipped.contains($0.offset) && abs($0.element.0 - $0.element.1) > 1e-6 }.map(\.offset)
}

@Suite("Lesson 07 — Adversarial examples", .graded(Exercises.lesson))
struct AdversarialTests {
    // MARK: Exercise 7.1

    @Test("Exercise 7.1: FGSM on a hand-set linear model, with the clamp")
    func fgsmHandChecked() throws {
        let model = try handSetModel()
        let received = try Graded.fgsm(of: model, images: handSetImages, labels: [0, 0], epsilon: 0.25)
        #expect(received.data == [0.25, 0.75, 0, 1],
                "∇ₓ CE has signs [−1, 1] for both images (label 0): x′ = x + 0.25·[−1, 1] = [0.25, 0.75] and [−0.15, 1.2] clamped to [0, 1] = [0, 1]; received \(received.data) — plus the signed step (the loss must go up), then clamp")
        let other = try Graded.fgsm(of: model, images: tensor([0.5, 0.5], [1, 2]), labels: [1], epsilon: 0.25)
        #expect(other.data == [0.75, 0.25], "with label 1 the gradient's signs are [1, −1]: x′ = [0.75, 0.25]; received \(other.data)")
        let noGradients = model.parameters().allSatisfy { $0.grad == nil }
        #expect(noGradients, "gradients left in the parameters: call model.zeroGrad()")
    }

    @Test("Exercise 7.1: FGSM on mnist-gap stays in the ε-ball and in [0, 1], and raises every image's loss")
    func fgsmProperties() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(Array(0..<16))
        for epsilon: Float in [0.05, 0.2] {
            let adversarial = try Graded.fgsm(of: model, images: images, labels: labels, epsilon: epsilon)
            checkBudget(adversarial, images, epsilon: epsilon, "FGSM, ε = \(epsilon)")
            guard adversarial.shape == images.shape else { return }
            let before = try logProbabilities(model, images), after = try logProbabilities(model, adversarial)
            let lower = labels.indices.filter { after.data[$0 * 10 + labels[$0]] >= before.data[$0 * 10 + labels[$0]] }
            let notLowered = lower.count   // a count, not the array: #expect would print the whole array
            #expect(notLowered == 0, "ε = \(epsilon): the true class's probability did not drop for images \(lower): an untargeted step goes *up* the loss, x + ε·sign(∇ₓ CE)")
            // Every pixel moves by exactly ε unless the clamp stopped it (or its gradient is 0).
            let odd = zip(adversarial.data, images.data).filter { a, x in abs(abs(a - x) - epsilon) > 1e-6 && a != 0 && a != 1 && a != x }
            let oddCount = odd.count   // a count, not the array: #expect would print the whole array
            #expect(oddCount == 0, "\(odd.count) pixels moved by neither ε nor to the border, e.g. \(odd.prefix(2)) — use the sign of the gradient, not the gradient")
        }
    }

    @Test("Exercise 7.1: each pixel moves the way central differences of the loss say")
    func fgsmGradientCheck() throws {
        let model = try Fixtures.model("mnist-gap")
        // Test image 247 (a 4 the model calls a 2) has a large loss, so the slopes are well above rounding.
        let (image, labels) = try Fixtures.mnistImages([247])
        let epsilon: Float = 0.1
        let adversarial = try Graded.fgsm(of: model, images: image, labels: labels, epsilon: epsilon)
        guard adversarial.shape == image.shape else { Issue.record("expected \(image.shape), received \(adversarial.shape)"); return }
        func loss(_ j: Int, _ delta: Float) throws -> Double {
            var values = image.data
            values[j] += delta
            return -Double(try logProbabilities(model, Tensor(shape: image.shape, data: values)).data[labels[0]])
        }
        // Max-pooling over the flat background has ties, where the loss has a kink and a central
        // difference is no derivative: only pixels whose forward and backward differences agree
        // (within 5%) and whose slope is clearly signed are checked.
        let h: Float = 1e-2
        let base = try loss(0, 0)
        var checked = 0, wrong: [String] = []
        for j in stride(from: 0, to: 784, by: 2) {
            let forward = (try loss(j, h) - base) / Double(h), backward = (base - (try loss(j, -h))) / Double(h)
            let slope = (forward + backward) / 2
            let moved = adversarial.data[j] - image.data[j]
            guard abs(slope) > 1e-3, abs(forward - backward) <= 0.05 * max(abs(forward), abs(backward)), moved != 0 else { continue }
            checked += 1
            if (slope > 0) != (moved > 0) { wrong.append("pixel \(j): ∂loss/∂x ≈ \(slope), moved \(moved)") }
        }
        #expect(checked > 30, "too few pixels to check (\(checked))")
        let wrongCount = wrong.count   // a count, not the array: #expect would print the whole array
        #expect(wrongCount == 0, "\(wrong.count) of \(checked) pixels moved against the loss's central-difference slope: \(wrong.prefix(3).joined(separator: "; "))")
    }

    @Test("Exercise 7.1: agrees with PyTorch (F.cross_entropy, torch.sign) on mnist-gap")
    func fgsmAgreesWithPyTorch() throws {
        let fixture = try FGSMFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(fixture.indices)
        #expect(labels == fixture.labels)
        let received = try Graded.fgsm(of: model, images: images, labels: labels, epsilon: fixture.epsilon)
        #expect(received.shape == fixture.shape, "expected \(fixture.shape), received \(received.shape)")
        reportAgreement("FGSM vs PyTorch", received.data, fixture.fgsm)
        let differ = disagreements(received.data, fixture.fgsm, skip: fixture.fgsm_tiny)
        let differCount = differ.count   // a count, not the array: #expect would print the whole array
        #expect(differCount == 0, "\(differ.count) of \(fixture.fgsm.count) pixels differ from PyTorch's FGSM (ε = \(fixture.epsilon)), first at \(differ.first ?? -1): received \(differ.first.map { received.data[$0] } ?? 0), PyTorch \(differ.first.map { fixture.fgsm[$0] } ?? 0) (x = \(differ.first.map { images.data[$0] } ?? 0), sign of PyTorch's gradient \(differ.first.map { fixture.fgsm_sign[$0] } ?? 0))")
    }

    // MARK: Exercise 7.2

    @Test("Exercise 7.2: targeted FGSM on the hand-set model")
    func targetedHandChecked() throws {
        let model = try handSetModel()
        let received = try Graded.targetedFGSM(of: model, images: handSetImages, targets: [1, 1], epsilon: 0.25)
        #expect(received.data == [0.25, 0.75, 0, 1],
                "towards class 1 the loss gradient has signs [1, −1]; x′ = x − 0.25·[1, −1] = [0.25, 0.75] and [−0.15, 1.2] → clamped [0, 1]; received \(received.data) — minus the step: go *down* the target's loss, and clamp")
        let logits = try withNoGrad { try model(received) }
        #expect(logits.data[1] > 0, "the target logit y₁ = x₁ − x₀ must go up from 0; received \(logits.data[1])")
    }

    @Test("Exercise 7.2: on mnist-gap the target's probability goes up, within the budget, as in PyTorch")
    func targetedOnMNIST() throws {
        let fixture = try FGSMFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.targetedFGSM(of: model, images: images, targets: fixture.targets, epsilon: fixture.epsilon)
        checkBudget(received, images, epsilon: fixture.epsilon, "targeted FGSM")
        guard received.shape == images.shape else { return }
        let before = try logProbabilities(model, images), after = try logProbabilities(model, received)
        let logitsBefore = try withNoGrad { try model(images) }, logitsAfter = try withNoGrad { try model(received) }
        let notUp = fixture.targets.enumerated().filter { n, t in
            !(after.data[n * 10 + t] > before.data[n * 10 + t] && logitsAfter.data[n * 10 + t] > logitsBefore.data[n * 10 + t])
        }
        if let (n, t) = notUp.first {
            Issue.record(Comment(rawValue: "\(notUp.count) of \(fixture.targets.count) images: the target's probability did not go up; image \(n): the target \(t)'s log-probability went \(before.data[n * 10 + t]) → \(after.data[n * 10 + t]) and its logit \(logitsBefore.data[n * 10 + t]) → \(logitsAfter.data[n * 10 + t])\n  hint: both must go up: x − ε·sign(∇ₓ CE(f(x), t))"))
        }
        reportAgreement("targeted FGSM vs PyTorch", received.data, fixture.targeted)
        let differ = disagreements(received.data, fixture.targeted, skip: fixture.targeted_tiny)
        let differCount = differ.count   // a count, not the array: #expect would print the whole array
        #expect(differCount == 0, "\(differ.count) of \(fixture.targeted.count) pixels differ from PyTorch's targeted FGSM, first at \(differ.first ?? -1): received \(differ.first.map { received.data[$0] } ?? 0), PyTorch \(differ.first.map { fixture.targeted[$0] } ?? 0)")
    }

    // MARK: Exercise 7.3

    @Test("Exercise 7.3: PGD stays in the ε-ball and in [0, 1], with and without a random start")
    func pgdBudget() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(Array(0..<8))
        let plain = try Graded.pgd(of: model, images: images, labels: labels, epsilon: 0.1, stepSize: 0.03, steps: 8)
        checkBudget(plain, images, epsilon: 0.1, "PGD (8 steps of 0.03 add up to 0.24 > ε)")
        let random = try Graded.pgd(of: model, images: images, labels: labels, epsilon: 0.1, stepSize: 0.03, steps: 3, randomStart: true, seed: 5)
        checkBudget(random, images, epsilon: 0.1, "PGD with a random start")
        let again = try Graded.pgd(of: model, images: images, labels: labels, epsilon: 0.1, stepSize: 0.03, steps: 3, randomStart: true, seed: 5)
        let repeatable = random.data == again.data   // compared outside #expect, which would print both arrays
        #expect(repeatable, "the same seed must give the same result (SeededGenerator(seed:)): \(differingCount(random.data, again.data)) of \(random.count) pixels differ between two runs with seed 5")
        let otherSeed = try Graded.pgd(of: model, images: images, labels: labels, epsilon: 0.1, stepSize: 0.03, steps: 0, randomStart: true, seed: 6)
        checkBudget(otherSeed, images, epsilon: 0.1, "a random start alone (0 steps)")
        let moved = otherSeed.data != images.data
        #expect(moved, "with randomStart, 0 steps must return the random starting point, not x")
        let none = try Graded.pgd(of: model, images: images, labels: labels, epsilon: 0.1, stepSize: 0.03, steps: 0)
        let unchanged = none.data == images.data
        #expect(unchanged, "0 steps without a random start must return x unchanged: \(differingCount(none.data, images.data)) of \(images.count) pixels moved")
    }

    @Test("Exercise 7.3: at equal ε, PGD fools the model at least as often as FGSM")
    func pgdBeatsFGSM() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(Array(0..<48))
        let epsilon: Float = 0.1
        func fooled(_ x: Tensor) throws -> Int { zip(try withNoGrad { try model(x) }.argmax(), labels).filter { $0 != $1 }.count }
        let byPGD = try fooled(try Graded.pgd(of: model, images: images, labels: labels, epsilon: epsilon, stepSize: 0.02, steps: 10))
        let byFGSM = try fooled(try Reference.fgsm(of: model, images: images, labels: labels, epsilon: epsilon))
        #expect(byPGD >= byFGSM && byPGD > 0, "ε = \(epsilon), 48 images: PGD (10 steps of 0.02) fooled the model on \(byPGD), FGSM on \(byFGSM) — PGD recomputes the gradient at every step and projects onto the L∞ ball around the original image")
    }

    @Test("Exercise 7.3: climbs the loss as far as PyTorch's PGD (10 steps, no random start) on mnist-gap")
    func pgdAgreesWithPyTorch() throws {
        let fixture = try FGSMFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(fixture.indices)
        let received = try Graded.pgd(of: model, images: images, labels: labels, epsilon: fixture.epsilon, stepSize: fixture.pgd_step, steps: fixture.pgd_steps)
        #expect(received.shape == fixture.shape, "expected \(fixture.shape), received \(received.shape)")
        guard received.shape == fixture.shape else { return }
        reportAgreement("PGD vs PyTorch", received.data, fixture.pgd)
        checkBudget(received, images, epsilon: fixture.epsilon, "PGD (10 steps of 0.02, ε = 0.1)")
        // Not pixel for pixel: ten sign steps are chaotic. Where a pixel's gradient is near 0, the
        // last bits of the softmax decide its step, and one flipped step sends the iterates apart:
        // a PGD whose softmax − onehot is computed in Double (more exactly than PyTorch's float)
        // ends 121 of image 1's 784 pixels away from PyTorch's, one through `logSoftmax` and
        // `gathered` 278 of image 0's, though each step is right. What the iteration does fix is
        // how far it climbs the loss: those end within 4% of PyTorch's loss on every image, while
        // reusing the clean image's gradient stops at one FGSM step's loss (13× lower on images 0
        // and 1, 24% on image 2) and an L2 projection near the clean loss. Hence 10%.
        func losses(_ x: Tensor) throws -> [Float] {
            let logP = try logProbabilities(model, x)
            return labels.enumerated().map { -logP.data[$0.offset * 10 + $0.element] }
        }
        let mine = try losses(received)
        let theirs = try losses(try Tensor(shape: fixture.shape, data: fixture.pgd))
        let oneStep = try losses(try Tensor(shape: fixture.shape, data: fixture.fgsm))
        let clean = try losses(images)
        let off = labels.indices.filter { !(abs(mine[$0] - theirs[$0]) <= 0.1 * theirs[$0]) }
        if let n = off.first {
            let likeFGSM = off.allSatisfy { abs(mine[$0] - oneStep[$0]) <= 1e-3 * oneStep[$0] }
            let hint = likeFGSM ? "that is the loss of one FGSM step of ε: recompute the gradient at the current x at every step"
                : "each step: x + α·sign(∇ₓ CE at the current x), then clamp to [max(x₀ − ε, 0), min(x₀ + ε, 1)]"
            Issue.record(Comment(rawValue: "\(off.count) of \(labels.count) images end at a cross-entropy more than 10% away from PyTorch's PGD (ε = \(fixture.epsilon), \(fixture.pgd_steps) steps of \(fixture.pgd_step)); image \(n): yours \(mine[n]), PyTorch's \(theirs[n]) (clean \(clean[n]))\n  hint: \(hint)"))
        }
    }

    // MARK: Exercise 7.4

    @Test("Exercise 7.4: accuracy against ε on 100 test images, independent of the batch size")
    func accuracyCurve() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(Array(0..<100))
        let epsilons: [Float] = [0, 0.1, 0.2]
        let received = try Graded.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: epsilons, batchSize: 32)
        let expected = try Reference.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: epsilons)
        #expect(received == expected, "accuracy for ε = \(epsilons): received \(received), expected \(expected) — evaluate the *attacked* images, and divide the total number correct by the number of images")
        let clean = Double(zip(try withNoGrad { try model(images) }.argmax(), labels).filter { $0 == $1 }.count) / 100
        #expect(received.first == clean, "ε = 0 is the clean accuracy \(clean); received \(received.first ?? .nan)")
        let oddBatches = try Graded.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: [0.1], batchSize: 7)
        #expect(oddBatches.first == received[1], "batches of 7 gave \(oddBatches), batches of 32 \(received[1]): the batch size must not change the result")
    }

    @Test("Exercise 7.4: golden — the first 1,000 test images")
    func accuracyGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistTest().batch(0..<1000)
        let received = try Graded.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: AdversarialDrawings.epsilons)
        // Your curve, drawn as the reference draws it, against the stored chart and numbers
        // (figures/accuracy-vs-epsilon.png and .npy: the reference's curve).
        if received.count == AdversarialDrawings.epsilons.count,
           let problem = GoldenFigures.check(AdversarialDrawings.accuracyFigure(received), in: LessonPaths.figures(AdversarialDrawings.folder)) {
            Issue.record(Comment(rawValue: "accuracy under FGSM for ε = \(AdversarialDrawings.epsilons) on the first 1,000 test images: received \(received.map { String(format: "%.3f", $0) }), which does not match the golden curve:\n\(problem)"))
        }
        #expect(received.count == AdversarialDrawings.epsilons.count, "one accuracy per ε: received \(received.count) values")
    }

    // MARK: Reference figures

    #if canImport(AdversarialSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(AdversarialFigures.self)
    }
    #endif
}
