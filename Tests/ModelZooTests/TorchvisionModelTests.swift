import Foundation
import DataFormats
import ModelZoo
import TensorEngine
import Testing
import TestSupport

/// torchvision's classifiers, built from the engine's layers (`Torchvision.architecture(named:)`),
/// against torchvision 0.29 with the same deterministic weights (`Fixtures/make_torchvision_fixture.py`:
/// every tensor computed from its state_dict name by integer hashing, repeated here exactly).
@Suite(.maintainers) struct TorchvisionModelTests {
    struct Fixture: Decodable {
        struct Entry: Decodable {
            let logits: [Float]?
            let grad_input: [Float]?
            let layer4_shape: [Int]?
            let layer4: [Float]?
            let avgpool_shape: [Int]?
            let avgpool: [Float]?
        }
        let keys: [String: [String]]
        let resnet18: Entry, resnet50: Entry, vgg16_bn: Entry, alexnet: Entry
        func entry(_ name: String) -> Entry? {
            ["resnet18": resnet18, "resnet50": resnet50, "vgg16_bn": vgg16_bn, "alexnet": alexnet][name]
        }
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/torchvision.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Fixture.self, from: data)
    }()

    static func model(_ name: String, only prefix: String = "") throws -> Sequential {
        let model = try Torchvision.architecture(named: name, classNames: (0..<1000).map { "\($0)" }).makeModel(seed: 1)
        try DeterministicWeights.apply(to: model, prefix: prefix)
        return model
    }

    /// Pixels in [0, 1]: (u + 1) / 2, as the script.
    static func input(_ side: Int = 48) throws -> Tensor { try DeterministicWeights.pixels(side) }

    /// The largest difference relative to the reference's largest magnitude.
    static func relative(_ a: [Float], _ b: [Float]) -> Float {
        maxAbsoluteDifference(a, b) / max(b.map(abs).max() ?? 1, 1e-12)
    }

    /// Every model the workbook builds has torchvision's state_dict names (the order aside:
    /// the engine lists parameters before buffers, PyTorch module by module; a file's is sorted).
    @Test(arguments: Torchvision.names)
    func stateDictNamesAreTorchvisions(_ name: String) throws {
        let keys = try #require(Self.fixture?.keys[name], "Fixtures/torchvision.json has no keys for \(name)")
        let model = try Torchvision.architecture(named: name, classNames: (0..<1000).map { "\($0)" }).makeModel()
        let names = model.stateDictionary().map(\.name).filter { !$0.hasSuffix("num_batches_tracked") }
        let missing = Set(keys).subtracting(names).sorted(), extra = Set(names).subtracting(keys).sorted()
        #expect(missing.isEmpty && extra.isEmpty && names.count == keys.count,
                "\(name): missing \(missing.prefix(3)), not torchvision's \(extra.prefix(3)), \(names.count) names against \(keys.count)")
    }

    @Test(arguments: ["resnet18", "resnet50"])
    func logitsAgreeWithTorchvision(_ depth: String) throws {
        let entry = try #require(Self.fixture?.entry(depth)?.logits, "Fixtures/torchvision.json is missing \(depth)")
        let model = try Self.model(depth)
        let logits = try withNoGrad { try model(Self.input()) }
        #expect(logits.shape == [1, 1000])
        #expect(Self.relative(logits.data, entry) <= 1e-4, "\(depth): logits differ by \(Self.relative(logits.data, entry)) of the largest")
    }

    /// VGG-16 with batch norm and AlexNet, up to `avgpool` (their classifiers are plain Linear,
    /// ReLU and Dropout layers), on a 64×64 input: adaptive pooling enlarges 2×2 to 7×7 and 1×1 to 6×6.
    @Test(arguments: ["vgg16_bn", "alexnet"])
    func featuresAgreeWithTorchvision(_ name: String) throws {
        let entry = try #require(Self.fixture?.entry(name))
        let model = try Self.model(name, only: "features")
        var pooled: Tensor? = nil
        let handle = try model.module(named: "avgpool").registerForwardHook { _, _, output in pooled = output; return nil }
        defer { handle.remove() }
        _ = try withNoGrad { try model(Self.input(64)) }
        let output = try #require(pooled)
        #expect(output.shape == entry.avgpool_shape)
        #expect(Self.relative(output.data, try #require(entry.avgpool)) <= 1e-4, "\(name): \(Self.relative(output.data, entry.avgpool!))")
    }

    /// The input gradient of one logit (saliency before |·|) and layer4's output, seen by a hook at
    /// `layer4` as a PyTorch user would set it for Grad-CAM.
    @Test func gradientAndLayer4AgreeWithTorchvision() throws {
        let entry = try #require(Self.fixture?.resnet18)
        let model = try Self.model("resnet18")
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

    /// A file holds every value its architecture declares: VGG-19's architecture (143.7 million
    /// values) in a file of a few kilobytes is refused before anything is built.
    @Test func aSmallFileCannotDeclareALargeNetwork() throws {
        let architecture = try Torchvision.architecture(named: "vgg19", classNames: (0..<1000).map { "\($0)" })
        #expect(try architecture.validate() == 143_667_240)
        let file = SafeTensorsFile(tensors: [:], metadata: ["architecture": try architecture.jsonString(), "format": "pt"]).encoded()
        let start = Date()
        #expect { _ = try ModelFile.load(bytes: file) } throws: { "\($0)".contains("143667240 parameter and buffer values, more than its \(file.count) bytes can hold") }
        #expect(Date().timeIntervalSince(start) < 1)
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
