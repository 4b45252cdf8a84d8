import Codecs
import DataFormats
import Foundation
import ModelZoo
import Testing
import TestSupport
@testable import WorkbookCLI

@Suite("Command line: workbook dataset", .maintainers, .maintainers)
struct DatasetCommandTests {
    @Test("bad arguments get one line, exit status 2 and leave nothing behind", arguments: [
        (["dataset", "shapes", "--count", "0"], "--count must be in 1...100000, got 0"),
        (["dataset", "shapes", "--count", "-4"], "--count must be in 1...100000, got -4"),
        (["dataset", "shapes", "--count", "100001"], "--count must be in 1...100000, got 100001"),
        (["dataset", "shapes", "--seed", "-1"], "--seed must be in 0..., got -1"),
        (["dataset", "shapes", "--seed", "x"], "--seed expects a whole number in 0..., got 'x'"),
        (["dataset", "cubes"], "unknown data set 'cubes' (known: shapes, decoy-mnist)"),
        (["dataset", "decoy-mnist", "--count", "5"], "--count is for shapes; decoy-mnist has MNIST's 60,000 + 10,000 images"),
        (["dataset", "--count", "5"], "--kind is required"),
        (["dataset", "shapes", "extra"], "unexpected argument 'extra'"),
    ])
    func refused(arguments: [String], message: String) throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let (status, error) = workbook(arguments + (arguments.contains("--kind") || arguments.count < 2 ? [] : ["--out", out.path]))
        #expect(status == 2, "exit status \(status) for \(arguments)")
        #expect(error.hasSuffix(message), "first line: \(error)")
        #expect(error.split(separator: "\n").count == 1)
        #expect(contents(folder).isEmpty)
    }

    @Test("--out is required")
    func outRequired() {
        let (status, error) = workbook(["dataset", "shapes"])
        #expect(status == 2 && error.hasSuffix("--out is required"), "\(status): \(error)")
    }

    @Test("dataset shapes writes the three arrays and SHA256SUMS, and the same seed writes the same bytes")
    func writesShapes() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b")
        #expect(workbook(["dataset", "shapes", "--seed", "4", "--count", "10", "--out", a.path]).status == 0)
        #expect(workbook(["dataset", "--kind", "shapes", "--count", "10", "--seed", "4", "--out", b.path]).status == 0)
        #expect(contents(a) == ["SHA256SUMS", "images.npy.gz", "labels.npy.gz", "masks.npy.gz"])
        for name in contents(a) {
            #expect(FileManager.default.contents(atPath: a.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: b.appendingPathComponent(name).path), "\(name) differs")
        }
        let loaded = try DatasetFiles.readMaskedImages(folder: a, skipChecksums: false)
        let expected = ShapesGenerator.generate(seed: 4, count: 10)
        #expect(loaded == expected)
        // The images in numpy's layout: shape (10, 3, 32, 32), dtype uint8.
        let npy = try NPY.decode(try Gzip.decompress([UInt8](Data(contentsOf: a.appendingPathComponent("images.npy.gz")))))
        #expect(npy.shape == [10, 3, 32, 32] && npy.elementType == .uint8)
    }

    @Test("an --out that is a file fails with one line and leaves the file alone")
    func outIsFile() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let (status, error) = workbook(["dataset", "shapes", "--count", "3", "--out", file.path])
        #expect(status == 2 && !error.isEmpty, "\(status): \(error)")
        #expect(contents(folder) == ["file"])
    }

    @Test("evaluate --dataset and --split: bad names and a data set the model cannot read are refused before any work", arguments: [
        (["evaluate", "--model", "mnist-gap", "--dataset", "cifar"], "--dataset must be one of mnist, fashion-mnist, shapes, decoy-mnist, decoy-mnist-truthful, got 'cifar'"),
        (["evaluate", "--model", "mnist-gap", "--split", "validation"], "--split takes test or train, got 'validation'"),
        (["evaluate", "--model", "mnist-gap", "--dataset", "shapes"], "shapes has [3, 32, 32] images in 12 classes; mnist-gap expects [1, 28, 28] and 10"),
    ])
    func evaluateRefused(arguments: [String], message: String) throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, error) = workbook(arguments + ["--out", folder.appendingPathComponent("e").path])
        #expect(status == 2 && error.hasSuffix(message), "\(status): \(error)")
        #expect(contents(folder).isEmpty)
    }

    @Test("a model file's recorded data set is the one evaluate reads; without a record, the catalogue's guess")
    func datasetOfModel() throws {
        let gap = try Catalog.architecture(named: "mnist-gap")
        #expect(ModelFile.datasetName(for: gap) == "mnist")
        #expect(ModelFile.datasetName(for: gap, metadata: ["dataset": "decoy-mnist"]) == "decoy-mnist")
        #expect(Catalog.datasetName(of: try Catalog.architecture(named: "shapes-simplenet")) == "shapes")
        #expect(Catalog.datasetName(of: try Catalog.architecture(named: "mnist-decoy")) == "decoy-mnist")
        #expect(Catalog.datasetName(of: try Catalog.architecture(named: "fashion-gap")) == "fashion-mnist")
        let shipped = try ModelFile.load(try ModelFile.shippedURL("shapes-simplenet"))
        #expect(shipped.metadata["dataset"] == "shapes")
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(workbook(["evaluate", "--model", "shapes-simplenet", "--limit", "20", "--out", folder.appendingPathComponent("e").path]).status == 0)
        #expect(contents(folder.appendingPathComponent("e")) == ["confusion-matrix.png", "misclassified.png", "per-class-accuracy.png"])
    }
}
