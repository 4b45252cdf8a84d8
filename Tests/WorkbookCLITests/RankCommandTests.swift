import DataFormats
import Foundation
import ModelZoo
import Testing
import TestSupport
import TensorEngine
@testable import WorkbookCLI

@Suite("Command line: workbook rank", .maintainers, .maintainers)
struct RankCommandTests {
    @Test("bad arguments get one line, exit status 2 and leave nothing behind", arguments: [
        (["rank", "--model", "mnist-gap", "--n", "0"], "--n must be in 1...10000, got 0"),
        (["rank", "--model", "mnist-gap", "--n", "10001"], "--n must be in 1...10000, got 10001"),
        (["rank", "--model", "mnist-gap", "--data", "cifar"], "--data must be one of mnist, decoy, shapes; got 'cifar'"),
        (["rank", "--model", "mnist-gap", "--methods", "saliency,tea-leaves"], "unknown method 'tea-leaves'"),
        (["rank", "--model", "mnist-gap", "--methods", "fgsm"], "unknown method 'fgsm'"),
        (["rank", "--model", "mnist-gap", "--seed", "-1"], "--seed must be in 0..., got -1"),
        (["rank", "--model", "no-such-model"], "no-such-model"),
        (["rank", "--model", "mnist-gap", "--data", "shapes", "--n", "2"], "cannot read shapes images [3, 32, 32]"),
        (["rank", "--model", "mnist-gap", "--layer", "nowhere", "--n", "2"], "nowhere"),
    ])
    func refused(arguments: [String], message: String) throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, error) = workbook(arguments + ["--out", folder.appendingPathComponent("ranking").path])
        #expect(status != 0, "exit status \(status) for \(arguments)")
        #expect(error.contains(message), "first line: \(error)")
        #expect(error.split(separator: "\n").count == 1)
        #expect(contents(folder).isEmpty, "left behind: \(contents(folder))")
    }

    @Test("--out and --model are required; --out must not be a file")
    func requiredOptions() throws {
        #expect(workbook(["rank", "--model", "mnist-gap"]).error.hasSuffix("--out is required"))
        #expect(workbook(["rank", "--out", "x"]).error.hasSuffix("--model is required"))
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let (status, error) = workbook(["rank", "--model", "mnist-gap", "--n", "2", "--out", file.path])
        #expect(status != 0 && error.contains("is a file"), "\(status): \(error)")
        #expect(try Data(contentsOf: file) == Data("x".utf8))
    }

    @Test("writes the table, CSV and chart; the same bytes again and on one thread")
    func writesDeterministically() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ name: String, threads: Int) throws -> [Data] {
            let out = folder.appendingPathComponent(name)
            let status = Parallel.withThreads(threads) {
                workbook(["rank", "--model", "mnist-gap", "--n", "4", "--methods", "gradient-x-input,random", "--out", out.path]).status
            }
            #expect(status == 0)
            return try ["ranking.txt", "ranking.csv", "ranking.png"].map { try Data(contentsOf: out.appendingPathComponent($0)) }
        }
        // The images are spread over one worker per thread (each with its own model copy).
        let first = try run("a", threads: 2), again = try run("b", threads: 2), single = try run("c", threads: 1), three = try run("d", threads: 3)
        #expect(first == again, "a second run changed the bytes")
        #expect(first == single, "one thread changed the bytes")
        #expect(first == three, "three workers changed the bytes")
        let csv = String(decoding: first[1], as: UTF8.self).split(separator: "\n")
        #expect(csv.count == 1 + 2 * 3, "header + 2 methods × 3 metrics (deletion, insertion, ROAD) on MNIST; received \(csv.count) lines")
        #expect(csv.first == "method,metric,higher_is_better,mean,lower95,upper95,images")
        #expect(csv.contains { $0.hasPrefix("random,deletion-AUC,false,") && $0.hasSuffix(",4") })
        #expect(csv.contains { $0.hasPrefix("gradient-x-input,ROAD,true,") }, "ROAD (ROADCombined: higher is better) on every data set")
    }

    @Test("one definition of saliency: the map rank scores is the map explain --raw writes, |∂y/∂x| as [1, 1, H, W], for one channel and for three")
    func rankScoresWhatExplainWrites() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (model, index) in [("mnist-gap", 3), ("shapes-simplenet", 1)] {
            let raw = folder.appendingPathComponent("\(model).npy")
            #expect(workbook(["explain", "--model", model, "--index", "\(index)", "--method", "saliency", "--raw", raw.path,
                              "--out", folder.appendingPathComponent("\(model).png").path]).status == 0)
            let written = try NPY.read(contentsOf: raw)
            let loaded = try ModelFile.load(ModelFile.resolve(model))
            let test = try ModelFile.dataset(for: loaded, split: .test)
            let image = try test.image(at: index)
            let target = try withNoGrad { try loaded.model(image) }.argmax()[0]
            let method = try #require(RankCommand.methods(layer: "", seed: 0).first { $0.name == "saliency" })
            let scored = try Ranking.inputMap(try method.compute(loaded.model, image, target, index), height: image.shape[2], width: image.shape[3],
                                              reduction: ExplanationMethod.channelReduction(of: "saliency"))
            #expect(written.shape == [1, 1, image.shape[2], image.shape[3]], "\(model): explain --raw wrote \(written.shape)")
            #expect(scored.shape == written.shape && scored.data == written.floats(), "\(model): rank scores another map than explain writes")
            #expect(scored.data.allSatisfy { $0 >= 0 }, "\(model): saliency is a magnitude")
        }
    }

    @Test("Decoy MNIST adds the decoy share, Shapes the mask metrics")
    func metricsFollowTheData() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let decoy = folder.appendingPathComponent("decoy"), shapes = folder.appendingPathComponent("shapes")
        #expect(workbook(["rank", "--model", "mnist-decoy", "--n", "3", "--methods", "random", "--out", decoy.path]).status == 0)
        let decoyCSV = try String(contentsOf: decoy.appendingPathComponent("ranking.csv"), encoding: .utf8)
        #expect(decoyCSV.contains("random,decoy-share,false,"), "the model's data set is decoy-mnist: the decoy share is measured")
        #expect(workbook(["rank", "--model", "shapes-simplenet", "--n", "2", "--methods", "random,gradcam", "--out", shapes.path]).status == 0)
        let shapesCSV = try String(contentsOf: shapes.appendingPathComponent("ranking.csv"), encoding: .utf8)
        for metric in ["pointing-game", "relevance-mass", "rank-accuracy"] {
            #expect(shapesCSV.contains("gradcam,\(metric),true,"), "Shapes has masks: \(metric) is measured")
        }
    }

    @Test("the bootstrap interval is seeded, contains the mean, and is a point for constant values")
    func bootstrap() {
        let values = (0..<50).map { Double($0 % 7) / 7 }
        let a = Ranking.bootstrap(values, seed: 3), b = Ranking.bootstrap(values, seed: 3)
        #expect(a.mean == b.mean && a.lower == b.lower && a.upper == b.upper)
        #expect(a.lower < a.mean && a.mean < a.upper)
        let constant = Ranking.bootstrap(Array(repeating: 0.25, count: 10), seed: 0)
        #expect(constant.lower == 0.25 && constant.upper == 0.25 && constant.mean == 0.25)
    }
}
