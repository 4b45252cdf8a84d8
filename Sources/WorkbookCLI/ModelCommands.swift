import DataFormats
import Foundation
import Imaging
import ModelZoo
import TensorEngine

let modelOption = OptionSpecification(name: "model", valueName: "NAME|FILE", help: "a shipped model name or a path to a model .safetensors", required: true)
/// The folder of a data set the user supplies (CIFAR-10), for models whose data cannot ship.
let dataOption = OptionSpecification(name: "data", valueName: "DIR", help: "the folder holding cifar-10-batches-bin (CIFAR-10 models; see Datasets/README.md)")

extension ParsedOptions {
    /// `--data DIR` as a URL, if given.
    var dataFolder: URL? { string("data").map { URL(fileURLWithPath: $0) } }
}

/// The same, for the commands that default to the course's main model.
let modelOptionDefaultingToGap = OptionSpecification(name: "model", valueName: "NAME|FILE", help: "a shipped model name or a path to a model .safetensors (default mnist-gap)")

/// `workbook evaluate`: accuracy, per-class accuracy and the confusion matrix on the test set.
enum EvaluateCommand: Command {
    static let name = "evaluate"
    static let summary = "Accuracy, per-class accuracy and confusion matrix of a model on its test set (or --dataset, --split)."
    static let options = [
        modelOption,
        OptionSpecification(name: "dataset", valueName: "NAME", help: "evaluate on this data set instead of the model's own (\(DatasetFiles.datasetNames.joined(separator: ", ")))"),
        OptionSpecification(name: "split", valueName: "test|train", help: "which split (default test)"),
        OptionSpecification(name: "limit", valueName: "N", help: "evaluate the first N test images only", integers: 1...Int.max),
        OptionSpecification(name: "logits", valueName: "FILE.npy", help: "also write the logits [N, classes] as NPY (to compare with PyTorch)"),
        OptionSpecification(name: "out", valueName: "DIR", help: "where the figures go (default workbook-output/evaluate-MODEL)"),
        dataOption,
    ]

    static func run(_ options: ParsedOptions) throws {
        let split: DatasetFiles.Split
        switch options.string("split") ?? "test" {
        case "test": split = .test
        case "train": split = .training
        case let other: throw CommandLineError(message: "--split takes test or train, got '\(other)'")
        }
        if let name = options.string("dataset"), !DatasetFiles.datasetNames.contains(name) {
            throw CommandLineError(message: "--dataset must be one of \(DatasetFiles.datasetNames.joined(separator: ", ")), got '\(name)'")
        }
        let loaded = try ModelFile.load(ModelFile.resolve(options.requiredString("model")))
        let ownDataset = ModelFile.datasetName(for: loaded.architecture, metadata: loaded.metadata)
        let datasetName = options.string("dataset") ?? ownDataset
        var test = try ModelFile.dataset(named: datasetName, split: split, dataFolder: options.dataFolder, model: loaded.architecture.name)
        guard test.imageShape == loaded.architecture.inputShape, test.classNames.count == loaded.architecture.classNames.count else {
            throw CommandLineError(message: "\(datasetName) has \(test.imageShape) images in \(test.classNames.count) classes; \(loaded.architecture.name) expects \(loaded.architecture.inputShape) and \(loaded.architecture.classNames.count)")
        }
        if let limit = try options.int("limit") { test = test.prefix(limit) }
        let start = Date()
        let (logits, classes) = try Evaluation.logits(of: loaded.model, on: test)
        let seconds = Date().timeIntervalSince(start)
        let predicted = try Tensor(shape: [test.count, classes], data: logits).argmax()
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predicted, test.labels) { confusion[t][p] += 1 }
        let correct = (0..<classes).map { confusion[$0][$0] }.reduce(0, +)
        let which = (split == .test ? "test" : "train") + (datasetName == ownDataset ? "" : " (\(datasetName))")
        print(loaded.architecture.name + String(format: ": %@ accuracy %.2f%% (%d / %d) in %.2f s (%.0f images/s)",
                     which, 100 * Double(correct) / Double(test.count), correct, test.count, seconds, Double(test.count) / seconds))
        if let required = Catalog.requiredAccuracy(of: loaded.architecture.name), split == .test, datasetName == ownDataset {
            let met = Double(correct) / Double(test.count) >= required
            print(String(format: "required: ≥ %.1f%% — ", 100 * required) + (met ? "met" : "NOT met"))
        }
        print("\nper class:")
        for c in 0..<classes {
            let total = confusion[c].reduce(0, +)
            print("  " + padded(loaded.architecture.classNames[c], 12) + String(format: "%6.2f%%  (%d / %d)",
                         total > 0 ? 100 * Double(confusion[c][c]) / Double(total) : 0, confusion[c][c], total))
        }
        print("\nconfusion matrix (rows: true class, columns: predicted):")
        print("      " + (0..<classes).map { String(format: "%5d", $0) }.joined())
        for t in 0..<classes {
            print(String(format: "  %2d  ", t) + confusion[t].map { String(format: "%5d", $0) }.joined())
        }
        let out = URL(fileURLWithPath: options.string("out") ?? "workbook-output/evaluate-\(loaded.architecture.name)")
        let accuracy = String(format: "%.2f%%", 100 * Double(correct) / Double(test.count))
        let probabilities = try withNoGrad { try Tensor(shape: [test.count, classes], data: logits).softmax() }.data
        var files: [(URL, Data)] = [
            (out.appendingPathComponent("confusion-matrix.png"), Data(PNG.encode(ModelFigures.confusionMatrix(
                confusion, classNames: loaded.architecture.classNames, title: "\(loaded.architecture.name): confusion matrix, test accuracy \(accuracy)")))),
            (out.appendingPathComponent("per-class-accuracy.png"), Data(PNG.encode(ModelFigures.perClassAccuracy(
                confusion, classNames: loaded.architecture.classNames, title: "\(loaded.architecture.name): accuracy per class (all: \(accuracy))")))),
            (out.appendingPathComponent("misclassified.png"), Data(PNG.encode(ModelFigures.misclassified(test, predicted: predicted, probabilities: probabilities, classes: classes, classNames: loaded.architecture.classNames)))),
        ]
        if let path = options.string("logits") {
            files.append((URL(fileURLWithPath: path), Data(NPY.encode(try NPYArray(shape: [test.count, classes], floats: logits)))))
        }
        try AtomicFiles.write(files, creatingFolder: out)
        print("\nwrote \(out.path)/confusion-matrix.png, per-class-accuracy.png and misclassified.png" + (options.string("logits").map { " and \($0)" } ?? ""))
    }
}

/// `workbook summary`: a torchinfo-style table of layers, output shapes and parameter counts.
enum SummaryCommand: Command {
    static let name = "summary"
    static let summary = "A table of the model's layers, output shapes and parameter counts (like torchinfo)."
    static let options = [modelOption]

    static func run(_ options: ParsedOptions) throws {
        let name = try options.requiredString("model")
        let architecture: ModelArchitecture
        let model: Sequential
        if let url = try? ModelFile.resolve(name) {
            let loaded = try ModelFile.load(url)
            (architecture, model) = (loaded.architecture, loaded.model)
        } else {
            architecture = try Catalog.architecture(named: name)
            model = try architecture.makeModel()
        }
        print(try ModelSummary.table(model, inputShape: [1] + architecture.inputShape, title: architecture.name))
    }
}

/// The table `summary` prints.
enum ModelSummary {
    static func table(_ model: Sequential, inputShape: [Int], title: String) throws -> String {
        var rows: [(String, String, [Int], Int)] = []
        var handles: [HookHandle] = []
        for (name, layer) in model.children {
            handles.append(layer.registerForwardHook { module, _, output in
                let count = module.namedParameters().map { $0.tensor.count }.reduce(0, +)
                rows.append((name, "\(module.typeName)(\(module.argumentsDescription))", output.shape, count))
            })
        }
        defer { handles.removeAll() }
        model.eval()
        _ = try withNoGrad { try model(.zeros(inputShape)) }
        let line = String(repeating: "=", count: 86)
        var text = "\(title)\n\(line)\n"
        func pad(_ s: String, _ n: Int) -> String { padded(s, n) }
        text += pad("Layer (name)", 12) + pad("Type (arguments)", 44) + pad("Output shape", 18) + "Param #\n" + line + "\n"
        for (name, type, shape, count) in rows {
            text += pad(name, 12) + pad(type, 44) + pad("\(shape)", 18) + (count > 0 ? "\(count)" : "--") + "\n"
        }
        let total = model.parameters().map(\.count).reduce(0, +)
        text += "\(line)\nTotal params: \(total)\nTrainable params: \(total)\n"
        text += String(format: "Params size (MB): %.2f\n", Double(total * 4) / 1e6)
        text += "Input size: \(inputShape)\n\(line)"
        return text
    }
}

/// `workbook predict`: the top classes for one test image or a PNG.
enum PredictCommand: Command {
    static let name = "predict"
    static let summary = "Top-k classes with probabilities for one test image (--index) or your own (--image FILE, PNG or JPEG)."
    static let options = [
        modelOption,
        OptionSpecification(name: "index", valueName: "N", help: "a test-set image", integers: 0...Int.max),
        OptionSpecification(name: "image", valueName: "FILE", help: "a PNG or JPEG: grey for MNIST models, RGB for colour ones; shorter side resized to the model's input, centre kept"),
        OptionSpecification(name: "png", valueName: "FILE", help: "the same as --image (its older name)"),
        OptionSpecification(name: "invert", valueName: nil, help: "invert the image first (MNIST models expect white digits on black)"),
        OptionSpecification(name: "top", valueName: "K", help: "how many classes to show (default 3)", integers: 1...1000),
        dataOption,
    ]

    static func run(_ options: ParsedOptions) throws {
        let loaded = try ModelFile.load(ModelFile.resolve(options.requiredString("model")))
        let image: Tensor
        let names = loaded.architecture.classNames
        if let path = options.string("image") ?? options.string("png") {
            guard options.string("index") == nil else { throw CommandLineError(message: "give --index N or --image FILE, not both") }
            let user = try InputImages.load(URL(fileURLWithPath: path), shape: loaded.architecture.inputShape,
                                            resizeTo: loaded.architecture.resizeTo, invert: options.has("invert"))
            image = user.tensor
            print(user.description + ":")
        } else {
            let test = try ModelFile.dataset(for: loaded, split: .test, dataFolder: options.dataFolder)
            guard let index = try options.int("index") else { throw CommandLineError(message: "give --index N or --image FILE") }
            image = try test.image(at: index)
            print("test image \(index), true class \(names[test.labels[index]]):")
        }
        let probabilities = try withNoGrad { try loaded.model(image).softmax() }.data
        let k = min(try options.int("top", default: names.count > 10 ? 5 : 3)!, probabilities.count, names.count)
        let top = probabilities.enumerated().sorted(by: { $0.element > $1.element }).prefix(k)
        let width = top.map { names[$0.offset].count }.max() ?? 0
        let indexWidth = "\(names.count - 1)".count
        for (c, p) in top {
            // The class's index (its logit), its name, its probability.
            print("  " + String(repeating: " ", count: indexWidth - "\(c)".count) + "\(c)  " + padded(names[c], max(width, 10) + 2) + String(format: "%.4f", p))
        }
    }
}

/// `workbook diagram`: an SVG drawing of the architecture.
enum DiagramCommand: Command {
    static let name = "diagram"
    static let summary = "Draw the model's architecture as SVG (boxes with names and output shapes)."
    static let options = [modelOption, OptionSpecification(name: "out", valueName: "FILE.svg", help: "where to write (default MODEL.svg)")]

    static func run(_ options: ParsedOptions) throws {
        let name = try options.requiredString("model")
        // A file that exists is a model file: its own error, not "no model named …".
        let architecture: ModelArchitecture
        if FileManager.default.fileExists(atPath: name) || name.hasSuffix(".safetensors") {
            architecture = try ModelFile.load(ModelFile.resolve(name)).architecture
        } else if let url = try? ModelFile.resolve(name) {
            architecture = try ModelFile.load(url).architecture
        } else {
            architecture = try Catalog.architecture(named: name)
        }
        let svg = try ModelFigures.diagram(try architecture.makeModel(), architecture: architecture)
        let out = options.string("out") ?? "\(architecture.name).svg"
        try AtomicFiles.write([(URL(fileURLWithPath: out), Data(svg.utf8))])
        print("wrote \(out)")
    }
}

/// Turning a user's image into a model input, the way torchvision's transforms would.
enum InputImages {
    /// A user's image made into a model's input, with the photo kept for drawing.
    struct UserImage {
        /// `[1, C, H, W]` in [0, 1]: what the model is given.
        let tensor: Tensor
        /// The part of the photo the model sees (the centre crop), in colour, at its own resolution
        /// up to `maximumDisplaySide` (reduced beyond): what overlays are drawn on.
        let photo: RGBAImage
        /// One line: the file, its size and format, and each conversion made.
        let description: String
    }

    /// The longest side of `UserImage.photo`.
    static let maximumDisplaySide = 448

    /// A PNG or JPEG (EXIF orientation applied) prepared as torchvision's `Resize(R)` +
    /// `CenterCrop(S)` + `ToTensor()` prepare a PIL image for a model whose input is `[C, S, S]`
    /// (R = `resizeTo`, 256 for the ImageNet models, else S):
    /// grey through PIL's luminance weights for a one-channel model (RGB for three), the shorter
    /// side resized to S with Pillow's bilinear filter (averaging when reducing), the centre S×S
    /// kept, values in [0, 1] (then `1 − x` with `invert`: MNIST models see white on black).
    static func load(_ url: URL, shape: [Int], resizeTo: Int? = nil, invert: Bool) throws -> UserImage {
        guard shape.count == 3, shape[0] == 1 || shape[0] == 3 else {
            throw CommandLineError(message: "--image works for one- and three-channel models; this one expects \(shape)")
        }
        let (image, format) = try ImageFile.readRGBA(from: url)
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        // The photo's colour planes serve both the drawing and, for a colour model, the input.
        let colour = image.planarRGB
        var planar = channels == 3 ? colour : image.grayscale().pixels.map { Float($0) / 255 }
        if invert { planar = planar.map { 1 - $0 } }
        // Resize so that the model's H×W window fits (for a square input: the shorter side to R,
        // torchvision's Resize(R)), then keep the centre (CenterCrop(S)).
        let resizedSize: (width: Int, height: Int)
        if width == height {
            resizedSize = Resampling.shortSideSize(width: image.width, height: image.height, to: max(resizeTo ?? width, width))
        } else {
            let scale = max(Double(width) / Double(image.width), Double(height) / Double(image.height))
            resizedSize = (max(width, Int(Double(image.width) * scale)), max(height, Int(Double(image.height) * scale)))
        }
        let resized = Resampling.resized(planar, channels: channels, width: image.width, height: image.height,
                                         toWidth: resizedSize.width, toHeight: resizedSize.height)
        let origin = Resampling.centreCropOrigin(width: resizedSize.width, height: resizedSize.height, cropWidth: width, cropHeight: height)
        let input = Resampling.cropped(resized, channels: channels, width: resizedSize.width, height: resizedSize.height,
                                       x: origin.x, y: origin.y, cropWidth: width, cropHeight: height)
        // The same window in the photo's own pixels, in colour, for drawing.
        let scaleBack = Double(image.width) / Double(resizedSize.width)
        let cropWidth = min(image.width, max(1, Int((Double(width) * scaleBack).rounded())))
        let cropHeight = min(image.height, max(1, Int((Double(height) * Double(image.height) / Double(resizedSize.height)).rounded())))
        let cropOrigin = Resampling.centreCropOrigin(width: image.width, height: image.height, cropWidth: cropWidth, cropHeight: cropHeight)
        var photo = Resampling.cropped(colour, channels: 3, width: image.width, height: image.height, x: cropOrigin.x, y: cropOrigin.y,
                                       cropWidth: cropWidth, cropHeight: cropHeight)
        var display = (width: cropWidth, height: cropHeight)
        if max(cropWidth, cropHeight) > maximumDisplaySide {
            let factor = Double(maximumDisplaySide) / Double(max(cropWidth, cropHeight))
            display = (max(1, Int((Double(cropWidth) * factor).rounded())), max(1, Int((Double(cropHeight) * factor).rounded())))
            photo = Resampling.resized(photo, channels: 3, width: cropWidth, height: cropHeight, toWidth: display.width, toHeight: display.height)
        }
        var steps = ["\(image.width)×\(image.height) \(format)"]
        steps.append(channels == 1 ? "grey (PIL's luminance)" : "RGB")
        if invert { steps.append("inverted") }
        if (resizedSize.width, resizedSize.height) != (image.width, image.height) {
            steps.append("resized to \(resizedSize.width)×\(resizedSize.height) (Pillow's bilinear)")
        }
        if (width, height) != resizedSize { steps.append("centre \(width)×\(height) kept") }
        return UserImage(tensor: try Tensor(shape: [1, channels, height, width], data: input),
                         photo: RGBAImage(planar: photo, channels: 3, width: display.width, height: display.height),
                         description: "\(url.lastPathComponent): " + steps.joined(separator: " → "))
    }
}
