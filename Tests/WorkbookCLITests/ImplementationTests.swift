@testable import EvaluationSolutions
import FeatureVisualizationSolutions
import Foundation
import LessonSupport
import ModelZoo
import TensorEngine
import Testing
import TestSupport
@testable import WorkbookCLI

/// `--implementation student|reference`: the command line runs the student's code from `Lessons/`
/// or the reference's, and a stub that is not started stops it with one line naming the exercise.
@Suite("The command line on the student's code", .maintainers)
struct ImplementationTests {
    func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-implementation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("explain --implementation student on a stub names the exercise in one line, exit 1, writes nothing")
    func explainNamesTheExercise() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("map.png")
        for (method, exercise) in [("gradcam", "5.2"), ("saliency", "2.1"), ("score-cam", "10.5"), ("fgsm", "7.1")] {
            let run = workbook(["explain", "--model", "mnist-gap", "--index", "0", "--method", method, "--implementation", "student", "--out", out.path])
            #expect(run.status == 1, "\(method): exit \(run.status)")
            #expect(run.error.contains("\(method) needs exercise \(exercise), which is not started"), "\(method): \(run.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let reference = workbook(["explain", "--model", "mnist-gap", "--index", "0", "--method", "gradcam", "--implementation", "reference", "--out", out.path])
        #expect(reference.status == 0 && FileManager.default.fileExists(atPath: out.path), "\(reference.error)")
        let bad = workbook(["explain", "--model", "mnist-gap", "--method", "gradcam", "--implementation", "mine", "--out", out.path])
        #expect(bad.status == 2 && bad.error.contains("--implementation must be student or reference"), "\(bad.error)")
    }

    @Test("rank --implementation student: the metrics are the student's too (the random map needs no exercise)")
    func rankUsesTheStudentsMetrics() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = workbook(["rank", "--model", "mnist-gap", "--n", "2", "--methods", "random", "--implementation", "student", "--out", folder.appendingPathComponent("r").path])
        #expect(run.status == 1 && run.error.contains("needs exercise 10.1a, which is not started"), "\(run.status): \(run.error)")
    }

    @Test("the student's ROADCombined, over the reference's roadScores, is the reference's roadCombined bit for bit")
    func combinedROADMatchesTheReference() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1])
        var g = SeededGenerator(seed: 3)
        let maps = Tensor.randomUniform([2, 1, 28, 28], using: &g)
        let reference = try EvaluationSolutions.roadCombined(of: model, images: images, attributions: maps, targets: labels, seed: 7)
        let generic = try Implementations.combinedROAD(model, images, maps, labels, seed: 7) {
            try EvaluationSolutions.roadScores(of: $0, images: $1, attributions: $2, targets: $3, percentile: $4, order: $5, noise: $6)
        }
        #expect(reference == generic, "reference \(reference), from roadScores \(generic)")
    }

    @Test("visualize, dream, embed and insights take --implementation: on the stubs each names the exercise it needs in one line, exit 1, writes nothing")
    func everyCommandNamesTheExercise() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = folder.appendingPathComponent("out.png").path
        let runs: [([String], String)] = [
            (["visualize", "--class", "3", "--out", png], "visualize --class needs exercise 8.5"),
            (["visualize", "--layer", "conv1", "--channel", "2", "--out", png], "visualize --layer needs exercise 8.5"),
            (["dream", "--out", png], "dream needs exercise 8.7"),
            (["embed", "--layer", "gap", "--method", "pca", "--n", "100", "--out", png], "embed needs exercise 9.1"),
            (["embed", "--layer", "gap", "--method", "umap", "--n", "100", "--out", png], "embed needs exercise 9.1"),
            (["explain", "--all", "--out", png], "saliency needs exercise 2.1"),
            (["insights", "--n", "1", "--methods", "gradcam", "--out", folder.appendingPathComponent("insights").path], "gradcam needs exercise 5.2"),
        ]
        for (arguments, line) in runs {
            let run = workbook(arguments + ["--implementation", "student"])
            #expect(run.status == 1, "\(arguments): exit \(run.status) \(run.error)")
            #expect(run.error.contains(line + ", which is not started"), "\(arguments): \(run.error)")
            #expect(run.error.split(separator: "\n").count == 1, "\(arguments): \(run.error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("embed on a student's code holds N × N matrices: at most 5,000 images, and Barnes-Hut's --theta is the reference's")
    func embedLimitsTheStudentsCode() throws {
        let png = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-embed-\(UUID().uuidString).png").path
        let many = workbook(["embed", "--layer", "gap", "--method", "tsne", "--n", "6000", "--implementation", "student", "--out", png])
        #expect(many.status == 2 && many.error.contains("N × N matrices; use --n 5000 or fewer"), "\(many.error)")
        let theta = workbook(["embed", "--layer", "gap", "--method", "tsne", "--n", "300", "--theta", "0.5", "--implementation", "student", "--out", png])
        #expect(theta.status == 2 && theta.error.contains("--theta is Barnes-Hut's"), "\(theta.error)")
        #expect(!FileManager.default.fileExists(atPath: png))
    }

    @Test("the class and unit images built from 8.5's ascend and 8.6's meanActivation are the reference's classImages and unitImages")
    func ascentCompositesMatchTheReference() throws {
        let model = try Fixtures.model("mnist-gap")
        var settings = AscentSettings.regularised
        settings.steps = 12
        let ascend: Implementations.Ascent = { try FeatureVisualizationSolutions.ascend($0, from: $1, settings: $2, seed: $3) }
        let classes = try Implementations.classImages(of: model, targets: [3, 7, 3], settings: settings, seed: 5, inputShape: [1, 28, 28],
                                                      startGrey: AscentSettings.startGrey, ascend: ascend)
        let reference = try FeatureVisualizationSolutions.classImages(of: model, targets: [3, 7, 3], settings: settings, seed: 5).images
        #expect(classes.shape == reference.shape && classes.data == reference.data)
        // Repeated and unordered channels: each image must ascend its own.
        let channels = [4, 1, 4, 0]
        let units = try Implementations.unitImages(of: model, layer: "relu2", channels: channels, settings: settings, seed: 9, ascend: ascend,
                                                   meanActivation: { try FeatureVisualizationSolutions.meanActivation(of: $0, at: $1, channel: $2, for: $3) })
        let referenceUnits = try FeatureVisualizationSolutions.unitImages(of: model, layer: "relu2", channels: channels, settings: settings, seed: 9)
        #expect(units.shape == referenceUnits.shape)
        let worst = zip(units.data, referenceUnits.data).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-6, "largest difference \(worst)")
    }

    @Test("on a colour model the class and unit images are colour images of its input shape, equal to the reference's")
    func ascentCompositesOnColour() throws {
        let model = try Fixtures.model("shapes-simplenet")
        var settings = AscentSettings.regularised
        settings.steps = 6
        let ascend: Implementations.Ascent = { try FeatureVisualizationSolutions.ascend($0, from: $1, settings: $2, seed: $3) }
        let classes = try Implementations.classImages(of: model, targets: [0, 2], settings: settings, seed: 1, inputShape: [3, 32, 32],
                                                      startGrey: AscentSettings.startGrey, ascend: ascend)
        let reference = try FeatureVisualizationSolutions.classImages(of: model, targets: [0, 2], settings: settings, seed: 1,
                                                                      channels: 3, height: 32, width: 32).images
        #expect(classes.shape == [2, 3, 32, 32] && classes.data == reference.data)
        // The ascent moved the channels apart: a colour image, not a grey one in three planes.
        let area = 32 * 32
        #expect((0..<area).contains { classes.data[$0] != classes.data[area + $0] })
        let layer = model.children.first { $0.module is ReLU }!.name
        let units = try Implementations.unitImages(of: model, layer: layer, channels: [1, 0], settings: settings, seed: 2, inputShape: [3, 32, 32],
                                                   ascend: ascend,
                                                   meanActivation: { try FeatureVisualizationSolutions.meanActivation(of: $0, at: $1, channel: $2, for: $3) })
        let referenceUnits = try FeatureVisualizationSolutions.unitImages(of: model, layer: layer, channels: [1, 0], settings: settings, seed: 2,
                                                                          inputShape: [3, 32, 32])
        #expect(units.shape == [2, 3, 32, 32])
        let worst = zip(units.data, referenceUnits.data).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-6, "largest difference \(worst)")
    }

    @Test("insertion's start is a Gaussian blur with clamped borders: the naive 2-D convolution with the product kernel")
    func insertionStartIsTheClampedBlur() throws {
        var g = SeededGenerator(seed: 11)
        let images = Tensor.randomUniform([2, 3, 9, 13], using: &g)
        let sigma: Float = 1.3
        let blurred = try Ranking.insertionStart(images, sigma: sigma)
        let radius = Int((3 * sigma).rounded(.up))
        let weights = (-radius...radius).map { exp(-Double($0 * $0) / (2 * Double(sigma * sigma))) }
        let total = weights.reduce(0, +)
        var worst = 0.0
        for plane in 0..<6 { for y in 0..<9 { for x in 0..<13 {
            var sum = 0.0
            for dy in -radius...radius { for dx in -radius...radius {
                let yy = min(max(y + dy, 0), 8), xx = min(max(x + dx, 0), 12)
                sum += weights[dy + radius] * weights[dx + radius] / (total * total) * Double(images.data[plane * 117 + yy * 13 + xx])
            } }
            worst = max(worst, abs(sum - Double(blurred.data[plane * 117 + y * 13 + x])))
        } } }
        #expect(worst < 1e-5, "largest difference \(worst)")
        #expect(throws: (any Error).self) { try Ranking.insertionStart(Tensor.zeros([3, 4])) }
    }
}
