import Foundation
import Testing
import DataFormats
@testable import ModelZoo
import TensorEngine
import TestSupport

/// `mnist-autoencoder` (lesson 11's model): its layers against the same model in PyTorch
/// (`Fixtures/make_autoencoder_fixture.py`, deterministic weights from each tensor's name), how
/// model files treat a model without classes, and the reconstruction trainer.
@Suite("The MNIST autoencoder", .maintainers)
struct AutoencoderModelTests {
    struct Fixture: Decodable {
        let keys: [[Value]]
        let code: [Float], reconstruction: [Float], loss: Float
        let grad_input: [Float], grad_encoder_0_weight: [Float], grad_decoder_5_weight: [Float], grad_decoder_7_bias: [Float]
        enum Value: Decodable {
            case name(String), shape([Int])
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) { self = .name(text) } else { self = .shape(try container.decode([Int].self)) }
            }
            var text: String { if case let .name(t) = self { return t }; if case let .shape(s) = self { return "\(s)" }; return "" }
        }
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/autoencoder.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// The script's formula: weights u·√(3 / (numel / shape[0])), biases 0.1·u.
    static func model() throws -> Sequential {
        let model = try Catalog.architecture(named: "mnist-autoencoder").makeModel(seed: 1)
        for (name, tensor) in model.namedParameters() {
            let u = DeterministicWeights.uniform(name, tensor.count)
            let scale = tensor.rank >= 2 ? (3 / Double(tensor.count / tensor.shape[0])).squareRoot() : 0.1
            try tensor.assign(u.map { Float($0 * scale) })
        }
        model.eval()
        return model
    }

    /// |a − b| ≤ 1e-5 of b's largest magnitude, element by element.
    func expectClose(_ a: [Float]?, _ b: [Float], _ what: String) {
        guard let a, a.count == b.count else { Issue.record("\(what): \(a?.count ?? 0) values, PyTorch \(b.count)"); return }
        let scale = max(b.map(abs).max() ?? 0, 1e-12)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5 * scale, "\(what): largest difference \(worst), PyTorch's largest value \(scale)")
    }

    @Test("its state_dict names and shapes are PyTorch's, in order; codes, reconstructions, the loss and its gradients agree")
    func agreesWithPyTorch() throws {
        let fixture = try Self.fixture()
        let model = try Self.model()
        #expect(model.stateDictionary().map { "\($0.name) \($0.tensor.shape)" } == fixture.keys.map { "\($0[0].text) \($0[1].text)" })
        let u = DeterministicWeights.uniform("digits", 2 * 784)
        let x = try Tensor(shape: [2, 1, 28, 28], data: u.map { Float(($0 + 1) / 2) }); x.requiresGrad = true
        let code = try model.module(named: "encoder")(x)
        #expect(code.shape == [2, 2])
        let reconstruction = try model.module(named: "decoder")(code)
        #expect(reconstruction.shape == [2, 1, 28, 28])
        let loss = try Trainer.meanSquaredError(reconstruction, x)
        try loss.backward()
        expectClose(code.data, fixture.code, "codes")
        expectClose(reconstruction.data, fixture.reconstruction, "reconstructions")
        expectClose([try loss.item()], [fixture.loss], "loss")
        expectClose(x.grad?.data, fixture.grad_input, "∂loss/∂x")
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor) })
        expectClose(parameters["encoder.0.weight"]?.grad?.data, fixture.grad_encoder_0_weight, "∂loss/∂encoder.0.weight")
        expectClose(parameters["decoder.5.weight"]?.grad?.data, fixture.grad_decoder_5_weight, "∂loss/∂decoder.5.weight (ConvTranspose2d)")
        expectClose(parameters["decoder.7.bias"]?.grad?.data, fixture.grad_decoder_7_bias, "∂loss/∂decoder.7.bias")
    }

    @Test("a model file of an autoencoder loads only where asked for, and is refused elsewhere in one line that says why")
    func modelFiles() throws {
        let architecture = try Catalog.architecture(named: "mnist-autoencoder")
        #expect(!architecture.isClassifier && architecture.outputShape == [1, 28, 28] && architecture.classNames.isEmpty)
        #expect(!Catalog.names.contains("mnist-autoencoder"), "the classifier commands iterate Catalog.names")
        let model = try Self.model()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autoencoder-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.save(model, architecture: architecture, to: url)
        do {
            _ = try ModelFile.load(url)
            Issue.record("an autoencoder loaded as a classifier")
        } catch {
            #expect("\(error)".contains("mnist-autoencoder is an autoencoder") && !"\(error)".contains("\n"), "\(error)")
        }
        let loaded = try ModelFile.load(url, autoencoders: true)
        let x = TestData.uniform([3, 1, 28, 28], seed: 4, low: 0, high: 1)
        #expect(try loaded.model(x).data == model(x).data)
        // The architecture's own checks.
        var named = architecture; named.classNames = ["a"]
        #expect(throws: ModelZooError.self) { try named.validate() }
        var wrong = architecture; wrong.outputShape = [1, 28, 27]
        do { try wrong.validate(); Issue.record("accepted a wrong output_shape") } catch {
            #expect("\(error)".contains("outputs [1, 28, 28], but output_shape is [1, 28, 27]"), "\(error)")
        }
    }

    @Test("the reconstruction trainer lowers the test error and gives the same bits twice")
    func training() throws {
        let digits = try DatasetFiles.mnist(.test)
        func slice(_ r: Range<Int>) throws -> LabeledImages {
            let size = digits.pixelsPerImage
            return try LabeledImages(imageShape: digits.imageShape, pixels: Array(digits.pixels[(r.lowerBound * size)..<(r.upperBound * size)]),
                                     labels: Array(digits.labels[r]), classNames: digits.classNames)
        }
        let training = try slice(0..<512), test = try slice(9000..<9256)
        var configuration = TrainingConfiguration.recipe(for: "mnist-autoencoder")
        configuration.epochs = 2
        func run() throws -> (before: Double, reports: [ReconstructionReport], weights: [Float]) {
            let model = try Catalog.architecture(named: "mnist-autoencoder").makeModel(seed: configuration.seed)
            let before = try Evaluation.reconstructionError(of: model, on: test)
            let reports = try Trainer.trainReconstruction(model, on: training, testingOn: test, configuration: configuration)
            return (before, reports, model.parameters().flatMap(\.data))
        }
        let first = try run(), second = try run()
        #expect(first.reports.count == 2)
        #expect(first.reports[1].testLoss < 0.9 * first.before, "test MSE \(first.before) → \(first.reports.map(\.testLoss))")
        #expect(first.weights == second.weights && first.reports.map(\.testLoss) == second.reports.map(\.testLoss))
    }

    @Test("the shipped mnist-autoencoder's test MSE is what its log and Datasets/models/README.md say")
    func shippedModel() throws {
        let loaded = try ModelFile.load(ModelFile.resolve("mnist-autoencoder"), autoencoders: true)
        let error = try Evaluation.reconstructionError(of: loaded.model, on: try DatasetFiles.mnist(.test))
        let stated = String(format: "%.5f", error)
        let log = try String(contentsOf: try DatasetFiles.datasets().appendingPathComponent("models/mnist-autoencoder.training.txt"), encoding: .utf8)
        let readme = try String(contentsOf: try DatasetFiles.datasets().appendingPathComponent("models/README.md"), encoding: .utf8)
        #expect(log.split(separator: "\n").last?.contains("test MSE \(stated)") == true, "the log's last epoch does not say \(stated)")
        #expect(readme.contains("Test MSE **\(stated)** per pixel"), "README does not state \(stated)")
        #expect(loaded.metadata["training"]?.contains("\"test_mse\":\"\(stated)\"") == true)
    }
}
