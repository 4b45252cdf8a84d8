import Codecs
import DataFormats
import Foundation

/// The colour demo of `Datasets/colour` (see its README): two hand-drawn 32×32 colour images and a
/// seeded, untrained 3-channel model, what the lessons' colour tests and figures use until a
/// trained colour model ships.
public enum ColourDemo {
    /// The data set name a model file's `__metadata__["dataset"]` gives for these images.
    public static let datasetName = "colour-demo"
    /// The class each image is explained for (the model is untrained: there is no true class).
    public static let targets = [3, 7]

    /// `Datasets/colour/NAME`, its bytes checked against `Datasets/colour/SHA256SUMS`.
    static func verifiedBytes(_ name: String) throws -> (bytes: [UInt8], path: String) {
        let folder = try DatasetFiles.datasets().appendingPathComponent("colour")
        let url = folder.appendingPathComponent(name)
        return (try DatasetFiles.verifiedContents(of: url, checksums: DatasetFiles.checksums(in: folder)), url.path)
    }

    /// The two images, `[2, 3, 32, 32]` in [0, 1], with `targets` as labels.
    public static func images() throws -> LabeledImages {
        let (bytes, path) = try verifiedBytes("colour-demo.bin")
        let batch: CIFAR10Batch
        do { batch = try CIFAR10Batch(bytes: bytes) } catch { throw ModelZooError.dataset("\(path): \(error)") }
        return try LabeledImages(imageShape: [3, 32, 32], pixels: batch.images.map { Float($0) / 255 },
                                 labels: batch.labels.map(Int.init), classNames: (0..<10).map { "class \($0)" })
    }

    /// A fresh copy of the seeded model `colour-gap-seeded` (evaluation mode).
    public static func model() throws -> ModelFile.Loaded {
        let (bytes, path) = try verifiedBytes("colour-gap-seeded.safetensors")
        return try ModelFile.load(bytes: bytes, path: path)
    }
}

extension DatasetFiles {
    /// The bytes of `url`, checked against `checksums[url.lastPathComponent]` (a missing entry is
    /// an error unless `WORKBOOK_SKIP_CHECKSUMS=1`, as for the other data files).
    static func verifiedContents(of url: URL, checksums: [String: String]) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ModelZooError.dataset("missing data file \(url.path)") }
        let bytes = [UInt8](data)
        if let expected = checksums[url.lastPathComponent] {
            let actual = SHA256.hash(of: bytes).hexString
            guard actual == expected else {
                throw ModelZooError.dataset("\(url.path) is corrupt: SHA-256 \(actual), expected \(expected) (from SHA256SUMS)")
            }
        } else if ProcessInfo.processInfo.environment[skipChecksumsVariable] != "1" {
            throw ModelZooError.dataset("\(url.lastPathComponent) has no checksum in \(url.deletingLastPathComponent().path)/SHA256SUMS, so \(url.path) cannot be verified")
        }
        return bytes
    }
}
