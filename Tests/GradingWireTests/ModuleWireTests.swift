import Codecs
import Foundation
@testable import GradingWire
import LessonSupport
import TensorEngine
import TestSupport
import Testing

/// Networks on the wire: the copy computes the same bits in the same modes; what a call leaves
/// on it (hooks, modes) is replayed on the original; anything else is refused by name.
@Suite("Grading wire: networks", .maintainers)
struct ModuleWireTests {
    /// Every layer type the wire knows, with non-default settings and running statistics.
    static func network() throws -> Sequential {
        var generator = SeededGenerator(seed: 11)
        let bn = BatchNorm2d(4, momentum: 0.2, epsilon: 1e-3)
        try bn.runningMean.assign((0..<4).map { Float($0) * 0.1 })
        try bn.runningVariance.assign((0..<4).map { 1 + Float($0) * 0.5 })
        try bn.weight.assign([1.5, 0.5, -1, 2])
        let features = Sequential(named: [
            ("normalize", Normalize(mean: [0.5, 0.25], std: [0.2, 0.4])),
            ("conv", Conv2d(2, 4, kernelSize: 3, stride: 1, padding: 1, generator: &generator)),
            ("bn", bn), ("relu", ReLU()),
            ("pool", MaxPool2d(2)),
            ("avg", AvgPool2d(3, stride: 1, padding: 1)),
            ("up", ConvTranspose2d(4, 3, kernelSize: 2, stride: 2, padding: 0, outputPadding: 0, bias: false, generator: &generator)),
            ("tanh", Tanh()), ("adaptive", AdaptiveAvgPool2d(2, 3)),
        ])
        return Sequential(named: [
            ("features", features), ("flatten", Flatten()), ("drop", Dropout(0.3)),
            ("fc", Linear(18, 6, generator: &generator)), ("unflatten", Unflatten([2, 3])), ("id", Identity()),
            ("flat2", Flatten()), ("sigmoid", Sigmoid()), ("gap_in", Unflatten([6, 1, 1])), ("gap", GlobalAvgPool2d()),
        ])
    }

    func roundTrip(_ module: Module) throws -> Module {
        var writer = WireWriter()
        try module.encode(into: &writer)
        var reader = WireReader(writer.bytes)
        let back = try Module.decode(from: &reader)
        #expect(reader.isAtEnd)
        return back
    }

    @Test("the copy computes the same bits, has the same names, state and modes")
    func sameNetwork() throws {
        let model = try Self.network()
        model.eval()
        try model.module(named: "features.bn").train()     // a child in another mode than its parent
        var generator = SeededGenerator(seed: 5)
        let input = Tensor.randomNormal([2, 2, 8, 8], using: &generator)
        let copy = try roundTrip(model)
        #expect(copy.namedModules().map(\.name) == model.namedModules().map(\.name))
        #expect(copy.namedModules().map(\.module.typeName) == model.namedModules().map(\.module.typeName))
        #expect(copy.namedModules().map(\.module.isTraining) == model.namedModules().map(\.module.isTraining))
        for ((name, a), (_, b)) in zip(model.stateDictionary(), copy.stateDictionary()) {
            #expect(a.shape == b.shape && a.data.map(\.bitPattern) == b.data.map(\.bitPattern), "\(name)")
        }
        model.eval(); copy.eval()
        let expected = try model(input), received = try copy(input)
        #expect(received.shape == expected.shape)
        #expect(received.data.map(\.bitPattern) == expected.data.map(\.bitPattern))
        let allRequireGradients = copy.parameters().allSatisfy { $0.requiresGrad }
        #expect(allRequireGradients)
    }

    @Test("a module type the wire does not know is refused by name")
    func unknownModule() throws {
        final class Custom: Module { override func forward(_ input: Tensor) throws -> Tensor { input } }
        var writer = WireWriter()
        #expect { try Sequential(named: [("mine", Custom())]).encode(into: &writer) } throws: { error in
            "\(error)".contains("Custom module cannot be sent")
        }
    }

    @Test("the hooks and modes a call leaves are replayed on the original")
    func effects() throws {
        let model = try Self.network(), copy = try roundTrip(model)
        model.eval(); copy.eval()
        try copy.module(named: "features.conv").registerForwardHook { _, _, _ in }
        try copy.module(named: "fc").registerBackwardHook { _, _, _ in }
        copy.parameters()[0].registerGradientHook { _ in nil }
        try copy.module(named: "features").train()
        var writer = WireWriter()
        ModuleEffects(of: copy).encode(into: &writer)
        var reader = WireReader(writer.bytes)
        let effects = try ModuleEffects.decode(from: &reader)
        #expect(effects == ModuleEffects(of: copy))
        try effects.replay(on: model)
        #expect(model.liveHookCount == 3)
        #expect(ModuleEffects(of: model) == ModuleEffects(of: copy))
        #expect(throws: WireError.self) { try effects.replay(on: Sequential(named: [("relu", ReLU())])) }
    }

    @Test("every truncation of a network's message is an error")
    func truncated() throws {
        var writer = WireWriter()
        try Self.network().encode(into: &writer)
        let bytes = writer.bytes
        var errors = 0
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 700)) {
            var reader = WireReader(Array(bytes.prefix(length)))
            do { _ = try Module.decode(from: &reader) } catch is WireError { errors += 1 }
        }
        #expect(errors == (0..<bytes.count).filter { $0 % max(1, bytes.count / 700) == 0 }.count)
    }

    @Test("fuzzed requests are decoded or refused, never a trap")
    func fuzz() throws {
        var writer = WireWriter()
        writer.write("01/activations(of:at:for:)")
        try Self.network().encode(into: &writer)
        "features.conv".encode(into: &writer)
        var generator = SeededGenerator(seed: 3)
        Tensor.randomNormal([1, 2, 8, 8], using: &generator).encode(into: &writer)
        try [3, 1].encode(into: &writer)
        var fuzzer = MutationFuzzer(seed: 23)
        let report = fuzzer.run(seeds: [writer.bytes], iterations: MutationFuzzer.iterations(default: 1500)) { bytes in
            var reader = WireReader(bytes)
            _ = try reader.readString()
            _ = try Module.decode(from: &reader)
            _ = try String.decode(from: &reader)
            _ = try Tensor.decode(from: &reader)
            _ = try [Int].decode(from: &reader)
        }
        #expect(report.rejected > 0 && report.slowInputs.isEmpty, "\(report)")
    }

    @Test("fuzzed answers are read or refused, never a trap; a refused answer changes no network")
    func fuzzAnswers() throws {
        let model = try Self.network()
        var writer = WireWriter()
        writer.write(WireOutcome.returned.rawValue)
        var generator = SeededGenerator(seed: 4)
        Tensor.randomNormal([2, 6], using: &generator).encode(into: &writer)
        ModuleEffects(of: model).encode(into: &writer)
        try [ForwardCall(argument: 0, path: "features.conv", gradientsEnabled: false,
                         input: Tensor.randomNormal([2, 2, 8, 8], using: &generator), output: Tensor.randomNormal([2, 4, 8, 8], using: &generator))]
            .encode(into: &writer)
        try [WirePair<Bool, [Float]?>]().encode(into: &writer)      // no tensor arguments
        var notStarted = WireWriter()
        notStarted.write(WireOutcome.notStarted.rawValue)
        for text in ["1.2", "gradient(of:at:for:targets:)", "/course/Lessons/01-Hooks/Hooks.swift"] { notStarted.write(text) }
        // The valid answer replays one watched pass and no hook.
        var passes = 0
        try model.module(named: "features.conv").registerForwardHook { _, _, _ in passes += 1 }
        let valid: Tensor = try LessonRunnerClient.decodeResponse(writer.bytes, modules: [model])
        #expect(valid.shape == [2, 6] && passes == 1 && model.liveHookCount == 1)
        var fuzzer = MutationFuzzer(seed: 31)
        var unchanged = true
        let report = fuzzer.run(seeds: [writer.bytes, notStarted.bytes], iterations: MutationFuzzer.iterations(default: 1500)) { bytes in
            let fresh = try Self.network()
            do {
                let _: Tensor = try LessonRunnerClient.decodeResponse(bytes, modules: [fresh])
            } catch let error as WireError {
                if fresh.liveHookCount != 0 { unchanged = false }
                throw error
            }
        }
        #expect(report.rejected > 0 && report.slowInputs.isEmpty, "\(report)")
        #expect(unchanged, "a refused answer left hooks on the network")
    }
}
