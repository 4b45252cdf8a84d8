import Foundation
#if canImport(AdversarialSolutions)
import AdversarialSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// Lesson 07 on colour images: FGSM and PGD on the seeded 3-channel model of `Datasets/colour`,
/// against PyTorch (`Tests/ColourFixtures/colour-reference.json`). Every channel of every pixel
/// moves by ±ε and stays in [0, 1].
@Suite("Lesson 07 — colour images", .graded(Exercises.lesson))
struct AdversarialColourTests {
    /// Indices where `a` and `b` differ by more than 1e-6 (the fixture keeps 8 significant digits).
    func differences(_ a: [Float], _ b: [Float], skip: [Int] = []) -> [Int] {
        let skipped = Set(skip)
        guard a.count == b.count else { return [-1] }
        return a.indices.filter { !skipped.contains($0) && abs(a[$0] - b[$0]) > 1e-6 }
    }

    @Test("Exercise 7.1: FGSM on a colour image moves every channel by ±ε, as PyTorch")
    func fgsmColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.fgsm(of: try ColourReference.model(), images: try ColourReference.images(), labels: reference.targets,
                                       epsilon: reference.epsilon)
        #expect(received.shape == [2, 3, 32, 32], "FGSM returns images of the input's shape [2, 3, 32, 32]; received \(received.shape)")
        let differ = differences(received.data, try reference.array("fgsm").data, skip: reference.fgsmTiny)
        let count = differ.count
        #expect(count == 0, "\(count) of 6144 colour values differ from PyTorch's FGSM (first at flat index \(differ.first ?? -1)): x + ε·sign(∇ₓ CE) on every channel, clamped to [0, 1]")
    }

    @Test("Exercise 7.3: PGD on a colour image (5 steps of 0.01 in the ε = 0.03 ball), as PyTorch")
    func pgdColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.pgd(of: try ColourReference.model(), images: try ColourReference.images(), labels: reference.targets,
                                      epsilon: reference.epsilon, stepSize: reference.pgdStep, steps: reference.pgdSteps)
        #expect(received.shape == [2, 3, 32, 32], "PGD returns images of the input's shape [2, 3, 32, 32]; received \(received.shape)")
        let differ = differences(received.data, try reference.array("pgd").data)
        let count = differ.count
        #expect(count == 0, "\(count) of 6144 colour values differ from PyTorch's PGD (first at flat index \(differ.first ?? -1))")
    }
}
