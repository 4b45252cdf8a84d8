#if canImport(AutoencodersSolutions)
import AutoencodersSolutions
#endif
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// The first `count` test digits as rows `[count, 784]` (pixels as stored: no arithmetic).
func digitRows(_ range: Range<Int>) throws -> Tensor {
    let (images, _) = try Fixtures.mnistImages(Array(range))
    return try images.reshaped([range.count, 784])
}

/// Weights drawn as 11.2 draws them: N(0, scale²), encoder `[k, D]` first, then decoder `[D, k]`.
func initialWeights(k: Int, d: Int, settings: LinearAutoencoderSettings) -> (encoder: Tensor, decoder: Tensor) {
    var g = SeededGenerator(seed: settings.seed)
    let encoder = Tensor.randomNormal([k, d], std: settings.initialScale, using: &g)
    let decoder = Tensor.randomNormal([d, k], std: settings.initialScale, using: &g)
    return (encoder, decoder)
}

/// 11.1's loss and gradients from the graded implementation: `(L, ∂L/∂E, ∂L/∂W)`, a gradient
/// that never arrived as zeros (the caller says so).
func gradedLossAndGradients(_ data: Tensor, _ encoder: Tensor, _ decoder: Tensor) throws -> (loss: Float, encoder: [Float]?, decoder: [Float]?) {
    let (e, w) = (encoder.detached(), decoder.detached())
    e.requiresGrad = true; w.requiresGrad = true
    let loss = try Graded.reconstructionError(of: data, encoder: e, decoder: w)
    guard loss.count == 1 else { throw TensorError.invalidArgument(operation: "11.1", message: "the loss must be one number, received shape \(loss.shape)") }
    try loss.backward()
    return (try loss.item(), e.grad?.data, w.grad?.data)
}

/// The tolerance for codes: 1e-5 of their largest |value| (at least 1e-5). The 2-D codes reach
/// |28|, where Float's spacing is 2e-6: an absolute 1e-5 would be 5 ulps, too tight for a
/// correct encoder that sums in another order.
func codeTolerance<T: BinaryFloatingPoint>(_ expected: [T]) -> T {
    1e-5 * max(1, expected.map(abs).max() ?? 0)
}

/// nil, or the first value differing by more than `relative` of the expected values' largest |·|.
func scaledDifference(_ received: [Float], _ expected: [Float], relative: Float, what: String) -> String? {
    let scale = max(expected.map(abs).max() ?? 0, 1e-30)
    return firstDifference(received, expected, tolerance: relative * scale).map { "\(what): \($0)" }
}

/// A basis of the same span as `m`'s columns, but other vectors: each column replaced by a
/// combination of all of them (an invertible upper-triangular mix, the diagonal scaled 1…k).
func anotherBasis(_ m: Matrix) throws -> Matrix {
    var out = Matrix(zeros: m.rows, m.columns)
    for r in 0..<m.rows {
        for j in 0..<m.columns {
            var value = 0.0
            for i in 0...j { value += m[r, i] * (i == j ? Double(j + 1) : 0.5) }
            out[r, j] = value
        }
    }
    return out
}

/// What `Fixtures/make_scipy_fixture.py` computed with SciPy.
struct SubspaceAnglesFixture: Decodable {
    struct Case: Decodable {
        let name: String, rows: Int, a_columns: Int, b_columns: Int
        let a: [Double], b: [Double], degrees: [Double]
        func bases() throws -> (Matrix, Matrix) {
            (try Matrix(rows: rows, columns: a_columns, values: a), try Matrix(rows: rows, columns: b_columns, values: b))
        }
    }
    let library: String
    let cases: [Case]
    static func load() throws -> SubspaceAnglesFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/subspace-angles.json")
        return try JSONDecoder().decode(SubspaceAnglesFixture.self, from: Data(contentsOf: url))
    }
}

/// How far a correct 11.1's loss may be from the reference's: the reference's mean squared error
/// (the engine's op) and a sum of the N·D squares in one Float pass (`(d * d).sum() / (N·D)`,
/// what many write) differ by 1.3e-4 of the loss on 300 × 784 values (measured: the catalogued
/// variant `matmul-and-sum`); 1e-3 leaves a margin. The gradients agree to 1e-7 either way and keep
/// 1e-4. Every catalogued mistake is off by a factor, not a fraction of a percent.
enum LossTolerance {
    static let relative: Float = 1e-3
}

/// The graded data of 11.2's step-by-step test: 300 digits, k = 3, 40 steps.
enum TrainingCase {
    static let range = 0..<300
    static let components = 3
    static let settings = LinearAutoencoderSettings(steps: 40)
    /// Each recorded loss may differ from the reference's by this fraction: another correct
    /// loss (a matmul instead of `linear`, another summation order) changes the first loss in its
    /// 7th digit, and Adam, which divides by each gradient's running size, carries such rounding
    /// through 40 steps to ~1e-5 (measured with the catalogued variants); every catalogued
    /// mistake is off by ≥ 1e-1 by step 2.
    static let tolerance: Float = 1e-3
}

/// 11.2 calls the student's 11.1 every step: before 11.2 is graded, 11.1 must agree with the
/// reference on 11.2's data at 11.2's starting weights, else 11.2 waits for it.
func requireReconstructionError(_ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws {
    let (encoder, decoder) = initialWeights(k: k, d: data.shape[1], settings: settings)
    let expected = try Reference.reconstructionError(of: data, encoder: encoder, decoder: decoder)
    try requireEarlier("11.1", for: "11.2", "the loss and its gradients at 11.2's starting weights") {
        let mine = try gradedLossAndGradients(data, encoder, decoder)
        guard let e = mine.encoder, let w = mine.decoder else { return false }
        return scaledDifference([mine.loss], expected[0].data, relative: LossTolerance.relative, what: "") == nil
            && scaledDifference(e, expected[1].data, relative: 1e-4, what: "") == nil
            && scaledDifference(w, expected[2].data, relative: 1e-4, what: "") == nil
    }
}

/// 11.6's inputs: `mnist-autoencoder`, test digits 2,000–2,119 (fitted) and 2,120–2,239 (held
/// out), and lesson 09's exact t-SNE of the fitted digits' pixels (300 iterations, recorded).
enum MapComparisonCase {
    /// T(5) may differ from the reference's by this much: codes that differ from the reference's
    /// in their last bits (a correct 11.5 written differently) can swap two nearly equidistant
    /// neighbours, and each swap moves T by a multiple of 2 / (N k (2N − 3k − 1)) = 1.5e-5
    /// (N = 120, k = 5); every catalogued mistake is off by more than 0.05.
    static let tolerance = 1e-3

    struct Inputs { let model: Module; let fitted: Tensor; let heldOut: Tensor; let map: Matrix; let pixels: Matrix }

    static func inputs() throws -> Inputs {
        let (fitted, _) = try Fixtures.mnistImages(Array(2000..<2120))
        let (heldOut, _) = try Fixtures.mnistImages(Array(2120..<2240))
        let pixels = try Matrix(try fitted.reshaped([120, 784]))
        let map = try Reference.tsneMap(pixels, settings: TSNESettings(iterations: 300))
        return Inputs(model: try Fixtures.autoencoder(), fitted: fitted, heldOut: heldOut, map: map, pixels: pixels)
    }

    /// 11.6 calls the student's 11.5 and lesson 09's 9.6: each must agree with the reference on
    /// 11.6's inputs before 11.6 is graded, else 11.6 waits for it.
    /// (The reference's answers are asked for outside the checks, so recording, which runs the
    /// reference, records them too.)
    static func requireEarlier(_ inputs: Inputs) throws {
        let halves = [inputs.fitted, inputs.heldOut]
        let codes = try halves.map { try Reference.encode($0, with: inputs.model, batchSize: 256) }
        try TestSupport.requireEarlier("11.5", for: "11.6", "the codes of the fitted and held-out digits") {
            for (images, expected) in zip(halves, codes) {
                let mine = try Graded.encode(images, with: inputs.model, batchSize: 256)
                guard mine.rows == expected.rows, mine.columns == expected.columns, agree(mine.values, expected.values, tolerance: codeTolerance(expected.values)) else { return false }
            }
            return true
        }
        let trust = try Reference.trustworthiness(high: inputs.pixels, low: inputs.map, neighbours: 5)
        try TestSupport.requireEarlier("9.6", for: "11.6", "trustworthiness (lesson 09)") {
            abs(try Graded.trustworthiness(high: inputs.pixels, low: inputs.map, neighbours: 5) - trust) <= 1e-9
        }
    }
}

@Suite("Lesson 11 — Autoencoders", .graded(Exercises.lesson))
struct AutoencodersTests {
    // MARK: Exercise 11.1

    @Test("Exercise 11.1: two points on a line, worked by hand: L = 0.125")
    func reconstructionErrorHandChecked() throws {
        // X = [[1, 0], [3, 0]], μ = (2, 0), X̃ = [[−1, 0], [1, 0]]; E = [1, 0] → Z = (−1, 1);
        // W = [0.5, 0]ᵀ → X̂ = [[−0.5, 0], [0.5, 0]]; errors 0.5² twice, over N·D = 4: 0.125.
        let data = tensor([1, 0, 3, 0], [2, 2])
        let loss = try Graded.reconstructionError(of: data, encoder: tensor([1, 0], [1, 2]), decoder: tensor([0.5, 0], [2, 1]))
        let value = loss.count == 1 ? try loss.item() : .nan
        let hint: String
        switch value {
        case let v where abs(v - 0.625) < 1e-6: hint = "this is the error of the raw data: subtract the column means μ = (2, 0) first"
        case let v where abs(v - 0.25) < 1e-6: hint = "this is the sum over each image's D = 2 pixels: F.mse_loss averages over N·D values"
        case let v where abs(v) < 1e-6: hint = "the decoder W = [0.5, 0]ᵀ was not used (Z E reproduces X̃ exactly): decode with the decoder"
        default: hint = "X̃ = X − μ, Z = X̃Eᵀ, X̂ = ZWᵀ, L = mean of (X̂ − X̃)² over all N·D values"
        }
        #expect(abs(value - 0.125) < 1e-6, "L for X = [[1, 0], [3, 0]], E = [1, 0], W = [0.5, 0]ᵀ: expected 0.125, received \(value) (shape \(loss.shape))\n  hint: \(hint)")
    }

    @Test("Exercise 11.1: the same on 64 digits with random weights as the reference (loss 1e-3, gradients 1e-4)")
    func reconstructionErrorAgainstReference() throws {
        let data = try digitRows(0..<64)
        let (encoder, decoder) = initialWeights(k: 4, d: 784, settings: LinearAutoencoderSettings(initialScale: 0.05, seed: 3))
        let expected = try Reference.reconstructionError(of: data, encoder: encoder, decoder: decoder)
        let mine = try gradedLossAndGradients(data, encoder, decoder)
        if let problem = scaledDifference([mine.loss], expected[0].data, relative: LossTolerance.relative, what: "the loss") {
            let ratio = mine.loss / expected[0].data[0]
            Issue.record(Comment(rawValue: problem + (abs(ratio - 784) < 1 ? "\n  hint: it is 784 times the reference's: average over every pixel of every image (N·D values), not over images" : "")))
        }
        guard let e = mine.encoder else { Issue.record("encoder.grad is nil after loss.backward(): build the loss from the encoder with engine ops"); return }
        guard let w = mine.decoder, w.contains(where: { $0 != 0 }) else {
            Issue.record("decoder.grad is \(mine.decoder == nil ? "nil" : "zero") after loss.backward(): the loss must depend on the decoder (X̂ = Z Wᵀ; tying W = Eᵀ ignores it)")
            return
        }
        if let problem = scaledDifference(e, expected[1].data, relative: 1e-4, what: "∂L/∂E") { Issue.record(Comment(rawValue: problem)) }
        if let problem = scaledDifference(w, expected[2].data, relative: 1e-4, what: "∂L/∂W") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test("Exercise 11.1: moving every image by the same vector changes nothing (the data is centred)")
    func reconstructionErrorIgnoresTheMean() throws {
        let data = try digitRows(0..<32)
        let shift = TestData.uniform([1, 784], seed: 5, low: 0, high: 1)
        let moved = try data + shift
        let (encoder, decoder) = initialWeights(k: 3, d: 784, settings: LinearAutoencoderSettings(initialScale: 0.05, seed: 4))
        let before = try Graded.reconstructionError(of: data, encoder: encoder, decoder: decoder).item()
        let after = try Graded.reconstructionError(of: moved, encoder: encoder, decoder: decoder).item()
        #expect(abs(before - after) <= 1e-5 * max(abs(before), 1e-12), """
            the same 32 digits, every one moved by the same vector: L went from \(before) to \(after)
              hint: subtract the column means first (X̃ = X − μ): an autoencoder of centred data does not spend a direction on the mean
            """)
    }

    @Test("Exercise 11.1: backward agrees with central differences of an independent Double computation")
    func reconstructionErrorGradientCheck() throws {
        // 6 points in 5 dimensions, k = 2. L is a quadratic in each single weight, so the central
        // difference in Double is exact up to rounding (~1e-13): the tolerance (1e-4 of the
        // largest gradient) only absorbs the Float engine's rounding of the backward pass.
        let (n, d, k) = (6, 5, 2)
        let data = TestData.uniform([n, d], seed: 21, low: -1, high: 2)
        let (encoder, decoder) = initialWeights(k: k, d: d, settings: LinearAutoencoderSettings(initialScale: 0.5, seed: 22))
        func loss(_ e: [Double], _ w: [Double]) -> Double {
            let x = data.data.map(Double.init)
            let mean = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + x[$1 * d + j] } / Double(n) }
            var total = 0.0
            for i in 0..<n {
                let centred = (0..<d).map { x[i * d + $0] - mean[$0] }
                let z = (0..<k).map { c in (0..<d).reduce(0.0) { $0 + e[c * d + $1] * centred[$1] } }
                for j in 0..<d {
                    let back = (0..<k).reduce(0.0) { $0 + w[j * k + $1] * z[$1] }
                    total += (back - centred[j]) * (back - centred[j])
                }
            }
            return total / Double(n * d)
        }
        let (e0, w0) = (encoder.data.map(Double.init), decoder.data.map(Double.init))
        let h = 1e-4
        var numericE = [Double](), numericW = [Double]()
        for i in e0.indices { var p = e0, m = e0; p[i] += h; m[i] -= h; numericE.append((loss(p, w0) - loss(m, w0)) / (2 * h)) }
        for i in w0.indices { var p = w0, m = w0; p[i] += h; m[i] -= h; numericW.append((loss(e0, p) - loss(e0, m)) / (2 * h)) }
        let mine = try gradedLossAndGradients(data, encoder, decoder)
        #expect(abs(Double(mine.loss) - loss(e0, w0)) <= 1e-5 * loss(e0, w0), "L = \(mine.loss), the Double formula gives \(loss(e0, w0))")
        guard let e = mine.encoder, let w = mine.decoder else {
            Issue.record("after loss.backward() \(mine.encoder == nil ? "encoder" : "decoder").grad is nil: the loss must be built from both weights with engine ops")
            return
        }
        if let problem = scaledDifference(e, numericE.map(Float.init), relative: 1e-4, what: "∂L/∂E against central differences") { Issue.record(Comment(rawValue: problem)) }
        if let problem = scaledDifference(w, numericW.map(Float.init), relative: 1e-4, what: "∂L/∂W against central differences") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test("Exercise 11.1: impossible shapes throw")
    func reconstructionErrorRefusesShapes() throws {
        let data = try digitRows(0..<4)
        try expectRealError("an encoder [2, 783] for data [4, 784]") { _ = try Graded.reconstructionError(of: data, encoder: .zeros([2, 783]), decoder: .zeros([784, 2])) }
        try expectRealError("a decoder [784, 3] for an encoder [2, 784]") { _ = try Graded.reconstructionError(of: data, encoder: .zeros([2, 784]), decoder: .zeros([784, 3])) }
        try expectRealError("data of rank 4") { _ = try Graded.reconstructionError(of: .zeros([4, 1, 28, 28]), encoder: .zeros([2, 784]), decoder: .zeros([784, 2])) }
    }

    // MARK: Exercise 11.2

    @Test("Exercise 11.2: 40 Adam steps on 300 digits (k = 3) follow the reference's losses step by step (1e-3)")
    func trainingFollowsTheReference() throws {
        let data = try digitRows(TrainingCase.range)
        try requireReconstructionError(data, components: TrainingCase.components, settings: TrainingCase.settings)
        let expected = try Reference.trainLinearAutoencoder(data, components: TrainingCase.components, settings: TrainingCase.settings)
        let mine = try Graded.trainLinearAutoencoder(data, components: TrainingCase.components, settings: TrainingCase.settings)
        #expect(mine.encoder.shape == [3, 784] && mine.decoder.shape == [784, 3], "weights: expected encoder [3, 784] and decoder [784, 3], received \(mine.encoder.shape) and \(mine.decoder.shape)")
        guard mine.losses.count == expected.losses.count else {
            Issue.record("\(mine.losses.count) losses recorded, expected one per step: \(expected.losses.count)")
            return
        }
        let differing = mine.losses.indices.filter { abs(mine.losses[$0] - expected.losses[$0]) > TrainingCase.tolerance * expected.losses[$0] }
        if let first = differing.first {
            var hint = ""
            if Set(mine.losses).count == 1 {
                hint = "the loss never moves: all-zero weights have zero gradients (draw both from the seeded N(0, scale²)), or adam.step() is never called"
            } else if zip(mine.losses, expected.losses.dropFirst()).allSatisfy({ abs($0 - $1) <= TrainingCase.tolerance * $1 }) {
                hint = "your losses are the reference's one step later: record each step's loss before adam.step()"
            } else if first == 0 {
                hint = "the first loss, before any step, differs: check the start (encoder [k, D] first, then decoder [D, k], from SeededGenerator(seed: settings.seed) with std settings.initialScale) and that each step's loss is 11.1's"
            } else {
                hint = "the first \(first) losses agree, then they drift apart: the loss is right, so the weights differ — the start (the order of the draws: encoder first), the seed, or the step (one Adam over both, settings.learningRate)"
            }
            Issue.record(Comment(rawValue: "\(differing.count) of \(expected.losses.count) losses differ; the first at step \(first): received \(mine.losses[first]), expected \(expected.losses[first])"
                + (hint.isEmpty ? "" : "\n  hint: \(hint)")))
        }
        if let problem = scaledDifference(mine.mean.data, expected.mean.data, relative: 1e-5, what: "the column means") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test("Exercise 11.2: 200 steps on 500 digits reach the reference's error (k = 2, within 0.5%)")
    func trainingConverges() throws {
        let data = try digitRows(1000..<1500)
        let settings = LinearAutoencoderSettings(steps: 200, seed: 9)
        try requireReconstructionError(data, components: 2, settings: settings)
        let expected = try Reference.trainLinearAutoencoder(data, components: 2, settings: settings)
        let mine = try Graded.trainLinearAutoencoder(data, components: 2, settings: settings)
        guard let last = mine.losses.last, let target = expected.losses.last else { Issue.record("no losses recorded"); return }
        let stuck = mine.losses.allSatisfy { $0 == last }
        #expect(abs(last - target) <= 5e-3 * target, Comment(rawValue: "the last of 200 losses: received \(last), the reference's \(target) (PCA's error with 2 components is the floor)"
            + (stuck ? "\n  hint: the loss never moved: zero gradients (all-zero weights?) or no optimiser step" : "")))
    }

    @Test("Exercise 11.2: bad arguments throw")
    func trainingRefusesArguments() throws {
        let data = try digitRows(0..<10)
        try expectRealError("components 0") { _ = try Graded.trainLinearAutoencoder(data, components: 0, settings: LinearAutoencoderSettings(steps: 1)) }
        try expectRealError("components 785 > D") { _ = try Graded.trainLinearAutoencoder(data, components: 785, settings: LinearAutoencoderSettings(steps: 1)) }
        try expectRealError("steps 0") { _ = try Graded.trainLinearAutoencoder(data, components: 2, settings: LinearAutoencoderSettings(steps: 0)) }
    }

    // MARK: Exercise 11.3

    @Test("Exercise 11.3: the x–y plane against a plane through x = y tilted by 30°: angles 0° and 30°")
    func anglesHandChecked() throws {
        let c = cos(Double.pi / 6), s = sin(Double.pi / 6)
        // a = span(x, y); b = span(x + y, w + x + y) with the unit w = (x − y)/√2 · cos30° + z sin30°,
        // which is orthogonal to x + y and 30° out of the x–y plane. b's columns are neither unit
        // nor orthogonal; the line x = y lies in both planes. The angles: 0° and 30°.
        let r = c / 2.squareRoot()
        let a = try Matrix(rows: 3, columns: 2, values: [1, 0, 0, 1, 0, 0])
        let b = try Matrix(rows: 3, columns: 2, values: [1, r + 1, 1, -r + 1, 0, s])
        let angles = try Graded.principalAngles(between: a, and: b)
        guard angles.count == 2 else { Issue.record("two planes have 2 principal angles, received \(angles.count)"); return }
        if abs(angles[0]) > 1e-5 || abs(angles[1] - 30) > 1e-5 {
            let hint: String
            if abs(angles[1] - Double.pi / 6) < 1e-5 { hint = "these are radians: return degrees (× 180 / π)" }
            else if angles[1] < angles[0] { hint = "smallest first" }
            else { hint = "orthonormalise both bases first (Gram–Schmidt); b's columns are neither unit nor orthogonal, and the line x = y lies in both planes" }
            Issue.record(Comment(rawValue: "angles between span(x, y) and span(x + y, (x − y)/√2 cos30° + z sin30° + x + y): expected [0, 30]°, received \(angles)\n  hint: \(hint)"))
        }
    }

    @Test("Exercise 11.3: four cases agree with scipy.linalg.subspace_angles (in degrees, 1e-5°)")
    func anglesAgainstSciPy() throws {
        let fixture = try SubspaceAnglesFixture.load()
        for test in fixture.cases {
            let (a, b) = try test.bases()
            let angles = try Graded.principalAngles(between: a, and: b)
            guard let problem = firstDifference(angles, test.degrees, tolerance: 1e-5, name: "angle") else { continue }
            let radians = agree(angles.sorted(), test.degrees.map { $0 * .pi / 180 }, tolerance: 1e-7)
            let nan = angles.contains { $0.isNaN }
            let order = agree(angles.sorted(), test.degrees, tolerance: 1e-5)
            Issue.record(Comment(rawValue: "\(test.name): \(problem) (degrees)"
                + (order ? "\n  hint: the right angles in another order: smallest first"
                   : radians ? "\n  hint: these are radians: return degrees" : nan ? "\n  hint: acos of a cosine just above 1 is NaN: clamp the cosines to [0, 1]" : "")))
        }
    }

    @Test("Exercise 11.3: angles belong to the subspaces, not to the bases: another basis of each gives the same angles")
    func anglesIgnoreTheBasis() throws {
        let fixture = try SubspaceAnglesFixture.load()
        let test = fixture.cases[0]
        let (a, b) = try test.bases()
        let angles = try Graded.principalAngles(between: try anotherBasis(a), and: try anotherBasis(b))
        if let problem = firstDifference(angles, test.degrees, tolerance: 1e-5, name: "angle") {
            let order = agree(angles.sorted(), test.degrees, tolerance: 1e-5)
            let withOwnBases = try Graded.principalAngles(between: a, and: b)
            let basisMatters = !order && agree(withOwnBases, test.degrees, tolerance: 1e-5)
            Issue.record(Comment(rawValue: "\(test.name), each basis replaced by other vectors spanning the same subspace (columns mixed and scaled): \(problem)"
                + (order ? "\n  hint: the right angles in another order: smallest first"
                   : basisMatters ? "\n  hint: right with the original bases, wrong with others of the same spans: compare the spans, not the columns — orthonormalise each basis, then take the singular values of QₐᵀQ_b" : "")))
        }
        let same = try Graded.principalAngles(between: a, and: try anotherBasis(a))
        #expect(same.allSatisfy { abs($0) < 1e-4 }, "a subspace against another basis of itself: every angle 0°, received \(same)")
    }

    @Test("Exercise 11.3: bad bases throw")
    func anglesRefuseBadBases() throws {
        let a = try Matrix(rows: 3, columns: 2, values: [1, 0, 0, 1, 0, 0])
        try expectRealError("bases of different D") { _ = try Graded.principalAngles(between: a, and: try Matrix(rows: 4, columns: 1, values: [1, 0, 0, 0])) }
        try expectRealError("4 columns in 3 dimensions") { _ = try Graded.principalAngles(between: a, and: try Matrix(rows: 3, columns: 4, values: [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1])) }
        try expectRealError("linearly dependent columns") { _ = try Graded.principalAngles(between: a, and: try Matrix(rows: 3, columns: 2, values: [1, 2, 1, 2, 0, 0])) }
    }

    // MARK: Exercise 11.4

    @Test("Exercise 11.4: mnist-autoencoder's parameters, names and shapes (code 2)")
    func architectureParameters() throws {
        let shipped = try Fixtures.autoencoder()
        let mine = try Graded.convolutionalAutoencoder(code: 2, seed: 0)
        let expected = shipped.namedParameters().map { "\($0.0) \($0.1.shape)" }
        let received = mine.namedParameters().map { "\($0.0) \($0.1.shape)" }
        let missing = expected.filter { !received.contains($0) }, extra = received.filter { !expected.contains($0) }
        #expect(missing.isEmpty && extra.isEmpty, """
            parameters: \(missing.count) of mnist-autoencoder's missing or of another shape\(missing.first.map { " (first: \($0))" } ?? ""), \(extra.count) not in it\(extra.first.map { " (first: \($0))" } ?? "")
              hint: Sequential(named: [("encoder", Sequential([...])), ("decoder", Sequential([...]))]), layers in the order of the doc comment (ReLUs, Flatten, Unflatten and Sigmoid count as layers: "5" is the first Linear)
            """)
    }

    @Test("Exercise 11.4: with mnist-autoencoder's weights loaded by name, its codes and reconstructions of 8 digits (1e-5, of the codes' scale)")
    func architectureReproducesTheShippedModel() throws {
        let shipped = try Fixtures.autoencoder()
        let mine = try Graded.convolutionalAutoencoder(code: 2, seed: 0)
        let weights = Dictionary(shipped.namedParameters().map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        for (name, parameter) in mine.namedParameters() {
            guard let source = weights[name], source.shape == parameter.shape else { continue }
            try parameter.assign(source.data)
        }
        let (images, _) = try Fixtures.mnistImages(Array(0..<8))
        let expectedCodes = try withNoGrad { try shipped.module(named: "encoder")(images) }
        let expected = try withNoGrad { try shipped(images) }
        let codes = try withNoGrad { try mine.module(named: "encoder")(images) }
        let received = try withNoGrad { try mine(images) }
        let tolerance = codeTolerance(expectedCodes.data)
        if codes.shape != expectedCodes.shape || firstDifference(codes.data, expectedCodes.data, tolerance: tolerance) != nil {
            let clipped = codes.shape == expectedCodes.shape && codes.data.allSatisfy { $0 >= 0 } && expectedCodes.data.contains { $0 < -1e-3 }
            Issue.record(Comment(rawValue: "the encoder's codes of 8 digits: \(codes.shape == expectedCodes.shape ? describeDifference(codes.data, expectedCodes.data, tolerance: tolerance) : "shape \(codes.shape), expected \(expectedCodes.shape)")"
                + (clipped ? "\n  hint: every code is ≥ 0 while the shipped model's are not: no ReLU after the encoder's last Linear (the code may be negative)" : "")))
        }
        guard received.shape == expected.shape else {
            Issue.record(Comment(rawValue: "reconstructions of 8 digits: shape \(received.shape), expected \(expected.shape)"
                + (received.shape.last == 25 ? "\n  hint: 7 → 13 → 25 pixels: ConvTranspose2d needs outputPadding: 1 to reach 14 and 28" : "")))
            return
        }
        if let problem = firstDifference(received.data, expected.data, tolerance: 1e-5) {
            let outside = received.data.contains { $0 < 0 || $0 > 1 }
            Issue.record(Comment(rawValue: "reconstructions of 8 digits: \(problem)" + (outside ? "\n  hint: values outside [0, 1]: end the decoder with Sigmoid()" : "")))
        }
    }

    @Test("Exercise 11.4: a 32-number code: codes [N, 32], reconstructions [N, 1, 28, 28]; code 0 throws")
    func architectureOtherCodes() throws {
        let model = try Graded.convolutionalAutoencoder(code: 32, seed: 1)
        let (images, _) = try Fixtures.mnistImages(Array(0..<3))
        let codes = try withNoGrad { try model.module(named: "encoder")(images) }
        let out = try withNoGrad { try model(images) }
        #expect(codes.shape == [3, 32], "encoder output for 3 digits with code 32: expected [3, 32], received \(codes.shape)")
        #expect(out.shape == [3, 1, 28, 28], "reconstructions: expected [3, 1, 28, 28], received \(out.shape)")
        try expectRealError("code 0") { _ = try Graded.convolutionalAutoencoder(code: 0, seed: 0) }
    }

    // MARK: Exercise 11.5

    @Test("Exercise 11.5: the codes of 7 digits in batches of 3 are the encoder's (1e-5 of their scale)")
    func encodeAgainstReference() throws {
        let model = try Fixtures.autoencoder()
        let (images, _) = try Fixtures.mnistImages(Array(9000..<9007))
        let expected = try Reference.encode(images, with: model, batchSize: 7)
        let received = try Graded.encode(images, with: model, batchSize: 3)
        guard received.rows == 7, received.columns == expected.columns else {
            let hint = received.columns == 784 ? "these are reconstructions (784 pixels): run only autoencoder.module(named: \"encoder\")"
                : received.rows == 6 ? "the last batch (image 6 alone) is missing: 7 = 3 + 3 + 1" : "one row of \(expected.columns) numbers per image"
            Issue.record(Comment(rawValue: "codes of 7 digits: expected 7 × \(expected.columns), received \(received.rows) × \(received.columns)\n  hint: \(hint)"))
            return
        }
        if let problem = firstDifference(received.values, expected.values, tolerance: codeTolerance(expected.values), name: "code value") { Issue.record(Comment(rawValue: "codes of 7 digits: \(problem)")) }
        StudentFigures.save(scatterPicture(received, labels: Array(repeating: 0, count: 7), classNames: ["digit"], title: "your codes of digits 9000-9006"),
                            lesson: "11-Autoencoders", name: "encode-7")
    }

    @Test("Exercise 11.5: the encoder runs batch by batch (3, 3, 1 of 7 digits) without recording a graph")
    func encodeInBatchesWithoutGraph() throws {
        let model = try Fixtures.autoencoder()
        let (images, _) = try Fixtures.mnistImages(Array(0..<7))
        var calls: [(batch: Int, recording: Bool)] = []
        let handle = try model.module(named: "encoder.0").registerForwardHook { _, input, _ in calls.append((input.shape.first ?? 0, GradientMode.isEnabled)) }
        defer { handle.remove() }
        _ = try Graded.encode(images, with: model, batchSize: 3)
        #expect(calls.map(\.batch) == [3, 3, 1], "the encoder's batches for 7 digits with batchSize 3: expected [3, 3, 1], received \(calls.map(\.batch))")
        let recorded = calls.filter(\.recording).count
        #expect(recorded == 0, "\(recorded) of \(calls.count) forward passes recorded a graph\n  hint: run the encoder inside withNoGrad { … }: codes need no gradient")
        #expect(model.liveHookCount == 1, "hooks left on the model: \(model.liveHookCount - 1) besides the test's")
        try expectRealError("batchSize 0") { _ = try Graded.encode(images, with: model, batchSize: 0) }
    }

    // MARK: Exercise 11.6

    @Test("Exercise 11.6: t-SNE's map and the codes of 120 digits, the codes of 120 new ones: T(5) as the reference's (1e-3)")
    func mapComparisonAgainstReference() throws {
        let inputs = try MapComparisonCase.inputs()
        try MapComparisonCase.requireEarlier(inputs)
        let expected = try Reference.mapComparison(of: inputs.model, fitted: inputs.fitted, heldOut: inputs.heldOut, tsneMap: inputs.map, neighbours: 5)
        let mine = try Graded.mapComparison(of: inputs.model, fitted: inputs.fitted, heldOut: inputs.heldOut, tsneMap: inputs.map, neighbours: 5)
        let received = [mine.tsne, mine.codes, mine.newCodes]
        let names = ["tsne", "codes", "newCodes"]
        let differing = received.indices.filter { !(abs(received[$0] - expected[$0]) <= MapComparisonCase.tolerance) }
        guard let first = differing.first else { return }
        let variants = try Reference.mapComparisonHintVariants(of: inputs.model, fitted: inputs.fitted, heldOut: inputs.heldOut, tsneMap: inputs.map, neighbours: 5)
        let hint = variants.first { variant in zip(variant.values, received).allSatisfy { abs(Double($0) - $1) <= 1e-4 } }.map { "\n  hint: \($0.hint)" } ?? ""
        Issue.record(Comment(rawValue: "\(differing.map { names[$0] }.joined(separator: ", ")) differ: \(names[first]) received \(received[first]), expected \(expected[first])"
            + " (all: received \(received.map { String(format: "%.4f", $0) }), expected \(expected.map { String(format: "%.4f", $0) }))" + hint))
    }

    @Test("Exercise 11.6: a t-SNE map of another size throws")
    func mapComparisonRefusesAMapOfAnotherSize() throws {
        let inputs = try MapComparisonCase.inputs()
        let short = try Matrix(rows: inputs.map.rows - 1, columns: 2, values: Array(inputs.map.values.dropLast(2)))
        try expectRealError("a map of 119 rows for 120 fitted images") {
            _ = try Graded.mapComparison(of: inputs.model, fitted: inputs.fitted, heldOut: inputs.heldOut, tsneMap: short, neighbours: 5)
        }
    }

    // MARK: The reference engine (solutions mode)

    #if canImport(AutoencodersSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        try checkReferenceFigures(AutoencodersFigures.self)
    }
    #endif
}
