import Foundation
import DataFormats
import Imaging
import ModelZoo
import Testing
import TensorEngine
import TestSupport
@testable import WorkbookCLI

/// Colour through the command line: the seeded colour model of `Datasets/colour` with `explain`,
/// and `cifar-simplenet` trained, evaluated, explained and queried on small files in CIFAR-10's
/// official format that the test writes (`CIFAR10Files.$recordsPerFile` scopes their size).
@Suite("Colour images on the command line", .maintainers, .maintainers)
struct ColourCommandTests {
    static let colourModel = (try? DatasetFiles.datasets().appendingPathComponent("colour/colour-gap-seeded.safetensors").path) ?? ""

    /// How many pixels of a picture are neither gray nor white-ish: colour actually drawn.
    func colourful(_ image: RGBAImage) -> Int {
        (0..<(image.width * image.height)).filter { i in
            let (r, g, b) = (Int(image.pixels[4 * i]), Int(image.pixels[4 * i + 1]), Int(image.pixels[4 * i + 2]))
            return max(abs(r - g), abs(g - b), abs(r - b)) > 40
        }.count
    }

    @Test("explain --all on the colour model: every method runs on [1, 3, 32, 32] and the input is drawn in colour")
    func explainColour() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("all.png").path
        let (status, error) = workbook(["explain", "--model", Self.colourModel, "--index", "1", "--all", "--out", out])
        #expect(status == 0, "\(error)")
        let picture = try PNG.readRGBA(from: URL(fileURLWithPath: out))
        #expect(colourful(picture) > 1000, "the panel should show the colour image (\(colourful(picture)) colourful pixels)")
        let raw = folder.appendingPathComponent("s.npy").path
        #expect(workbook(["explain", "--model", Self.colourModel, "--method", "saliency", "--raw", raw, "--out", folder.appendingPathComponent("s.png").path]).status == 0)
        #expect(try NPY.read(contentsOf: URL(fileURLWithPath: raw)).shape == [1, 1, 32, 32], "saliency is |∂y/∂x| reduced over the channels by max")
    }

    @Test("predict --png reads an RGB PNG for a colour model: the same [1, 3, 32, 32] pixels the data set holds")
    func predictColourPNG() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = try ColourDemo.images()
        let pixels = Array(demo.pixels[3072..<6144])
        let png = folder.appendingPathComponent("one.png")
        try PNG.write(RGBAImage(planar: pixels, channels: 3, width: 32, height: 32), to: png)
        let tensor = try InputImages.load(png, shape: [3, 32, 32], invert: false).tensor
        #expect(tensor.shape == [1, 3, 32, 32] && maxAbsoluteDifference(tensor.data, pixels) < 1e-6)
        #expect(workbook(["predict", "--model", Self.colourModel, "--png", png.path]).status == 0)
    }

    @Test("explain's overlay outlines a ground-truth mask (hand-made) on a colour image, and draws nothing extra without one")
    func maskOutline() throws {
        let image = try Tensor(shape: [1, 3, 4, 4], data: (0..<48).map { Float($0 % 5) / 5 })
        var mask = [Bool](repeating: false, count: 16)
        mask[5] = true; mask[6] = true                   // cells (1, 1) and (2, 1)
        let method = try #require(ExplanationMethods.all.first { $0.name == "gradcam" })
        let map = try Tensor(shape: [1, 1, 2, 2], data: [0, 1, 2, 3])
        let plain = try ExplainCommand.picture(of: map, method: method, input: .init(image, mask: nil))
        let outlined = try ExplainCommand.picture(of: map, method: method, input: .init(image, mask: mask))
        // Upscaled 4×: the two cells span x 4..<12, y 4..<8; their outline is the border of that box.
        var expected = Set<Int>()
        for x in 4..<12 { expected.formUnion([4 * 16 + x, 7 * 16 + x]) }
        for y in 4..<8 { expected.formUnion([y * 16 + 4, y * 16 + 11]) }
        let changed = Set((0..<256).filter { plain[x: $0 % 16, y: $0 / 16] != outlined[x: $0 % 16, y: $0 / 16] })
        #expect(changed.isSubset(of: expected) && (0..<256).allSatisfy { !expected.contains($0) || outlined[x: $0 % 16, y: $0 / 16] == .white },
                "the outline must be exactly the box's border in white (\(changed.count) pixels changed)")
    }

    @Test("cifar-simplenet: train 1 epoch with --data, then evaluate, explain and predict read the data set from the file")
    func cifarCommands() throws {
        let root = try SyntheticCIFARFiles.write(records: 4)
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("cifar.safetensors").path
        try CIFAR10Files.$recordsPerFile.withValue(4) {
            let trained = workbook(["train", "--model", "cifar-simplenet", "--data", root.path, "--epochs", "1", "--batch-size", "8", "--out", model])
            #expect(trained.status == 0, "\(trained.error)")
            let loaded = try ModelFile.load(URL(fileURLWithPath: model))
            #expect(loaded.metadata["dataset"] == "cifar-10" && loaded.architecture.name == "cifar-simplenet")

            let evaluated = workbook(["evaluate", "--model", model, "--data", root.path, "--out", folder.appendingPathComponent("eval").path])
            #expect(evaluated.status == 0, "\(evaluated.error)")
            for name in ["confusion-matrix.png", "misclassified.png"] {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("eval/\(name)").path), "\(name) missing")
            }
            let explained = workbook(["explain", "--model", model, "--data", root.path, "--method", "gradcam", "--out", folder.appendingPathComponent("e.png").path])
            #expect(explained.status == 0, "\(explained.error)")
            #expect(workbook(["predict", "--model", model, "--data", root.path, "--index", "2"]).status == 0)

            let noData = workbook(["explain", "--model", model, "--method", "gradcam", "--out", folder.appendingPathComponent("x.png").path])
            #expect(noData.status != 0 && noData.error.contains("give --data DIR"), "\(noData.error)")
            try FileManager.default.removeItem(at: root.appendingPathComponent("cifar-10-batches-bin/test_batch.bin"))
            let missing = workbook(["evaluate", "--model", model, "--data", root.path])
            #expect(missing.status != 0 && missing.error.contains("missing") && missing.error.contains("test_batch.bin"), "\(missing.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.png").path))
    }

    @Test("--data is refused for a model of a shipped data set, and train names the missing CIFAR-10 folder")
    func dataErrors() throws {
        let mnist = workbook(["explain", "--model", "mnist-gap", "--method", "saliency", "--data", "/tmp", "--out", "/tmp/never.png"])
        #expect(mnist.status != 0 && mnist.error.contains("--data is for CIFAR-10 models"), "\(mnist.error)")
        let train = workbook(["train", "--model", "cifar-simplenet", "--epochs", "1"])
        #expect(train.status != 0 && train.error.contains("give --data DIR"), "\(train.error)")
        let nowhere = workbook(["train", "--model", "cifar-simplenet", "--data", "/nonexistent-cifar", "--epochs", "1"])
        #expect(nowhere.status != 0 && nowhere.error.contains("/nonexistent-cifar/cifar-10-batches-bin/data_batch_1.bin"), "\(nowhere.error)")
    }
}

/// CIFAR-10's official layout with `records` records per file (see ModelZooTests' SyntheticCIFAR).
enum SyntheticCIFARFiles {
    static func write(records: Int) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-cli-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (f, name) in (CIFAR10Files.trainingFiles + CIFAR10Files.testFiles).enumerated() {
            var bytes: [UInt8] = []
            for r in 0..<records {
                bytes.append(UInt8((3 * r + f) % 10))
                for p in 0..<3072 { bytes.append(UInt8((31 * r + 7 * p + f) % 256)) }
            }
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
        return root
    }
}
