import Foundation
import Testing
import DataFormats
@testable import ModelZoo
import TensorEngine
import TestSupport

@Suite("Colour models", .maintainers, .maintainers)
struct ColourModelTests {
    @Test("the seeded colour model's per-channel normalisation and logits agree with PyTorch (1e-5 of the largest)")
    func colourLogits() throws {
        let loaded = try ColourDemo.model()
        #expect(loaded.architecture.inputShape == [3, 32, 32])
        let images = try ColourReference.images()
        let logits = try withNoGrad { try loaded.model(images) }
        try ColourReference.shared.get().expectMatch(logits, "logits", "the colour model's logits")
        // The first layer by hand: (x − mean[c]) / std[c] at pixel (y 5, x 9) of image 1, each channel.
        let normalized = try withNoGrad { try loaded.model.children[0].module(images) }
        for c in 0..<3 {
            let index = 3072 + c * 1024 + 5 * 32 + 9
            let expected = (images.data[index] - Catalog.cifarMean[c]) / Catalog.cifarStd[c]
            #expect(abs(normalized.data[index] - expected) < 1e-6, "channel \(c): \(normalized.data[index]) vs \(expected)")
        }
    }

    @Test("LabeledImages.mask(at:) gives image i's H × W mask, nil without masks or with masks of the wrong size")
    func masks() throws {
        var data = try LabeledImages(imageShape: [3, 2, 2], pixels: [Float](repeating: 0, count: 24), labels: [0, 1], classNames: ["a", "b"])
        #expect(data.mask(at: 0) == nil)
        data.masks = [true, false, false, false, false, true, true, false]
        #expect(data.mask(at: 1) == [false, true, true, false] && data.mask(at: 2) == nil)
        data.masks = [true, false]
        #expect(data.mask(at: 0) == nil)
    }

    @Test("the validator accepts per-channel Normalize on 3 channels and rejects a count that does not match")
    func normalizeValidation() throws {
        try Catalog.architecture(named: "cifar-simplenet").validate()
        var wrong = try Catalog.architecture(named: "cifar-simplenet")
        wrong.layers[0] = .normalize("norm", mean: [0.5], std: [0.25])
        #expect(throws: ModelZooError.self) { try wrong.validate() }
        wrong.layers[0] = .normalize("norm", mean: [0.5, 0.5, 0.5], std: [0.25, 0.25])
        #expect(throws: ModelZooError.self) { try wrong.validate() }
    }

    @Test("cifar-simplenet: RGB 32×32 in, CIFAR-10's ten class names out, the published mean/std first")
    func cifarSimpleNet() throws {
        let architecture = try Catalog.architecture(named: "cifar-simplenet")
        #expect(architecture.inputShape == [3, 32, 32] && architecture.classNames == CIFAR10Batch.classNames)
        #expect(architecture.layers[0].mean == [0.4914, 0.4822, 0.4465] && architecture.layers[0].std == [0.2470, 0.2435, 0.2616])
        let model = try architecture.makeModel(seed: 1)
        model.eval()
        let out = try withNoGrad { try model(Tensor.zeros([2, 3, 32, 32])) }
        #expect(out.shape == [2, 10])
        #expect(!Catalog.names.contains("cifar-simplenet") && Catalog.userDataModels == ["cifar-simplenet"])
        #expect(Catalog.datasetName(of: architecture) == "cifar-10")
    }
}

/// Small files in CIFAR-10's official layout, written by the tests: `records` records per file,
/// record r of file f has label (3r + f) % 10 and byte p = (31r + 7p + f) % 256.
enum SyntheticCIFAR {
    static let names = CIFAR10Files.trainingFiles + CIFAR10Files.testFiles

    static func record(_ r: Int, file f: Int) -> [UInt8] {
        [UInt8((3 * r + f) % 10)] + (0..<3072).map { UInt8((31 * r + 7 * $0 + f) % 256) }
    }

    /// `ROOT/cifar-10-batches-bin/*.bin`; returns ROOT.
    static func write(records: Int) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (f, name) in names.enumerated() {
            try Data((0..<records).flatMap { record($0, file: f) }).write(to: folder.appendingPathComponent(name))
        }
        return root
    }
}

@Suite("CIFAR-10 from the user's folder", .maintainers, .maintainers)
struct CIFAR10FilesTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test("the official layout loads: 5 training files then the test file, pixels / 255 in CHW order")
    func loads() throws {
        let root = try SyntheticCIFAR.write(records: 3)
        defer { try? FileManager.default.removeItem(at: root) }
        try CIFAR10Files.$recordsPerFile.withValue(3) {
            let training = try CIFAR10Files.load(from: root, split: .training)
            #expect(training.count == 15 && training.imageShape == [3, 32, 32] && training.classNames[3] == "cat")
            // Image 7 = record 1 of data_batch_3 (f = 2): label 5, green byte at (y 4, x 6) = p = 1024 + 134.
            #expect(training.labels[7] == 5)
            #expect(training.pixels[7 * 3072 + 1024 + 4 * 32 + 6] == Float((31 + 7 * 1158 + 2) % 256) / 255)
            let test = try CIFAR10Files.load(from: root, split: .test)
            #expect(test.count == 3 && test.labels == [5, 8, 1])
            // DIR may be cifar-10-batches-bin itself.
            let direct = try CIFAR10Files.load(from: root.appendingPathComponent("cifar-10-batches-bin"), split: .test)
            #expect(direct.pixels == test.pixels)
        }
    }

    @Test("a missing, truncated, too long or corrupt file is a one-line error naming it")
    func errors() throws {
        let root = try SyntheticCIFAR.write(records: 2)
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("cifar-10-batches-bin")
        try CIFAR10Files.$recordsPerFile.withValue(2) {
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data_batch_4.bin"))
            let missing = message { _ = try CIFAR10Files.load(from: root, split: .training) }
            #expect(missing.contains("missing") && missing.contains("data_batch_4.bin") && !missing.contains("\n"), "\(missing)")

            let test = folder.appendingPathComponent("test_batch.bin")
            let bytes = try Data(contentsOf: test)
            try bytes.dropLast().write(to: test)
            let truncated = message { _ = try CIFAR10Files.load(from: root, split: .test) }
            #expect(truncated.contains("test_batch.bin has 6145 bytes, expected 6146") && truncated.contains("truncated") && !truncated.contains("\n"), "\(truncated)")
            try (bytes + [0]).write(to: test)
            #expect(message { _ = try CIFAR10Files.load(from: root, split: .test) }.contains("too long"))

            var corrupt = [UInt8](bytes)
            corrupt[3073] = 10
            try Data(corrupt).write(to: test)
            let bad = message { _ = try CIFAR10Files.load(from: root, split: .test) }
            #expect(bad.contains("test_batch.bin is corrupt") && bad.contains("label 10") && !bad.contains("\n"), "\(bad)")
        }
        // The official size: these 2-record files are "truncated" against 30,730,000 bytes.
        let official = message { _ = try CIFAR10Files.load(from: root, split: .test) }
        #expect(official.contains("expected 30730000"), "\(official)")
        let nowhere = message { _ = try CIFAR10Files.load(from: root.appendingPathComponent("nope"), split: .test) }
        #expect(nowhere.contains("missing") && nowhere.contains("nope/cifar-10-batches-bin/test_batch.bin"), "\(nowhere)")
    }

    @Test("one epoch of cifar-simplenet trains on the small files (finite loss, the model changes)")
    func oneEpoch() throws {
        let root = try SyntheticCIFAR.write(records: 4)
        defer { try? FileManager.default.removeItem(at: root) }
        try CIFAR10Files.$recordsPerFile.withValue(4) {
            let training = try CIFAR10Files.load(from: root, split: .training)
            let test = try CIFAR10Files.load(from: root, split: .test)
            let model = try Catalog.architecture(named: "cifar-simplenet").makeModel(seed: 3)
            func conv1() -> [Float] { model.stateDictionary().first { $0.name == "conv1.weight" }?.tensor.data ?? [] }
            let before = conv1()
            var configuration = TrainingConfiguration.recipe(for: "cifar-simplenet")
            configuration.epochs = 1; configuration.batchSize = 8
            let reports = try Trainer.train(model, on: training, testingOn: test, configuration: configuration)
            #expect(reports.count == 1 && reports[0].trainingLoss.isFinite)
            #expect(!before.isEmpty && conv1() != before)
        }
    }
}
