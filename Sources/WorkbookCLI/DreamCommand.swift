import DataFormats
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import TensorEngine

/// `workbook dream`: DeepDream of a test image, or of your own (`--image FILE`, prepared as
/// `explain --image` prepares it), at a layer (Lesson 08's 8.7: the reference's, or the student's
/// with `--implementation student` and in the student edition). Grey or colour models; an imported
/// ImageNet network dreams at a middle layer by default (`layer3` of a ResNet, the ReLU two thirds
/// down a VGG's or AlexNet's features), where the course's models use lesson 08's `relu2`.
enum DreamCommand: Command {
    static let name = "dream"
    static let summary = "DeepDream a test image (or your own, --image FILE) at a layer: amplify what the layer sees, over octaves."
    static let options = [
        modelOptionDefaultingToGap,
        OptionSpecification(name: "index", valueName: "N", help: "the test image (default 0)", integers: 0...Int.max),
        OptionSpecification(name: "image", valueName: "FILE", help: "your own PNG or JPEG instead: converted as the model expects (said so)"),
        OptionSpecification(name: "invert", valueName: nil, help: "with --image: invert it first (MNIST models expect white digits on black)"),
        OptionSpecification(name: "layer", valueName: "L", help: "the layer whose activations are amplified (default relu2; an ImageNet network's middle layer)"),
        OptionSpecification(name: "octaves", valueName: "N", help: "scales, each 1.4x the last (default 3)", integers: 1...6),
        OptionSpecification(name: "steps", valueName: "N", help: "ascent steps per octave (default 15)", integers: 1...10_000),
        OptionSpecification(name: "step-size", valueName: "X", help: "x += X · g / mean|g| (default 0.015)", numbers: 1e-6...10),
        OptionSpecification(name: "seed", valueName: "S", help: "the jitter's seed (default 0)"),
        OptionSpecification(name: "out", valueName: "FILE.png", help: "the original beside the dream", required: true),
        OptionSpecification(name: "raw", valueName: "FILE.npy", help: "also the dreamed image, float32"),
        Implementations.option,
    ]

    static func run(_ options: ParsedOptions) throws {
        let code = try Implementations.named(options.string("implementation"))
        var settings = DreamSettings.readme
        settings.octaves = try options.int("octaves", default: settings.octaves)!
        settings.steps = try options.int("steps", default: settings.steps)!
        settings.stepSize = try options.float("step-size", default: settings.stepSize)!
        let seed = try options.int("seed", default: 0)!
        let out = try options.requiredString("out")
        if options.string("image") != nil && options.string("index") != nil { throw CommandLineError(message: "give --index N or --image FILE, not both") }
        if options.string("image") == nil && options.has("invert") { throw CommandLineError(message: "--invert goes with --image FILE") }
        let loaded = try ModelFile.load(ModelFile.resolve(options.string("model") ?? "mnist-gap"))
        let model = loaded.model
        let layer = try options.string("layer") ?? defaultLayer(of: loaded)
        _ = try model.module(named: layer)
        let index = try options.int("index", default: 0)!
        let image: Tensor, imageName: String
        if let path = options.string("image") {
            let user = try InputImages.load(URL(fileURLWithPath: path), shape: loaded.architecture.inputShape,
                                            resizeTo: loaded.architecture.resizeTo, invert: options.has("invert"))
            printNow(user.description)
            (image, imageName) = (user.tensor, URL(fileURLWithPath: path).lastPathComponent)
        } else {
            let test = try ModelFile.dataset(for: loaded.architecture, split: .test)
            (image, imageName) = (try test.image(at: index), "test image \(index)")
        }
        guard image.shape[1] == 1 || image.shape[1] == 3 else {
            throw CommandLineError(message: "dream draws grey or colour images; this model's images have \(image.shape[1]) channels")
        }
        let smallest = settings.sizes(height: image.shape[2], width: image.shape[3]).first!
        guard smallest.height >= 8 && smallest.width >= 8 else {
            throw CommandLineError(message: "\(settings.octaves) octaves shrink the image to \(smallest.height)×\(smallest.width); the network needs at least 8×8")
        }
        try FiniteValues.requireOutputs(of: model, images: image) { _ in imageName }
        let bar = ProgressBar(total: settings.steps * settings.octaves, label: "dream", unit: "steps")
        var last: Float = .nan
        let dream = try running("dream") {
            try code.deepDream(model, image, layer, settings, UInt64(seed)) { step, objective in last = objective; bar.update(step) }
        }
        try FiniteValues.require(dream.data, "the dream of \(imageName)")
        let (c, h, w) = (image.shape[1], image.shape[2], image.shape[3])
        let upscale = max(1, 168 / max(h, w))                   // a digit 6×, a 224×224 photo as it is
        func drawn(_ pixels: [Float]) throws -> RGBAImage {
            c == 1 ? Render.grayImage(pixels, width: w, height: h, upscale: upscale) : try Render.image(pixels, channels: c, width: w, height: h, upscale: upscale)
        }
        let picture = ImageGrid.render([(try drawn(image.data), imageName), (try drawn(dream.data), "dream at \(layer)")], columns: 2, title: nil)
        var files: [(URL, Data)] = [(URL(fileURLWithPath: out), Data(PNG.encode(picture)))]
        if let raw = options.string("raw") {
            files.append((URL(fileURLWithPath: raw), Data(NPY.encode(try NPYArray(shape: dream.shape, floats: dream.data)))))
        }
        try AtomicFiles.write(files)
        print("wrote \(out)" + (options.string("raw").map { " and \($0)" } ?? "") + (last.isNaN ? "" : String(format: "; final ½‖A‖² %.4g", last)))
    }

    /// Lesson 08's `relu2` where the model has one; for an imported torchvision network a middle
    /// layer (what DeepDream's authors amplified: textures and parts, not edges nor whole objects).
    static func defaultLayer(of loaded: ModelFile.Loaded) throws -> String {
        let names = loaded.model.namedModules().map(\.name)
        if names.contains(DreamSettings.readmeLayer) { return DreamSettings.readmeLayer }
        if loaded.architecture.name.hasPrefix("resnet"), names.contains("layer3") { return "layer3" }
        let relus = loaded.model.namedModules().filter { $0.name.hasPrefix("features.") && $0.module is ReLU }.map(\.name)
        if !relus.isEmpty { return relus[(2 * relus.count) / 3] }
        throw CommandLineError(message: "\(loaded.architecture.name) has no layer \(DreamSettings.readmeLayer): give --layer L")
    }
}
