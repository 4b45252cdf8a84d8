import DataFormats
import Foundation

/// CIFAR-10 as its authors distribute it, read from a folder the user unpacked it into. The data
/// cannot ship with the workbook (see `Datasets/README.md`): `workbook train --model
/// cifar-simplenet --data DIR` and the other commands with `--data DIR` read it from there.
///
/// The official layout (from `cifar-10-binary.tar.gz`) is `DIR/cifar-10-batches-bin/` with
/// `data_batch_1.bin` … `data_batch_5.bin` (training, 10,000 records each) and `test_batch.bin`
/// (10,000 records), every record 3,073 bytes: so every file is exactly 30,730,000 bytes.
///
/// Checksums: the official page publishes the MD5 of the tarball only
/// (c32a1d4ab5d03f1284b67883e8d87530 for `cifar-10-binary.tar.gz`); no digest of the unpacked
/// `.bin` files is published, so the loader checks what it can check without one: each file's exact
/// size and every label byte in 0…9. The README tells the user to check the tarball's MD5.
public enum CIFAR10Files {
    /// The folder the tarball unpacks to.
    public static let batchesFolder = "cifar-10-batches-bin"
    public static let trainingFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFiles = ["test_batch.bin"]
    /// Records in each official batch file.
    public static let officialRecordsPerFile = 10_000
    /// The MD5 the official page publishes for `cifar-10-binary.tar.gz`.
    public static let tarballMD5 = "c32a1d4ab5d03f1284b67883e8d87530"
    public static let tarballURL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    public static let pageURL = "https://www.cs.toronto.edu/~kriz/cifar.html"

    /// Records per file that `load` requires. Official files hold 10,000; tests that write small
    /// files in the official format scope a smaller number with `$recordsPerFile.withValue(n) { }`.
    @TaskLocal public static var recordsPerFile = officialRecordsPerFile

    /// `folder` itself when it holds the batch files, else `folder/cifar-10-batches-bin`.
    public static func batches(in folder: URL) -> URL {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder.appendingPathComponent(testFiles[0]).path)
            || fm.fileExists(atPath: folder.appendingPathComponent(trainingFiles[0]).path) {
            return folder
        }
        return folder.appendingPathComponent(batchesFolder)
    }

    /// The training (50,000 images) or test (10,000) split from `folder` (the folder holding
    /// `cifar-10-batches-bin`, or that folder itself), pixels scaled to [0, 1], `[3, 32, 32]`.
    /// Every file is checked before any is parsed, so a missing or truncated file is reported
    /// without reading gigabytes first.
    /// - Throws: `ModelZooError.dataset` with one line naming the file: missing, wrong size
    ///   (truncated or too long, with the sizes), or a label outside 0…9 (corrupt).
    public static func load(from folder: URL, split: DatasetFiles.Split) throws -> LabeledImages {
        let directory = batches(in: folder)
        let names = split == .training ? trainingFiles : testFiles
        let expected = recordsPerFile * CIFAR10Batch.recordBytes
        var urls: [URL] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int else {
                throw ModelZooError.dataset("CIFAR-10: missing \(url.path) (unpack \(CIFAR10Files.tarballURL.split(separator: "/").last!) into \(folder.path); see Datasets/README.md)")
            }
            guard size == expected else {
                throw ModelZooError.dataset("CIFAR-10: \(url.path) has \(size) bytes, expected \(expected) (\(recordsPerFile) records of \(CIFAR10Batch.recordBytes)): \(size < expected ? "truncated" : "too long"); unpack the tarball again")
            }
            urls.append(url)
        }
        var pixels: [Float] = [], labels: [Int] = []
        pixels.reserveCapacity(names.count * recordsPerFile * CIFAR10Batch.imageBytes)
        for url in urls {
            let batch: CIFAR10Batch
            do { batch = try CIFAR10Batch(contentsOf: url) } catch {
                throw ModelZooError.dataset("CIFAR-10: \(url.path) is corrupt: \(error)")
            }
            labels += batch.labels.map(Int.init)
            pixels += batch.images.map { Float($0) / 255 }
        }
        return try LabeledImages(imageShape: [3, 32, 32], pixels: pixels, labels: labels, classNames: CIFAR10Batch.classNames)
    }
}
