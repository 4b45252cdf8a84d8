import Codecs
import DataFormats
import Foundation
import ModelZoo

/// `workbook dataset shapes|decoy-mnist`: writes a data set the project generates from a seed.
///
/// Shapes: `MaskedImageFiles` (images, masks, labels as gzip NPY, plus SHA256SUMS); with the
/// default seed and count it is byte-for-byte `Datasets/shapes`. Decoy MNIST: MNIST-style gzip
/// IDX files built from `Datasets/mnist` (see `DecoyMNIST`), plus each image's swatch corner
/// and, for the test images, the digit the swatch encodes.
enum DatasetCommand: Command {
    static let name = "dataset"
    static let summary = "Generate a data set from a seed: shapes (colour images with object masks) or decoy-mnist."
    static let positional: String? = "kind"
    static let options = [
        OptionSpecification(name: "kind", valueName: "shapes|decoy-mnist", help: "which data set (may be given as the first word: `workbook dataset shapes …`)", required: true),
        OptionSpecification(name: "seed", valueName: "S", help: "the seed (default: the course's, \(ShapesGenerator.testSeed) for the shipped Shapes test split, \(DecoyMNIST.defaultSeed) for Decoy MNIST)"),
        OptionSpecification(name: "count", valueName: "N", help: "shapes: how many images (default \(ShapesGenerator.testCount))", integers: 1...ShapesGenerator.maximumCount),
        OptionSpecification(name: "out", valueName: "DIR", help: "the folder to write (created if missing)", required: true),
    ]

    static func run(_ options: ParsedOptions) throws {
        let kind = try options.requiredString("kind")
        let out = URL(fileURLWithPath: try options.requiredString("out"))
        switch kind {
        case "shapes":
            let seed = UInt64(try options.int("seed", default: Int(ShapesGenerator.testSeed))!)
            let count = try options.int("count", default: ShapesGenerator.testCount)!
            let start = Date()
            let data = ShapesGenerator.generate(seed: seed, count: count)
            let files = try MaskedImageFiles.encode(images: data.images, imageShape: [3, ShapesGenerator.side, ShapesGenerator.side],
                                                    masks: data.masks, labels: data.labels)
            try AtomicFiles.write(files.map { (out.appendingPathComponent($0.name), Data($0.bytes)) }, creatingFolder: out)
            print(String(format: "wrote %d Shapes images (seed %llu) to %@ in %.1f s", count, seed, out.path, Date().timeIntervalSince(start)))
        case "decoy-mnist":
            guard options.string("count") == nil else { throw CommandLineError(message: "--count is for shapes; decoy-mnist has MNIST's 60,000 + 10,000 images") }
            let seed = UInt64(try options.int("seed", default: Int(DecoyMNIST.defaultSeed))!)
            let start = Date()
            try AtomicFiles.write(try decoyFiles(seed: seed).map { (out.appendingPathComponent($0.name), Data($0.bytes)) }, creatingFolder: out)
            print(String(format: "wrote Decoy MNIST (seed %llu) to %@ in %.1f s", seed, out.path, Date().timeIntervalSince(start)))
        default:
            throw CommandLineError(message: "unknown data set '\(kind)' (known: shapes, decoy-mnist)")
        }
    }

    /// The Decoy MNIST files: gzip IDX images, labels, corners (and test decoys), then
    /// `SHA256SUMS` (of the .gz files) and `RAW-SHA256` (of the uncompressed images).
    static func decoyFiles(seed: UInt64) throws -> [(name: String, bytes: [UInt8])] {
        var files: [(name: String, bytes: [UInt8])] = []
        var raw = ""
        for split in [DatasetFiles.Split.training, .test] {
            let clean = try DatasetFiles.mnist(split)
            let bytes = clean.pixels.map { UInt8(($0 * 255).rounded()) }, labels = clean.labels.map(UInt8.init)
            let variants: [DecoyMNIST.Variant] = split == .training ? [.training] : [.randomised, .truthful]
            let side = DecoyMNIST.side
            for variant in variants {
                let made = DecoyMNIST.make(images: bytes, labels: labels, variant: variant, test: split == .test, seed: seed)
                let name = DatasetFiles.decoyImagesName(split, variant: variant)
                let idx = try IDX.encode(uint8: made.images, shape: [labels.count, side, side])
                raw += "\(SHA256.hash(of: idx).hexString)  \(name)\n"
                files.append((name + ".gz", Gzip.compress(idx)))
                guard variant != .truthful else { continue }
                files.append(("\(split.rawValue)-labels-idx1-ubyte.gz", Gzip.compress(try IDX.encode(uint8: labels, shape: [labels.count]))))
                files.append(("\(split.rawValue)-corners-idx1-ubyte.gz", Gzip.compress(try IDX.encode(uint8: made.corners, shape: [labels.count]))))
                if split == .test {
                    files.append(("t10k-decoys-idx1-ubyte.gz", Gzip.compress(try IDX.encode(uint8: made.decoys, shape: [labels.count]))))
                }
            }
        }
        let sums = files.map { "\(SHA256.hash(of: $0.bytes).hexString)  \($0.name)\n" }.joined()
        return files + [("SHA256SUMS", Array(sums.utf8)), ("RAW-SHA256", Array(raw.utf8))]
    }
}
