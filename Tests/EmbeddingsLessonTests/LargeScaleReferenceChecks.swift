#if canImport(EmbeddingsSolutions)
@testable import EmbeddingsSolutions
@testable import LargeScaleEmbedding
#endif
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport
// The reference engine's own tests: the full edition only (the student edition has no Solutions/).
#if canImport(EmbeddingsSolutions)

/// The engine's large-scale embedding code (`workbook embed` on 10,000 images) against the
/// exercises' reference (fast path beside naive path, as llm.c does) and against scikit-learn's
/// Barnes–Hut t-SNE. Not graded: no student code runs here.
@Suite("Lesson 09 engine: large-scale PCA, neighbours, Barnes-Hut t-SNE and UMAP")
struct LargeScaleEmbeddingTests {
    /// `rows × columns` values N(0, 1) from a seed, with a few duplicated rows (ties for the
    /// neighbour searches) when asked.
    static func gaussian(_ rows: Int, _ columns: Int, seed: UInt64, duplicates: Bool = false, scale: [Double]? = nil) throws -> Matrix {
        var generator = SeededGenerator(seed: seed)
        var values = Tensor.randomNormal([rows, columns], mean: 0, std: 1, using: &generator).data.map(Double.init)
        if let scale { for i in 0..<rows { for j in 0..<columns { values[i * columns + j] *= scale[j] } } }
        if duplicates { for i in stride(from: 7, to: rows, by: 11) { for j in 0..<columns { values[i * columns + j] = values[(i - 7) * columns + j] } } }
        return try Matrix(rows: rows, columns: columns, values: values)
    }

    @Test("the covariance kernel equals the plain triple loop, edge tiles included")
    func covarianceKernel() throws {
        for (n, d) in [(7, 13), (40, 8), (33, 21)] {
            let x = try Self.gaussian(n, d, seed: UInt64(n * d)).values
            let fast = covarianceUpperTriangle(x, rows: n, columns: d)
            var worst = 0.0
            for a in 0..<d { for b in a..<d {
                var s = 0.0
                for i in 0..<n { s += x[i * d + a] * x[i * d + b] }
                worst = max(worst, abs(fast[a * d + b] - s) / max(abs(s), 1))
            } }
            #expect(worst <= 1e-13, "N \(n), D \(d): largest relative difference \(worst)")
        }
    }

    @Test("fastPCA (subspace iteration) gives pca's components, ratios and projection")
    func fastPCAAgrees() throws {
        // Decreasing variances per column so that the top components are well separated.
        let data = try Self.gaussian(600, 120, seed: 3, scale: (0..<120).map { 3 * pow(0.96, Double($0)) })
        let reference = try pca(data, components: 3), fast = try fastPCA(data, components: 3)
        #expect(closeTo(fast.components.values, reference.components.values, tolerance: 1e-8))
        #expect(closeTo(fast.explainedVarianceRatio, reference.explainedVarianceRatio, tolerance: 1e-10))
        #expect(closeTo(fast.projection.values, reference.projection.values, tolerance: 1e-7))
    }

    @Test("fastPCA's single-precision covariance (large inputs) keeps the components within 1e-5")
    func singlePrecisionPath() throws {
        let data = try Self.gaussian(700, 150, seed: 15, scale: (0..<150).map { 2 * pow(0.97, Double($0)) })
        var x = data.values
        for j in 0..<150 { let mean = (0..<700).reduce(0.0) { $0 + x[$1 * 150 + j] } / 700; for i in 0..<700 { x[i * 150 + j] -= mean } }
        var single = singlePrecisionCovariance(x, rows: 700, columns: 150), double = covarianceUpperTriangle(x, rows: 700, columns: 150)
        for a in 0..<150 { for b in a..<150 { single[b * 150 + a] = single[a * 150 + b]; double[b * 150 + a] = double[a * 150 + b] } }
        let largest = double.map(abs).max()!
        var worst = 0.0
        for a in 0..<150 { for b in a..<150 { worst = max(worst, abs(single[a * 150 + b] - double[a * 150 + b]) / largest) } }
        #expect(worst <= 1e-6, "single vs double covariance: largest difference \(worst) of the largest entry")
        let (values, vectors) = topEigenvectors(single, size: 150, count: 2)
        let (reference, referenceVectors) = topEigenvectors(double, size: 150, count: 2)
        #expect(closeTo(values, reference, tolerance: 1e-5))
        let aligned = zip(vectors, referenceVectors).map { abs($0) - abs($1) }
        #expect(aligned.allSatisfy { abs($0) <= 1e-5 }, "components differ by \(aligned.map(abs).max()!)")
    }

    @Test("fastPCA of 300 digit crops (constant columns included) agrees with scikit-learn's PCA within 1e-4")
    func fastPCAAgreesWithSklearn() throws {
        let fixture = try SklearnFixture.load()
        let result = try fastPCA(try croppedDigits(300), components: 5)
        #expect(closeTo(result.components.values, fixture.pca_components, tolerance: 1e-4))
        #expect(closeTo(result.explainedVarianceRatio, fixture.pca_ratio, tolerance: 1e-4))
        #expect(closeTo(result.projection.values, fixture.pca_projection, tolerance: 1e-4))
    }

    @Test("nearest neighbours and their distances equal the full sort, ties by index, both paths")
    func neighbours() throws {
        for (columns, seed) in [(40, UInt64(5)), (3, 6)] {
            let data = try Self.gaussian(150, columns, seed: seed, duplicates: true)
            let lists = nearestNeighbours(data, count: 9)
            let full = exactSquaredDistances(data)
            var wrong = 0
            for i in 0..<150 {
                let expected = Array(neighbourOrder(full, row: i, count: 150).prefix(9))
                if Array(lists.indices[(i * 9)..<((i + 1) * 9)]) != expected { wrong += 1 }
                for (r, j) in expected.enumerated() where lists.distances[i * 9 + r] != full[i * 150 + j] { wrong += 1 }
            }
            #expect(wrong == 0, "D \(columns): \(wrong) rows or distances differ from the full sort")
        }
    }

    @Test("large-scale trustworthiness and kNN accuracy equal the exercises' (exactly)")
    func scoresAgree() throws {
        let high = try Self.gaussian(200, 30, seed: 8, duplicates: true)
        let low = try fastPCA(high, components: 2).projection
        for k in [1, 5, 12] {
            let fast = try largeScaleTrustworthiness(high: high, low: low, neighbours: k)
            let reference = try trustworthiness(high: high, low: low, neighbours: k)
            #expect(abs(fast - reference) <= 1e-14, "k \(k): \(fast) vs \(reference)")
        }
        // Integer grid points: many equal distances, so the tie rules matter.
        var generator = SeededGenerator(seed: 9)
        let grid = try Matrix(rows: 120, columns: 2, values: (0..<240).map { _ in Double(Int(generator.next() % 6)) })
        let labels = (0..<120).map { $0 % 4 }
        #expect(try largeScaleKNNAccuracy(grid, labels: labels, neighbours: 5) == knnAccuracy(grid, labels: labels, neighbours: 5))
    }

    @Test("sparse affinities with every point a neighbour equal the exact joint P")
    func sparseAffinitiesMatchExact() throws {
        let data = try Self.gaussian(30, 6, seed: 10)
        let sparse = barnesHutAffinities(data, perplexity: 12)          // k = min(29, 37) = 29: all
        let exact = try tsneAffinities(data, perplexity: 12).joint
        var dense = [Double](repeating: 0, count: 900)
        for i in 0..<30 { for e in sparse.rowStart[i]..<sparse.rowStart[i + 1] { dense[i * 30 + sparse.columns[e]] = sparse.values[e] } }
        let floored = dense.enumerated().map { $0.offset % 31 == 0 ? 0 : max($0.element, machineEpsilon) }
        #expect(closeTo(floored, exact.values, tolerance: 1e-12))
    }

    @Test("Barnes-Hut gradient: θ = 0 equals the exact gradient; θ = 0.5 is close")
    func barnesHutGradient() throws {
        let data = try Self.gaussian(80, 5, seed: 11)
        let p = barnesHutAffinities(data, perplexity: 8)
        var dense = [Double](repeating: 0, count: 80 * 80)
        for i in 0..<80 { for e in p.rowStart[i]..<p.rowStart[i + 1] { dense[i * 80 + p.columns[e]] = p.values[e] } }
        let y = try Self.gaussian(80, 2, seed: 12).values.map { 3 * $0 }
        let (klExact, gradientExact) = klAndGradient(dense, y, count: 80, dimensions: 2, computeError: true)
        let (kl0, gradient0) = EmbeddingsSolutions.barnesHutGradient(p, factor: 1, y, theta: 0, computeError: true)
        #expect(abs(kl0 - klExact) <= 1e-10 * abs(klExact))
        #expect(closeTo(gradient0, gradientExact, tolerance: 1e-10))
        let (_, gradientHalf) = EmbeddingsSolutions.barnesHutGradient(p, factor: 1, y, theta: 0.5, computeError: false)
        let error = zip(gradientHalf, gradientExact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let norm = gradientExact.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(error <= 0.05 * norm, "θ = 0.5: ‖error‖ \(error) vs ‖gradient‖ \(norm)")
    }

    @Test("sparse P and the Barnes-Hut KL and gradient agree with scikit-learn's _joint_probabilities_nn and _kl_divergence_bh")
    func barnesHutAgreesWithSklearn() throws {
        let fixture = try BarnesHutFixture.load()
        let p = barnesHutAffinities(try croppedDigits(100), perplexity: 10)
        var dense = [Double](repeating: 0, count: 100 * 100)
        for i in 0..<100 { for e in p.rowStart[i]..<p.rowStart[i + 1] { dense[i * 100 + p.columns[e]] = p.values[e] } }
        #expect(closeTo(dense, fixture.bh_joint, tolerance: 1e-5), "P: first difference \(firstDifference(dense, fixture.bh_joint))")
        // scikit-learn computes the gradient in float32: agreement to ~1e-6 relative.
        let (kl0, gradient0) = EmbeddingsSolutions.barnesHutGradient(p, factor: 1, fixture.bh_y, theta: 0, computeError: true)
        #expect(abs(kl0 - fixture.bh_kl_0) <= 1e-5 * abs(fixture.bh_kl_0), "KL θ = 0: ours \(kl0), scikit-learn \(fixture.bh_kl_0)")
        #expect(closeTo(gradient0, fixture.bh_grad_0, tolerance: 1e-5), "gradient θ = 0: \(firstDifference(gradient0, fixture.bh_grad_0))")
        // θ = 0.5: both approximate; the trees' cells differ in detail, so agreement is to the
        // approximation's size, and both are near the exact gradient.
        let (_, gradient5) = EmbeddingsSolutions.barnesHutGradient(p, factor: 1, fixture.bh_y, theta: 0.5, computeError: false)
        let difference = zip(gradient5, fixture.bh_grad_5).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let norm = fixture.bh_grad_5.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(difference <= 0.02 * norm, "θ = 0.5: ‖ours − scikit-learn‖ \(difference), ‖scikit-learn‖ \(norm)")
    }

    @Test("UMAP's curve parameters and fuzzy simplicial set agree with umap-learn's")
    func umapAgreesWithUmapLearn() throws {
        let fixture = try UMAPFixture.load()
        let (a, b) = curveParameters(minimumDistance: 0.1, spread: 1)
        #expect(abs(a - fixture.a) <= 1e-6 * fixture.a && abs(b - fixture.b) <= 1e-6 * fixture.b, "a \(a) b \(b), umap-learn \(fixture.a) \(fixture.b)")
        let graph = fuzzySimplicialSet(try croppedDigits(100), neighbours: 15)
        var dense = [Double](repeating: 0, count: 100 * 100)
        for i in 0..<100 { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { dense[i * 100 + graph.columns[e]] = graph.values[e] } }
        // umap-learn keeps distances and σ in float32: agreement to ~1e-6.
        #expect(closeTo(dense, fixture.graph, tolerance: 1e-5), "graph: \(firstDifference(dense, fixture.graph))")
    }

    @Test("UMAP: the same seed gives the same bits on 1 and 2 threads; another seed another map")
    func umapIsSeeded() throws {
        let data = try Self.gaussian(300, 20, seed: 14)
        let settings = UMAPSettings(epochs: 50, seed: 3)
        let one = try Parallel.withThreads(1) { try umap(data, settings: settings, principalComponents: { try fastPCA($0, components: 2).projection }).values }
        let two = try Parallel.withThreads(2) { try umap(data, settings: settings, principalComponents: { try fastPCA($0, components: 2).projection }).values }
        #expect(zip(one, two).allSatisfy { $0.bitPattern == $1.bitPattern })
        #expect(try umap(data, settings: UMAPSettings(epochs: 50, seed: 4), principalComponents: { try fastPCA($0, components: 2).projection }).values != one)
    }

    @Test("UMAP's layout: the fast path gives its naive twin's bits (the graph of 400 points, 60 epochs, every sampling schedule)")
    func umapLayoutMatchesItsNaiveTwin() throws {
        let data = try Self.gaussian(400, 12, seed: 21)
        let graph = fuzzySimplicialSet(data, neighbours: 15)
        var heads: [Int] = [], tails: [Int] = [], weights: [Double] = []
        for i in 0..<400 { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { heads.append(i); tails.append(graph.columns[e]); weights.append(graph.values[e]) } }
        let largest = weights.max()!
        let layout = UMAPLayout(points: 400, heads: heads, tails: tails, epochsPerSample: weights.map { 60 / (60 * $0 / largest) }, epochs: 60,
                                a: 1.577, b: 0.895, settings: UMAPSettings(epochs: 60, seed: 5))
        var g = SeededGenerator(seed: 8)
        let start = (0..<800).map { _ in Double(g.nextFloat()) * 10 }
        var fast = start, naive = start
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        layout.optimise(&fast, using: &g1, progress: nil)
        layout.optimiseNaively(&naive, using: &g2, progress: nil)
        #expect(fast != start)
        #expect(zip(fast, naive).allSatisfy { $0.bitPattern == $1.bitPattern }, "first difference at \(zip(fast, naive).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
        #expect(g1.next() == g2.next(), "the two drew different numbers of negative samples")
    }

    @Test("Barnes-Hut t-SNE, PCA and neighbours: the same bits on 1, 2 and 3 threads")
    func threadCountDeterminism() throws {
        let data = try Self.gaussian(400, 60, seed: 13, duplicates: true)
        let settings = TSNESettings(perplexity: 20, iterations: 300)
        func run() throws -> [Double] {
            try barnesHutTSNE(data, settings: settings).embedding.values + fastPCA(data, components: 2).projection.values
                + nearestNeighbours(data, count: 5).distances
        }
        let one = try Parallel.withThreads(1) { try run() }
        for threads in [2, 3] {
            let other = try Parallel.withThreads(threads) { try run() }
            #expect(one.count == other.count)
            #expect(zip(one, other).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(threads) threads differ from 1")
        }
    }
}

/// `Fixtures/umap-learn.json`, written by `make_umap_fixture.py` beside it.
struct UMAPFixture: Decodable {
    let library: String
    let a: Double, b: Double, graph: [Double]
    let umap_2000_trust_5: Double, umap_2000_seconds: Double

    static let shared: Result<UMAPFixture, Error> = Result {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/umap-learn.json")
        return try JSONDecoder().decode(UMAPFixture.self, from: Data(contentsOf: url))
    }
    static func load() throws -> UMAPFixture { try shared.get() }
}

/// Where two arrays first differ by more than rounding, for messages.
private func firstDifference(_ a: [Double], _ b: [Double]) -> String {
    guard a.count == b.count else { return "\(a.count) values vs \(b.count)" }
    guard let k = a.indices.first(where: { abs(a[$0] - b[$0]) > 1e-12 * max(1, abs(b[$0])) }) else { return "none" }
    return "[\(k)] received \(a[k]) expected \(b[k])"
}

/// Agreement within `tolerance` relative to the larger magnitude (absolute below 1).
private func closeTo(_ a: [Double], _ b: [Double], tolerance: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0), abs($1)) }
}
#endif
