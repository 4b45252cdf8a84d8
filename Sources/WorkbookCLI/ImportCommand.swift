import Codecs
import DataFormats
import Foundation
import ModelZoo
import TensorEngine

/// `workbook import`: a torchvision classifier's weights, saved in PyTorch, become a model file here.
///
/// In Python (torch, torchvision and safetensors installed):
///
///     import torchvision, safetensors.torch
///     model = torchvision.models.resnet18(weights="IMAGENET1K_V1")
///     safetensors.torch.save_file(model.state_dict(), "resnet18.safetensors")
///
/// then `workbook import --torchvision resnet18 --weights resnet18.safetensors --out
/// resnet18-imagenet.safetensors`. Every tensor of the architecture must be in the file with its
/// shape (a missing, extra or mis-shaped one is named); the classes are ImageNet's 1000 unless the
/// classifier has another size (then `--classes FILE`, one name a line, or numbers).
enum ImportCommand: Command {
    static let name = "import"
    static let summary = "Make a model file from a torchvision classifier's state_dict (--torchvision NAME --weights FILE --out FILE)."
    static let options = [
        OptionSpecification(name: "torchvision", valueName: "NAME", help: "the architecture: \(Torchvision.names.joined(separator: ", "))"),
        OptionSpecification(name: "weights", valueName: "FILE", help: "its state_dict, saved with safetensors.torch.save_file(model.state_dict(), FILE)"),
        OptionSpecification(name: "out", valueName: "FILE", help: "the model file to write (.safetensors)"),
        OptionSpecification(name: "classes", valueName: "FILE", help: "class names, one a line (default: ImageNet's 1000 when the classifier has 1000 outputs)"),
    ]

    static func run(_ options: ParsedOptions) throws {
        let name = try options.requiredString("torchvision")
        guard Torchvision.names.contains(name) else {
            throw CommandLineError(message: "--torchvision \(name) is not one this workbook builds: \(Torchvision.names.joined(separator: ", "))")
        }
        let weights = URL(fileURLWithPath: try options.requiredString("weights"))
        let out = URL(fileURLWithPath: try options.requiredString("out"))
        let size = (try? FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int) ?? nil
        guard let size else { throw CommandLineError(message: "\(weights.path): no such file") }
        guard size <= ModelFile.maxFileBytes else {
            throw CommandLineError(message: "\(weights.path): \(size) bytes, more than the \(ModelFile.maxFileBytes) a model may have")
        }
        let contents: [UInt8]
        do { contents = [UInt8](try Data(contentsOf: weights)) } catch { throw CommandLineError(message: "\(weights.path): \(error)") }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(bytes: contents) } catch {
            throw CommandLineError(message: "\(weights.path): \(error)")
        }
        // The classifier's size decides the classes.
        let head = name.hasPrefix("resnet") ? "fc.weight" : "classifier.6.weight"
        guard let classifier = file.tensors[head], classifier.shape.count == 2, classifier.shape[0] >= 1 else {
            throw CommandLineError(message: "\(weights.path) has no \(head) of shape [classes, features]: is it \(name)'s state_dict?")
        }
        let classNames: [String]
        if let path = options.string("classes") {
            classNames = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8).split(separator: "\n").map(String.init)
        } else if classifier.shape[0] == 1000 {
            classNames = try Torchvision.imagenetClassNames()
        } else {
            classNames = (0..<classifier.shape[0]).map { "class \($0)" }
        }
        guard classNames.count == classifier.shape[0] else {
            throw CommandLineError(message: "\(classNames.count) class names for a classifier of \(classifier.shape[0]) outputs")
        }
        let architecture = try Torchvision.architecture(named: name, classNames: classNames)
        let model = try architecture.makeModel()
        // Every tensor the architecture has, with its shape; nothing else.
        let expected = Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ($0.name, $0.tensor.shape) })
        let missing = expected.keys.filter { file.tensors[$0] == nil }.sorted()
        let extra = file.tensors.keys.filter { expected[$0] == nil }.sorted()
        guard missing.isEmpty && extra.isEmpty else {
            throw CommandLineError(message: "\(weights.path) is not \(name)'s state_dict: "
                + (missing.isEmpty ? "" : "missing \(missing.prefix(3).joined(separator: ", "))\(missing.count > 3 ? " and \(missing.count - 3) more" : "")")
                + (missing.isEmpty || extra.isEmpty ? "" : "; ")
                + (extra.isEmpty ? "" : "not in \(name): \(extra.prefix(3).joined(separator: ", "))\(extra.count > 3 ? " and \(extra.count - 3) more" : "")"))
        }
        var state: [String: Tensor] = [:]
        for (key, shape) in expected.sorted(by: { $0.key < $1.key }) {
            let stored = file.tensors[key]!
            guard stored.shape == shape else {
                throw CommandLineError(message: "\(key) has shape \(stored.shape) in \(weights.lastPathComponent), \(name) needs \(shape)")
            }
            let values = stored.floats()
            guard values.allSatisfy(\.isFinite) else { throw CommandLineError(message: "\(key) holds NaN or infinite values") }
            state[key] = try Tensor(shape: shape, data: values)
        }
        try model.loadStateDictionary(state)
        let digest = SHA256.hash(of: contents).hexString
        let bytes = try ModelFile.encoded(model, architecture: architecture, metadata: [
            "dataset": "imagenet", "source": "torchvision.models.\(name), imported by workbook import from \(weights.lastPathComponent) (SHA-256 \(digest))",
        ])
        try AtomicFiles.write([(out, Data(bytes))])
        let parameters = model.stateDictionary().reduce(0) { $0 + $1.tensor.count }
        print("wrote \(out.path): \(name), \(parameters) values, \(classNames.count) classes, input 3×224×224 (shorter side to 256, centre crop, ImageNet normalisation)")
    }
}
