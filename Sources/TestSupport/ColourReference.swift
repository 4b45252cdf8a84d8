import Foundation
import LessonSupport
import ModelZoo
import Testing
import TensorEngine

/// The colour case every lesson from 02 to 07 tests: the seeded, untrained 3-channel model and
/// the two 32×32 colour images of `Datasets/colour` (see its README), and what PyTorch, captum
/// 0.9 and pytorch-grad-cam 1.5.7 compute on them — `Tests/ColourFixtures/colour-reference.json`,
/// written by `Tests/ColourFixtures/make_colour_fixture.py` (the script lists every array).
public struct ColourReference: Sendable {
    /// The classes explained, one per image (the fixture's TARGETS).
    public let targets: [Int]
    public let epsilon: Float, pgdStep: Float, pgdSteps: Int
    /// Flat indices where FGSM's loss gradient is within 1e-6 of zero relative to its image's largest.
    public let fgsmTiny: [Int]
    let arrays: [String: (shape: [Int], data: [Float])]

    /// Loaded once per test process.
    public static let shared = Result { try ColourReference.load() }

    static func load() throws -> ColourReference {
        let url = try DatasetFiles.root().appendingPathComponent("Tests/ColourFixtures/colour-reference.json")
        guard let root = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any] else {
            throw TensorError.invalidArgument(operation: "colour fixture", message: "\(url.path) is not a JSON object")
        }
        func numbers(_ value: Any?) -> [Double] { ((value as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.doubleValue } }
        func number(_ key: String) -> Double { (root[key] as? NSNumber)?.doubleValue ?? .nan }
        var arrays: [String: (shape: [Int], data: [Float])] = [:]
        for (key, value) in root {
            guard let entry = value as? [String: Any], let shape = entry["shape"] as? [Any] else { continue }
            arrays[key] = (shape.compactMap { ($0 as? NSNumber)?.intValue }, numbers(entry["data"]).map { Float($0) })
        }
        return ColourReference(targets: numbers(root["targets"]).map { Int($0) }, epsilon: Float(number("epsilon")),
                               pgdStep: Float(number("pgd_step")), pgdSteps: Int(number("pgd_steps")),
                               fgsmTiny: numbers(root["fgsm_tiny"]).map { Int($0) }, arrays: arrays)
    }

    /// The array `name` of the fixture as a tensor.
    public func array(_ name: String) throws -> Tensor {
        let entry = try arrays[name].orThrow("the colour fixture has no array \(name)")
        return try Tensor(shape: entry.shape, data: entry.data)
    }

    /// A fresh copy of the seeded colour model (evaluation mode), `[N, 3, 32, 32]` → 10 logits.
    public static func model() throws -> Sequential { try ColourDemo.model().model }

    /// The two colour images, `[2, 3, 32, 32]` in [0, 1].
    public static func images() throws -> Tensor {
        let demo = try ColourDemo.images()
        return demo.batch(0..<demo.count).images
    }

    /// Records an issue unless `received` matches the fixture's `name` within `relative` times its
    /// largest magnitude (1e-5 by default: the engine and PyTorch do the same Float32 maths in other
    /// orders; measured on x86-64 Linux, 2026-11-30: 1e-7 to 3e-7 for the gradient methods and the
    /// logits, 4e-7 to 1.8e-6 for CAM, Grad-CAM(++) and guided Grad-CAM, 4.1e-6 for occlusion, whose
    /// drops are differences of logits up to 17). Failures carry MapDiagnosis's hints.
    public func expectMatch(_ received: Tensor, _ name: String, _ what: String, relative: Float = 1e-5,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try array(name)
        let scale = max(expected.data.map { Swift.abs($0) }.max() ?? 0, 1e-12)
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: received.shape, tolerance: relative * scale / max(scale, 1), what: what) {
            Issue.record(Comment(rawValue: problem + " (colour case: Tests/ColourFixtures/colour-reference.json, '\(name)')"),
                         sourceLocation: sourceLocation)
        }
    }
}
