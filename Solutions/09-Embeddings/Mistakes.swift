// The mistake catalogue of Lesson 09: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify`).

import Course
import Foundation
import LessonSupport
import TensorEngine

public enum EmbeddingsMistakes {
    // MARK: 9.1

    public typealias Features = EmbeddingsCourse.Features

    public static func features(_ id: Features, of model: Module, at layer: String, for images: Tensor, batchSize: Int) throws -> Tensor {
        switch id {
        case .oneBatch:
            guard batchSize > 0 else { throw TensorError.invalidArgument(operation: "features", message: "batchSize must be positive") }
            return try EmbeddingsSolutions.features(of: model, at: layer, for: images, batchSize: max(batchSize, images.shape[0]))
        case .recordsGraph:
            guard batchSize > 0 else { throw TensorError.invalidArgument(operation: "features", message: "batchSize must be positive") }
            guard layer != "pixels" else { return try EmbeddingsSolutions.features(of: model, at: layer, for: images, batchSize: batchSize) }
            let module = try model.module(named: layer)
            var captured: Tensor?
            let handle = module.registerForwardHook { _, _, output in captured = output }
            defer { handle.remove() }
            var values: [Float] = []
            let n = images.shape[0]
            for start in stride(from: 0, to: n, by: batchSize) {
                _ = try model(images.sliced(axis: 0, start..<min(start + batchSize, n)))
                values += try captured.orThrow("layer did not run").data
            }
            return try Tensor(shape: [n, values.count / max(n, 1)], data: values)
        case .dropsLastBatch:
            let n = images.shape[0], kept = n / max(batchSize, 1) * max(batchSize, 1)
            return try EmbeddingsSolutions.features(of: model, at: layer, for: images.sliced(axis: 0, 0..<kept), batchSize: batchSize)
        case .channelsLast:
            guard layer != "pixels" else { return try EmbeddingsSolutions.features(of: model, at: layer, for: images, batchSize: batchSize) }
            let module = try model.module(named: layer)
            var captured: Tensor?
            let handle = module.registerForwardHook { _, _, output in captured = output }
            defer { handle.remove() }
            _ = try withNoGrad { try model(images) }
            let output = try captured.orThrow("layer did not run")
            guard output.rank == 4 else { return try output.detached().reshaped([output.shape[0], output.count / output.shape[0]]) }
            let (n, c, h, w) = (output.shape[0], output.shape[1], output.shape[2], output.shape[3])
            var values = [Float](repeating: 0, count: output.count)
            for i in 0..<n { for k in 0..<c { for y in 0..<h { for x in 0..<w {
                values[((i * h + y) * w + x) * c + k] = output.data[((i * c + k) * h + y) * w + x]
            } } } }
            return try Tensor(shape: [n, c * h * w], data: values)
        }
    }

    // MARK: 9.2

    public typealias PCA = EmbeddingsCourse.PCA

    public static func pca(_ id: PCA, _ data: Matrix, components k: Int) throws -> PCAResult {
        switch id {
        case .noCentring:
            _ = try EmbeddingsSolutions.pca(data, components: k)     // the same checks
            // The uncentred second moment XᵀX/(N − 1) in place of the covariance.
            let (n, d) = (data.rows, data.columns)
            var moment = Matrix(zeros: d, d)
            for i in 0..<n { for a in 0..<d { let xa = data.values[i * d + a]; if xa == 0 { continue }
                for b in 0..<d { moment.values[a * d + b] += xa * data.values[i * d + b] } } }
            for t in moment.values.indices { moment.values[t] /= Double(n - 1) }
            let (values, vectors) = symmetricEigen(moment)
            var components = Matrix(zeros: k, d)
            for c in 0..<k { for j in 0..<d { components.values[c * d + j] = vectors.values[j * d + c] } }
            flipSigns(&components)
            let total = values.reduce(0, +)
            return PCAResult(components: components, explainedVarianceRatio: values.prefix(k).map { $0 / total },
                             projection: project(data.values, rows: n, on: components))
        case .ascending:
            let full = try EmbeddingsSolutions.pca(data, components: min(data.rows, data.columns))
            let d = data.columns, all = full.components.rows
            let order = Array((0..<all).reversed().prefix(k))
            var components = Matrix(zeros: k, d), projection = Matrix(zeros: data.rows, k)
            for (c, source) in order.enumerated() {
                for j in 0..<d { components.values[c * d + j] = full.components.values[source * d + j] }
                for i in 0..<data.rows { projection.values[i * k + c] = full.projection.values[i * all + source] }
            }
            return PCAResult(components: components, explainedVarianceRatio: order.map { full.explainedVarianceRatio[$0] }, projection: projection)
        case .firstEntryPositive:
            var result = try EmbeddingsSolutions.pca(data, components: k)
            let d = data.columns
            for c in 0..<k where result.components.values[c * d] < 0 {
                for j in 0..<d { result.components.values[c * d + j] *= -1 }
                for i in 0..<data.rows { result.projection.values[i * k + c] *= -1 }
            }
            return result
        }
    }

    // MARK: 9.3

    public typealias Affinities = EmbeddingsCourse.Affinities

    public static func tsneAffinities(_ id: Affinities, _ data: Matrix, perplexity: Double) throws -> LessonSupport.Affinities {
        let n = data.rows
        let distances = squaredDistances(data)
        var conditional = Matrix(zeros: n, n)
        switch id {
        case .searchesVariance, .log2Entropy:
            let desired = id == .log2Entropy ? log2(perplexity) : log(perplexity)
            for i in 0..<n {
                var p = [Double](repeating: 0, count: n)
                var (beta, low, high) = (1.0, -Double.infinity, Double.infinity)
                for _ in 0..<100 {
                    var sum = 0.0
                    for j in 0..<n where j != i { p[j] = exp(-distances.values[i * n + j] * beta); sum += p[j] }
                    if sum == 0 { sum = 1e-8 }
                    var weighted = 0.0
                    for j in 0..<n { p[j] /= sum; weighted += distances.values[i * n + j] * p[j] }
                    let difference = log(sum) + beta * weighted - desired
                    if abs(difference) <= 1e-5 { break }
                    // The variance rule: too wide (entropy too high) → shrink the variable.
                    let grow = id == .searchesVariance ? difference < 0 : difference > 0
                    if grow { low = beta; beta = high == .infinity ? beta * 2 : (beta + high) / 2 } else {
                        high = beta; beta = low == -.infinity ? beta / 2 : (beta + low) / 2
                    }
                }
                conditional.values.replaceSubrange((i * n)..<((i + 1) * n), with: p)
            }
            return LessonSupport.Affinities(conditional: conditional, joint: joint(conditional))
        case .logBetaBisection:
            // The same bracket logic on u = ln β: it stops inside the entropy tolerance too, but at
            // another β than the stub's bisection (P off by ~1e-5 of its scale).
            let desired = log(Double(Float(perplexity)))
            for i in 0..<n {
                var p = [Double](repeating: 0, count: n)
                var (u, low, high) = (0.0, -Double.infinity, Double.infinity)
                for _ in 0..<100 {
                    let beta = exp(u)
                    var sum = 0.0
                    for j in 0..<n where j != i { p[j] = exp(-distances.values[i * n + j] * beta); sum += p[j] }
                    if sum == 0 { sum = 1e-8 }
                    var weighted = 0.0
                    for j in 0..<n { p[j] /= sum; weighted += distances.values[i * n + j] * p[j] }
                    let difference = log(sum) + beta * weighted - desired
                    if abs(difference) <= Double(Float(1e-5)) { break }
                    if difference > 0 { low = u; u = high == .infinity ? u + 1 : (u + high) / 2 } else {
                        high = u; u = low == -.infinity ? u - 1 : (u + low) / 2
                    }
                }
                conditional.values.replaceSubrange((i * n)..<((i + 1) * n), with: p)
            }
            return LessonSupport.Affinities(conditional: conditional, joint: joint(conditional))
        case .notSymmetrised, .notNormalised:
            let right = try EmbeddingsSolutions.tsneAffinities(data, perplexity: perplexity)
            var p = Matrix(zeros: n, n)
            for i in 0..<n { for j in 0..<n where j != i {
                let c = right.conditional.values
                p.values[i * n + j] = id == .notSymmetrised ? max(c[i * n + j] / Double(n), machineEpsilon) : c[i * n + j] + c[j * n + i]
            } }
            return LessonSupport.Affinities(conditional: right.conditional, joint: p)
        }
    }

    // MARK: 9.4

    public typealias Gradient = EmbeddingsCourse.Gradient

    public static func tsneGradient(_ id: Gradient, _ p: Matrix, _ y: Matrix) throws -> (kl: Double, gradient: Matrix) {
        let (n, m) = (y.rows, y.columns)
        func d2(_ i: Int, _ j: Int) -> Double { (0..<m).reduce(0) { let t = y[i, $1] - y[j, $1]; return $0 + t * t } }
        let kernel: (Double) -> Double = id == .gaussianQ ? { exp(-$0) } : { 1 / (1 + $0) }
        var z = 0.0
        for i in 0..<n { for j in 0..<n where j != i { z += kernel(d2(i, j)) } }
        var kl = 0.0
        var gradient = Matrix(zeros: n, m)
        for i in 0..<n { for j in 0..<n where j != i {
            let w = kernel(d2(i, j)), q = max(w / z, machineEpsilon), pij = p[i, j]
            kl += pij * log(max(pij, machineEpsilon) / q)
            let factor: Double
            switch id {
            case .gaussianQ: factor = 4 * (pij - q) * w
            case .missingFactorFour: factor = (pij - q) * w
            case .missingKernel: factor = 4 * (pij - q)
            }
            for c in 0..<m { gradient[i, c] += factor * (y[i, c] - y[j, c]) }
        } }
        return (kl, gradient)
    }

    // MARK: 9.5

    public typealias Optimiser = EmbeddingsCourse.Optimiser

    public static func tsne(_ id: Optimiser, _ data: Matrix, settings: TSNESettings) throws -> TSNEResult {
        var variant = TSNEVariant()
        switch id {
        case .exaggerationNeverOff: variant.switchOffExaggeration = false
        case .unscaledStart: variant.scaleStart = false
        case .momentumNeverRaised: variant.raiseMomentum = false
        }
        return try EmbeddingsSolutions.tsne(data, settings: settings, variant: variant)
    }

    // MARK: 9.6

    public typealias Trustworthiness = EmbeddingsCourse.Trustworthiness

    public static func trustworthiness(_ id: Trustworthiness, high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
        switch id {
        case .spacesSwapped:
            return try EmbeddingsSolutions.trustworthiness(high: low, low: high, neighbours: k)
        case .countsItself:
            _ = try EmbeddingsSolutions.trustworthiness(high: high, low: low, neighbours: k)     // the same checks
            let n = high.rows
            let dh = exactSquaredDistances(high), dl = exactSquaredDistances(low)
            var t = 0
            for i in 0..<n {
                var rank = [Int](repeating: 0, count: n)
                let withSelf = (0..<n).sorted { (dh[i * n + $0], $0 == i ? 0 : 1, $0) < (dh[i * n + $1], $1 == i ? 0 : 1, $1) }
                for (r, j) in withSelf.enumerated() { rank[j] = r + 1 }
                t += neighbourOrder(dl, row: i, count: n).prefix(k).reduce(0) { $0 + max(rank[$1] - k, 0) }
            }
            return 1 - Double(t) * (2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)))
        }
    }

    // MARK: 9.7

    public typealias KNN = EmbeddingsCourse.KNN

    public static func knnAccuracy(_ id: KNN, _ points: Matrix, labels: [Int], neighbours k: Int) throws -> Double {
        _ = try EmbeddingsSolutions.knnAccuracy(points, labels: labels, neighbours: k)     // the same checks
        let n = points.rows
        let distances = exactSquaredDistances(points)
        var right = 0
        for i in 0..<n {
            let voters = id == .includesItself ? [i] + neighbourOrder(distances, row: i, count: n).prefix(k - 1) : Array(neighbourOrder(distances, row: i, count: n).prefix(k))
            var votes: [Int: Int] = [:]
            for j in voters { votes[labels[j], default: 0] += 1 }
            let winner = id == .tieToLarger ? votes.max { ($0.value, $0.key) < ($1.value, $1.key) }!.key
                : votes.max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key
            if winner == labels[i] { right += 1 }
        }
        return Double(right) / Double(n)
    }
}
