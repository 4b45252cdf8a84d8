import DataFormats
import Foundation
import Imaging
import ModelZoo
import Testing
import TensorEngine
import TestSupport
@testable import WorkbookCLI

/// `workbook import` of a torchvision state_dict, then `predict` and `explain` on a photo.
@Suite("Importing torchvision models", .maintainers, .serialized)
struct ImportCommandTests {
    static let root = (try? DatasetFiles.root()) ?? URL(fileURLWithPath: ".")
    static let photo = root.appendingPathComponent("Datasets/photos/chelsea.jpg")

    /// ResNet-18's state_dict with the deterministic weights of `Tests/ModelZooTests/Fixtures`, as
    /// `safetensors.torch.save_file(model.state_dict(), …)` writes it (torchvision's names, no metadata).
    static func stateDictionaryFile(dropping dropped: String? = nil, reshaping reshaped: String? = nil) throws -> [UInt8] {
        let model = try Torchvision.architecture(named: "resnet18", classNames: (0..<1000).map { "\($0)" }).makeModel()
        try DeterministicWeights.apply(to: model)
        var tensors: [String: SafeTensor] = [:]
        for (name, tensor) in model.stateDictionary() where name != dropped {
            if name.hasSuffix("num_batches_tracked") {
                tensors[name] = try SafeTensor(shape: [], int64s: [0])
            } else {
                let shape = name == reshaped ? [tensor.count] : tensor.shape
                tensors[name] = try SafeTensor(shape: shape, floats: tensor.data)
            }
        }
        return SafeTensorsFile(tensors: tensors, metadata: [:]).encoded()
    }

    static let fixtureLogits: [Float] = {
        let url = root.appendingPathComponent("Tests/ModelZooTests/Fixtures/torchvision.json")
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let logits = object["chelsea_resnet18_logits"] as? [Double] else { return [] }
        return logits.map(Float.init)
    }()

    @Test("import → the same tensors; the photo's logits agree with torchvision's transform and ResNet-18; predict and explain run")
    func importPredictExplain() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("resnet18.safetensors"), out = folder.appendingPathComponent("imported.safetensors")
        try Data(try Self.stateDictionaryFile()).write(to: weights)
        let (status, error) = workbook(["import", "--torchvision", "resnet18", "--weights", weights.path, "--out", out.path])
        try #require(status == 0, "\(error)")
        let loaded = try ModelFile.load(out)
        #expect(loaded.architecture.classNames.count == 1000 && loaded.architecture.classNames[281] == "tabby")
        #expect(loaded.metadata["source"]?.hasPrefix("torchvision.models.resnet18, imported by workbook import from resnet18.safetensors (SHA-256 ") == true)
        // The photo as torchvision prepares it (Pillow resizes in 8 bits, this in float: inputs
        // within half a grey level), through the imported network.
        let user = try InputImages.load(Self.photo, shape: loaded.architecture.inputShape, resizeTo: loaded.architecture.resizeTo, invert: false)
        #expect(user.description == "chelsea.jpg: 451×300 JPEG → RGB → resized to 384×256 (Pillow's bilinear) → centre 224×224 kept")
        let logits = try withNoGrad { try loaded.model(user.tensor) }.data
        try #require(Self.fixtureLogits.count == 1000)
        let scale = Self.fixtureLogits.map(abs).max()!
        #expect(maxAbsoluteDifference(logits, Self.fixtureLogits) / scale < 2e-3, "\(maxAbsoluteDifference(logits, Self.fixtureLogits) / scale)")
        func top5(_ values: [Float]) -> [Int] { values.enumerated().sorted { $0.element > $1.element }.prefix(5).map(\.offset) }
        #expect(top5(logits) == top5(Self.fixtureLogits))
        #expect(workbook(["predict", "--model", out.path, "--image", Self.photo.path]).status == 0)
        let panel = folder.appendingPathComponent("gradcam.png")
        #expect(workbook(["explain", "--model", out.path, "--image", Self.photo.path, "--method", "gradcam", "--out", panel.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: panel.path))
        // Without --image there is nothing to explain: one line says so.
        let noImage = workbook(["explain", "--model", out.path, "--method", "gradcam", "--out", panel.path])
        #expect(noImage.status != 0 && noImage.error.contains("--image FILE"), "\(noImage.error)")
        // Lesson 08 on the imported network: a class image and a dream of the photo, in colour at 224×224.
        let classImage = folder.appendingPathComponent("tabby.png"), raw = folder.appendingPathComponent("tabby.npy")
        let visualized = workbook(["visualize", "--model", out.path, "--class", "281", "--steps", "2", "--out", classImage.path, "--raw", raw.path])
        #expect(visualized.status == 0, "\(visualized.error)")
        #expect(try NPY.read(contentsOf: raw).shape == [1, 3, 224, 224])
        #expect(try PNG.readRGBA(from: classImage).width >= 224)
        let dream = folder.appendingPathComponent("dream.png")
        let dreamed = workbook(["dream", "--model", out.path, "--image", Self.photo.path, "--octaves", "1", "--steps", "1", "--out", dream.path])
        #expect(dreamed.status == 0, "\(dreamed.error)")
        #expect(try PNG.readRGBA(from: dream).width >= 2 * 224, "the photo beside its dream at layer3, each 224 wide")
        let tooMany = workbook(["visualize", "--model", out.path, "--all-classes", "--out", classImage.path])
        #expect(tooMany.status == 2 && tooMany.error.hasSuffix("--all-classes (1000 classes) would ascend 1000 images of 150528 values together (at most 27 at this input size); give --class C"), "\(tooMany.error)")
    }

    /// ResNet-18 imported into `folder` (deterministic weights), for the tests that need a photo-sized network.
    static func importedResNet18(in folder: URL) throws -> URL {
        let weights = folder.appendingPathComponent("resnet18.safetensors"), out = folder.appendingPathComponent("imported.safetensors")
        try Data(try stateDictionaryFile()).write(to: weights)
        let (status, error) = workbook(["import", "--torchvision", "resnet18", "--weights", weights.path, "--out", out.path])
        try #require(status == 0, "\(error)")
        return out
    }

    @Test("insights --image on an imported ResNet-18: 224×224 maps, Grad-CAM at each residual block (the layer picker of a deep network), top-10 probabilities of 1000")
    func insightsOnAPhotoSizedNetwork() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.importedResNet18(in: folder)
        let page = folder.appendingPathComponent("page")
        let result = workbook(["insights", "--model", model.path, "--image", Self.photo.path, "--methods", "saliency,gradcam", "--targets", "1", "--out", page.path])
        try #require(result.status == 0, "\(result.error)")
        let html = try String(contentsOf: page.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(HTMLChecker(html).problems.isEmpty)
        let data = try InsightsTests.data(html)
        #expect(data["layer"] as? String == "layer4")
        let methods = try #require(data["methods"] as? [[String: Any]])
        let layers = try #require(methods.first { $0["name"] as? String == "gradcam" }?["layers"] as? [String])
        #expect(layers == ["conv1", "relu", "maxpool", "layer1.0", "layer1", "layer2.0", "layer2", "layer3.0", "layer3", "layer4.0", "layer4"])
        let shapes = try #require(data["layers"] as? [[String: Any]])
        let nested = shapes.filter { $0["nested"] as? Bool == true }
        #expect(nested.map { $0["name"] as? String } == ["layer1.0", "layer2.0", "layer3.0", "layer4.0"])
        #expect(nested.last?["shape"] as? [Int] == [512, 7, 7])
        let image = try #require((data["images"] as? [[String: Any]])?.first)
        #expect(image["name"] as? String == "chelsea.jpg" && image["label"] is NSNull)
        #expect((image["p"] as? [Double])?.count == 1000)
        let target = try #require((image["targets"] as? [Int])?.first)
        for at in layers {
            let file = page.appendingPathComponent("img/00000/" + InsightsPage.mapStem(target: target, method: "gradcam", layer: at) + ".png")
            #expect(FileManager.default.fileExists(atPath: file.path), "no Grad-CAM picture at \(at)")
        }
        let saliency = try PNG.readRGBA(from: page.appendingPathComponent("img/00000/" + InsightsPage.mapStem(target: target, method: "saliency", layer: nil) + ".png"))
        #expect(saliency.width == 224 && saliency.height == 224)
        // CAM needs global average pooling right before the classifier: torchvision's ResNets
        // flatten in between, so a page of CAM alone is refused before any work, not left empty.
        let camOnly = workbook(["insights", "--model", model.path, "--image", Self.photo.path, "--methods", "cam", "--out", folder.appendingPathComponent("cam").path])
        #expect(camOnly.status != 0 && camOnly.error.hasSuffix("no method applies to resnet18: cam needs a layer followed by global average pooling and a linear layer"), "\(camOnly.error)")
        let badLayer = workbook(["insights", "--model", model.path, "--image", Self.photo.path, "--layer", "layer9", "--out", folder.appendingPathComponent("cam").path])
        #expect(badLayer.error.contains("no layer 'layer9' in resnet18; layers: normalize, conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4, avgpool, flatten, fc; inside them: layer1.0, layer2.0, layer3.0, layer4.0"), "\(badLayer.error)")
        // Without --image a network with no test set here is refused in one line.
        let noImage = workbook(["insights", "--model", model.path, "--out", folder.appendingPathComponent("x").path])
        #expect(noImage.status != 0 && noImage.error.hasSuffix("resnet18 expects 224×224 images and has no test set here: give --image FILE|DIR (a photo or a folder of them)"), "\(noImage.error)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path))
    }

    @Test("a missing tensor, a wrong shape, another model's weights, a file that is not safetensors: one line each, nothing written")
    func refusals() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("w.safetensors"), out = folder.appendingPathComponent("out.safetensors")
        func run(_ bytes: [UInt8], _ name: String = "resnet18") -> String {
            try? Data(bytes).write(to: weights)
            let result = workbook(["import", "--torchvision", name, "--weights", weights.path, "--out", out.path])
            return result.status == 0 ? "exit 0" : result.error
        }
        #expect(run(try Self.stateDictionaryFile(dropping: "layer3.1.bn2.bias")).contains("missing layer3.1.bn2.bias"))
        #expect(run(try Self.stateDictionaryFile(reshaping: "layer1.0.conv1.weight")).contains("layer1.0.conv1.weight has shape [36864] in w.safetensors, resnet18 needs [64, 64, 3, 3]"))
        let asVGG = run(try Self.stateDictionaryFile(), "vgg11")
        #expect(asVGG.contains("no classifier.6.weight"), "\(asVGG)")
        let asResNet34 = run(try Self.stateDictionaryFile(), "resnet34")
        #expect(asResNet34.contains("is not resnet34's state_dict: missing layer1.2.bn1.bias"), "\(asResNet34)")
        #expect(run(Array("not a safetensors file".utf8)).contains("w.safetensors"))
        #expect(contents(folder) == ["w.safetensors"])
    }
}
