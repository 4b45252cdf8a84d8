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
    /// One name per output class, in logit order (empty for an autoencoder).
    public var classNames: [String]
    /// An autoencoder's output shape (its input's); nil for a classifier, whose output is one logit
    /// per class name. The explaining commands take classifiers only (`ModelFile.load`).
    public var outputShape: [Int]?
    public var layers: [LayerSpecification]
    /// For a user's own image: the shorter side is resized to this before the centre
    /// `input_shape` crop (torchvision's ImageNet transform: 256, then 224). Nil: the input's side.
    public var resizeTo: Int?

    public init(name: String, inputShape: [Int], classNames: [String], layers: [LayerSpecification], resizeTo: Int? = nil,
                outputShape: [Int]? = nil) {
        self.name = name; self.inputShape = inputShape; self.classNames = classNames; self.layers = layers; self.resizeTo = resizeTo
        self.outputShape = outputShape
    }

    enum CodingKeys: String, CodingKey {
        case format, name, layers
        case inputShape = "input_shape", classNames = "class_names", resizeTo = "resize_to", outputShape = "output_shape"
    }

    /// Whether the model gives one logit per class (every model but an autoencoder).
    public var isClassifier: Bool { outputShape == nil }

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
    /// Besides these bounds, `ModelFile.load` refuses an architecture whose parameters and buffers
    /// need more bytes than the file holds, so a small file cannot declare a large network.
    public enum Budget {
        /// Parameters and buffers of all layers together: 160 Mi values (640 MiB), VGG-19's
        /// 143.7 million with room to spare.
        public static let maxParameters = 160 << 20
        /// Values of one sample's input or of any layer's output (16 Mi floats, 64 MiB).
        public static let maxActivation = 16 << 20
        /// Any single size argument (channels, features, kernel, stride, padding, input side).
        public static let maxDimension = 1 << 16
        /// Layers (ResNet-152 flattened has about 500): a file listing more is refused before
        /// anything is built, so a small hostile file cannot keep a command busy.
        public static let maxLayers = 10_000
        /// How deep `Sequential` layers may nest (torchvision's models need 2).
        public static let maxNesting = 8
    }

    /// Checks the architecture without allocating anything: positive sizes within `Budget`, each
    /// layer's input matching what the previous layer produces (channels, features, rank), every
    /// spatial size staying at least 1, and the last layer giving one logit per class name.
    /// - Returns: the number of values the model's parameters and buffers hold (what its file must carry).
    /// - Throws: `ModelZooError.invalidArchitecture` naming the layer and the problem.
    @discardableResult
    public func validate() throws -> Int {
        func fail(_ message: String) -> ModelZooError { .invalidArchitecture(message) }
        guard inputShape.count == 3 else { throw fail("input_shape \(inputShape) is not [channels, height, width]") }
        guard inputShape.allSatisfy({ (1...Budget.maxDimension).contains($0) }) else {
            throw fail("input_shape \(inputShape) needs sizes in 1...\(Budget.maxDimension)")
        }
        if let outputShape {
            guard classNames.isEmpty else { throw fail("an autoencoder (output_shape \(outputShape)) has no class_names") }
            guard (1...3).contains(outputShape.count), outputShape.allSatisfy({ (1...Budget.maxDimension).contains($0) }) else {
                throw fail("output_shape \(outputShape) needs 1 to 3 sizes in 1...\(Budget.maxDimension)")
            }
        } else {
            guard !classNames.isEmpty else { throw fail("class_names is empty") }
        }
        if let resize = resizeTo {
            guard resize >= max(inputShape[1], inputShape[2]), resize <= Budget.maxDimension else {
                throw fail("resize_to \(resize) must be at least the input's side and at most \(Budget.maxDimension)")
            }
        }
        func count(_ layers: [LayerSpecification], depth: Int) -> Int {
            depth > Budget.maxNesting ? 0 : layers.reduce(layers.count) { $0 + count($1.layers ?? [], depth: depth + 1) }
        }
        let total = count(layers, depth: 0)
        guard total <= Budget.maxLayers else { throw fail("\(total) layers, more than \(Budget.maxLayers)") }
        var shape = inputShape
        var parameters = 0
        var layerCount = 0
        guard Self.elements(shape) <= Budget.maxActivation else {
            throw fail("input_shape \(inputShape) has more than \(Budget.maxActivation) values")
        }
        try Self.check(layers, shape: &shape, parameters: &parameters, layerCount: &layerCount, depth: 0, prefix: "")
        if let outputShape {
            guard shape == outputShape else { throw fail("the last layer outputs \(shape), but output_shape is \(outputShape)") }
        } else {
            guard shape == [classNames.count] else {
                throw fail("the last layer outputs \(shape), but there are \(classNames.count) class names")
            }
        }
        return parameters
    }

    static func elements(_ shape: [Int]) -> Int {
        shape.reduce(1) { product, size in
            let (result, overflow) = product.multipliedReportingOverflow(by: size)
            return overflow ? Int.max : result
        }
    }

    /// Walks `layers` from `shape`, checking each and counting parameters and buffers.
    static func check(_ layers: [LayerSpecification], shape: inout [Int], parameters: inout Int, layerCount: inout Int,
                      depth: Int, prefix: String) throws {
        func fail(_ message: String) -> ModelZooError { .invalidArchitecture(message) }
        guard depth <= Budget.maxNesting else { throw fail("Sequential layers nested deeper than \(Budget.maxNesting)") }
        var names = Set<String>()
        for layer in layers {
            layerCount += 1
            guard layerCount <= Budget.maxLayers else { throw fail("more than \(Budget.maxLayers) layers") }
            guard names.insert(layer.name).inserted else { throw fail("layer name '\(prefix)\(layer.name)' is used twice") }
            let what = "layer '\(prefix)\(layer.name)' (\(layer.type))"
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
            func window(_ shape: inout [Int], kernel: Int, stride: Int, padding: Int) throws {
                let height = shape[1] + 2 * padding - kernel, width = shape[2] + 2 * padding - kernel
                guard height >= 0, width >= 0 else {
                    throw fail("\(what): kernel \(kernel) is larger than its padded input \(shape)")
                }
                shape[1] = height / stride + 1
                shape[2] = width / stride + 1
            }
            func add(_ count: Int) { parameters = parameters.addingSaturating(count) }
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
                add(elements([output, input, kernel, kernel]))
                if layer.bias ?? true { add(output) }
                try window(&shape, kernel: kernel, stride: stride, padding: padding)
                shape[0] = output
            case "ConvTranspose2d":
                let input = try size(layer.inChannels, "in_channels"), output = try size(layer.outChannels, "out_channels")
                let kernel = try size(layer.kernelSize, "kernel_size")
                let stride = try size(layer.stride ?? 1, "stride"), padding = try size(layer.padding ?? 0, "padding", minimum: 0)
                let extra = try size(layer.outputPadding ?? 0, "output_padding", minimum: 0)
                guard extra < stride else { throw fail("\(what): output_padding = \(extra) must be smaller than stride = \(stride)") }
                try channels(input, "in_channels")
                add(elements([input, output, kernel, kernel]))
                if layer.bias ?? true { add(output) }
                // (H − 1)·stride − 2·padding + kernel + output_padding, in steps that cannot overflow.
                for axis in 1...2 {
                    let grown = (shape[axis] - 1).multipliedReportingOverflow(by: stride)
                    let size = grown.overflow ? Int.max : grown.partialValue.addingSaturating(kernel + extra) - 2 * padding
                    guard size >= 1, size <= Budget.maxDimension else {
                        throw fail("\(what): its output would be \(size) pixels across from an input \(shape)")
                    }
                    shape[axis] = size
                }
                shape[0] = output
            case "Unflatten":
                guard let target = layer.unflattenedSize, (1...3).contains(target.count) else {
                    throw fail("\(what) needs 'unflattened_size' (1 to 3 sizes)")
                }
                for value in target { _ = try size(value, "unflattened_size") }
                guard shape == [elements(target)] else { throw fail("\(what): unflattened_size \(target) holds \(elements(target)) values, but its input is \(shape)") }
                shape = target
            case "BatchNorm2d":
                let features = try size(layer.numFeatures, "num_features")
                try channels(features, "num_features")
                add(4 * features + 1)
            case "MaxPool2d", "AvgPool2d":
                let kernel = try size(layer.kernelSize, "kernel_size")
                let stride = try size(layer.stride ?? kernel, "stride"), padding = try size(layer.padding ?? 0, "padding", minimum: 0)
                try requireImage()
                guard 2 * padding <= kernel else { throw fail("\(what): padding \(padding) is more than half of kernel_size \(kernel)") }
                try window(&shape, kernel: kernel, stride: stride, padding: padding)
            case "GlobalAvgPool2d":
                try requireImage()
                shape = [shape[0]]
            case "AdaptiveAvgPool2d":
                guard let output = layer.outputSize, output.count == 2 else { throw fail("\(what) needs 'output_size' [height, width]") }
                _ = try size(output[0], "output_size"); _ = try size(output[1], "output_size")
                try requireImage()
                shape = [shape[0], output[0], output[1]]
            case "Flatten":
                shape = [elements(shape)]
            case "Linear":
                let input = try size(layer.inFeatures, "in_features"), output = try size(layer.outFeatures, "out_features")
                guard shape == [input] else { throw fail("\(what): in_features = \(input), but its input is \(shape)") }
                add(elements([output, input]).addingSaturating(output))
                shape = [output]
            case "Dropout":
                let p = layer.p ?? 0.5
                guard p >= 0, p < 1 else { throw fail("\(what): p = \(p) is outside [0, 1)") }
            case "ReLU", "Sigmoid", "Tanh":
                break
            case "Sequential":
                guard let children = layer.layers, !children.isEmpty else { throw fail("\(what) needs 'layers'") }
                try check(children, shape: &shape, parameters: &parameters, layerCount: &layerCount, depth: depth + 1, prefix: "\(prefix)\(layer.name).")
            case "ResNetStage":
                // torchvision's layer1…layer4: `blocks` residual blocks, the first with `stride`.
                let inPlanes = try size(layer.inChannels, "in_channels"), planes = try size(layer.outChannels, "out_channels")
                let blocks = try size(layer.blocks, "blocks"), stride = try size(layer.stride ?? 1, "stride")
                guard blocks <= 64 else { throw fail("\(what): \(blocks) blocks (at most 64)") }
                let bottleneck: Bool
                switch layer.block {
                case "BasicBlock": bottleneck = false
                case "Bottleneck": bottleneck = true
                default: throw fail("\(what) needs 'block': BasicBlock or Bottleneck")
                }
                try channels(inPlanes, "in_channels")
                let output = bottleneck ? 4 * planes : planes
                var input = inPlanes
                for b in 0..<blocks {
                    let s = b == 0 ? stride : 1
                    let convolutions = bottleneck ? input * planes + 9 * planes * planes + planes * output : 9 * input * planes + 9 * planes * planes
                    let norms = bottleneck ? 4 * (2 * planes + output) + 3 : 4 * 2 * planes + 2
                    add(convolutions.addingSaturating(norms))
                    if s != 1 || input != output { add(input * output + 4 * output + 1) }      // downsample
                    try window(&shape, kernel: 3, stride: s, padding: 1)
                    input = output
                }
                shape[0] = output
            default:
                throw fail("layer '\(prefix)\(layer.name)' has unknown type '\(layer.type)'")
            }
            guard elements(shape) <= Budget.maxActivation else {
                throw fail("\(what) outputs \(shape), more than \(Budget.maxActivation) values")
            }
            guard parameters <= Budget.maxParameters else {
                throw fail("the layers up to '\(prefix)\(layer.name)' hold more than \(Budget.maxParameters) parameters")
            }
        }
    }

    /// Builds the network with freshly initialised weights (seeded), after `validate()`.
    public func makeModel(seed: UInt64 = 0) throws -> Sequential {
        try validate()
        var generator = SeededGenerator(seed: seed)
        return Sequential(named: try layers.map { ($0.name, try $0.makeModule(generator: &generator)) })
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
    /// Conv2d: whether it has a bias (default true; torchvision's ResNets have none).
    public var bias: Bool?
    /// AdaptiveAvgPool2d: [height, width].
    public var outputSize: [Int]?
    /// ConvTranspose2d: the extra rows and columns on the output's far side (default 0).
    public var outputPadding: Int?
    /// Unflatten (of dimension 1): the shape each vector becomes, e.g. [32, 7, 7].
    public var unflattenedSize: [Int]?
    /// Sequential: its layers, named as PyTorch names a Sequential's children ("0", "1", …).
    public var layers: [LayerSpecification]?
    /// ResNetStage: "BasicBlock" or "Bottleneck", and how many.
    public var block: String?
    public var blocks: Int?

    enum CodingKeys: String, CodingKey {
        case name, type, stride, padding, p, mean, std, bias, layers, block, blocks
        case inChannels = "in_channels", outChannels = "out_channels", kernelSize = "kernel_size"
        case inFeatures = "in_features", outFeatures = "out_features", numFeatures = "num_features"
        case outputSize = "output_size", outputPadding = "output_padding", unflattenedSize = "unflattened_size"
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
    public static func convTranspose2d(_ name: String, _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                                       padding: Int = 0, outputPadding: Int = 0) -> Self {
        var l = Self(name: name, type: "ConvTranspose2d")
        l.inChannels = inChannels; l.outChannels = outChannels; l.kernelSize = kernelSize; l.stride = stride; l.padding = padding
        l.outputPadding = outputPadding
        return l
    }
    public static func unflatten(_ name: String, _ shape: [Int]) -> Self { var l = Self(name: name, type: "Unflatten"); l.unflattenedSize = shape; return l }
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
                          bias: bias ?? true, generator: &generator)
        case "ConvTranspose2d":
            return ConvTranspose2d(try required(inChannels, "in_channels"), try required(outChannels, "out_channels"),
                                   kernelSize: try required(kernelSize, "kernel_size"), stride: stride ?? 1, padding: padding ?? 0,
                                   outputPadding: outputPadding ?? 0, bias: bias ?? true, generator: &generator)
        case "Unflatten": return Unflatten(try required(unflattenedSize, "unflattened_size"))
        case "AdaptiveAvgPool2d":
            let size = try required(outputSize, "output_size")
            return AdaptiveAvgPool2d(size[0], size[1])
        case "Sequential":
            return Sequential(named: try required(layers, "layers").map { ($0.name, try $0.makeModule(generator: &generator)) })
        case "ResNetStage":
            let count = try required(blocks, "blocks"), planes = try required(outChannels, "out_channels")
            var input = try required(inChannels, "in_channels")
            var modules: [(String, Module)] = []
            for b in 0..<count {
                let s = b == 0 ? (stride ?? 1) : 1
                if block == "Bottleneck" {
                    modules.append(("\(b)", Bottleneck(input, planes, stride: s, generator: &generator)))
                    input = planes * Bottleneck.expansion
                } else {
                    modules.append(("\(b)", BasicBlock(input, planes, stride: s, generator: &generator)))
                    input = planes * BasicBlock.expansion
                }
            }
            return Sequential(named: modules)
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
