import DataFormats
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import TensorEngine

/// `workbook insights`: the explorer page — a self-contained `DIR/index.html` (no server, no
/// network, relative paths only) with the chosen test images (or images of your own, `--image
/// FILE|DIR`), every method's map for each image's top-K classes, the probabilities, the FGSM/PGD
/// adversarial images and the architecture diagram whose layers show the image's feature maps.
///
/// Cost: every (image, target, method, layer) is computed once with the reference solutions,
/// exactly as `workbook explain --layer L` computes it; CAM-style methods at every layer the page
/// offers (8 for mnist-gap), which is most of the time (the README has the measured numbers). The
/// pictures are explain's own, stored one pixel per input pixel and enlarged by the page. The
/// channel pictures (`InsightsChannelImages`) are computed once per page, not per image.
enum InsightsCommand: Command {
    static let name = "insights"
    static let summary = "An explorer page (DIR/index.html, opens from disk): test images or your own (--image), every method's map (CAM-style at every layer), probabilities, FGSM/PGD, feature maps, channel pictures."
    static let options = [
        modelOptionDefaultingToGap,
        OptionSpecification(name: "indices", valueName: "A-B,C,…", help: "which test images (e.g. 0-199 or 3,7,10-12)"),
        OptionSpecification(name: "misclassified", valueName: nil, help: "the first --n misclassified test images"),
        OptionSpecification(name: "n", valueName: "N", help: "how many images: the first N, or the first N misclassified (default 200)", integers: 1...10_000),
        OptionSpecification(name: "image", valueName: "FILE|DIR", help: "your own PNG or JPEG, or every PNG and JPEG in a folder, instead of test images (prepared as explain --image prepares them)"),
        OptionSpecification(name: "invert", valueName: nil, help: "with --image: invert first (MNIST models expect white digits on black)"),
        OptionSpecification(name: "methods", valueName: "all|M,M,…", help: "which methods (default all; see workbook explain --list)"),
        Implementations.option,
        OptionSpecification(name: "targets", valueName: "K", help: "the classes precomputed per image: the top K by probability (default 3)", integers: 1...1000),
        OptionSpecification(name: "layer", valueName: "L", help: "CAM-style methods only at layer L: a page half the size (default: at every conv/ReLU/pooling layer with a spatial map, picked on the page, opening at the last feature layer)"),
        OptionSpecification(name: "channel-images", valueName: "K", help: "lesson 08's picture of the first K channels of each conv/ReLU layer, shown under its feature maps (default 64, 0 = none)", integers: 0...1024),
        OptionSpecification(name: "out", valueName: "DIR", help: "the folder for index.html and its images", required: true),
    ]

    /// The largest page `insights` writes: 2,000 images × all methods × 3 targets is ~80,000 PNGs.
    static let maxImages = 2_000
    /// The largest input side of a page of test images (every map at one pixel per input pixel).
    /// Your own images (`--image`) may be larger: a photo-sized network's page is made of a few.
    static let maxSide = 64
    /// The most images of your own on a page for inputs larger than `maxSide` (each takes seconds
    /// to minutes and a few MB).
    static let maxLargeImages = 100
    /// Left out of the default methods for inputs larger than `maxSide` (minutes per image at
    /// 224×224: thousands of forward passes); named in `--methods`, they run.
    static let slowOnLargeInputs = ["occlusion", "ablation-cam", "score-cam"]

    static func run(_ options: ParsedOptions) throws {
        // Validate every option before loading or computing anything.
        if options.string("indices") != nil && (options.has("misclassified") || options.string("n") != nil) {
            throw CommandLineError(message: "give --indices or --n/--misclassified, not both")
        }
        if options.string("image") != nil, options.string("indices") != nil || options.has("misclassified") || options.string("n") != nil {
            throw CommandLineError(message: "--image gives the images; --indices, --n and --misclassified choose test images: give one or the other")
        }
        if options.string("image") == nil && options.has("invert") { throw CommandLineError(message: "--invert goes with --image FILE|DIR") }
        let count = try options.int("n", default: 200)!
        var channelCap = try options.int("channel-images", default: 64)!
        let topK = try options.int("targets", default: 3)!
        let code = try Implementations.named(options.string("implementation"))
        var methods = try selectedMethods(options.string("methods") ?? "all", using: code)
        let out = URL(fileURLWithPath: try options.requiredString("out"))
        try requireOutputFolder(out)
        if let path = options.string("image"), !FileManager.default.fileExists(atPath: path) {
            throw CommandLineError(message: "--image: no file or folder \(path)")
        }
        let loaded = try ModelFile.load(ModelFile.resolve(options.string("model") ?? "mnist-gap"))
        let model = loaded.model, architecture = loaded.architecture
        // The page shows every map of every image at one pixel per input pixel: small test images
        // (grey digits, colour shapes), or a few images of your own for a photo-sized network.
        let shape = architecture.inputShape
        guard shape.count == 3, shape[0] == 1 || shape[0] == 3 else {
            throw CommandLineError(message: "insights draws grey or colour images; \(architecture.name) expects \(shape)")
        }
        let large = shape[1] > maxSide || shape[2] > maxSide
        if large && options.string("image") == nil {
            throw CommandLineError(message: "\(architecture.name) expects \(shape[1])×\(shape[2]) images and has no test set here: give --image FILE|DIR (a photo or a folder of them)")
        }
        if large && options.string("methods") == nil {
            methods.removeAll { slowOnLargeInputs.contains($0.name) }
            printNow("note: at \(shape[1])×\(shape[2]) the default methods leave out \(slowOnLargeInputs.joined(separator: ", ")) (thousands of forward passes each); name them in --methods to include them")
        }
        // Lesson 08's unit images, which the channel pictures are, are grey 28×28 ascents.
        if shape != [1, 28, 28] && channelCap > 0 {
            guard options.string("channel-images") == nil else {
                throw CommandLineError(message: "--channel-images draws lesson 08's grey 28×28 unit images; \(architecture.name) expects \(shape): give --channel-images 0")
            }
            printNow("note: no channel pictures for \(architecture.name) (lesson 08's unit images are grey 28×28)")
            channelCap = 0
        }
        // The layers, from one forward pass of a blank input (they depend on the shapes alone):
        // checked before any image is read or explained.
        let probe = Tensor.zeros([1] + shape)
        let shapes = try InsightsPage.layerShapes(model, input: probe)
        let offered = camLayers(of: model, shapes: shapes)
        let layer = try options.string("layer") ?? ExplainCommand.defaultLayer(of: loaded, input: probe)
        guard model.namedModules().contains(where: { !$0.name.isEmpty && $0.name == layer }) else {
            let inside = offered.filter { name in !model.children.contains { $0.name == name } }
            throw CommandLineError(message: "no layer '\(layer)' in \(architecture.name); layers: \(model.children.map(\.name).joined(separator: ", "))"
                                   + (inside.isEmpty ? "" : "; inside them: \(inside.joined(separator: ", "))"))
        }
        let candidates = options.string("layer") != nil ? [layer] : offered
        // CAM layers inside a top-level layer (a VGG's features.28, a ResNet's layer4.1): their shapes
        // for the page's layer picker; the diagram shows their top-level layer.
        let nested = try InsightsPage.nestedShapes(model, names: candidates.filter { name in !shapes.contains { $0.name == name } }, input: probe)
        var layersOf: [String: [String]] = [:]
        for method in methods where method.kind == .layerSpace {
            layersOf[method.name] = method.name == "cam" ? candidates.filter { ExplanationMethods.camApplies(model, layer: $0) } : candidates
        }
        let usable = methods.filter { $0.kind != .layerSpace || !(layersOf[$0.name] ?? []).isEmpty }
        let dropped = methods.filter { m in !usable.contains { $0.name == m.name } }.map(\.name)
        guard !usable.isEmpty else {
            throw CommandLineError(message: "no method applies to \(architecture.name)\(options.string("layer").map { " at \($0)" } ?? ""): \(dropped.joined(separator: ", ")) "
                                   + "needs a layer followed by global average pooling and a linear layer")
        }
        if !dropped.isEmpty {
            printNow("note: left out \(dropped.joined(separator: ", ")): no layer \(options.string("layer") == nil ? "of \(architecture.name)" : layer) is followed by global average pooling and a linear layer")
        }
        let classes = architecture.classNames.count
        // The images: test images (index, label) or your own (position, file name, no label).
        var inputs: [(index: Int, image: Tensor, label: Int?, name: String?)] = []
        if let path = options.string("image") {
            let files = try imageFiles(at: URL(fileURLWithPath: path), limit: large ? maxLargeImages : maxImages)
            for (position, file) in files.enumerated() {
                let user = try InputImages.load(file, shape: shape, resizeTo: architecture.resizeTo, invert: options.has("invert"))
                if files.count <= 5 { printNow(user.description) }
                inputs.append((position, user.tensor, nil, file.lastPathComponent))
            }
            if files.count > 5 { printNow("\(files.count) images from \(path), each prepared as explain --image prepares it") }
        }
        let test = options.string("image") == nil ? try ModelFile.dataset(for: loaded, split: .test) : nil
        if let test {
            let indices: [Int]
            if let text = options.string("indices") {
                indices = try parseIndices(text, count: test.count)
            } else if options.has("misclassified") {
                let (logits, width) = try Evaluation.logits(of: model, on: test)
                let predicted = try Tensor(shape: [test.count, width], data: logits).argmax()
                indices = Array((0..<test.count).filter { predicted[$0] != test.labels[$0] }.prefix(count))
                guard !indices.isEmpty else { throw CommandLineError(message: "\(architecture.name) classifies every test image correctly") }
            } else {
                indices = Array(0..<min(count, test.count))
            }
            guard indices.count <= maxImages else {
                throw CommandLineError(message: "\(indices.count) images is more than insights draws (at most \(maxImages))")
            }
            inputs = try indices.map { ($0, try test.image(at: $0), test.labels[$0], nil) }
        }
        for input in inputs {
            try FiniteValues.requireOutputs(of: model, images: input.image) { _ in input.name ?? "test image \(input.index)" }
        }

        let start = Date()
        var files: [(url: URL, data: Data)] = []
        var records: [InsightsPage.ImageRecord] = []
        let progress = ProgressBar(total: inputs.count, label: "insights", unit: "images")
        for (done, input) in inputs.enumerated() {
            let (record, pictures) = try explore(model: model, image: input.image, index: input.index, label: input.label, name: input.name,
                                                 methods: usable, layer: layer, layersOf: layersOf, targets: min(topK, classes), code: code)
            records.append(record)
            files += pictures.map { (out.appendingPathComponent($0.path), $0.data) }
            progress.update(done + 1)
        }
        var channelCounts: [String: Int] = [:]
        if channelCap > 0 {
            let names = InsightsChannelImages.layers(of: model, shapes: shapes)
            let bar = ProgressBar(total: names.count, label: "channel pictures", unit: "layers")
            for (done, name) in names.enumerated() {
                let channels = shapes.first { $0.name == name }!.shape[0]
                let picture: RGBAImage
                do {
                    picture = try running("insights --channel-images") {
                        try InsightsChannelImages.picture(of: model, layer: name, channels: channels, cap: channelCap, code: code)
                    }
                } catch let failure as ExerciseNotStartedFailure {
                    throw WorkFailure(message: "\(failure); --channel-images 0 leaves them out")
                }
                files.append((out.appendingPathComponent(InsightsPage.channelFile(of: name)), Data(PNG.encode(picture))))
                channelCounts[name] = min(channels, channelCap)
                bar.update(done + 1)
            }
        }
        let diagram = try ModelFigures.diagram(model, architecture: architecture)
        let page = InsightsPage(model: architecture.name, classNames: architecture.classNames, methods: usable,
                                layersOf: layersOf, layer: layer, layers: shapes, nestedLayers: nested, channelImages: channelCounts,
                                images: records, diagram: diagram)
        files += InsightsPage.colourBars().map { (out.appendingPathComponent($0.path), $0.data) }
        files.append((out.appendingPathComponent("index.html"), Data(page.html().utf8)))
        try AtomicFiles.writeTree(files, folder: out)
        let bytes = files.reduce(0) { $0 + $1.data.count }
        print("wrote \(out.appendingPathComponent("index.html").path): \(inputs.count) images, \(usable.count) methods, "
              + "\(files.count) files, " + String(format: "%.1f MB in %.1f s", Double(bytes) / 1e6, Date().timeIntervalSince(start)))
    }

    /// The layers CAM-style methods are offered at: convolutions, ReLUs and poolings whose output
    /// is a spatial map `[1, C, h, w]`, in the network's order (mnist-gap: conv1 … relu3, 8 layers).
    /// Inside a top-level Sequential (a VGG's `features`) its convolutions, ReLUs and poolings
    /// (`features.0` … `features.30`); inside a ResNet stage each residual block's output, the
    /// last one by the stage's own name (`layer4.0`, `layer4.1`, `layer4`: ResNet-50's 16 blocks,
    /// where a picker of its 53 convolutions would mostly show the insides of blocks).
    static func camLayers(of model: Sequential, shapes: [(name: String, shape: [Int])]) -> [String] {
        func spatial(_ module: Module) -> Bool { module is Conv2d || module is ReLU || module is MaxPool2d || module is AvgPool2d }
        return model.children.flatMap { name, module -> [String] in
            guard shapes.first(where: { $0.name == name })?.shape.count == 3 else { return [] }
            if spatial(module) { return [name] }
            guard let inner = module as? Sequential else { return [] }
            if inner.children.allSatisfy({ $0.module is BasicBlock || $0.module is Bottleneck }) {     // a ResNet stage
                return inner.children.dropLast().map { "\(name).\($0.name)" } + [name]
            }
            return inner.children.filter { spatial($0.module) }.map { "\(name).\($0.name)" }
        }
    }

    /// `--out DIR` can be written: not a file, and a new folder's parent exists (checked before any
    /// work, so a long page is not computed for nothing).
    static func requireOutputFolder(_ out: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw CommandLineError(message: "--out \(out.path) is a file; give a folder") }
            return
        }
        let parent = out.standardizedFileURL.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandLineError(message: "no folder \(parent.path) for \(out.lastPathComponent)")
        }
    }

    /// The PNG and JPEG files `--image` names: the file itself, or those in the folder sorted by
    /// name (other entries skipped and said in one line). At most `limit`.
    static func imageFiles(at url: URL, limit: Int) throws -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw CommandLineError(message: "--image: no file or folder \(url.path)")
        }
        guard isFolder.boolValue else { return [url] }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().filter { !$0.hasPrefix(".") }
        func isRegularFile(_ name: String) -> Bool {
            (try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path)[.type] as? FileAttributeType) == .typeRegular
        }
        let images = names.filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) && isRegularFile($0) }
        let skipped = names.filter { !images.contains($0) }
        guard !images.isEmpty else { throw CommandLineError(message: "--image: no .png, .jpg or .jpeg file in \(url.path)") }
        guard images.count <= limit else {
            throw CommandLineError(message: "--image: \(images.count) images in \(url.path) is more than insights draws at this size (at most \(limit))")
        }
        if !skipped.isEmpty {
            printNow("note: skipped \(skipped.count) file\(skipped.count == 1 ? "" : "s") in \(url.lastPathComponent) that \(skipped.count == 1 ? "is" : "are") not a .png, .jpg or .jpeg file: "
                     + skipped.prefix(3).joined(separator: ", ") + (skipped.count > 3 ? ", …" : ""))
        }
        return images.map { url.appendingPathComponent($0) }
    }

    /// The methods named by `--methods` (`all` or a comma list), in explain's order.
    static func selectedMethods(_ text: String, using code: Implementations = .standard) throws -> [ExplanationMethod] {
        let all = ExplanationMethods.all(using: code)
        if text == "all" { return all }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names where !all.contains(where: { $0.name == name }) {
            throw CommandLineError(message: "unknown method '\(name)'; methods: all, \(all.map(\.name).joined(separator: ", "))")
        }
        return all.filter { names.contains($0.name) }
    }

    /// `"0-199"`, `"3,7,10-12"`: distinct indices in the order given, each checked against the test set.
    static func parseIndices(_ text: String, count: Int) throws -> [Int] {
        var result: [Int] = [], seen = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let low = bounds.first ?? nil, let high = bounds.count == 2 ? bounds[1] : low, low >= 0, low <= high else {
                throw CommandLineError(message: "--indices takes numbers and ranges like 0-199 or 3,7,10-12, got '\(text)'")
            }
            guard high < count else { throw CommandLineError(message: "--indices: \(high) is outside the test set 0..<\(count)") }
            guard high - low < maxImages, result.count + high - low < maxImages else {
                throw CommandLineError(message: "--indices selects more than \(maxImages) images")
            }
            for i in low...high where seen.insert(i).inserted { result.append(i) }
        }
        return result
    }

    /// One image (`[1, C, H, W]`: test image `index` with its label, or your own, `name`): its
    /// probabilities and feature maps, then every method for each of its top classes, CAM-style
    /// methods at each of their layers (`layersOf`), the others (guided Grad-CAM too) at `layer`.
    /// Returns the page's record and the PNGs (paths relative to the page).
    static func explore(model: Sequential, image: Tensor, index: Int, label: Int?, name: String? = nil, methods: [ExplanationMethod], layer: String,
                        layersOf: [String: [String]], targets topK: Int,
                        code: Implementations = .standard) throws -> (InsightsPage.ImageRecord, [(path: String, data: Data)]) {
        let pixels = image.data
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        let folder = InsightsPage.folder(of: index)
        var pictures: [(path: String, data: Data)] = [
            ("\(folder)/input.png", Data(PNG.encode(try Render.image(pixels, channels: channels, width: width, height: height, upscale: 1)))),
        ]
        var activations: [(name: String, output: Tensor)] = []
        let handles = model.children.map { name, module in
            module.registerForwardHook { _, _, output in activations.append((name, output)) }
        }
        let probabilities = try withNoGrad { try model(image).softmax() }.data
        handles.forEach { $0.remove() }
        for (name, output) in activations {
            pictures.append(("\(folder)/layer-\(InsightsPage.slug(name)).png", Data(PNG.encode(featureMaps(output)))))
        }
        // Top K, ties to the lower class, so the choice is the same on every machine.
        let targets = probabilities.indices.sorted { (probabilities[$0], -$0) > (probabilities[$1], -$1) }.prefix(topK)
        var maps: [InsightsPage.MapRecord] = []
        for target in targets {
            for method in methods {
                for at in method.kind == .layerSpace ? layersOf[method.name] ?? [] : [layer] {
                    let map = try method.compute(model, image, target, at)
                    let primary = nativeSize(try ExplainCommand.picture(of: map, method: method, input: try ExplainCommand.InputPicture(image, mask: nil), colorBar: false, code: code), width: width)
                    let (second, ranges) = try secondPicture(of: map, method: method, pixels: pixels, channels: channels, width: width, height: height)
                    let mapLayer = method.kind == .layerSpace ? at : nil
                    let stem = "\(folder)/" + InsightsPage.mapStem(target: target, method: method.name, layer: mapLayer)
                    pictures.append(("\(stem).png", Data(PNG.encode(primary))))
                    pictures.append(("\(stem)-alt.png", Data(PNG.encode(second))))
                    var adversarial: (Int, Float)?
                    if method.kind == .attack {
                        let attacked = try Tensor(shape: image.shape, data: zip(pixels, map.data).map { min(max($0 + $1, 0), 1) })
                        let p = try withNoGrad { try model(attacked).softmax() }.data
                        let predicted = p.indices.max { (p[$0], -$0) < (p[$1], -$1) }!
                        adversarial = (predicted, p[predicted])
                    }
                    maps.append(.init(target: target, method: method.name, layer: mapLayer, primary: ranges.primary, second: ranges.second,
                                      adversarial: adversarial))
                }
            }
        }
        let predicted = targets.first!
        return (.init(index: index, label: label, name: name, predicted: predicted, probabilities: probabilities,
                      targets: Array(targets), maps: maps), pictures)
    }

    /// Explain's picture at one pixel per input pixel: explain enlarges by repeating pixels as its
    /// last step, so every `factor`-th pixel is the whole picture (the tests check that enlarging
    /// it again gives explain's PNG exactly). PNG-encoding 78 pictures per image at 112×112 took
    /// ~1 s per image; at 28×28 the page enlarges them (pixelated) instead.
    static func nativeSize(_ picture: RGBAImage, width: Int) -> RGBAImage {
        let factor = max(1, picture.width / width)
        guard factor > 1 else { return picture }
        var small = RGBAImage(width: picture.width / factor, height: picture.height / factor, fill: .white)
        for y in 0..<small.height { for x in 0..<small.width { small[x: x, y: y] = picture[x: x * factor, y: y * factor] } }
        return small
    }

    /// The picture beside explain's: for gradient maps the |map| over the image (jet; the largest
    /// |value| over a colour map's channels), for CAM-style maps the raw map at the layer's
    /// resolution (jet), for attacks the perturbation (bwr; summed over the channels). Returns the
    /// value each end of both pictures' colour bars stands for. `pixels`: the image, `channels`
    /// planes of `height × width`.
    static func secondPicture(of map: Tensor, method: ExplanationMethod, pixels: [Float], channels: Int = 1, width: Int = 28, height: Int = 28)
        throws -> (RGBAImage, (primary: (Float, Float), second: (Float, Float))) {
        let values = map.data
        let largest = values.reduce(0) { max($0, abs($1)) }
        let area = width * height
        switch method.kind {
        case .inputSpace:
            let magnitude = Render.reducedChannels(values, channels: max(1, values.count / area), area: area, .maxAbsolute)
            let picture = try Render.overlay(magnitude, on: pixels, channels: channels, width: width, height: height, upscale: 1, colorBar: false)
            return (picture, ((-largest, largest), (magnitude.min() ?? 0, magnitude.max() ?? 0)))
        case .layerSpace:
            let height = map.shape[2], width = map.shape[3]
            let picture = try Render.map(values, width: width, height: height, colormap: .jet, upscale: 1, colorBar: false)
            let low = values.min() ?? 0, high = values.max() ?? 0
            return (picture, ((low, high), (low, high)))
        case .attack:
            let perturbation = Render.reducedChannels(values, channels: max(1, values.count / area), area: area, .sum)
            let picture = try Render.map(perturbation, width: width, height: height, colormap: .bwr, normalization: .symmetric, upscale: 1, colorBar: false)
            let extreme = perturbation.reduce(0) { max($0, abs($1)) }
            return (picture, ((0, 1), (-extreme, extreme)))
        }
    }

    /// A layer's output as one small picture the page enlarges (pixelated): each channel min-max
    /// scaled (viridis) at its own resolution in a near-square grid with 1-pixel gaps; a flat
    /// output `[1, n]` as rows of 16 cells of 4×4 pixels scaled together. Kept at native size:
    /// drawn 4× larger, the 12 layers cost ~0.7 s and 100 KB per image.
    static func featureMaps(_ output: Tensor) -> RGBAImage {
        let spatial = output.shape.count == 4
        let channels = spatial ? output.shape[1] : output.shape.last ?? 1
        let height = spatial ? output.shape[2] : 1, width = spatial ? output.shape[3] : 1
        let scale = spatial ? 1 : 4, gap = 1
        let columns = spatial ? Int(Double(channels).squareRoot().rounded(.up)) : min(channels, 16)
        let rows = (channels + columns - 1) / columns
        let tileW = width * scale, tileH = height * scale
        var picture = RGBAImage(width: columns * (tileW + gap) + gap, height: rows * (tileH + gap) + gap, fill: .white)
        let data = output.data, size = height * width
        let flatLow = data.min() ?? 0, flatHigh = data.max() ?? 0
        for c in 0..<channels {
            let values = data[(c * size)..<((c + 1) * size)]
            let low = spatial ? values.min() ?? 0 : flatLow, high = spatial ? values.max() ?? 0 : flatHigh
            let x0 = gap + (c % columns) * (tileW + gap), y0 = gap + (c / columns) * (tileH + gap)
            for y in 0..<tileH {
                for x in 0..<tileW {
                    let v = values[values.startIndex + (y / scale) * width + x / scale]
                    picture[x: x0 + x, y: y0 + y] = Colormap.viridis.color(at: high > low ? Double((v - low) / (high - low)) : 0)
                }
            }
        }
        return picture
    }
}
