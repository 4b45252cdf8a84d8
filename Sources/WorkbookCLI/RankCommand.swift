import Foundation
import Imaging
import ModelZoo
import TensorEngine

/// `workbook rank`: every explanation method × every metric of Lesson 10 on the first N test
/// images of a data set, each image explained for the model's predicted class (what the model
/// used), mean and seeded 95% bootstrap interval; `ranking.txt` (Markdown table), `ranking.csv`
/// and `ranking.png` in `--out`, written all or nothing.
///
/// Metrics: deletion and insertion AUC everywhere (49 steps; deletion towards black, insertion
/// from a blurred copy, σ = 2 px) and ROAD (pytorch-grad-cam's ROADCombined: percentiles 10…90,
/// most and least relevant first, noise 0.01 seeded per image, the same for every method) everywhere;
/// on Shapes also the pointing game (tolerance 0), relevance mass
/// and rank accuracy against the object masks; on Decoy MNIST the decoy share (randomised
/// swatches, the paper's test set). Cost: per image and method, the method's own passes plus
/// 2 × 50 forward images for the curves and 18 imputations with 36 forward images for ROAD.
enum RankCommand: Command {
    static let name = "rank"
    static let summary = "Rank every explanation method by deletion/insertion, ROAD and ground-truth metrics (lesson 10), with bootstrap intervals."
    static let dataNames = ["mnist", "decoy", "shapes"]
    static let options = [
        OptionSpecification(name: "model", valueName: "NAME|FILE", help: "a shipped model name or a path to a model .safetensors", required: true),
        OptionSpecification(name: "data", valueName: "D", help: "mnist, decoy (Decoy MNIST, randomised swatches) or shapes (default: the model's data set)"),
        OptionSpecification(name: "n", valueName: "N", help: "the first N test images (default 500)", integers: 1...10_000),
        OptionSpecification(name: "image", valueName: "FILE", help: "rank the methods on your own PNG or JPEG instead (one image: no masks, no interval)"),
        OptionSpecification(name: "invert", valueName: nil, help: "with --image: invert it first (MNIST models expect white digits on black)"),
        OptionSpecification(name: "methods", valueName: "M,M,…", help: "comma-separated method names, or all (default all; see workbook explain --list, plus random)"),
        OptionSpecification(name: "layer", valueName: "L", help: "the layer of CAM-style methods (default: the last feature layer)"),
        OptionSpecification(name: "seed", valueName: "S", help: "the bootstrap's, ROAD's noise and the random map's seed (default 0)", integers: 0...Int.max),
        OptionSpecification(name: "out", valueName: "DIR", help: "the folder for ranking.txt, ranking.csv and ranking.png", required: true),
        Implementations.option,
    ]

    /// Every method the ranking knows: the explanation methods of `workbook explain` (lessons 02–06
    /// and lesson 10's Ablation-CAM and Score-CAM; not the attacks), and a seeded uniform random map
    /// (the chance row).
    static func methods(layer: String, seed: UInt64, using code: Implementations = .standard)
        -> [(name: String, kind: ExplanationMethod.Kind, compute: (Module, Tensor, Int, Int) throws -> Tensor)] {
        let explained = ExplanationMethods.all(using: code).filter { $0.kind != .attack }.map { method in
            (method.name, method.kind, { (model: Module, image: Tensor, target: Int, _: Int) in try method.compute(model, image, target, layer) })
        }
        return explained + [
            ("random", .inputSpace, { _, image, _, index in
                var g = SeededGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(index + 1))
                return Tensor.randomUniform([1, 1, image.shape[2], image.shape[3]], using: &g)
            }),
        ]
    }

    static func run(_ options: ParsedOptions) throws {
        let userImage = options.string("image")
        if userImage != nil, let clash = ["n", "data"].first(where: { options.string($0) != nil }) {
            throw CommandLineError(message: "--image ranks one image of your own; --\(clash) chooses test images: give one or the other")
        }
        if userImage == nil && options.has("invert") { throw CommandLineError(message: "--invert goes with --image FILE") }
        var n = try options.int("n", default: 500)!
        let seed = UInt64(try options.int("seed", default: 0)!)
        let out = URL(fileURLWithPath: try options.requiredString("out"))
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw CommandLineError(message: "--out \(out.path) is a file; give a folder")
        }
        if let data = options.string("data"), !dataNames.contains(data) {
            throw CommandLineError(message: "--data must be one of \(dataNames.joined(separator: ", ")); got '\(data)'")
        }
        let requested = (options.string("methods") ?? "all").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let known = methods(layer: "", seed: 0).map(\.name)
        if let unknown = requested.first(where: { $0 != "all" && !known.contains($0) }) {
            throw CommandLineError(message: "unknown method '\(unknown)' (known: \(known.joined(separator: ", ")), all)")
        }
        guard !requested.isEmpty else { throw CommandLineError(message: "--methods names no method") }

        let modelURL = try ModelFile.resolve(try options.requiredString("model"))
        let loaded = try ModelFile.load(modelURL)
        let model = loaded.model
        let datasetName = ModelFile.datasetName(for: loaded.architecture, metadata: loaded.metadata)
        let dataName: String
        let images: Tensor, imageShape: [Int], masks: [UInt8]?, corners: [UInt8]?
        if let userImage {
            // One picture of the user's, prepared as `explain --image` prepares it.
            let user = try InputImages.load(URL(fileURLWithPath: userImage), shape: loaded.architecture.inputShape,
                                            resizeTo: loaded.architecture.resizeTo, invert: options.has("invert"))
            print(user.description)
            (dataName, images, imageShape, masks, corners) = (URL(fileURLWithPath: userImage).lastPathComponent, user.tensor, loaded.architecture.inputShape, nil, nil)
            n = 1
        } else {
            let known = options.string("data") ?? ["mnist": "mnist", "decoy-mnist": "decoy", "decoy-mnist-truthful": "decoy", "shapes": "shapes"][datasetName]
            guard let known else {
                throw CommandLineError(message: "the model belongs to '\(datasetName)', which rank has no test images and metrics for: give --data mnist, decoy or shapes, or --image FILE")
            }
            dataName = known
            let test: LabeledImages
            switch dataName {
            case "decoy": let d = try DatasetFiles.decoyMNIST(.test); (test, masks, corners) = (d.images, nil, d.corners)
            case "shapes": let d = try DatasetFiles.shapes(.test); (test, masks, corners) = (d.images, d.masks, nil)
            default: (test, masks, corners) = (try DatasetFiles.mnist(.test), nil, nil)
            }
            guard n <= test.count else { throw CommandLineError(message: "--n must be at most \(test.count) (the \(dataName) test set)") }
            images = test.batch(0..<n).images
            imageShape = test.imageShape
        }
        let first = try images.sliced(axis: 0, 0..<1)
        let logits: Tensor
        do {
            _ = try withNoGrad { try model(first) }
            logits = try withNoGrad { try Tensor.concatenate(try stride(from: 0, to: n, by: 256).map { try model(try images.sliced(axis: 0, $0..<min($0 + 256, n))) }, axis: 0) }
        } catch {
            throw CommandLineError(message: "\(loaded.architecture.name) cannot read \(dataName) images \(imageShape): \(Workbook.describe(error))")
        }
        if let bad = logits.data.firstIndex(where: { !$0.isFinite }) {
            throw WorkFailure(message: "the model's outputs are not finite for test image \(bad / max(1, logits.count / n)) (\(logits.data[bad])): its weights overflow Float")
        }
        let layer = try options.string("layer") ?? ExplainCommand.defaultLayer(of: loaded, input: first)
        _ = try model.module(named: layer)
        let code = try Implementations.named(options.string("implementation"))
        let all = methods(layer: layer, seed: seed, using: code).filter { requested.contains("all") || requested.contains($0.name) }
            .filter { !($0.name == "cam" && !ExplanationMethods.camApplies(model, layer: layer)) }
        guard !all.isEmpty else { throw CommandLineError(message: "cam needs a layer that feeds global average pooling and the last Linear layer; \(layer) does not") }

        let area = imageShape[1] * imageShape[2]
        let data = Ranking.Data(
            images: images, targets: logits.argmax(),
            masks: try masks.map { try Tensor(shape: [n, 1, imageShape[1], imageShape[2]], data: $0[0..<(n * area)].map { $0 != 0 ? 1 : 0 }) },
            corners: corners.map { $0[0..<n].map(Int.init) })
        let rankingMethods = all.map { method in Ranking.Method(name: method.name, map: method.compute) }
        // One worker per core, each with its own copy of the model (loaded again from its file).
        let workers = max(1, min(Parallel.maximumThreads, n))
        let models: [Module] = try [model] + (1..<workers).map { _ in try ModelFile.load(modelURL).model }
        let bar = ProgressBar(total: n, label: "rank", unit: "img")
        let started = DispatchTime.now().uptimeNanoseconds
        let ranking = try Ranking.measure(models: models, data: data, methods: rankingMethods, bootstrapSeed: seed, metricsBy: code) { done in
            bar.update(done)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let title = userImage != nil
            ? "\(loaded.architecture.name) on \(dataName) (predicted class; one image, seed \(seed))"
            : "\(loaded.architecture.name) on \(n) \(dataName) test images (predicted class; mean, 95% bootstrap interval, seed \(seed))"
        let text = "# \(title)\n\n" + ranking.text
        try AtomicFiles.write([
            (out.appendingPathComponent("ranking.txt"), Data(text.utf8)),
            (out.appendingPathComponent("ranking.csv"), Data(ranking.csv.utf8)),
            (out.appendingPathComponent("ranking.png"), Data(PNG.encode(ranking.chart(title: title)))),
        ], creatingFolder: out)
        print(text)
        print(String(format: "%d images × %d methods × %d metrics in %.1f s; maps: ", n, all.count, ranking.metrics.count, elapsed)
              + zip(ranking.methods, ranking.seconds).map { "\($0) " + String(format: "%.1f s", $1) }.joined(separator: ", "))
        print("wrote \(out.path)/ranking.{txt,csv,png}")
    }
}
