import Foundation
import ModelZoo
import TensorEngine
import Testing
import TestSupport

/// torchvision's ResNet-18 and ResNet-50, built from the engine's layers, against torchvision 0.29
/// with the same deterministic weights (`Fixtures/make_resnet_fixture.py`: every tensor computed
/// from its state_dict name by integer hashing, repeated here exactly).
@Suite(.maintainers) struct ResidualNetworkTests {
    struct Entry: Decodable {
        let keys: [String]
        let logits: [Float]
        let grad_input: [Float]?
        let layer4_shape: [Int]?
        let layer4: [Float]?
    }

    static let fixture: [String: Entry] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/resnet.json")
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var entries: [String: Entry] = [:]
        for depth in ["resnet18", "resnet50"] {
            if let part = object[depth], let bytes = try? JSONSerialization.data(withJSONObject: part) {
                entries[depth] = try? JSONDecoder().decode(Entry.self, from: bytes)
            }
        }
        return entries
    }()

    // The fixture's formula (see the script): FNV-1a of the name, SplitMix64 per index.
    static func fnv1a(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func splitmix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func uniform(_ name: String, _ count: Int) -> [Double] {
        let seed = fnv1a(name)
        return (0..<count).map { (i: Int) -> Double in
            let bits: UInt64 = splitmix(seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15) >> 40
            return (Double(bits) + 0.5) / Double(1 << 24) * 2 - 1
        }
    }

    static func value(_ name: String, shape: [Int]) -> [Float] {
        let count = shape.reduce(1, *)
        let u = uniform(name, count)
        let values: [Double]
        if name.hasSuffix("running_mean") { values = u.map { 0.1 * $0 } }
        else if name.hasSuffix("running_var") { values = u.map { 1 + 0.25 * ($0 + 1) } }
        else if shape.count == 4 { values = u.map { $0 * (6 / Double(shape[1] * shape[2] * shape[3])).squareRoot() } }
        else if name == "fc.weight" { values = u.map { $0 * (3 / Double(shape[1])).squareRoot() } }
        else if name == "fc.bias" { values = u.map { 0.01 * $0 } }
        else if name.hasSuffix("weight") { values = u.map { 1 + 0.1 * $0 } }
        else { values = u.map { 0.1 * $0 } }
        return values.map { Float($0) }
    }

    static func model(_ depth: ResNet.Depth) throws -> ResNet {
        var generator = SeededGenerator(seed: 1)
        let model = ResNet(depth, generator: &generator)
        for (name, tensor) in model.namedParameters() + model.namedBuffers() where !name.hasSuffix("num_batches_tracked") {
            try tensor.assign(value(name, shape: tensor.shape))
        }
        model.eval()
        return model
    }

    static func input() throws -> Tensor { try Tensor(shape: [1, 3, 48, 48], data: uniform("input", 3 * 48 * 48).map { Float($0) }) }

    /// The largest difference relative to the reference's largest magnitude.
    static func relative(_ a: [Float], _ b: [Float]) -> Float {
        maxAbsoluteDifference(a, b) / max(b.map(abs).max() ?? 1, 1e-12)
    }

    @Test(arguments: [ResNet.Depth.resnet18, .resnet50])
    func namesAndLogitsAgreeWithTorchvision(_ depth: ResNet.Depth) throws {
        let entry = try #require(Self.fixture[depth.rawValue], "Fixtures/resnet.json is missing \(depth.rawValue)")
        let model = try Self.model(depth)
        let names = (model.namedParameters() + model.namedBuffers()).map(\.name).filter { !$0.hasSuffix("num_batches_tracked") }
        #expect(Set(names) == Set(entry.keys) && names.count == entry.keys.count, "state_dict names differ from torchvision's")
        let logits = try withNoGrad { try model(Self.input()) }
        #expect(logits.shape == [1, 1000])
        #expect(Self.relative(logits.data, entry.logits) <= 1e-4, "\(depth): logits differ by \(Self.relative(logits.data, entry.logits)) of the largest")
    }

    /// The input gradient of one logit (saliency before |·|) and layer4's output, seen by a hook at
    /// `layer4` as a PyTorch user would set it for Grad-CAM.
    @Test func gradientAndLayer4AgreeWithTorchvision() throws {
        let entry = try #require(Self.fixture["resnet18"])
        let model = try Self.model(.resnet18)
        var seen: Tensor? = nil
        let handle = try model.module(named: "layer4").registerForwardHook { _, _, output in seen = output; return nil }
        defer { handle.remove() }
        let x = try Self.input()
        x.requiresGrad = true
        let logits = try model(x)
        let seed = try Tensor(shape: [1, 1000], data: (0..<1000).map { $0 == 7 ? 1 : 0 })
        try logits.backward(seed: seed)
        let gradient = try #require(x.grad)
        #expect(Self.relative(gradient.data, try #require(entry.grad_input)) <= 1e-4, "input gradient differs by \(Self.relative(gradient.data, entry.grad_input!))")
        let layer4 = try #require(seen)
        #expect(layer4.shape == entry.layer4_shape)
        #expect(Self.relative(layer4.data, try #require(entry.layer4)) <= 1e-4)
    }

    /// The residual blocks' own gradients, by central differences in the engine's gradient check.
    @Test func blocksPassTheGradientCheck() throws {
        var generator = SeededGenerator(seed: 3)
        for block in [BasicBlock(4, 6, stride: 2, generator: &generator), Bottleneck(6, 2, stride: 1, generator: &generator)] as [Module] {
            block.eval()
            let channels = block is BasicBlock ? 4 : 6
            let x = TestData.awayFromKinks([1, channels, 5, 5], seed: 5)
            let report = try GradientCheck.run(inputs: [x]) { try block($0[0]) }
            #expect(report.passed, "\(block.typeName): \(report)")
        }
    }
}
