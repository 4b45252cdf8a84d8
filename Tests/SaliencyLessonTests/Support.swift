// Hand-set models, the captum fixture and helpers shared by the tests of Lesson 02.

import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport

// MARK: - Hand-set models

/// Logits W·x + b of a `[N, 1, 2, 2]` input (flattened to 4 values):
/// W = [[1, −2, 3, −4], [0.5, 0.25, −1, 2]], b = [0.1, −0.2]. So ∂y₀/∂x = [1, −2, 3, −4] and
/// ∂y₁/∂x = [0.5, 0.25, −1, 2], whatever x is.
let linearWeights: [[Float]] = [[1, -2, 3, -4], [0.5, 0.25, -1, 2]]
func linearModel() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let fc = Linear(4, 2, bias: true, generator: &g)
    try fc.weight.assign(linearWeights.flatMap { $0 })
    try fc.bias?.assign([0.1, -0.2])
    return Sequential(named: [("flatten", Flatten()), ("fc", fc)])
}

/// One logit F(x) = ReLU(x₁ + x₂ − 1.95) of a `[N, 1, 1, 2]` input. Along the path α·x from the
/// black baseline to x = [2, 1] the pre-activation is 3α − 1.95: the gradient is [1, 1] for
/// α > 0.65 and [0, 0] below. Exactly, IG = x · (1 − 0.65) = [0.7, 0.35], summing to F(x) = 1.05.
func kinkModel() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let fc = Linear(2, 1, bias: true, generator: &g)
    try fc.weight.assign([1, 1])
    try fc.bias?.assign([-1.95])
    return Sequential(named: [("flatten", Flatten()), ("fc", fc), ("relu", ReLU())])
}

/// A bias-free ReLU network `[N, 1, 2, 2]` → 2 logits (seeded weights). Such a network is
/// positively homogeneous, F(t·x) = t·F(x), so Euler's theorem gives Σᵢ xᵢ ∂F/∂xᵢ = F(x).
func homogeneousModel() -> Sequential {
    var g = SeededGenerator(seed: 3)
    return Sequential(named: [("flatten", Flatten()), ("fc1", Linear(4, 6, bias: false, generator: &g)), ("relu", ReLU()),
                              ("fc2", Linear(6, 2, bias: false, generator: &g))])
}

/// A smooth network for gradient checks: `[N, 2, 6, 6]` → conv (2→3, 3×3, pad 1) → tanh →
/// flatten → linear (108 → 3). Seeded weights; no kinks anywhere.
func smoothModel() -> Sequential {
    var g = SeededGenerator(seed: 9)
    return Sequential(named: [("conv", Conv2d(2, 3, kernelSize: 3, padding: 1, generator: &g)), ("tanh", Tanh()),
                              ("flatten", Flatten()), ("fc", Linear(108, 3, generator: &g))])
}

// MARK: - Comparisons

/// Records an issue (with MapDiagnosis's hints) unless `received` matches `expected`.
func expectMap(_ received: Tensor, _ expected: Tensor, _ what: String, tolerance: Float = 1e-4,
               sourceLocation: SourceLocation = #_sourceLocation) {
    if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                          receivedShape: received.shape, tolerance: tolerance, what: what) {
        Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation)
    }
}

/// Counts the forward passes of a model and the batch size of each.
final class ForwardCounter {
    private(set) var batchSizes: [Int] = []
    private var handle: HookHandle?
    init(_ model: Module) {
        handle = model.registerForwardHook { [unowned self] _, input, _ in self.batchSizes.append(input.shape.first ?? 0) }
    }
    func stop() { handle?.remove(); handle = nil }
}

// MARK: - The captum fixture

/// `Fixtures/saliency-captum.json`, written by `Fixtures/make_saliency_fixture.py` (captum 0.9 on
/// the shipped mnist-gap, MNIST test images 0 and 1 with their labels as targets).
struct CaptumFixture: Sendable {
    let indices: [Int]
    let targets: [Int]
    let steps: Int
    let arrays: [String: (shape: [Int], data: [Float])]
    let points: [String: (alphas: [Double], weights: [Double])]

    static let shared = Result { try CaptumFixture.load() }

    static func load() throws -> CaptumFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/saliency-captum.json")
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        guard let root = object as? [String: Any] else {
            throw TensorError.invalidArgument(operation: "captum fixture", message: "\(url.path) is not a JSON object")
        }
        func numbers(_ value: Any?) -> [Double] { ((value as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.doubleValue } }
        var arrays: [String: (shape: [Int], data: [Float])] = [:]
        var points: [String: (alphas: [Double], weights: [Double])] = [:]
        for (key, value) in root {
            guard let entry = value as? [String: Any] else { continue }
            if let shape = entry["shape"] as? [Any] {
                arrays[key] = (shape.compactMap { ($0 as? NSNumber)?.intValue }, numbers(entry["data"]).map { Float($0) })
            } else if let alphas = entry["alphas"] {
                points[key] = (numbers(alphas), numbers(entry["weights"]))
            }
        }
        return CaptumFixture(indices: numbers(root["indices"]).map { Int($0) }, targets: numbers(root["targets"]).map { Int($0) },
                             steps: Int(numbers([root["steps"] ?? 0]).first ?? 0), arrays: arrays, points: points)
    }

    func array(_ name: String) throws -> Tensor {
        let entry = try arrays[name].orThrow("the captum fixture has no array \(name)")
        return try Tensor(shape: entry.shape, data: entry.data)
    }
}

