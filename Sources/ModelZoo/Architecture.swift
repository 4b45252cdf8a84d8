import Foundation
import TensorEngine

/// A model's architecture as data: what a model file carries in its `__metadata__` so that the
/// file alone rebuilds the network, here and in PyTorch (see `Datasets/models/README.md`).
///
/// Layers form a flat sequence with PyTorch-style names (`conv1`, `relu1`, …); argument names
/// follow `torch.nn` (`in_channels`, `kernel_size`, …) so the JSON reads like PyTorch code.
public struct ModelArchitecture: Codable, Equatable, Sendable {
    /// A format tag, so a future change of this schema can be detected.
    public var format = "cnn-workbook/1"
    /// The model's name, e.g. `mnist-gap`.
    public var name: String
    /// The shape of one input image, `[channels, height, width]`, pixels in [0, 1].
    public var inputShape: [Int]
    /// One name per output class, in logit order.
    public var classNames: [String]
    public var layers: [LayerSpecification]

    public init(name: String, inputShape: [Int], classNames: [String], layers: [LayerSpecification]) {
        self.name = name; self.inputShape = inputShape; self.classNames = classNames; self.layers = layers
    }

    enum CodingKeys: String, CodingKey {
        case format, name, layers
        case inputShape = "input_shape", classNames = "class_names"
    }

    /// Compact, deterministic JSON (sorted keys): the same architecture always gives the same bytes.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Parses the JSON written by `jsonString()`, with an error that says what is wrong.
    public static func parse(_ json: String) throws -> ModelArchitecture {
        do {
            let architecture = try JSONDecoder().decode(ModelArchitecture.self, from: Data(json.utf8))
            guard architecture.format.hasPrefix("cnn-workbook/") else {
                throw ModelZooError.invalidArchitecture("unknown format '\(architecture.format)'")
            }
            return architecture
        } catch let error as ModelZooError {
            throw error
        } catch {
            throw ModelZooError.invalidArchitecture("cannot read the architecture JSON: \(error)")
        }
    }

    /// What an architecture may ask for: a hostile or corrupt model file must not make the
    /// loader allocate gigabytes (or trap on a negative size) before its tensors are checked.
    public enum Budget {
        /// Parameters and buffers of all layers together (64 Mi floats, 256 MiB).
        public static let maxParameters = 64 << 20
        /// Values of one sample's input or of any layer's output (16 Mi floats, 64 MiB).
        public static let maxActivation = 16 << 20
        /// Any single size argument (channels, features, kernel, stride, padding, input side).
        public static let maxDimension = 1 << 16
        /// Layers (ResNet-152 flattened has about 500): a file listing more is refused before
        /// anything is built, so a small hostile file cannot keep a command busy.
        public static let maxLayers = 10_000
    }

    /// Checks the architecture without allocating anything: positive sizes within `Budget`, each
    /// layer's input matching what the previous layer produces (channels, features, rank), every
    /// spatial size staying at least 1, and the last layer giving one logit per class name.
    /// - Throws: `ModelZooError.invalidArchitecture` naming the layer and the problem.
    public func validate() throws {
        func fail(_ message: String) -> ModelZooError { .invalidArchitecture(message) }
        guard inputShape.count == 3 else { throw fail("input_shape \(inputShape) is not [channels, height, width]") }
        guard inputShape.allSatisfy({ (1...Budget.maxDimension).contains($0) }) else {
            throw fail("input_shape \(inputShape) needs sizes in 1...\(Budget.maxDimension)")
        }
        guard !classNames.isEmpty else { throw fail("class_names is empty") }
        guard layers.count <= Budget.maxLayers else { throw fail("\(layers.count) layers, more than \(Budget.maxLayers)") }
        var shape = inputShape
        var parameters = 0
        func elements(_ shape: [Int]) -> Int {
            shape.reduce(1) { product, size in
                let (result, overflow) = product.multipliedReportingOverflow(by: size)
                return overflow ? Int.max : result
            }
        }
        guard elements(shape) <= Budget.maxActivation else {
            throw fail("input_shape \(inputShape) has more than \(Budget.maxActivation) values")
        }
        for layer in layers {
            let what = "layer '\(layer.name)' (\(layer.type))"
            func size(_ value: Int?, _ argument: String, minimum: Int = 1) throws -> Int {
                guard let value else { throw fail("\(what) needs '\(argument)'") }
                guard (minimum...Budget.maxDimension).contains(value) else {
                    throw fail("\(what): \(argument) = \(value) is outside \(minimum)...\(Budget.maxDimension)")
                }
                return value
            }
            func requireImage() throws {
                guard shape.count == 3 else { throw fail("\(what) needs [channels, height, width] input, gets \(shape)") }
            }
            func channels(_ expected: Int, _ argument: String) throws {
                try requireImage()
                guard shape[0] == expected else { throw fail("\(what): \(argument) = \(expected), but its input has \(shape[0]) channels") }
            }
            func window(kernel: Int, stride: Int, padding: Int) throws {
                let height = shape[1] + 2 * padding - kernel, width = shape[2] + 2 * padding - kernel
                guard height >= 0, width >= 0 else {
                    throw fail("\(what): kernel \(kernel) is larger than its padded input \(shape)")
                }
                shape[1] = height / stride + 1
                shape[2] = width / stride + 1
            }
            switch layer.type {
            case "Normalize":
                guard let mean = layer.mean, let std = layer.std else { throw fail("\(what) needs 'mean' and 'std'") }
                guard mean.count == std.count, mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                    throw fail("\(what): mean and std need equal lengths, finite values and std > 0")
                }
                try channels(mean.count, "the number of means")
            case "Conv2d":
                let input = try size(layer.inChannels, "in_channels"), output = try size(layer.outChannels, "out_channels")
                let kernel = try size(layer.kernelSize, "kernel_size")
                let stride = try size(layer.stride ?? 1, "stride"), padding = try size(layer.padding ?? 0, "padding", minimum: 0)
                try channels(input, "in_channels")
                parameters = parameters.addingSaturating(elements([output, input, kernel, kernel]) .addingSaturating(output))
                try window(kernel: kernel, stride: stride, padding: padding)
                shape[0] = output
            case "BatchNorm2d":
                let features = try size(layer.numFeatures, "num_features")
                try channels(features, "num_features")
                parameters = parameters.addingSaturating(4 * features + 1)
            case "MaxPool2d", "AvgPool2d":
                let kernel = try size(layer.kernelSize, "kernel_size")
                let stride = try size(layer.stride ?? kernel, "stride"), padding = try size(layer.padding ?? 0, "padding", minimum: 0)
                try requireImage()
                guard 2 * padding <= kernel else { throw fail("\(what): padding \(padding) is more than half of kernel_size \(kernel)") }
                try window(kernel: kernel, stride: stride, padding: padding)
            case "GlobalAvgPool2d":
                try requireImage()
                shape = [shape[0]]
            case "Flatten":
                shape = [elements(shape)]
            case "Linear":
                let input = try size(layer.inFeatures, "in_features"), output = try size(layer.outFeatures, "out_features")
                guard shape == [input] else { throw fail("\(what): in_features = \(input), but its input is \(shape)") }
                parameters = parameters.addingSaturating(elements([output, input]).addingSaturating(output))
                shape = [output]
            case "Dropout":
                let p = layer.p ?? 0.5
                guard p >= 0, p < 1 else { throw fail("\(what): p = \(p) is outside [0, 1)") }
            case "ReLU", "Sigmoid", "Tanh":
                break
            default:
                throw fail("layer '\(layer.name)' has unknown type '\(layer.type)'")
            }
            guard elements(shape) <= Budget.maxActivation else {
                throw fail("\(what) outputs \(shape), more than \(Budget.maxActivation) values")
            }
            guard parameters <= Budget.maxParameters else {
                throw fail("the layers up to '\(layer.name)' hold more than \(Budget.maxParameters) parameters")
            }
        }
        guard shape == [classNames.count] else {
            throw fail("the last layer outputs \(shape), but there are \(classNames.count) class names")
        }
    }

    /// Builds the network with freshly initialised weights (seeded), after `validate()`.
    public func makeModel(seed: UInt64 = 0) throws -> Sequential {
        try validate()
        var generator = SeededGenerator(seed: seed)
        var modules: [(String, Module)] = []
        var names = Set<String>()
        for layer in layers {
            guard names.insert(layer.name).inserted else {
                throw ModelZooError.invalidArchitecture("layer name '\(layer.name)' is used twice")
            }
            modules.append((layer.name, try layer.makeModule(generator: &generator)))
        }
        return Sequential(named: modules)
    }
}

/// One layer: its name, its `torch.nn` type and that type's arguments.
public struct LayerSpecification: Codable, Equatable, Sendable {
    public var name: String
    public var type: String
    public var inChannels: Int?, outChannels: Int?, kernelSize: Int?, stride: Int?, padding: Int?
    public var inFeatures: Int?, outFeatures: Int?, numFeatures: Int?
    public var p: Float?
    public var mean: [Float]?, std: [Float]?

    enum CodingKeys: String, CodingKey {
        case name, type, stride, padding, p, mean, std
        case inChannels = "in_channels", outChannels = "out_channels", kernelSize = "kernel_size"
        case inFeatures = "in_features", outFeatures = "out_features", numFeatures = "num_features"
    }

    public init(name: String, type: String) { self.name = name; self.type = type }

    public static func normalize(_ name: String, mean: [Float], std: [Float]) -> Self {
        var l = Self(name: name, type: "Normalize"); l.mean = mean; l.std = std; return l
    }
    public static func conv2d(_ name: String, _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0) -> Self {
        var l = Self(name: name, type: "Conv2d")
        l.inChannels = inChannels; l.outChannels = outChannels; l.kernelSize = kernelSize; l.stride = stride; l.padding = padding
        return l
    }
    public static func batchNorm2d(_ name: String, _ features: Int) -> Self {
        var l = Self(name: name, type: "BatchNorm2d"); l.numFeatures = features; return l
    }
    public static func relu(_ name: String) -> Self { Self(name: name, type: "ReLU") }
    public static func maxPool2d(_ name: String, kernelSize: Int, stride: Int? = nil) -> Self {
        var l = Self(name: name, type: "MaxPool2d"); l.kernelSize = kernelSize; l.stride = stride ?? kernelSize; return l
    }
    public static func globalAvgPool(_ name: String) -> Self { Self(name: name, type: "GlobalAvgPool2d") }
    public static func flatten(_ name: String) -> Self { Self(name: name, type: "Flatten") }
    public static func dropout(_ name: String, p: Float) -> Self { var l = Self(name: name, type: "Dropout"); l.p = p; return l }
    public static func linear(_ name: String, _ inFeatures: Int, _ outFeatures: Int) -> Self {
        var l = Self(name: name, type: "Linear"); l.inFeatures = inFeatures; l.outFeatures = outFeatures; return l
    }

    private func required<T>(_ value: T?, _ argument: String) throws -> T {
        guard let value else { throw ModelZooError.invalidArchitecture("layer '\(name)' (\(type)) needs '\(argument)'") }
        return value
    }

    func makeModule(generator: inout SeededGenerator) throws -> Module {
        switch type {
        case "Normalize":
            let mean = try required(mean, "mean"), std = try required(std, "std")
            guard mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
                throw ModelZooError.invalidArchitecture("layer '\(name)': mean and std need equal lengths and std > 0")
            }
            return Normalize(mean: mean, std: std)
        case "Conv2d":
            return Conv2d(try required(inChannels, "in_channels"), try required(outChannels, "out_channels"),
                          kernelSize: try required(kernelSize, "kernel_size"), stride: stride ?? 1, padding: padding ?? 0,
                          generator: &generator)
        case "BatchNorm2d": return BatchNorm2d(try required(numFeatures, "num_features"))
        case "ReLU": return ReLU()
        case "MaxPool2d":
            let k = try required(kernelSize, "kernel_size")
            return MaxPool2d(k, stride: stride ?? k, padding: padding ?? 0)
        case "AvgPool2d":
            let k = try required(kernelSize, "kernel_size")
            return AvgPool2d(k, stride: stride ?? k, padding: padding ?? 0)
        case "GlobalAvgPool2d": return GlobalAvgPool2d()
        case "Flatten": return Flatten()
        case "Dropout": return Dropout(p ?? 0.5, seed: generator.next())
        case "Linear":
            return Linear(try required(inFeatures, "in_features"), try required(outFeatures, "out_features"), generator: &generator)
        case "Sigmoid": return Sigmoid()
        case "Tanh": return Tanh()
        default:
            throw ModelZooError.invalidArchitecture("layer '\(name)' has unknown type '\(type)'")
        }
    }
}

/// What can go wrong with models and data.
public enum ModelZooError: Error, CustomStringConvertible, Equatable {
    case invalidArchitecture(String)
    case unknownModel(String, known: [String])
    case invalidModelFile(path: String, reason: String)
    case dataset(String)
    case training(String)

    public var description: String {
        switch self {
        case let .invalidArchitecture(message): return "invalid architecture: \(message)"
        case let .unknownModel(name, known):
            return "no model named '\(name)' (shipped: \(known.joined(separator: ", "))); a path to a .safetensors model file also works"
        case let .invalidModelFile(path, reason): return "\(path): \(reason)"
        case let .dataset(message): return message
        case let .training(message): return message
        }
    }
}

extension Int {
    /// `self + other`, or `Int.max` where that overflows (sizes only grow, so this is enough).
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? Int.max : sum
    }
}
