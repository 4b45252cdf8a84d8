import DataFormats
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import TensorEngine

/// One explanation method, computed with the reference solutions.
struct ExplanationMethod {
    enum Kind { case inputSpace, layerSpace, attack }
    let name: String
    let kind: Kind
    let summary: String
    /// `[1, C, H, W]` for input-space methods and attacks (the perturbation), `[1, 1, h, w]` for
    /// CAM-style methods at the layer's resolution.
    let compute: (_ model: Module, _ image: Tensor, _ target: Int, _ layer: String) throws -> Tensor

    /// How a colour map of this method becomes one map (the lesson READMEs' conventions): saliency
    /// is maxₖ |∂y/∂xₖ| (Simonyan et al.), every other input-space map the signed sum over the
    /// channels (captum's `visualize_image_attr`).
    static func channelReduction(of name: String) -> Render.ChannelReduction { name == "saliency" ? .maxAbsolute : .sum }
}

/// `workbook explain`: explains one test image with any method of lessons 02–07, or all of them.
enum ExplainCommand: Command {
    static let name = "explain"
    static let summary = "Explain a test image (--index) or your own (--image FILE) with a method (saliency, gradcam, …) or --all."
    static let options = [
        modelOptionDefaultingToGap,
        OptionSpecification(name: "index", valueName: "N", help: "the test image (default 0)", integers: 0...Int.max),
        OptionSpecification(name: "image", valueName: "FILE", help: "your own PNG or JPEG instead: converted as the model expects (said so), maps drawn on the photo"),
        OptionSpecification(name: "invert", valueName: nil, help: "with --image: invert it first (MNIST models expect white digits on black)"),
        OptionSpecification(name: "method", valueName: "M", help: "one method (see --list)"),
        OptionSpecification(name: "all", valueName: nil, help: "every method in one panel"),
        OptionSpecification(name: "target", valueName: "C", help: "the class to explain (default: the predicted class)", integers: 0...Int.max),
        OptionSpecification(name: "layer", valueName: "L", help: "the layer of CAM-style methods (default: the last feature layer, relu3 for mnist-gap)"),
        OptionSpecification(name: "out", valueName: "FILE.png", help: "the figure (default explain-INDEX[-METHOD].png)"),
        OptionSpecification(name: "raw", valueName: "FILE.npy", help: "the unnormalised map (one method only)"),
        OptionSpecification(name: "list", valueName: nil, help: "list the methods and what --raw holds for each"),
        Implementations.option,
        dataOption,
    ]

    static var methods: [ExplanationMethod] { ExplanationMethods.all }

    static func run(_ options: ParsedOptions) throws {
        let code = try Implementations.named(options.string("implementation"))
        let methods = ExplanationMethods.all(using: code)
        if options.has("list") {
            for m in methods { print(padded(m.name, 22) + m.summary) }
            return
        }
        let loaded = try ModelFile.load(ModelFile.resolve(options.string("model") ?? "mnist-gap"))
        let model = loaded.model
        // The image: a test image (with its label and mask, if the data set has them) or the user's own.
        let user: InputImages.UserImage?
        let test: LabeledImages?
        let index = try options.int("index", default: 0)!
        let image: Tensor
        if let path = options.string("image") {
            guard options.string("index") == nil else { throw CommandLineError(message: "give --index N or --image FILE, not both") }
            user = try InputImages.load(URL(fileURLWithPath: path), shape: loaded.architecture.inputShape,
                                        resizeTo: loaded.architecture.resizeTo, invert: options.has("invert"))
            (test, image) = (nil, user!.tensor)
            printNow(user!.description)
        } else {
            guard !options.has("invert") else { throw CommandLineError(message: "--invert goes with --image FILE") }
            user = nil
            test = try ModelFile.dataset(for: loaded, split: .test, dataFolder: options.string("data").map { URL(fileURLWithPath: $0) })
            image = try test!.image(at: index)
        }
        let imageName = options.string("image").map { URL(fileURLWithPath: $0).lastPathComponent } ?? "test image \(index)"
        try FiniteValues.requireOutputs(of: model, images: image) { _ in imageName }
        let probabilities = try withNoGrad { try model(image).softmax() }
        let predicted = probabilities.argmax()[0]
        let target = try options.int("target", default: predicted)!
        let classes = loaded.architecture.classNames.count
        guard target < classes else {
            if options.string("target") == nil {
                throw CommandLineError(message: "the model predicts class \(target) but names only \(classes) classes: its class_names and last layer disagree")
            }
            throw CommandLineError(message: "--target must be in 0..<\(classes)")
        }
        let layer = try options.string("layer") ?? defaultLayer(of: loaded, input: image)
        let selected: [ExplanationMethod]
        if options.has("all") {
            selected = methods.filter { !($0.name == "cam" && !ExplanationMethods.camApplies(model, layer: layer)) }
        } else {
            guard let name = options.string("method") else { throw CommandLineError(message: "give --method M (see --list) or --all") }
            guard let method = methods.first(where: { $0.name == name }) else {
                throw CommandLineError(message: "unknown method '\(name)'; methods: \(methods.map(\.name).joined(separator: ", "))")
            }
            selected = [method]
        }
        let names = loaded.architecture.classNames
        func named(_ c: Int) -> String { c < names.count ? names[c] : "\(c)" }
        let truth = test.map { "true \(named($0.labels[index])), " } ?? ""
        let title = "\(loaded.architecture.name), \(imageName): \(truth)predicted \(named(predicted)) ("
            + String(format: "%.2f", probabilities.data[predicted]) + "), explaining class \(named(target))"
        let input = try InputPicture(image, mask: test?.mask(at: index))
        if options.string("raw") != nil && selected.count != 1 { throw CommandLineError(message: "--raw needs a single --method") }
        var cells: [(image: RGBAImage, caption: String)]
        if let user {
            // The photo, then what the model is given (its own size, enlarged to about the photo's).
            let upscale = max(1, user.photo.width / input.width)
            cells = [(user.photo, "your image"), (try Render.image(input.pixels, channels: input.channels, width: input.width, height: input.height, upscale: upscale),
                                                  "what the model sees")]
        } else {
            cells = [(try input.picture(), input.mask == nil ? "input" : "input, object outlined")]
        }
        var files: [(URL, Data)] = []
        var notStarted: [ExerciseNotStartedFailure] = []
        for method in selected {
            let start = Date()
            let map: Tensor, picture: RGBAImage
            do {
                map = try method.compute(model, image, target, layer)
                picture = try Self.picture(of: map, method: method, input: input, code: code, photo: user?.photo)
            } catch let failure as ExerciseNotStartedFailure where selected.count > 1 {
                // --all on a student's code: the methods not written yet are listed, not fatal.
                notStarted.append(failure)
                continue
            }
            let ms = Date().timeIntervalSince(start) * 1000
            cells.append((picture, method.name))
            printNow(padded(method.name, 22) + "map \(map.shape)  " + String(format: "%.1f ms", ms))
            if let raw = options.string("raw") {
                files.append((URL(fileURLWithPath: raw), Data(NPY.encode(try NPYArray(shape: map.shape, floats: map.data)))))
            }
        }
        if !notStarted.isEmpty {
            guard cells.count > 1 else { throw notStarted[0] }
            printNow("not drawn, exercise not started: " + notStarted.map { "\($0.method) (\($0.exercise))" }.joined(separator: ", "))
        }
        let suffix = selected.count == 1 ? "-\(selected[0].name)" : ""
        let stem = options.string("image").map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "\(index)"
        let out = options.string("out") ?? "explain-\(stem)\(suffix).png"
        files.insert((URL(fileURLWithPath: out), Data(PNG.encode(ImageGrid.render(cells, columns: min(cells.count, 5), title: title)))), at: 0)
        try AtomicFiles.write(files)
        printNow("wrote " + files.map(\.0.path).joined(separator: " and "))
    }

    /// How each kind of map is drawn: signed input-space maps with a diverging colormap (a colour
    /// map reduced to one by the sum over channels, captum's convention for signed attributions;
    /// saliency by maxₖ |∂y/∂xₖ|, Simonyan et al.), layer maps upsampled and overlaid on the image
    /// (with the object's outline when the data set has masks), attacks as the adversarial image.
    /// Maps carry a colour bar with the values of its ends unless `colorBar` is false (the
    /// explorer page draws its own beside the picture).
    ///
    /// With a `photo` (the user's image, `explain --image`), layer maps are overlaid on the photo at
    /// its own resolution, and input-space maps are enlarged to about its size.
    static func picture(of map: Tensor, method: ExplanationMethod, input: InputPicture, colorBar: Bool = true,
                        code: Implementations = .standard, photo: RGBAImage? = nil) throws -> RGBAImage {
        let (channels, height, width) = (input.channels, input.height, input.width)
        let upscale = photo.map { max(1, $0.width / width) } ?? 4
        switch method.kind {
        case .inputSpace:
            let area = height * width
            let planes = map.shape.count == 4 ? map.shape[1] : 1
            guard map.count == planes * area else { throw CommandLineError(message: "\(method.name) gave a map of \(map.shape), not the input's size") }
            if ExplanationMethod.channelReduction(of: method.name) == .maxAbsolute {
                return try Render.map(Render.reducedChannels(map.data, channels: planes, area: area, .maxAbsolute),
                                      width: width, height: height, colormap: .inferno, normalization: .minMax, upscale: upscale, colorBar: colorBar)
            }
            if planes == 1 {
                return try Render.map(map.data, width: width, height: height, colormap: .bwr, normalization: .symmetric, upscale: upscale, colorBar: colorBar)
            }
            return try Render.map(Render.reducedChannels(map.data, channels: planes, area: area, .sum),
                                  width: width, height: height, colormap: .bwr, normalization: .symmetric, upscale: upscale, colorBar: colorBar)
        case .layerSpace:
            // Drawn with lesson 05's 5.3 (the student's own in the student edition).
            let (drawHeight, drawWidth) = photo.map { ($0.height, $0.width) } ?? (height, width)
            let up: Tensor
            up = try running("drawing \(method.name)") { try code.upsampledAndNormalized(map, drawHeight, drawWidth) }
            let picture: RGBAImage
            if let photo {
                picture = try Render.overlay(up.data, on: photo.planarRGB, channels: 3, width: drawWidth, height: drawHeight, upscale: 1, colorBar: false)
            } else {
                picture = try Render.overlay(up.data, on: input.pixels, channels: channels, width: width, height: height, mask: input.mask, colorBar: false)
            }
            guard colorBar else { return picture }
            // The bar's ends are the map's own values (upsampled, before the min-max scaling), not 0 and 1.
            let raw = try withNoGrad { try map.resizedBilinear(height: drawHeight, width: drawWidth) }.data
            return picture.withColorBar(.jet, low: Double(raw.min() ?? 0), high: Double(raw.max() ?? 0))
        case .attack:
            let adversarial = zip(input.pixels, map.data).map { min(max($0 + $1, 0), 1) }
            return try Render.image(adversarial, channels: channels, width: width, height: height, upscale: upscale)
        }
    }

    /// The image being explained, `[1, C, H, W]` with C = 1 or 3, and its object mask if any.
    struct InputPicture {
        let pixels: [Float], channels: Int, height: Int, width: Int
        let mask: [Bool]?
        init(_ image: Tensor, mask: [Bool]?) throws {
            guard image.rank == 4, image.shape[0] == 1, image.shape[1] == 1 || image.shape[1] == 3 else {
                throw CommandLineError(message: "explain draws gray or RGB images; this model's input is \(image.shape)")
            }
            (pixels, channels, height, width) = (image.data, image.shape[1], image.shape[2], image.shape[3])
            self.mask = mask
        }
        func picture() throws -> RGBAImage {
            let base = try Render.image(pixels, channels: channels, width: width, height: height)
            guard let mask else { return base }
            return try base.outliningMask(mask, width: width, height: height)
        }
    }

    /// The default layer of CAM-style methods: torchvision's for an imported ImageNet network
    /// (`layer4`, or the last ReLU of `features`), else `defaultLayer(of:input:)`.
    static func defaultLayer(of loaded: ModelFile.Loaded, input: Tensor) throws -> String {
        if Torchvision.names.contains(loaded.architecture.name), let layer = Torchvision.camLayer(of: loaded.architecture.name) { return layer }
        return try defaultLayer(of: loaded.model, input: input)
    }

    /// The last layer whose output still has spatial feature maps (relu3 for mnist-gap, relu2 for mnist-fc).
    static func defaultLayer(of model: Sequential, input: Tensor) throws -> String {
        var last = ""
        let handles = model.children.map { name, layer in
            layer.registerForwardHook { module, _, output in if output.rank == 4 && module is ReLU { last = name } }
        }
        defer { handles.removeAll() }
        _ = try withNoGrad { try model(input) }
        return last
    }
}

extension RGBAImage {
    /// The red, green and blue planes in [0, 1] (`[3, H, W]`, a tensor's order).
    var planarRGB: [Float] {
        let area = width * height
        var planes = [Float](repeating: 0, count: 3 * area)
        for p in 0..<area { for c in 0..<3 { planes[c * area + p] = Float(pixels[4 * p + c]) / 255 } }
        return planes
    }
}
