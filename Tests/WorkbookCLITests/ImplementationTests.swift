@testable import EvaluationSolutions
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
}
