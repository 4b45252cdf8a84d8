import DataFormats
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import TensorEngine

/// `workbook visualize`: what a class or a unit looks like to a network (Lesson 08: 8.5's ascent of
/// the logit or of 8.6's unit mean, the reference's or the student's): gradient ascent in pixel
/// space from grey, with the regularisers of `AscentSettings`. Any one- or three-channel model:
/// the images have its input shape (colour for Shapes and the imported ImageNet networks, whose
/// first layer normalises, so the ascent runs on [0, 1] pixels as for the digits).
///
/// Cost: one forward and backward pass of all the images together per step, so the images × the
/// input size is bounded (`maxValues`).
enum VisualizeCommand: Command {
    static let name = "visualize"
    static let summary = "Draw what a class or a unit looks like to a network (gradient ascent with regularisers)."
    static let options = [
        modelOptionDefaultingToGap,
        OptionSpecification(name: "class", valueName: "C", help: "one class image"),
        OptionSpecification(name: "all-classes", valueName: nil, help: "every class image, in one grid"),
        OptionSpecification(name: "layer", valueName: "L", help: "with --channel K or --all-channels: a unit of layer L (conv1 … fc)"),
        OptionSpecification(name: "channel", valueName: "K", help: "the channel (unit) of --layer"),
        OptionSpecification(name: "all-channels", valueName: nil, help: "every channel of --layer, in one grid"),
        OptionSpecification(name: "steps", valueName: "N", help: "ascent steps (default 200)", integers: 1...100_000),
        OptionSpecification(name: "lr", valueName: "X", help: "learning rate (default 0.05)", numbers: 1e-6...100),
        OptionSpecification(name: "l2", valueName: "X", help: "L2 weight (default 0.02)", numbers: 0...100),
        OptionSpecification(name: "tv", valueName: "X", help: "total-variation weight (default 0.05)", numbers: 0...100),
        OptionSpecification(name: "blur-every", valueName: "N", help: "blur every N steps, 0 = never (default 4)", integers: 0...100_000),
        OptionSpecification(name: "jitter", valueName: "PX", help: "random translation up to PX pixels (default 1)", integers: 0...13),
        OptionSpecification(name: "plain", valueName: nil, help: "no regularisers at all (same as --l2 0 --tv 0 --blur-every 0 --jitter 0)"),
        OptionSpecification(name: "seed", valueName: "S", help: "the jitter's seed (default 0)"),
        OptionSpecification(name: "start", valueName: "GREY", help: "the start image's grey level in [0, 1] (default 0.25)", numbers: 0...1),
        OptionSpecification(name: "out", valueName: "FILE.png", help: "the picture", required: true),
        OptionSpecification(name: "raw", valueName: "FILE.npy", help: "also the images as [N, C, H, W] float32 (the model's input shape)"),
        Implementations.option,
    ]

    static func run(_ options: ParsedOptions) throws {
        var settings: AscentSettings = options.has("plain") ? .plain : .regularised
        settings.steps = try options.int("steps", default: settings.steps)!
        settings.learningRate = try options.float("lr", default: settings.learningRate)!
        settings.l2 = try options.float("l2", default: settings.l2)!
        settings.tv = try options.float("tv", default: settings.tv)!
        settings.blurEvery = try options.int("blur-every", default: settings.blurEvery)!
        settings.jitter = try options.int("jitter", default: settings.jitter)!
        let seed = try options.int("seed", default: 0)!
        let startGrey = try options.float("start", default: AscentSettings.startGrey)!
        let out = try options.requiredString("out")
        let code = try Implementations.named(options.string("implementation"))
        let modes = [options.string("class") != nil, options.has("all-classes"), options.string("channel") != nil, options.has("all-channels")]
        guard modes.filter({ $0 }).count == 1 else {
            throw CommandLineError(message: "give exactly one of --class C, --all-classes, --layer L --channel K, --layer L --all-channels")
        }
        let loaded = try ModelFile.load(ModelFile.resolve(options.string("model") ?? "mnist-gap"))
        let model = loaded.model
        let classes = loaded.architecture.classNames.count
        let inputShape = loaded.architecture.inputShape
        guard inputShape.count == 3 else { throw CommandLineError(message: "the model's input shape \(inputShape) is not [C, H, W]") }
        guard inputShape[0] == 1 || inputShape[0] == 3 else {
            throw CommandLineError(message: "visualize draws grey or colour images; \(loaded.architecture.name) expects \(inputShape[0]) channels")
        }
        let perImage = inputShape.reduce(1, *)

        let bar = ProgressBar(total: settings.steps, label: "ascent", unit: "steps")
        var last: Float = .nan
        let progress: (Int, Float) -> Void = { step, objective in last = objective; bar.update(step) }
        try FiniteValues.requireOutputs(of: model, images: Tensor(repeating: startGrey, shape: [1] + inputShape)) { _ in "a grey image" }
        let images: Tensor
        let captions: [String]
        if options.string("class") != nil || options.has("all-classes") {
            let targets: [Int]
            if let c = try options.int("class") {
                guard c >= 0 && c < classes else { throw CommandLineError(message: "--class must be in 0..<\(classes)") }
                targets = [c]
            } else {
                targets = Array(0..<classes)
            }
            try requireBudget(images: targets.count, perImage: perImage, option: "--all-classes (\(classes) classes)", single: "--class C")
            images = try running("visualize --class") {
                try code.classImages(model, targets, settings, UInt64(seed), inputShape, startGrey, progress)
            }
            let p = try withNoGrad { try model(images).softmax() }
            captions = targets.enumerated().map { n, c in "\(loaded.architecture.classNames[c]) " + String(format: "%.2f", p.data[n * classes + c]) }
        } else {
            let layer = try options.requiredString("layer")
            let module = try model.module(named: layer)
            let count = try channelCount(of: module, in: model, inputShape: inputShape)
            let channels: [Int]
            if let k = try options.int("channel") {
                guard k >= 0 && k < count else { throw CommandLineError(message: "--channel must be in 0..<\(count) for \(layer)") }
                channels = [k]
            } else {
                channels = Array(0..<count)
            }
            try requireBudget(images: channels.count, perImage: perImage, option: "--all-channels (\(count) channels)", single: "--channel K")
            images = try running("visualize --layer") { try code.unitImages(model, layer, channels, settings, UInt64(seed), inputShape, progress) }
            captions = channels.map { "\(layer) \($0)" }
        }
        let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
        // Small inputs enlarged (a digit 3×), photo-sized ones at their own size.
        let upscale = max(1, 96 / max(h, w))
        let cells = try (0..<images.shape[0]).map { n in
            let pixels = Array(images.data[(n * perImage)..<((n + 1) * perImage)])
            let picture = c == 1 ? Render.grayImage(pixels, width: w, height: h, upscale: upscale)
                                 : try Render.image(pixels, channels: c, width: w, height: h, upscale: upscale)
            return (picture, captions[n])
        }
        let picture = ImageGrid.render(cells, columns: min(cells.count, 16), title: nil)
        var files: [(URL, Data)] = [(URL(fileURLWithPath: out), Data(PNG.encode(picture)))]
        if let raw = options.string("raw") {
            files.append((URL(fileURLWithPath: raw), Data(NPY.encode(try NPYArray(shape: images.shape, floats: images.data)))))
        }
        try AtomicFiles.write(files)
        print("wrote \(out)" + (options.string("raw").map { " and \($0)" } ?? "") + (last.isNaN ? "" : String(format: "; final objective %.4g", last)))
        if options.string("layer") == nil { print("p(class): " + captions.joined(separator: ", ")) }
    }

    /// The most input values ascending together (images × C × H × W): 4 Mi — 5,349 digits,
    /// 1,365 Shapes images, or 27 images of 3×224×224 (VGG-16 keeps ~14 M activations, 55 MB, per
    /// such image for the backward pass: 1.5 GB).
    static let maxValues = 4 << 20

    static func requireBudget(images: Int, perImage: Int, option: String, single: String) throws {
        guard images * perImage > maxValues else { return }
        throw CommandLineError(message: "\(option) would ascend \(images) images of \(perImage) values together (at most \(maxValues / perImage) at this input size); give \(single)")
    }

    /// The number of channels (units) of `module`'s output, from one forward pass.
    static func channelCount(of module: Module, in model: Module, inputShape: [Int]) throws -> Int {
        var shape: [Int] = []
        let handle = module.registerForwardHook { _, _, output in shape = output.shape }
        defer { handle.remove() }
        _ = try withNoGrad { try model(Tensor.zeros([1] + inputShape)) }
        guard shape.count >= 2 else { throw CommandLineError(message: "this layer has no channels") }
        return shape[1]
    }
}
