import DataFormats
import Foundation
import Imaging
import LargeScaleEmbedding
import LessonSupport
import ModelZoo
import TensorEngine

/// `workbook embed`: a 2-D map of the first N test images (Lesson 09): the features of a layer (or
/// the pixels) by PCA, t-SNE or UMAP, coloured by class, with trustworthiness and leave-one-out
/// 5-NN accuracy in the title. The reference runs the engine's large-scale versions (`fastPCA`,
/// Barnes–Hut t-SNE with θ = 0.5 — scikit-learn's default method — unless `--exact`, neighbour-list
/// scores), so all 10,000 test images take seconds. A student's code (`--implementation student`,
/// and always in the student edition) is the exercises themselves: exact t-SNE and N × N
/// matrices, so N is at most `exactLimit` (default `studentDefault`).
enum EmbedCommand: Command {
    static let name = "embed"
    static let summary = "Map a layer's features (or the pixels) of N test images to 2-D by PCA or t-SNE (Barnes-Hut or exact)."
    /// Exact t-SNE is O(N²) per iteration: above this, minutes; Barnes–Hut is for that.
    static let exactLimit = 5000
    /// A student's O(N²) code on 2,000 images: seconds for PCA and the scores, about a minute for t-SNE.
    static let studentDefault = 2000
    static let options = [
        OptionSpecification(name: "model", valueName: "NAME|FILE", help: "a shipped model name or a path to a model .safetensors (default mnist-gap; mnist-autoencoder with --method autoencoder)"),
        OptionSpecification(name: "layer", valueName: "L", help: "the layer whose activations are the features, or 'pixels' (required, except with --method autoencoder)"),
        OptionSpecification(name: "method", valueName: "M", help: "pca, tsne, umap, autoencoder (a trained encoder's 2-D code of the pixels, lesson 11), or all: four panels, pixels and the layer × PCA and t-SNE", required: true),
        OptionSpecification(name: "n", valueName: "N", help: "the first N test images (default 10000; at most 5000 with --exact; t-SNE needs N > 3 × perplexity, UMAP N > 15)", integers: 10...10_000),
        OptionSpecification(name: "perplexity", valueName: "P", help: "t-SNE's perplexity (default 30; below N/3)", numbers: 2...100),
        OptionSpecification(name: "iterations", valueName: "N", help: "t-SNE iterations (default 1000)", integers: 1...100_000),
        OptionSpecification(name: "seed", valueName: "S", help: "the seed of --random-start and of UMAP (default 0)"),
        OptionSpecification(name: "random-start", valueName: nil, help: "start t-SNE from 1e-4·N(0, 1) instead of the scaled PCA"),
        OptionSpecification(name: "exact", valueName: nil, help: "exact O(N²) t-SNE (the lesson's) instead of Barnes-Hut"),
        OptionSpecification(name: "theta", valueName: "T", help: "Barnes-Hut's angle θ (default 0.5; 0 is exact but slow)", numbers: 0...1),
        OptionSpecification(name: "out", valueName: "FILE.png", help: "the scatter plot", required: true),
        OptionSpecification(name: "raw", valueName: "FILE.npy", help: "also the 2-D points as [N, 2] float32 ([4, N, 2] with --method all)"),
        Implementations.option,
    ]

    static func run(_ options: ParsedOptions) throws {
        let methodName = try options.requiredString("method")
        if methodName == "autoencoder" { return try embedByEncoder(options) }
        let layer = try options.requiredString("layer")
        let all = methodName == "all", isUMAP = methodName == "umap"
        guard let method = all || isUMAP ? .tsne : EmbeddingMethod(rawValue: methodName) else {
            throw CommandLineError(message: "--method must be pca, tsne, umap, autoencoder or all")
        }
        guard !isUMAP || (options.string("perplexity") == nil && options.string("iterations") == nil && !options.has("random-start")
                          && !options.has("exact") && options.string("theta") == nil) else {
            throw CommandLineError(message: "--perplexity, --iterations, --random-start, --exact and --theta are t-SNE options; UMAP takes --seed")
        }
        guard !all || layer != "pixels" else {
            throw CommandLineError(message: "--method all compares the pixels with a layer: name the layer (e.g. --layer gap)")
        }
        let code = try Implementations.named(options.string("implementation")).embedding
        let n = try options.int("n", default: code.largeScale ? 10_000 : studentDefault)!
        guard code.largeScale || n <= exactLimit else {
            throw CommandLineError(message: "--n \(n): the exercises' embeddings hold N × N matrices; use --n \(exactLimit) or fewer")
        }
        guard code.largeScale || options.string("theta") == nil else {
            throw CommandLineError(message: "--theta is Barnes-Hut's, which is the reference engine's; the exercises' t-SNE is exact")
        }
        guard !isUMAP || n > UMAPSettings().neighbours else {
            throw CommandLineError(message: "--n \(n) is too few for UMAP: each point needs \(UMAPSettings().neighbours) neighbours (N > \(UMAPSettings().neighbours))")
        }
        var settings = TSNESettings()
        settings.perplexity = Double(try options.float("perplexity", default: 30)!)
        settings.iterations = try options.int("iterations", default: settings.iterations)!
        settings.seed = UInt64(try options.int("seed", default: 0)!)
        if options.has("random-start") { settings.initialisation = .random }
        guard method == .tsne || (options.string("perplexity") == nil && options.string("iterations") == nil && !options.has("random-start")
                                  && !options.has("exact") && options.string("theta") == nil) else {
            throw CommandLineError(message: "--perplexity, --iterations, --random-start, --exact and --theta are t-SNE options (--method tsne)")
        }
        guard !(options.has("exact") && options.string("theta") != nil) else {
            throw CommandLineError(message: "--theta is Barnes-Hut's; drop it with --exact")
        }
        guard !options.has("exact") || n <= exactLimit else {
            throw CommandLineError(message: "--exact t-SNE is O(N²) per iteration: use --n \(exactLimit) or fewer, or drop --exact for Barnes-Hut")
        }
        let theta: Double? = options.has("exact") || !code.largeScale ? nil : Double(try options.float("theta", default: 0.5)!)
        guard method == .pca || isUMAP || settings.perplexity * 3 < Double(n) else {
            throw CommandLineError(message: "--perplexity \(settings.perplexity) needs more than \(Int(3 * settings.perplexity)) images (--n)")
        }
        let out = try options.requiredString("out")
        let loaded = try ModelFile.load(ModelFile.resolve(options.string("model") ?? "mnist-gap"))
        let model = loaded.model
        if layer != "pixels" { _ = try model.module(named: layer) }
        let test = try ModelFile.dataset(for: loaded.architecture, split: .test)
        guard n <= test.count else { throw CommandLineError(message: "--n must be at most \(test.count) (the test set)") }
        let (images, labels) = test.batch(0..<n)
        if layer != "pixels" || all { try FiniteValues.requireOutputs(of: model, images: images) { "test image \($0)" } }

        let classNames = loaded.architecture.classNames
        if all {
            var panels: [EmbeddingPanel] = []
            for features in ["pixels", layer] {
                for panelMethod in EmbeddingMethod.allCases {
                    let bar = ProgressBar(total: settings.iterations, label: "t-SNE \(features)", unit: "it")
                    panels.append(try running("embed") {
                        try code.panel(of: model, layer: features, images: images, labels: labels, method: panelMethod, settings: settings,
                                       theta: theta) { done, kl in bar.update(done, detail: kl.isFinite ? String(format: "KL %.4f", kl) : nil) }
                    })
                }
            }
            let cells = panels.map { (scatterPicture($0.points, labels: labels, classNames: classNames, title: $0.caption), "") }
            let picture = ImageGrid.render(cells, columns: 2, title: "\(n) test images of \(loaded.architecture.name): pixels (top) and \(layer) features (bottom), PCA (left) and t-SNE (right)")
            var files: [(URL, Data)] = [(URL(fileURLWithPath: out), Data(PNG.encode(picture)))]
            if let raw = options.string("raw") {
                let values = panels.flatMap { $0.points.values.map(Float.init) }
                files.append((URL(fileURLWithPath: raw), Data(NPY.encode(try NPYArray(shape: [4, n, 2], floats: values)))))
            }
            try AtomicFiles.write(files)
            print("wrote \(out)" + (options.string("raw").map { " and \($0)" } ?? ""))
            print("| features | method | trustworthiness T(5) | 5-NN accuracy |\n| --- | --- | --- | --- |")
            for panel in panels {
                print("| \(panel.features) | \(panel.method) | " + String(format: "%.4f | %.2f%% |", panel.trust, 100 * panel.knn))
            }
            return
        }
        let panel: EmbeddingPanel
        if isUMAP {
            let umapSettings = UMAPSettings(seed: settings.seed)
            let bar = ProgressBar(total: umapSettings.epochCount(points: n), label: "UMAP", unit: "epochs")
            panel = try running("embed") {
                try code.umapPanel(of: model, layer: layer, images: images, labels: labels, settings: umapSettings) { done, _ in bar.update(done) }
            }
        } else {
            let bar = ProgressBar(total: settings.iterations, label: "t-SNE", unit: "it")
            panel = try running("embed") {
                try code.panel(of: model, layer: layer, images: images, labels: labels, method: method, settings: settings,
                               theta: theta) { done, kl in bar.update(done, detail: kl.isFinite ? String(format: "KL %.4f", kl) : nil) }
            }
        }
        try write(panel, labels: labels, classNames: classNames, title: "\(n) test images, ", out: out, raw: options.string("raw"))
    }

    /// One map's scatter plot at `out` and, with `raw`, its `[N, 2]` points as float32 NPY (both
    /// or neither); then the line that says so, with the map's scores.
    static func write(_ panel: EmbeddingPanel, labels: [Int], classNames: [String], title: String, out: String, raw: String?) throws {
        let picture = scatterPicture(panel.points, labels: labels, classNames: classNames, title: title + panel.caption, width: 720, height: 600)
        var files: [(URL, Data)] = [(URL(fileURLWithPath: out), Data(PNG.encode(picture)))]
        if let raw {
            files.append((URL(fileURLWithPath: raw), Data(NPY.encode(try NPYArray(shape: [panel.points.rows, 2], floats: panel.points.values.map(Float.init))))))
        }
        try AtomicFiles.write(files)
        print("wrote \(out)" + (raw.map { " and \($0)" } ?? "") + "; " + panel.caption)
    }
}

extension EmbedCommand {
    /// `--method autoencoder`: the 2-D code a trained autoencoder's encoder gives the first N test
    /// images — images it never saw (it trained on the training set) — scored like the other maps
    /// against the pixels. Unlike t-SNE, nothing is fitted here: the encoder places each image on
    /// its own, so any new image gets a place.
    static func embedByEncoder(_ options: ParsedOptions) throws {
        for refused in ["layer", "perplexity", "iterations", "seed", "theta"] where options.string(refused) != nil {
            throw CommandLineError(message: "--\(refused) is not for --method autoencoder: the encoder maps the pixels to its 2-D code")
        }
        for refused in ["random-start", "exact"] where options.has(refused) {
            throw CommandLineError(message: "--\(refused) is a t-SNE option, not for --method autoencoder")
        }
        let code = try Implementations.named(options.string("implementation")).embedding
        let n = try options.int("n", default: code.largeScale ? 10_000 : studentDefault)!
        guard code.largeScale || n <= exactLimit else {
            throw CommandLineError(message: "--n \(n): the exercises' scores hold N × N matrices; use --n \(exactLimit) or fewer")
        }
        let out = try options.requiredString("out")
        let name = options.string("model") ?? "mnist-autoencoder"
        let loaded = try ModelFile.load(ModelFile.resolve(name), autoencoders: true)
        guard !loaded.architecture.isClassifier, let encoder = try? loaded.model.module(named: "encoder") else {
            throw CommandLineError(message: "--method autoencoder needs an autoencoder with an 'encoder' (mnist-autoencoder, or a file written by `workbook train --model mnist-autoencoder`); \(name) is \(loaded.architecture.isClassifier ? "a classifier" : "one without an encoder layer")")
        }
        let test = try ModelFile.dataset(for: loaded.architecture, split: .test)
        guard n <= test.count else { throw CommandLineError(message: "--n must be at most \(test.count) (the test set)") }
        let (images, labels) = test.batch(0..<n)
        let panel = try running("embed") { try code.encoderPanel(of: encoder, images: images, labels: labels) }
        try write(panel, labels: labels, classNames: test.classNames, title: "\(n) test images the autoencoder never saw, ",
                  out: out, raw: options.string("raw"))
    }
}
