import Foundation
#if canImport(EvaluationSolutions)
import EvaluationSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// A linear classifier on 1×2×2 images small enough to follow by hand: logit₀ = 0 and
/// logit₁ = w·x with w = `weights` (row-major pixels), so p₁ = σ(w·x) = 1 / (1 + e^(−w·x)).
func linearPair(_ weights: [Float]) throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let fc = Linear(weights.count, 2, generator: &g)
    try fc.weight.assign([Float](repeating: 0, count: weights.count) + weights)
    try fc.bias.orThrow("bias").assign([0, 0])
    let model = Sequential(named: [("flatten", Flatten()), ("fc", fc)])
    model.eval()
    return model
}

func sigmoid(_ z: Double) -> Float { Float(1 / (1 + exp(-z))) }

/// 4×4 masks `[1, 1, 4, 4]` with the top-left 2×2 block set (pixels 0, 1, 4, 5).
var topLeftMask: Tensor { tensor([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 4, 4]) }

/// A 4×4 map `[1, 1, 4, 4]` of `fill` with `values` at the given (row, column) positions.
func map4(_ values: [(Int, Int, Float)], fill: Float = 0) -> Tensor {
    var data = [Float](repeating: fill, count: 16)
    for (y, x, v) in values { data[y * 4 + x] = v }
    return tensor(data, [1, 1, 4, 4])
}

@Suite("Lesson 10 — Are the explanations right?", .graded(Exercises.lesson))
struct EvaluationTests {
    // MARK: Exercise 10.1a

    @Test("Exercise 10.1a: deletion on a hand-set linear model, most relevant pixel first")
    func deletionByHand() throws {
        // w = [1, 2, 3, 4], x = 1: w·x = 10. Attribution [0.1, 0.4, 0.3, 0.2] orders the pixels
        // 1, 2, 3, 0, so deleting one a step leaves w·x = 10, 8, 5, 1, 0.
        let model = try linearPair([1, 2, 3, 4])
        let image = tensor([1, 1, 1, 1], [1, 1, 2, 2])
        let curve = try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]),
                                                 attributions: tensor([0.1, 0.4, 0.3, 0.2], [1, 1, 2, 2]), targets: [1], pixelsPerStep: 1)
        let expected = [10.0, 8, 5, 1, 0].map(sigmoid)
        #expect(curve.shape == [1, 5], "S = 4 steps of one pixel give [1, 5]; received \(curve.shape)")
        let reversed = [10.0, 9, 5, 2, 0].map(sigmoid)
        let hint = agree(curve.data, reversed, tolerance: 1e-6) ? "\n  hint: that is the least relevant pixel first; deletion removes the MOST relevant first"
            : agree(curve.data, [10, 8, 5, 1, 0], tolerance: 1e-5) ? "\n  hint: those are logits; record the softmax probability" : ""
        #expect(agree(curve.data, expected, tolerance: 1e-6), "p₁ = σ(10, 8, 5, 1, 0) = \(brief(expected)); received \(brief(curve.data))\(hint)")
    }

    @Test("Exercise 10.1a: equal attributions keep the lower index first; a last, shorter step")
    func tiesAndShortStep() throws {
        let model = try linearPair([1, 2, 3, 4])
        let image = tensor([1, 1, 1, 1], [1, 1, 2, 2])
        let tied = try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]),
                                                attributions: Tensor.zeros([1, 1, 2, 2]), targets: [1], pixelsPerStep: 1)
        let expectedTied = [10.0, 9, 7, 4, 0].map(sigmoid)
        #expect(agree(tied.data, expectedTied, tolerance: 1e-6), "a constant map deletes pixels 0, 1, 2, 3: σ(10, 9, 7, 4, 0) = \(brief(expectedTied)); received \(brief(tied.data))")
        // Three pixels a step on four pixels: S = ⌈4/3⌉ = 2; step 1 deletes pixels 1, 2, 3 (w·x = 1), step 2 all.
        let short = try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]),
                                                 attributions: tensor([0.1, 0.4, 0.3, 0.2], [1, 1, 2, 2]), targets: [1], pixelsPerStep: 3)
        let expectedShort = [10.0, 1, 0].map(sigmoid)
        #expect(short.shape == [1, 3] && agree(short.data, expectedShort, tolerance: 1e-6),
                "3 pixels a step: [1, 3] = σ(10, 1, 0); received \(short.shape) \(brief(short.data))")
    }

    @Test("Exercise 10.1a: insertion, colour images (a pixel is all its channels) and one forward pass per image")
    func insertionColourAndBatching() throws {
        // [1, 3, 1, 2]: channel-major weights; position 0 carries 0.01 + 0.1 + 1 = 1.11, position 1 2.22.
        let model = try linearPair([0.01, 0.02, 0.1, 0.2, 1, 2])
        var calls = 0
        let hook = model.registerForwardHook { _, _, _ in calls += 1 }
        defer { hook.remove() }
        let images = tensor([Float](repeating: 1, count: 12), [2, 3, 1, 2])
        let maps = tensor([0.9, 0.1, 0.1, 0.9], [2, 1, 1, 2])
        let curves = try Graded.perturbationCurve(of: model, from: Tensor.zeros([2, 3, 1, 2]), to: images, attributions: maps, targets: [1, 0], pixelsPerStep: 1)
        // Insertion from black: image 0 adds position 0 then 1 (0, 1.11, 3.33); image 1 position 1 then 0 (0, 2.22, 3.33), scored for class 0.
        let expected = [sigmoid(0), sigmoid(1.11), sigmoid(3.33), 1 - sigmoid(0), 1 - sigmoid(2.22), 1 - sigmoid(3.33)]
        #expect(curves.shape == [2, 3] && agree(curves.data, expected, tolerance: 1e-5),
                "insertion, every channel of a position at once: \(brief(expected)); received \(curves.shape) \(brief(curves.data))")
        #expect(calls <= 2, "batch the S + 1 perturbed copies of an image into one forward pass: \(calls) forward passes for 2 images")
    }

    @Test("Exercise 10.1a: bad arguments are errors")
    func curveRefusals() throws {
        let model = try linearPair([1, 2, 3, 4])
        let image = tensor([1, 1, 1, 1], [1, 1, 2, 2]), map = tensor([0, 0, 0, 0], [1, 1, 2, 2])
        let valid = try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]), attributions: map, targets: [1], pixelsPerStep: 4)
        #expect(valid.shape == [1, 2], "one step of 4 pixels: [1, 2]; received \(valid.shape)")
        #expect(throws: (any Error).self) { try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]), attributions: map, targets: [1], pixelsPerStep: 0) }
        #expect(throws: (any Error).self) { try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]), attributions: tensor([0, 0], [1, 1, 1, 2]), targets: [1], pixelsPerStep: 1) }
        #expect(throws: (any Error).self) { try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]), attributions: map, targets: [1, 0], pixelsPerStep: 1) }
        // The stub promises an error for a target outside the classes (this model has 2).
        for target in [2, -1] {
            try expectRealError("target \(target) of a 2-class model") {
                _ = try Graded.perturbationCurve(of: model, from: image, to: Tensor.zeros([1, 1, 2, 2]), attributions: map, targets: [target], pixelsPerStep: 1)
            }
        }
    }

    // MARK: Exercise 10.1b

    @Test("Exercise 10.1b: trapezoids with the step width, by hand")
    func trapezoidByHand() throws {
        // Row 0, S = 3: ((1 + 0.5) + (0.5 + 0.25) + (0.25 + 0)) / 2 / 3 = 1.25 / 3. Row 1: a constant 0.7 has area 0.7.
        let curves = tensor([1, 0.5, 0.25, 0] + [Float](repeating: 0.7, count: 4), [2, 4])
        let area = try Graded.areaUnderCurve(curves)
        let expected: [Float] = [1.25 / 3, 0.7]
        let hint = agree(area, [1.25, 2.1], tolerance: 1e-5) ? "\n  hint: multiply by the step width 1/S" : agree(area, [1.75 / 3, 0.7], tolerance: 1e-5) ? "\n  hint: that is a left Riemann sum; average each step's two ends" : ""
        #expect(agree(area, expected, tolerance: 1e-6), "AUC = \(brief(expected)); received \(brief(area))\(hint)")
        let fine = try Graded.areaUnderCurve(tensor([Float](repeating: 0.7, count: 51), [1, 51]))
        #expect(agree(fine, [0.7], tolerance: 1e-5), "the area of a constant 0.7 does not depend on the number of steps; received \(brief(fine)) with S = 50")
        #expect(throws: (any Error).self) { try Graded.areaUnderCurve(tensor([1], [1, 1])) }
    }

    // MARK: Exercise 10.2a

    @Test("Exercise 10.2a: one maximum, inside, outside and within the tolerance")
    func pointingByHand() throws {
        let inside = try Graded.pointingGame(attributions: map4([(1, 1, 5)]), masks: topLeftMask)
        let outside = try Graded.pointingGame(attributions: map4([(3, 3, 5), (0, 0, -9)]), masks: topLeftMask)
        #expect(inside == [1] && outside == [0], "maximum at (1, 1) in the mask scores 1, at (3, 3) 0 (the largest |a| at (0, 0) is negative); received \(inside), \(outside)")
        // (2, 2) is √2 from the mask's (1, 1); (2, 1) is 1 from it.
        let diagonal = try (0...2).map { try Graded.pointingGame(attributions: map4([(2, 2, 5)]), masks: topLeftMask, tolerance: $0)[0] }
        let below = try Graded.pointingGame(attributions: map4([(2, 1, 5)]), masks: topLeftMask, tolerance: 1)
        var rule = ""
        if diagonal == [0, 0, 0] && below == [0] { rule = "\n  hint: the distance is inclusive: a pixel hits when its distance to the nearest mask pixel is ≤ tolerance, not <" }
        else if diagonal == [0, 1, 1] { rule = "\n  hint: the distance is Euclidean, √(Δrow² + Δcolumn²): (2, 2) is √2 from (1, 1), more than 1" }
        #expect(diagonal == [0, 0, 1] && below == [1], """
            a hit is a maximum whose Euclidean distance to the nearest mask pixel is ≤ tolerance (inclusive): (2, 2) is √2 from the mask's (1, 1), so it hits from tolerance 2 on; (2, 1) is 1 from it, so it hits at tolerance 1. Received \(diagonal) for tolerance 0, 1, 2 and \(below)\(rule)
            """)
        let emptyMask = try Graded.pointingGame(attributions: map4([(1, 1, 5)]), masks: Tensor.zeros([1, 1, 4, 4]), tolerance: 3)
        #expect(emptyMask == [0], "an image whose mask is empty has nothing to point at: it scores 0 (the stub's comment says so); received \(emptyMask)")
        #expect(throws: (any Error).self) { try Graded.pointingGame(attributions: map4([]), masks: topLeftMask, tolerance: -1) }
        #expect(throws: (any Error).self) { try Graded.pointingGame(attributions: map4([]), masks: tensor([1, 0, 0, 0], [1, 1, 2, 2])) }
    }

    @Test("Exercise 10.2a: ties — every maximal pixel counts, a constant map scores chance")
    func pointingTies() throws {
        let constant = try Graded.pointingGame(attributions: map4([], fill: 0.5), masks: topLeftMask)
        let split = try Graded.pointingGame(attributions: map4([(0, 0, 2), (3, 3, 2)]), masks: topLeftMask)
        // An upsampled plateau: [[0, 0], [0, 1]] resized (nearest) to 4×4 has four maxima, rows and
        // columns 2–3; the mask holds two of them (row 2).
        let plateau = try Graded.pointingGame(attributions: try tensor([0, 0, 0, 1], [1, 1, 2, 2]).resizedNearest(height: 4, width: 4),
                                              masks: tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0], [1, 1, 4, 4]))
        let hint = constant == [1] ? "\n  hint: only the first maximum was scored; share the score among all tied maxima" : ""
        #expect(constant == [0.25] && split == [0.5] && plateau == [0.5],
                "4 of 16 tied maxima inside → 0.25; 1 of 2 → 0.5; 2 of an upsampled plateau's 4 → 0.5; received \(constant), \(split), \(plateau)\(hint)")
    }

    // MARK: Exercise 10.2b

    @Test("Exercise 10.2b: only positive attribution counts")
    func relevanceMassByHand() throws {
        // +3 and −1 inside; +1 and −2 outside: positive mass 3 of 4.
        let map = map4([(0, 0, 3), (1, 1, -1), (3, 3, 1), (2, 3, -2)])
        let mass = try Graded.relevanceMass(attributions: map, masks: topLeftMask)
        let hint = agree(mass, [2], tolerance: 1e-6) ? "\n  hint: negative attribution was counted; use max(a, 0)" : agree(mass, [4.0 / 7], tolerance: 1e-6) ? "\n  hint: |a| counts negative evidence; use max(a, 0)" : ""
        #expect(agree(mass, [0.75], tolerance: 1e-6), "3 of the 4 units of positive attribution are inside: 0.75; received \(brief(mass))\(hint)")
        let scaledMask = tensor(topLeftMask.data.map { $0 * 255 }, [1, 1, 4, 4])
        let scaled = try Graded.relevanceMass(attributions: map, masks: scaledMask)
        #expect(agree(scaled, [0.75], tolerance: 1e-6), "a mask of 255s (nonzero = object) gives the same 0.75; received \(brief(scaled))\n  hint: test mask != 0, don't multiply by the mask's value")
        let negative = try Graded.relevanceMass(attributions: map4([(0, 0, -1)]), masks: topLeftMask)
        #expect(negative == [0], "a map without positive attribution scores 0; received \(negative)")
        // The stub promises the pointing game's errors.
        try expectRealError("a mask of another shape") { _ = try Graded.relevanceMass(attributions: map, masks: tensor([1, 0, 0, 0], [1, 1, 2, 2])) }
        try expectRealError("a map not [N, 1, H, W]") { _ = try Graded.relevanceMass(attributions: tensor(map.data, [1, 16]), masks: topLeftMask) }
    }

    // MARK: Exercise 10.2c

    @Test("Exercise 10.2c: the K highest pixels against a K-pixel mask")
    func rankByHand() throws {
        let map = map4([(0, 0, 9), (0, 1, 8), (1, 0, 7), (3, 3, 6), (1, 1, -1)])
        let rank = try Graded.relevanceRankAccuracy(attributions: map, masks: topLeftMask)
        #expect(agree(rank, [0.75], tolerance: 1e-6), "top 4: three in the mask → 0.75; received \(brief(rank))")
        let tied = try Graded.relevanceRankAccuracy(attributions: map4([], fill: 1), masks: topLeftMask)
        #expect(agree(tied, [0.5], tolerance: 1e-6), "ties by index: the top 4 of a constant map are pixels 0–3, two in the mask → 0.5; received \(brief(tied))")
        let empty = try Graded.relevanceRankAccuracy(attributions: map, masks: Tensor.zeros([1, 1, 4, 4]))
        #expect(empty == [0], "an empty mask scores 0; received \(empty)")
        // The stub promises the pointing game's errors.
        try expectRealError("a mask of another shape") { _ = try Graded.relevanceRankAccuracy(attributions: map, masks: tensor([1, 0, 0, 0], [1, 1, 2, 2])) }
        try expectRealError("a map not [N, 1, H, W]") { _ = try Graded.relevanceRankAccuracy(attributions: tensor(map.data, [1, 16]), masks: topLeftMask) }
    }

    // MARK: Exercise 10.3

    @Test("Exercise 10.3: each image's own corner, absolute attribution")
    func decoyShareByHand() throws {
        var data = [Float](repeating: 0, count: 4 * 784)
        for corner in 0..<4 {
            let top = corner & 2 != 0 ? 24 : 0, left = corner & 1 != 0 ? 24 : 0
            for y in top..<(top + 4) { for x in left..<(left + 4) { data[corner * 784 + y * 28 + x] = corner == 2 ? -1 : 1 } }
        }
        let own = try Graded.decoyShare(attributions: tensor(data, [4, 1, 28, 28]), corners: [0, 1, 2, 3])
        #expect(own == [1, 1, 1, 1], "each map lies wholly in its own swatch (corner 2's is negative: |a| counts); received \(own)\n  hint: bit 0 of the corner → the right columns, bit 1 → the bottom rows: 1 = top-right, 2 = bottom-left")
        // A 6×8 map (not square): 16 units in corner 1's swatch (rows 0–3, columns 4–7) and 1 elsewhere.
        var wide = [Float](repeating: 0, count: 48)
        for y in 0..<4 { for x in 4..<8 { wide[y * 8 + x] = 1 } }
        wide[5 * 8] = 1
        let oblong = try Graded.decoyShare(attributions: tensor(wide, [1, 1, 6, 8]), corners: [1])
        #expect(agree(oblong, [16.0 / 17], tolerance: 1e-6), "a 6×8 map, corner 1 = columns W − 4 ..< W: 16/17; received \(brief(oblong))\n  hint: columns come from W, rows from H")
        var mixed = [Float](repeating: 0, count: 784)
        for y in 24..<28 { for x in 0..<4 { mixed[y * 28 + x] = 1 } }
        for x in 8..<24 { mixed[14 * 28 + x] = -1 }
        let half = try Graded.decoyShare(attributions: tensor(mixed, [1, 1, 28, 28]), corners: [2])
        #expect(agree(half, [0.5], tolerance: 1e-6), "16 units in the bottom-left swatch, 16 of −1 elsewhere: 0.5; received \(brief(half))")
        let even = try Graded.decoyShare(attributions: Tensor.ones([1, 1, 28, 28]), corners: [3])
        #expect(agree(even, [16.0 / 784], tolerance: 1e-7), "an even map scores 16/784; received \(brief(even))")
        #expect(throws: (any Error).self) { try Graded.decoyShare(attributions: Tensor.ones([1, 1, 28, 28]), corners: [4]) }
    }

    // MARK: Exercises 10.4 and 10.5 — see GradientFreeCAMTests.swift

    #if canImport(EvaluationSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(EvaluationFigures.self)
    }
    #endif
}
