import DataFormats
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import TensorEngine

/// `workbook dream`: DeepDream of a test image at a layer (Lesson 08's 8.7: the reference's, or the
/// student's with `--implementation student` and in the student edition).
enum DreamCommand: Command {
    static let name = "dream"
    static let summary = "DeepDream a test image at a layer: amplify what the layer sees, over octaves."
    static let options = [
        modelOptionDefaultingToGap,
        OptionSpecification(name: "index", valueName: "N", help: "the test image (default 0)", integers: 0...Int.max),
        OptionSpecification(name: "layer", valueName: "L", help: "the layer whose activations are amplified (default relu2)"),
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
        let loaded = try ModelFile.load(ModelFile.resolve(options.string("model") ?? "mnist-gap"))
        let model = loaded.model
        let layer = options.string("layer") ?? DreamSettings.readmeLayer
        _ = try model.module(named: layer)
        let test = try ModelFile.dataset(for: loaded.architecture, split: .test)
        let index = try options.int("index", default: 0)!
        let image = try test.image(at: index)
        guard image.shape[1] == 1 else { throw CommandLineError(message: "dream draws grey images; this model's images have \(image.shape[1]) channels") }
        let smallest = settings.sizes(height: image.shape[2], width: image.shape[3]).first!
        guard smallest.height >= 8 && smallest.width >= 8 else {
            throw CommandLineError(message: "\(settings.octaves) octaves shrink the image to \(smallest.height)×\(smallest.width); the network needs at least 8×8")
        }
        try FiniteValues.requireOutputs(of: model, images: image) { _ in "test image \(index)" }
        let bar = ProgressBar(total: settings.steps * settings.octaves, label: "dream", unit: "steps")
        var last: Float = .nan
        let dream = try running("dream") {
            try code.deepDream(model, image, layer, settings, UInt64(seed)) { step, objective in last = objective; bar.update(step) }
        }
        try FiniteValues.require(dream.data, "the dream of test image \(index)")
        let (h, w) = (image.shape[2], image.shape[3])
        let picture = ImageGrid.render([(Render.grayImage(image.data, width: w, height: h, upscale: 6), "test image \(index)"),
                                        (Render.grayImage(dream.data, width: w, height: h, upscale: 6), "dream at \(layer)")],
                                       columns: 2, title: nil)
        var files: [(URL, Data)] = [(URL(fileURLWithPath: out), Data(PNG.encode(picture)))]
        if let raw = options.string("raw") {
            files.append((URL(fileURLWithPath: raw), Data(NPY.encode(try NPYArray(shape: dream.shape, floats: dream.data)))))
        }
        try AtomicFiles.write(files)
        print("wrote \(out)" + (options.string("raw").map { " and \($0)" } ?? "") + (last.isNaN ? "" : String(format: "; final ½‖A‖² %.4g", last)))
    }
}
