import Foundation
#if canImport(EvaluationSolutions)
@testable import EvaluationSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// The fixture written by Fixtures/make_road_fixture.py with pytorch-grad-cam 1.5.7:
///
///     python3 Tests/EvaluationLessonTests/Fixtures/make_road_fixture.py
///
/// On the shipped mnist-gap, MNIST test images `indices`, classes `targets` (softmax probability)
/// and the stored maps: image 0 uniform noise, image 1 a 7×7 map in 4×4 blocks (every threshold
/// lands on a plateau of 16 equal pixels), image 2 the digit plus a ramp. `keep`/`imputed`:
/// RemoveMostRelevantFirst(50)'s mask and the noise-free imputation; `morf`/`lerf` `[9, N]` at
/// percentiles 10…90 with noise 0; `noisy_*` `[2, N]` at 30 and 70 with 0.01 · `noise` added at
/// the imputed pixels; `combined` ROADCombined (noise 0).
struct ROADFixture: Decodable {
    struct Array: Decodable { let shape: [Int]; let data: [Float] }
    let library: String
    let indices: [Int]
    let targets: [Int]
    let percentiles: [Int]
    let noisy_percentiles: [Int]
    let noise_scale: Float
    let maps: Array, keep: Array, imputed: Array, noise: Array
    let morf: Array, lerf: Array, combined: Array, noisy_morf: Array, noisy_lerf: Array

    static func load() throws -> ROADFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/road-pytorch-grad-cam.json")
        return try JSONDecoder().decode(ROADFixture.self, from: Data(contentsOf: url))
    }
    var mapTensor: Tensor { tensor(maps.data, [maps.shape[0], 1, maps.shape[1], maps.shape[2]]) }
}

/// The residual of the imputation equations at the removed pixels of `out` (the weights written out
/// here, independently of the reference): max |s_i·x_i − Σ_j w_ij·x_j| over removed i and channels.
func imputationResidual(_ out: Tensor, keep: Tensor) -> Float {
    let (n, c, h, w) = (out.shape[0], out.shape[1], out.shape[2], out.shape[3])
    var worst: Float = 0
    for i in 0..<n { for ch in 0..<c { for y in 0..<h { for x in 0..<w where keep.data[i * h * w + y * w + x] == 0 {
        var s: Double = 0, sum: Double = 0
        for dy in -1...1 { for dx in -1...1 where (dy != 0 || dx != 0) && (0..<h).contains(y + dy) && (0..<w).contains(x + dx) {
            let weight = dy == 0 || dx == 0 ? 1.0 / 6 : 1.0 / 12
            s += weight
            sum += weight * Double(out.data[((i * c + ch) * h + y + dy) * w + x + dx])
        } }
        worst = max(worst, Float(abs(s * Double(out.data[((i * c + ch) * h + y) * w + x]) - sum)))
    } } } }
    return worst
}

@Suite("Lesson 10 — ROAD", .graded(Exercises.lesson))
struct ROADTests {
    @Test("Exercise 10.6a: a removed pixel among kept ones is the weighted mean of its neighbours (edges 1/6, diagonals 1/12, fewer at the border)")
    func imputationByHand() throws {
        // Plane 1 (3×3): corners 0, edges 1, the centre removed → (4 · 1/6) / 1 = 2/3.
        // Plane 2: (0, 0) removed, (0, 1) = (1, 0) = 1, (1, 1) = 0.5 → (1/6 + 1/6 + 0.5/12) / (5/12) = 0.9.
        // The second channel is twice the first, imputed with the same mask.
        let first: [Float] = [0, 1, 0, 1, 7, 1, 0, 1, 0], second: [Float] = [7, 1, 3, 1, 0.5, 3, 3, 3, 3]
        let images = tensor(first + first.map { 2 * $0 } + second + second.map { 2 * $0 }, [2, 2, 3, 3])
        let keep = tensor([1, 1, 1, 1, 0, 1, 1, 1, 1] + [0, 1, 1, 1, 1, 1, 1, 1, 1], [2, 1, 3, 3])
        let out = try Graded.linearImputation(of: images, keeping: keep)
        #expect(out.shape == [2, 2, 3, 3], "shape [2, 2, 3, 3]; received \(out.shape)")
        guard out.shape == [2, 2, 3, 3] else { return }
        let received = [out.data[4], out.data[13], out.data[18], out.data[27]], expected: [Float] = [2.0 / 3, 4.0 / 3, 0.9, 1.8]
        var hint = ""
        // Each hint only when the values are that mistake's: the mean of the kept pixels also gives
        // 0.5 at the centre, but 17.5/8 = 2.1875 at the corner.
        if abs(received[0] - 0.5) < 1e-4, abs(received[2] - 2.1875) < 1e-4 {
            hint = "\n  hint: these are the means of the kept pixels: a removed pixel is the weighted mean of its own neighbours (edges 1/6, diagonals 1/12), not of the image"
        }
        else if abs(received[0] - 0.5) < 1e-4 { hint = "\n  hint: the diagonal neighbours weigh 1/12, the edge ones 1/6 — not 1/8 each" }
        else if abs(received[2] - 0.375) < 1e-4 { hint = "\n  hint: at the border divide by the weights of the neighbours that exist (5/12 at a corner), not by 1" }
        else if abs(received[0] - 1) < 1e-4 { hint = "\n  hint: all eight neighbours count, the diagonal ones with 1/12" }
        #expect(agree(received, expected, tolerance: 1e-5), "imputed (centre, its channel 2, corner, its channel 2): expected \(brief(expected)); received \(brief(received))\(hint)")
        var kept = out.data; kept[4] = 7; kept[13] = 14; kept[18] = 7; kept[27] = 14
        #expect(kept == images.data, "kept pixels keep their values")
    }

    @Test("Exercise 10.6a: the imputed pixels solve the system (removed neighbours at their imputed values) on a random 12×10 image")
    func imputationSolvesTheSystem() throws {
        var g = SeededGenerator(seed: 61)
        let images = Tensor.randomUniform([2, 3, 12, 10], using: &g)
        // Random holes plus a removed 5×5 block and a removed border row: neighbours that are themselves unknown.
        let keep = tensor((0..<240).map { p -> Float in
            let (i, y, x) = (p / 120, p % 120 / 10, p % 10)
            if (2..<7).contains(y) && (3..<8).contains(x) || (i == 1 && y == 11) { return 0 }
            return g.nextFloat() < 0.6 ? 1 : 0
        }, [2, 1, 12, 10])
        let out = try Graded.linearImputation(of: images, keeping: keep)
        #expect(out.shape == images.shape, "shape \(images.shape); received \(out.shape)")
        guard out.shape == images.shape else { return }
        let residual = imputationResidual(out, keep: keep)
        #expect(residual < 1e-5, "s_i·x_i − Σ w_ij·x_j at the removed pixels should be 0; the largest is \(residual)\n  hint: a removed neighbour counts at its own imputed value — solve the system, don't read it as 0; iterating? then it has not converged: go on until the residual is ~1e-7")
        let changed = (0..<images.count).filter { keep.data[($0 / 360) * 120 + $0 % 120] != 0 && out.data[$0] != images.data[$0] }.count
        #expect(changed == 0, "\(changed) kept pixels changed")
    }

    @Test("Exercise 10.6a: agrees with pytorch-grad-cam 1.5.7's NoisyLinearImputer (noise 0) on three MNIST digits")
    func imputationAgreesWithLibrary() throws {
        let fixture = try ROADFixture.load()
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let keep = tensor(fixture.keep.data, [fixture.indices.count, 1, 28, 28])
        let out = try Graded.linearImputation(of: images, keeping: keep)
        let agrees = out.shape == images.shape && agree(out.data, fixture.imputed.data, tolerance: 1e-5)
        #expect(agrees,
                "imputation differs from \(fixture.library): \(out.shape == images.shape ? describeDifference(out.data, fixture.imputed.data, tolerance: 1e-5) : "shape \(out.shape)")")
    }

    @Test("Exercise 10.6a: every pixel removed gives 0; a mask of the wrong shape throws")
    func imputationEdges() throws {
        let out = try Graded.linearImputation(of: tensor([1, 2, 3, 4], [1, 1, 2, 2]), keeping: Tensor.zeros([1, 1, 2, 2]))
        #expect(out.data == [0, 0, 0, 0], "nothing kept, nothing to interpolate from: 0; received \(out.data)")
        try expectRealError("keep [1, 1, 2, 3] for 2×2 images") {
            _ = try Graded.linearImputation(of: Tensor.zeros([1, 1, 2, 2]), keeping: Tensor.zeros([1, 1, 2, 3]))
        }
    }

    /// Expects ROAD `scores` `[P·N]` at the fixture's percentiles to equal `expected` within 1e-5.
    func expectScores(_ name: String, percentiles: [Int], order: RemovalOrder, expected: [Float], noise: Tensor?) throws {
        let fixture = try ROADFixture.load()
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let model = try Fixtures.model("mnist-gap")
        // 10.6b calls the student's 10.6a: it must impute the library's way first.
        try requireEarlier("10.6a", for: "10.6b", "the linear imputation") {
            let out = try Graded.linearImputation(of: images, keeping: tensor(fixture.keep.data, [fixture.indices.count, 1, 28, 28]))
            return out.shape == images.shape && agree(out.data, fixture.imputed.data, tolerance: 1e-5)
        }
        var received = [Float]()
        for p in percentiles {
            received += try Graded.roadScores(of: model, images: images, attributions: fixture.mapTensor, targets: fixture.targets,
                                              percentile: p, order: order, noise: noise)
        }
        let first = (0..<min(received.count, expected.count)).first { abs(received[$0] - expected[$0]) > 1e-5 }
        let at = first.map { "percentile \(percentiles[$0 / fixture.indices.count]), image \(fixture.indices[$0 % fixture.indices.count]): received \(received[$0]), expected \(expected[$0])" } ?? ""
        var hint = ""
        if received.count == expected.count, first != nil, agree(received.map { -$0 }, expected, tolerance: 1e-5) {
            hint = "\n  hint: every score has the opposite sign: the score is the change of the softmax probability, after − before"
        } else if first != nil, !received.isEmpty, received.allSatisfy({ $0 >= 0 && $0 <= 1 }), expected.contains(where: { $0 < -1e-3 }) {
            hint = "\n  hint: every score is a probability in [0, 1], where the library's changes are negative too: the score is the change of the softmax probability, after − before, not the probability after"
        } else if let first, first % fixture.indices.count == 1 {
            hint = "\n  hint: image 1's map has plateaus — pixels equal to the threshold are removed (keep = values < threshold)"
        }
        #expect(received.count == expected.count && first == nil,
                "\(name) differs from \(fixture.library) (first of \(received.count) scores): \(at)\(hint)")
    }

    @Test("Exercise 10.6b: most relevant first agrees with pytorch-grad-cam's ROADMostRelevantFirst at 10…90 (noise 0)")
    func morfAgreesWithLibrary() throws {
        let fixture = try ROADFixture.load()
        try expectScores("MoRF", percentiles: fixture.percentiles, order: .mostRelevantFirst, expected: fixture.morf.data, noise: nil)
    }

    @Test("Exercise 10.6b: least relevant first agrees with pytorch-grad-cam's ROADLeastRelevantFirst at 10…90 (noise 0)")
    func lerfAgreesWithLibrary() throws {
        let fixture = try ROADFixture.load()
        try expectScores("LeRF", percentiles: fixture.percentiles, order: .leastRelevantFirst, expected: fixture.lerf.data, noise: nil)
    }

    @Test("Exercise 10.6b: the noise goes on the imputed pixels only (the library's imputation + a stored draw, at 30 and 70)")
    func noiseOnImputedPixels() throws {
        let fixture = try ROADFixture.load()
        let noise = tensor(fixture.noise.data.map { $0 * fixture.noise_scale }, fixture.noise.shape)
        try expectScores("MoRF with noise", percentiles: fixture.noisy_percentiles, order: .mostRelevantFirst, expected: fixture.noisy_morf.data, noise: noise)
        try expectScores("LeRF with noise", percentiles: fixture.noisy_percentiles, order: .leastRelevantFirst, expected: fixture.noisy_lerf.data, noise: noise)
    }

    @Test("Exercise 10.6b: a percentile outside 1...99 or a map of the wrong shape throws")
    func roadErrors() throws {
        let model = try LinearOracle.model(), images = Tensor.zeros([1, 1, 28, 28])
        for p in [0, 100] {
            try expectRealError("percentile \(p)") {
                _ = try Graded.roadScores(of: model, images: images, attributions: images, targets: [1], percentile: p, order: .mostRelevantFirst)
            }
        }
        try expectRealError("a 27×28 map for 28×28 images") {
            _ = try Graded.roadScores(of: model, images: images, attributions: Tensor.zeros([1, 1, 27, 28]), targets: [1], percentile: 50, order: .mostRelevantFirst)
        }
    }
}

// The reference engine's own tests: the full edition only (the student edition has no Solutions/).
#if canImport(EvaluationSolutions)
@Suite("Lesson 10 — ROAD combined (the reference engine)")
struct ROADCombinedTests {
    @Test("roadCombined with noise 0 equals pytorch-grad-cam's ROADCombined on the fixture")
    func combinedAgreesWithLibrary() throws {
        let fixture = try ROADFixture.load()
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        let combined = try roadCombined(of: try Fixtures.model("mnist-gap"), images: images, attributions: fixture.mapTensor,
                                        targets: fixture.targets, percentiles: fixture.percentiles, noiseScale: 0, seed: 0)
        #expect(agree(combined, fixture.combined.data, tolerance: 1e-6), "\(describeDifference(combined, fixture.combined.data, tolerance: 1e-6))")
    }

    @Test("numpy.percentile's linear interpolation, ties and the ends")
    func percentile() {
        #expect(numpyPercentile([4, 1, 3, 2], 50) == 2.5)
        #expect(numpyPercentile([1, 2, 3, 4, 5], 10) == 1.4)
        #expect(numpyPercentile([2, 2, 2, 9], 60) == 2)          // h = 1.8 between two equal values
        #expect(numpyPercentile([0, 10], 99) == 9.9)
    }
}
#endif
