import Codecs
import DataFormats
import Foundation

/// Finds and loads the data sets in `Datasets/`, verifying checksums.
///
/// The root is, in order: `$WORKBOOK_ROOT`, the first folder at or above the current directory
/// holding `Package.swift` and `Datasets/`, or the checkout this file was compiled from.
public enum DatasetFiles {
    public enum Split: String, Sendable { case training = "train", test = "t10k" }

    /// The project's root folder.
    public static func root() throws -> URL {
        let fm = FileManager.default
        func isRoot(_ url: URL) -> Bool {
            fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
                && fm.fileExists(atPath: url.appendingPathComponent("Datasets").path)
        }
        if let env = ProcessInfo.processInfo.environment["WORKBOOK_ROOT"] {
            let url = URL(fileURLWithPath: env)
            guard isRoot(url) else { throw ModelZooError.dataset("WORKBOOK_ROOT=\(env) holds no Package.swift and Datasets/") }
            return url
        }
        var url = URL(fileURLWithPath: fm.currentDirectoryPath)
        while url.path != "/" {
            if isRoot(url) { return url }
            url.deleteLastPathComponent()
        }
        let compiled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if isRoot(compiled) { return compiled }
        throw ModelZooError.dataset("cannot find the workbook's folder (Package.swift and Datasets/); run from inside the clone or set WORKBOOK_ROOT")
    }

    /// The `Datasets/` folder.
    public static func datasets() throws -> URL { try root().appendingPathComponent("Datasets") }

    /// MNIST from `Datasets/mnist`.
    public static func mnist(_ split: Split) throws -> LabeledImages {
        try load(folder: datasets().appendingPathComponent("mnist"), split: split, classNames: Catalog.digitNames)
    }

    /// Fashion-MNIST: the test set ships in `Datasets/fashion-mnist`; the training set is read
    /// from Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist`) when present.
    public static func fashionMNIST(_ split: Split) throws -> LabeledImages {
        let shipped = try datasets().appendingPathComponent("fashion-mnist")
        let system = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
        let name = "\(split.rawValue)-images-idx3-ubyte.gz"
        // The system copy is checked against the checksums recorded here (TRAIN-SHA256SUMS).
        let recorded = checksums(in: shipped).merging(checksums(in: shipped, file: "TRAIN-SHA256SUMS")) { a, _ in a }
        for folder in [shipped, system] where FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
            return try load(folder: folder, split: split, classNames: Catalog.fashionNames, checksums: recorded)
        }
        throw ModelZooError.dataset("Fashion-MNIST \(split.rawValue) files not found in \(shipped.path) or \(system.path); install them with `apt-get install dataset-fashion-mnist`")
    }

    /// The environment variable that loads data files without checksum verification (`=1`);
    /// every file loaded that way is named in a warning on standard error.
    public static let skipChecksumsVariable = "WORKBOOK_SKIP_CHECKSUMS"

    /// Loads `<split>-images-idx3-ubyte.gz` and `<split>-labels-idx1-ubyte.gz` from `folder`,
    /// checking each against `SHA256SUMS` in the same folder (or against `known`).
    ///
    /// A file without a recorded checksum (no `SHA256SUMS`, or a name it does not list) is an
    /// error, not silently unverified data, unless `WORKBOOK_SKIP_CHECKSUMS=1` is set.
    /// `skipChecksums` overrides the environment variable (for tests).
    public static func load(folder: URL, split: Split, classNames: [String], checksums known: [String: String]? = nil,
                            skipChecksums: Bool? = nil) throws -> LabeledImages {
        let sums = known ?? checksums(in: folder)
        func read(_ name: String) throws -> IDXArray {
            let url = folder.appendingPathComponent(name)
            let bytes = try verifiedBytes(folder: folder, name: name, checksums: sums, listed: known == nil, skipChecksums: skipChecksums)
            do { return try IDX.parse(bytes) } catch { throw ModelZooError.dataset("\(url.path): \(error)") }
        }
        let images = try read("\(split.rawValue)-images-idx3-ubyte.gz")
        let labels = try read("\(split.rawValue)-labels-idx1-ubyte.gz")
        guard images.shape.count == 3, labels.shape.count == 1, images.shape[0] == labels.shape[0] else {
            throw ModelZooError.dataset("\(folder.path): images \(images.shape) and labels \(labels.shape) do not match")
        }
        let pixels = try images.uint8Values().map { Float($0) / 255 }
        return try LabeledImages(imageShape: [1, images.shape[1], images.shape[2]], pixels: pixels,
                                 labels: try labels.uint8Values().map(Int.init), classNames: classNames)
    }

    /// The bytes of `folder/name`, checked against `checksums[name]`.
    ///
    /// A file without a recorded checksum is an error, not silently unverified data, unless
    /// `skipChecksums` (default: `WORKBOOK_SKIP_CHECKSUMS=1`) is set; `listed` says whether the
    /// checksums came from the folder's own `SHA256SUMS` (for the error message).
    static func verifiedBytes(folder: URL, name: String, checksums sums: [String: String], listed: Bool = true,
                              skipChecksums: Bool? = nil) throws -> [UInt8] {
        let skipVerification = skipChecksums ?? (ProcessInfo.processInfo.environment[skipChecksumsVariable] == "1")
        let url = folder.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelZooError.dataset("missing data file \(url.path)")
        }
        let bytes = [UInt8](data)
        if let expected = sums[name] {
            let actual = SHA256.hash(of: bytes).hexString
            guard actual == expected else {
                throw ModelZooError.dataset("\(url.path) is corrupt: SHA-256 \(actual), expected \(expected) (from SHA256SUMS)")
            }
        } else if skipVerification {
            FileHandle.standardError.write(Data("warning: \(skipChecksumsVariable)=1: \(url.path) is loaded without checksum verification\n".utf8))
        } else {
            let list = folder.appendingPathComponent("SHA256SUMS").path
            let problem = !listed ? "\(name) has no recorded checksum"
                : FileManager.default.fileExists(atPath: list) ? "\(name) has no checksum in \(list)" : "\(list) is missing"
            throw ModelZooError.dataset("\(problem), so \(url.path) cannot be verified: restore it (git checkout -- Datasets) or set \(skipChecksumsVariable)=1 to load it unverified")
        }
        return bytes
    }

    /// `name → hex digest` from a `sha256sum`-style file, empty if there is none.
    static func checksums(in folder: URL, file: String = "SHA256SUMS") -> [String: String] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2 { result[String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "*"))] = String(parts[0]) }
        }
        return result
    }
}
