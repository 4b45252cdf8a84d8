import DataFormats
import Foundation
import TensorEngine

/// Self-describing model files: safetensors with PyTorch `state_dict` names and layouts, plus the
/// architecture as JSON under `__metadata__["architecture"]`, so the file alone rebuilds the model.
///
/// Layouts are PyTorch's: conv weight `[out, in, kh, kw]`, linear weight `[out, in]`,
/// batch-norm `running_mean`, `running_var` (F32) and `num_batches_tracked` (I64, shape `[]`).
public enum ModelFile {
    /// Writes `model`'s parameters and buffers with `architecture` and `metadata` (e.g. the
    /// training recipe and accuracy).
    public static func save(_ model: Module, architecture: ModelArchitecture, metadata: [String: String] = [:], to url: URL) throws {
        let bytes = try encoded(model, architecture: architecture, metadata: metadata)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// The bytes `save` writes (for callers that replace files atomically).
    public static func encoded(_ model: Module, architecture: ModelArchitecture, metadata: [String: String] = [:]) throws -> [UInt8] {
        var tensors: [String: SafeTensor] = [:]
        for (name, tensor) in model.stateDictionary() {
            if name.hasSuffix("num_batches_tracked") {
                tensors[name] = try SafeTensor(shape: tensor.shape, int64s: tensor.data.map { Int64($0) })
            } else {
                tensors[name] = try SafeTensor(shape: tensor.shape, floats: tensor.data)
            }
        }
        var meta = metadata
        meta["architecture"] = try architecture.jsonString()
        meta["format"] = "pt"
        return SafeTensorsFile(tensors: tensors, metadata: meta).encoded()
    }

    /// A loaded model file.
    public struct Loaded {
        public let model: Sequential
        public let architecture: ModelArchitecture
        public let metadata: [String: String]
    }

    /// The largest model file `load` reads: VGG-19's 548 MB fits (the shipped models are well
    /// under 1 MB). What a file may declare is tied to what it holds (see `load(bytes:path:)`).
    public static let maxFileBytes = 4 * ModelArchitecture.Budget.maxParameters + (16 << 20)

    /// Reads a model file, rebuilds its architecture and loads every tensor, checking names and
    /// shapes (a missing, extra or mis-shaped tensor is an error naming it). The model is in
    /// evaluation mode.
    ///
    /// Only classifiers load unless `autoencoders` is true: every command that explains a model
    /// needs classes, and an autoencoder has none (it is refused in one line that says so).
    public static func load(_ url: URL, autoencoders: Bool = false) throws -> Loaded {
        let bytes: [UInt8]
        do {
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            guard size <= maxFileBytes else {
                throw ModelZooError.invalidModelFile(path: url.path, reason: "\(size) bytes, more than the \(maxFileBytes) a model file may have")
            }
            bytes = [UInt8](try Data(contentsOf: url))
        } catch let error as ModelZooError {
            throw error
        } catch {
            throw ModelZooError.invalidModelFile(path: url.path, reason: "\(error)")
        }
        return try load(bytes: bytes, path: url.path, autoencoders: autoencoders)
    }

    /// `load(_:)` for the bytes of a model file; `path` names it in errors.
    /// - Throws: `ModelZooError` for anything wrong with the file (never traps, and allocates
    ///   no more than the architecture's `Budget` allows before the tensors are checked).
    public static func load(bytes: [UInt8], path: String = "model file", autoencoders: Bool = false) throws -> Loaded {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(bytes: bytes) } catch {
            throw ModelZooError.invalidModelFile(path: path, reason: "\(error)")
        }
        guard let json = file.metadata["architecture"] else {
            throw ModelZooError.invalidModelFile(path: path, reason: "no \"architecture\" in __metadata__: not a workbook model file")
        }
        let architecture = try ModelArchitecture.parse(json)
        if let output = architecture.outputShape, !autoencoders {
            throw ModelZooError.invalidModelFile(path: path, reason: "\(architecture.name) is an autoencoder (its output is an image \(output), it has no classes to explain)")
        }
        // Every parameter and buffer value takes at least 4 bytes of the file: a file cannot
        // make the loader build (allocate) a network larger than what it carries.
        let declared = try architecture.validate()
        guard declared <= bytes.count / 4 else {
            throw ModelZooError.invalidModelFile(path: path, reason: "its architecture has \(declared) parameter and buffer values, more than its \(bytes.count) bytes can hold")
        }
        let model = try architecture.makeModel()
        var state: [String: Tensor] = [:]
        for (name, stored) in file.tensors {
            let values = stored.floats()
            guard values.allSatisfy(\.isFinite) else {
                throw ModelZooError.invalidModelFile(path: path, reason: "tensor \(name) holds NaN or infinite values")
            }
            do { state[name] = try Tensor(shape: stored.shape, data: values) } catch {
                throw ModelZooError.invalidModelFile(path: path, reason: "tensor \(name): \(error)")
            }
        }
        do { try model.loadStateDictionary(state) } catch {
            throw ModelZooError.invalidModelFile(path: path, reason: "\(error)")
        }
        model.eval()
        return Loaded(model: model, architecture: architecture, metadata: file.metadata)
    }

    /// The file for a shipped model name (`mnist-gap` → `Datasets/models/mnist-gap.safetensors`)
    /// or a path to any model file.
    public static func resolve(_ nameOrPath: String) throws -> URL {
        if nameOrPath.hasSuffix(".safetensors") || nameOrPath.contains("/") {
            let url = URL(fileURLWithPath: nameOrPath)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ModelZooError.invalidModelFile(path: url.path, reason: "no such file")
            }
            return url
        }
        guard (Catalog.names + Catalog.userDataModels + Catalog.autoencoders).contains(nameOrPath) else { throw ModelZooError.unknownModel(nameOrPath, known: Catalog.names) }
        let url = try shippedURL(nameOrPath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let data = Catalog.userDataModels.contains(nameOrPath) ? " --data DIR" : ""
            throw ModelZooError.invalidModelFile(path: url.path, reason: "not trained yet: run `swift run -c release workbook train --model \(nameOrPath)\(data)`")
        }
        return url
    }

    /// Where a catalogued model's weights ship.
    public static func shippedURL(_ name: String) throws -> URL {
        try DatasetFiles.datasets().appendingPathComponent("models/\(name).safetensors")
    }

    /// The data set a model belongs to: `metadata["dataset"]` when the file records it (every
    /// model `workbook train` writes does), else `Catalog.datasetName(of:)`.
    public static func dataset(for architecture: ModelArchitecture, split: DatasetFiles.Split,
                               metadata: [String: String] = [:]) throws -> LabeledImages {
        try DatasetFiles.named(datasetName(for: architecture, metadata: metadata), split: split)
    }

    /// The name `dataset(for:split:metadata:)` loads.
    public static func datasetName(for architecture: ModelArchitecture, metadata: [String: String] = [:]) -> String {
        metadata["dataset"] ?? Catalog.datasetName(of: architecture)
    }
}
