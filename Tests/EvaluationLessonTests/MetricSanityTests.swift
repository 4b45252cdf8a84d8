import Foundation
#if canImport(EvaluationSolutions)
import EvaluationSolutions
#endif
import LessonSupport
import Testing
import TensorEngine
import TestSupport

/// The sanity check every metric must pass (Adebayo et al.'s spirit, applied to the metrics): on a
/// model whose true attribution is known, the oracle attribution must score best, and a seeded
/// random map must score at chance. A metric that cannot tell the two apart is broken.
///
/// The model: 28×28 images of uniform noise in [0, 1]; logit₁ = 0.5 · Σ_{top-left 4×4} x − 4,
/// logit₀ = 0. Only the 16 swatch pixels matter, so the true attribution (each pixel's
/// contribution to logit₁) is the oracle a = w ⊙ x, zero outside the swatch, and the ground-truth
/// mask is the swatch (Decoy MNIST's corner 0). Chance on the mask metrics is 16/784.
enum LinearOracle {
    static let count = 200, side = 28, area = 784
    static let chance: Double = 16.0 / 784

    static var swatch: [Float] { (0..<area).map { ($0 / side < 4 && $0 % side < 4) ? 1 : 0 } }

    static func model() throws -> Sequential {
        var g = SeededGenerator(seed: 0)
        let fc = Linear(area, 2, generator: &g)
        try fc.weight.assign([Float](repeating: 0, count: area) + swatch.map { $0 * 0.5 })
        try fc.bias.orThrow("bias").assign([0, -4])
        let model = Sequential(named: [("flatten", Flatten()), ("fc", fc)])
        model.eval()
        return model
    }

    static var images: Tensor {
        var g = SeededGenerator(seed: 1)
        return Tensor.randomUniform([count, 1, side, side], using: &g)
    }
    static var oracle: Tensor {
        let mask = swatch
        return tensor(images.data.enumerated().map { $0.element * mask[$0.offset % area] * 0.5 }, [count, 1, side, side])
    }
    static func random(seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor.randomUniform([count, 1, side, side], using: &g)
    }
    static var masks: Tensor { tensor((0..<count).flatMap { _ in swatch }, [count, 1, side, side]) }
    static var targets: [Int] { Array(repeating: 1, count: count) }

    static func mean(_ v: [Float]) -> Double { v.reduce(0) { $0 + Double($1) } / Double(v.count) }
    /// The standard error of the mean of `v`.
    static func standardError(_ v: [Float]) -> Double {
        let m = mean(v)
        return (v.reduce(0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count - 1) / Double(v.count)).squareRoot()
    }
}

@Suite("Lesson 10 — every metric tells the oracle from a random map", .graded(Exercises.lesson))
struct MetricSanityTests {
    /// Mean AUC of deletion (`insertion == false`: image → black) or insertion (black → image).
    func meanAUC(_ maps: Tensor, insertion: Bool, curve: (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor,
                 area: (Tensor) throws -> [Float]) throws -> Double {
        let images = LinearOracle.images, black = Tensor.zeros(images.shape)
        let curves = try curve(try LinearOracle.model(), insertion ? black : images, insertion ? images : black, maps, LinearOracle.targets, 16)
        return LinearOracle.mean(try area(curves))
    }

    /// Each curve's plain mean over its points: a summary of 10.1a's curves that does not need
    /// 10.1b's trapezoid rule, so 10.1a is graded on its own.
    static func meanOfPoints(_ curves: Tensor) throws -> [Float] {
        guard curves.rank == 2, curves.shape[1] > 0 else { throw TensorError.invalidArgument(operation: "curve summary", message: "curves must be [N, S + 1]; received \(curves.shape)") }
        let width = curves.shape[1]
        return (0..<curves.shape[0]).map { n in curves.data[(n * width)..<((n + 1) * width)].reduce(0, +) / Float(width) }
    }

    static let referenceCurve: @Sendable (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor = {
        try Reference.perturbationCurve(of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5)
    }

    /// Random maps of seeds 1…12, the reference's curves: the spread of their mean summary is the
    /// chance band.
    func chanceBand(insertion: Bool) throws -> (mean: Double, spread: Double) {
        let values = try (1...12).map { seed in
            try meanAUC(LinearOracle.random(seed: 100 + UInt64(seed)), insertion: insertion, curve: Self.referenceCurve, area: Self.meanOfPoints)
        }
        let m = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        return (m, sd)
    }

    @Test("Exercise 10.1a: deletion and insertion — the oracle beats chance by far, a random map scores at chance")
    func curvesSeparateOracleFromRandom() throws {
        for insertion in [false, true] {
            let band = try chanceBand(insertion: insertion)
            let curve: (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor = {
                try Graded.perturbationCurve(of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5)
            }
            let oracle = try meanAUC(LinearOracle.oracle, insertion: insertion, curve: curve, area: Self.meanOfPoints)
            let random = try meanAUC(LinearOracle.random(seed: 0), insertion: insertion, curve: curve, area: Self.meanOfPoints)
            let name = insertion ? "insertion" : "deletion"
            let better = insertion ? oracle > band.mean + 10 * band.spread : oracle < band.mean - 10 * band.spread
            #expect(better, "\(name): the oracle's mean AUC \(oracle) must be far \(insertion ? "above" : "below") chance \(band.mean) ± \(band.spread)")
            #expect(abs(random - band.mean) <= 4 * band.spread, "\(name): a random map's mean AUC \(random) must be at chance \(band.mean) ± \(band.spread)")
        }
    }

    @Test("Exercise 10.1b: the area tells the oracle's deletion curve from a random map's")
    func areaSeparatesOracleFromRandom() throws {
        let curve = Self.referenceCurve
        let oracle = try meanAUC(LinearOracle.oracle, insertion: false, curve: curve, area: { try Graded.areaUnderCurve($0) })
        let random = try meanAUC(LinearOracle.random(seed: 0), insertion: false, curve: curve, area: { try Graded.areaUnderCurve($0) })
        // Say what is wrong, not only what should hold.
        var wrong: [String] = []
        if oracle < 0 || random < 0 { wrong.append("an area is negative (\(min(oracle, random))): the curves are probabilities, their area is ≥ 0") }
        if oracle > 1 || random > 1 {
            wrong.append("an area is above 1 (\(max(oracle, random))): a curve of probabilities over [0, 1] has an area ≤ 1 — is each trapezoid multiplied by the step width 1/S?")
        }
        if wrong.isEmpty, !(oracle < random / 2) {
            wrong.append("the oracle's deletion area \(oracle) is not well under a random map's \(random): the area does not follow the curve")
        }
        #expect(wrong.isEmpty, Comment(rawValue: wrong.joined(separator: "\n")))
    }

    /// The oracle scores 1 on a mask metric and a random map the chance 16/784 within 4 standard errors.
    func expectOracleAndChance(_ name: String, _ metric: (Tensor) throws -> [Float]) throws {
        let oracle = LinearOracle.mean(try metric(LinearOracle.oracle))
        let randomValues = try metric(LinearOracle.random(seed: 0))
        let random = LinearOracle.mean(randomValues)
        let error = max(LinearOracle.standardError(randomValues), (LinearOracle.chance * (1 - LinearOracle.chance) / Double(LinearOracle.count)).squareRoot() / 4)
        #expect(abs(oracle - 1) < 1e-6, "\(name): the oracle attribution (the swatch's true contributions) scores 1; received \(oracle)")
        #expect(abs(random - LinearOracle.chance) <= 4 * error,
                "\(name): a seeded random map must score chance 16/784 = \(LinearOracle.chance) (± \(4 * error)); received \(random)")
    }

    @Test("Exercise 10.2a: the pointing game — oracle 1, random at chance")
    func pointingSanity() throws {
        try expectOracleAndChance("pointing game") { try Graded.pointingGame(attributions: $0, masks: LinearOracle.masks) }
    }

    @Test("Exercise 10.2b: relevance mass — oracle 1, random at chance")
    func massSanity() throws {
        try expectOracleAndChance("relevance mass") { try Graded.relevanceMass(attributions: $0, masks: LinearOracle.masks) }
    }

    @Test("Exercise 10.2c: relevance rank accuracy — oracle 1, random at chance")
    func rankSanity() throws {
        try expectOracleAndChance("relevance rank accuracy") { try Graded.relevanceRankAccuracy(attributions: $0, masks: LinearOracle.masks) }
    }

    @Test("Exercise 10.3: the decoy share — oracle 1, random at chance")
    func decoySanity() throws {
        try expectOracleAndChance("decoy share") { try Graded.decoyShare(attributions: $0, corners: Array(repeating: 0, count: LinearOracle.count)) }
    }

    @Test("Exercise 10.6b: ROAD — the oracle scores far above a random map, which scores 0 (LeRF and MoRF alike)")
    func roadSanity() throws {
        // The first 60 of the oracle's images (2 × 2 × 2 × 60 = 480 imputations: an iterative
        // solver in the student's module has time for them).
        let count = 60
        let model = try LinearOracle.model(), images = try LinearOracle.images.sliced(axis: 0, 0..<count)
        let targets = Array(LinearOracle.targets.prefix(count))
        // (mean LeRF − mean MoRF) / 2 over percentiles 30 and 70 — pytorch-grad-cam's ROADCombined.
        func combined(_ maps: Tensor) throws -> [Float] {
            let maps = try maps.sliced(axis: 0, 0..<count)
            var total = [Float](repeating: 0, count: count)
            for p in [30, 70] {
                for order in RemovalOrder.allCases {
                    let scores = try Graded.roadScores(of: model, images: images, attributions: maps, targets: targets, percentile: p, order: order)
                    for i in total.indices { total[i] += (order == .leastRelevantFirst ? 1 : -1) * scores[i] / 4 }
                }
            }
            return total
        }
        let oracle = try combined(LinearOracle.oracle), random = try combined(LinearOracle.random(seed: 0))
        let error = LinearOracle.standardError(random)
        #expect(abs(LinearOracle.mean(random)) <= 4 * error + 1e-4,
                "a random map removes the same kind of pixels first and last: ROAD ≈ 0 ± \(4 * error); received \(LinearOracle.mean(random))")
        #expect(LinearOracle.mean(oracle) > LinearOracle.mean(random) + 0.1,
                "the oracle (the swatch's true contributions) must score far above a random map: \(LinearOracle.mean(oracle)) vs \(LinearOracle.mean(random))")
    }
}
