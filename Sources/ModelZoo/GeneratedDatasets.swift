import Codecs
import DataFormats
import Foundation

/// The data sets this project generates itself (Shapes, Decoy MNIST), and every data set by name.
extension DatasetFiles {
    /// The data sets `named(_:split:)` knows, the names a model file's `__metadata__["dataset"]` holds.
    public static let datasetNames = ["mnist", "fashion-mnist", "shapes", "decoy-mnist", "decoy-mnist-truthful"]

    /// A data set by name: `decoy-mnist` is Decoy MNIST with randomised swatches at test time
    /// (the paper's test set), `decoy-mnist-truthful` with truthful ones (its training split is
    /// `decoy-mnist`'s).
    public static func named(_ name: String, split: Split) throws -> LabeledImages {
        switch name {
        case "mnist": return try mnist(split)
        case "fashion-mnist": return try fashionMNIST(split)
        case "shapes": return try shapes(split).images
        case "decoy-mnist": return try decoyMNIST(split).images
        case "decoy-mnist-truthful": return try decoyMNIST(split, truthful: true).images
        default: throw ModelZooError.dataset("no data set named '\(name)' (known: \(datasetNames.joined(separator: ", ")))")
        }
    }

    // MARK: Shapes

    /// Shapes with its masks (`count · 32 · 32` bytes). The test split is the shipped
    /// `Datasets/shapes` (checked against its `SHA256SUMS`); the training split is generated
    /// from `ShapesGenerator.trainingSeed` (30,000 images, ~1 s on two cores).
    public static func shapes(_ split: Split) throws -> (images: LabeledImages, masks: [UInt8]) {
        switch split {
        case .training:
            let generated = ShapesGenerator.generate(seed: ShapesGenerator.trainingSeed, count: ShapesGenerator.trainingCount)
            return (try generated.labeled(), generated.masks)
        case .test:
            let folder = try datasets().appendingPathComponent("shapes")
            let loaded = try readMaskedImages(folder: folder)
            return (try loaded.labeled(), loaded.masks)
        }
    }

    /// Reads a folder in `MaskedImageFiles` format holding Shapes images, verifying `SHA256SUMS`.
    public static func readMaskedImages(folder: URL, skipChecksums: Bool? = nil) throws -> ShapesImages {
        let sums = checksums(in: folder)
        func read(_ name: String) throws -> [UInt8] {
            try verifiedBytes(folder: folder, name: name, checksums: sums, skipChecksums: skipChecksums)
        }
        let decoded: (imageShape: [Int], images: [UInt8], masks: [UInt8], labels: [UInt8])
        do {
            decoded = try MaskedImageFiles.decode(images: try read(MaskedImageFiles.imagesName), masks: try read(MaskedImageFiles.masksName),
                                                  labels: try read(MaskedImageFiles.labelsName), classes: ShapesGenerator.classNames.count)
        } catch let error as ModelZooError {
            throw error
        } catch {
            throw ModelZooError.dataset("\(folder.path): \(error)")
        }
        let side = ShapesGenerator.side
        guard decoded.imageShape == [3, side, side] else {
            throw ModelZooError.dataset("\(folder.path): images are \(decoded.imageShape), Shapes images are [3, \(side), \(side)]")
        }
        return ShapesImages(images: decoded.images, masks: decoded.masks, labels: decoded.labels)
    }

    // MARK: Decoy MNIST

    /// Decoy MNIST generated from the shipped MNIST with `DecoyMNIST.defaultSeed`: the training
    /// split with label-encoding swatches, the test split with random ones (or, `truthful`,
    /// label-encoding ones). The images are checked against `Datasets/decoy-mnist/RAW-SHA256`
    /// (the digests of the uncompressed IDX files `workbook dataset decoy-mnist` writes), so a
    /// change of the generator cannot silently change the course's data.
    /// `corners[i]` is image `i`'s swatch corner (`DecoyMNIST.mask(corner:)` gives its mask).
    public static func decoyMNIST(_ split: Split, truthful: Bool = false) throws -> (images: LabeledImages, corners: [UInt8]) {
        let clean = try mnist(split)
        let bytes = clean.pixels.map { UInt8(($0 * 255).rounded()) }
        let labels = clean.labels.map(UInt8.init)
        let variant: DecoyMNIST.Variant = split == .training ? .training : truthful ? .truthful : .randomised
        let made = DecoyMNIST.make(images: bytes, labels: labels, variant: variant, test: split == .test)
        let name = decoyImagesName(split, variant: variant)
        let folder = try datasets().appendingPathComponent("decoy-mnist")
        let raw = try IDX.encode(uint8: made.images, shape: [labels.count, DecoyMNIST.side, DecoyMNIST.side])
        let recorded = checksums(in: folder, file: "RAW-SHA256")
        let actual = SHA256.hash(of: raw).hexString
        if let expected = recorded[name] {
            guard actual == expected else {
                throw ModelZooError.dataset("the regenerated Decoy MNIST \(name) has SHA-256 \(actual), but \(folder.path)/RAW-SHA256 records \(expected): the generator or Datasets/mnist changed")
            }
        } else if ProcessInfo.processInfo.environment[skipChecksumsVariable] != "1" {
            throw ModelZooError.dataset("\(folder.path)/RAW-SHA256 records no checksum for \(name): restore it (git checkout -- Datasets) or set \(skipChecksumsVariable)=1")
        }
        let images = try LabeledImages(imageShape: [1, DecoyMNIST.side, DecoyMNIST.side], pixels: made.images.map { Float($0) / 255 },
                                       labels: clean.labels, classNames: Catalog.digitNames)
        return (images, made.corners)
    }

    /// The uncompressed IDX file name of a Decoy MNIST image set.
    public static func decoyImagesName(_ split: Split, variant: DecoyMNIST.Variant) -> String {
        variant == .truthful ? "t10k-truthful-images-idx3-ubyte" : "\(split.rawValue)-images-idx3-ubyte"
    }
}
