import DataFormats
import Foundation
import ModelZoo
import Testing
import Codecs
import TestSupport
@testable import WorkbookCLI

/// The edges of the command line, each a finding of the reliability review: finite-but-huge
/// weights, a full disk at every write, atomic replacement, temporary files left by a killed run.
@Suite("Command line at the edges: huge numbers, a full disk, replacement, left-overs", .maintainers)
struct EdgeTests {
    /// mnist-gap with every weight ±3e38: finite, so the loader's NaN/∞ check passes, but the first
    /// layer already overflows to ∞ and NaN.
    static func hugeModel(in folder: URL) throws -> String {
        let file = try SafeTensorsFile(bytes: Array(Data(contentsOf: ModelFile.resolve("mnist-gap"))))
        var tensors: [String: SafeTensor] = [:]
        for (name, tensor) in file.tensors {
            tensors[name] = tensor.dtype == .float32 ? try SafeTensor(shape: tensor.shape, floats: tensor.floats().map { $0 < 0 ? -3e38 : 3e38 }) : tensor
        }
        let url = folder.appendingPathComponent("huge.safetensors")
        try Data(SafeTensorsFile(tensors: tensors, metadata: file.metadata).encoded()).write(to: url)
        return url.path
    }

    @Test("a model whose outputs overflow: every command that explains stops with one line naming the image, exit 1, nothing written")
    func hugeWeights() throws {
        let models = try scratchFolder(), folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: models); try? FileManager.default.removeItem(at: folder) }
        let huge = try Self.hugeModel(in: models)
        let out = { (name: String) in folder.appendingPathComponent(name).path }
        let runs: [[String]] = [
            ["rank", "--model", huge, "--n", "10", "--methods", "random", "--out", out("r.md")],
            ["embed", "--model", huge, "--layer", "gap", "--method", "tsne", "--n", "100", "--iterations", "20", "--out", out("t.png")],
            ["embed", "--model", huge, "--layer", "gap", "--method", "umap", "--n", "100", "--out", out("u.png")],
            ["explain", "--model", huge, "--all", "--out", out("e.png")],
            ["insights", "--model", huge, "--n", "2", "--out", out("insights")],
            ["visualize", "--model", huge, "--class", "3", "--steps", "2", "--out", out("v.png")],
            ["dream", "--model", huge, "--steps", "2", "--out", out("d.png")],
        ]
        for arguments in runs {
            let (status, error) = workbook(arguments)
            #expect(status == 1, "\(arguments[0]): exit \(status)")
            #expect(error.contains("not finite") && error.contains("image"), "\(arguments[0]): \(error)")
        }
        #expect(contents(folder).isEmpty, "left behind: \(contents(folder))")
    }

    /// Commands that write, each with a small output (fast in a debug build).
    static func writers(_ folder: URL) -> [(name: String, arguments: [String], outputs: [String])] {
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        return [
            ("explain", ["explain", "--method", "saliency", "--out", path("e.png"), "--raw", path("e.npy")], ["e.png", "e.npy"]),
            ("diagram", ["diagram", "--model", "mnist-gap", "--out", path("m.svg")], ["m.svg"]),
            ("embed", ["embed", "--layer", "pixels", "--method", "pca", "--n", "50", "--out", path("p.png"), "--raw", path("p.npy")], ["p.png", "p.npy"]),
            ("visualize", ["visualize", "--class", "3", "--steps", "2", "--out", path("v.png"), "--raw", path("v.npy")], ["v.png", "v.npy"]),
            ("insights", ["insights", "--n", "1", "--channel-images", "0", "--methods", "saliency", "--layer", "relu3", "--out", path("insights")], ["insights"]),
            ("dream", ["dream", "--steps", "2", "--out", path("d.png")], ["d.png"]),
            ("evaluate", ["evaluate", "--model", "mnist-gap", "--limit", "20", "--out", path("ev")], ["ev"]),
            ("rank", ["rank", "--model", "mnist-gap", "--n", "3", "--methods", "random", "--out", path("rank")], ["rank"]),
            ("report", ["report", "--lesson", "1", "--out", path("handouts")], ["handouts"]),
            ("autograder", ["autograder", "--github-classroom", path("classroom")], ["classroom"]),
            ("dataset", ["dataset", "shapes", "--count", "20", "--out", path("shapes")], ["shapes"]),
            ("train", ["train", "--model", "mnist-gap", "--epochs", "1", "--limit", "256", "--out", path("m.safetensors")],
             ["m.safetensors", "m.training.png", "m.training.txt"]),
        ]
    }

    @Test("a disk that fills up at any point of the writes: exit 1 with the system's words, no usage text, the old outputs intact, no temporary file")
    func fullDisk() throws {
        for writer in Self.writers(try scratchFolder()) {
            let folder = try scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let arguments = Self.writers(folder).first { $0.name == writer.name }!.arguments
            let outputs = Self.writers(folder).first { $0.name == writer.name }!.outputs
            // The old outputs, to be kept whole: a first complete run.
            #expect(workbook(arguments).status == 0, "\(writer.name) without a full disk")
            let before = outputs.map { Self.snapshot(folder.appendingPathComponent($0)) }
            // The disk fills at every write: before the first byte, inside the first file, and at
            // each file's end (one byte short of it: the write of that file fails).
            let ends = Self.fileSizes(outputs.map { folder.appendingPathComponent($0) }).reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }
            for budget in Array(Set([0, 1] + ends.map { max($0 - 1, 0) })).sorted() {
                let lines = ErrorLines()
                let status = Platform.$disk.withValue(Platform.SimulatedDisk(bytes: budget)) {
                    Workbook.$silenced.withValue(true) { Workbook.$errorSink.withValue({ lines.append($0) }) { Workbook.run(arguments) } }
                }
                let error = lines.error
                #expect(status == 1, "\(writer.name) with \(budget) bytes of disk: exit \(status) (\(error))")
                #expect(error.contains("No space left on device") && !lines.all.contains { $0.hasPrefix("usage:") }, "\(writer.name): \(error)")
                let after = outputs.map { Self.snapshot(folder.appendingPathComponent($0)) }
                #expect(after == before, "\(writer.name) with \(budget) bytes: the old outputs changed")
                let leftovers = contents(folder).filter { $0.hasPrefix(".") }
                #expect(leftovers.isEmpty, "\(writer.name) with \(budget) bytes left \(leftovers)")
            }
        }
    }

    @Test("into a new folder, a full disk leaves no folder at all")
    func fullDiskNewFolder() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["insights", "--n", "1", "--channel-images", "0", "--methods", "saliency", "--layer", "relu3", "--out", folder.appendingPathComponent("new").path]
        let status = Platform.$disk.withValue(Platform.SimulatedDisk(bytes: 10_000)) {
            Workbook.$silenced.withValue(true) { Workbook.$errorSink.withValue({ _ in }) { Workbook.run(arguments) } }
        }
        #expect(status == 1)
        #expect(contents(folder).isEmpty, "left behind: \(contents(folder))")
    }

    @Test("replacing a file renames over it (the same path never missing), and left-overs of a dead process are removed by the next write there")
    func replacementAndLeftovers() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("m.svg")
        try Data("old".utf8).write(to: target)
        // A temporary file of a process that no longer runs, and one of a running process (pid 1).
        let dead = folder.appendingPathComponent(".m.svg.workbook-999999999-\(UUID().uuidString).tmp")
        let alive = folder.appendingPathComponent(".x.png.workbook-1-\(UUID().uuidString).tmp")
        let deadFolder = folder.appendingPathComponent(".insights.workbook-999999998-\(UUID().uuidString).partial")
        try Data("stale".utf8).write(to: dead)
        try Data("busy".utf8).write(to: alive)
        try FileManager.default.createDirectory(at: deadFolder, withIntermediateDirectories: true)
        let before = try FileManager.default.attributesOfItem(atPath: target.path)[.systemFileNumber] as? Int
        #expect(workbook(["diagram", "--model", "mnist-gap", "--out", target.path]).status == 0)
        let after = try FileManager.default.attributesOfItem(atPath: target.path)[.systemFileNumber] as? Int
        let text = try String(contentsOf: target, encoding: .utf8)
        #expect(before != after && text.contains("<svg"), "the new file replaced the old one")
        #expect(!FileManager.default.fileExists(atPath: dead.path) && !FileManager.default.fileExists(atPath: deadFolder.path), "a dead process's temporary files stay: \(contents(folder))")
        #expect(FileManager.default.fileExists(atPath: alive.path), "a running process's temporary file was removed")
    }
}

extension EdgeTests {
    /// The sizes of the files of `urls` (a folder's files in path order).
    static func fileSizes(_ urls: [URL]) -> [Int] {
        urls.flatMap { url -> [Int] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
            let files = isDirectory.boolValue
                ? ((FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String]) ?? []).sorted().map { url.appendingPathComponent($0) }
                : [url]
            return files.compactMap { file -> Int? in
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
                      attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
                return attributes[.size] as? Int
            }.filter { $0 > 0 }
        }
    }

    struct Snapshot: Equatable { let bytes: Int; let digest: [UInt8] }
    /// A file's size and SHA-256, or a folder's (every file under it, by relative path).
    static func snapshot(_ url: URL) -> Snapshot {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return Snapshot(bytes: -1, digest: []) }
        var sha = SHA256()
        var bytes = 0
        let files = isDirectory.boolValue
            ? ((FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String]) ?? []).sorted().map { url.appendingPathComponent($0) }
            : [url]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            sha.update(Array(file.path.utf8)); sha.update(Array(data)); bytes += data.count
        }
        return Snapshot(bytes: bytes, digest: sha.finalize().bytes)
    }
}
