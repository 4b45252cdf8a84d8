#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LessonSupport
import ModelZoo
import Testing
import TestSupport

/// Fault injection by killing: the built `workbook` is started as a child process and killed at
/// many points of its run. Whenever it dies, the outputs are the old ones or complete new ones —
/// never missing, never half written; after SIGTERM or SIGINT no temporary file is left, and
/// after SIGKILL (which no process can handle) the next run into that folder removes them.
@Suite("Command line killed at many points: old or new outputs, never half, no temporary file", .maintainers, .serialized)
struct KillTests {
    static let executable = LessonPaths.root.appendingPathComponent(".build/debug/workbook")

    /// Starts `workbook ARGUMENTS`, sends `signal` after `delay` seconds (if still running), waits.
    /// The processes killed with SIGKILL so far: their temporary files stay until the next write
    /// into the folder removes them, so the checks after a catchable signal leave them out.
    nonisolated(unsafe) static var killedHard = Set<Int32>()

    static func run(_ arguments: [String], killWith signal: Int32? = nil, after delay: Double = 0, slowWrites: Int = 0) throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if slowWrites > 0 { process.environment = ProcessInfo.processInfo.environment.merging(["WORKBOOK_SLOW_WRITES": "\(slowWrites)"]) { $1 } }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let signal {
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, signal)
                if signal == SIGKILL { killedHard.insert(process.processIdentifier) }
            }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Hidden (temporary) files and folders in `folder`.
    static func hidden(_ folder: URL) -> [String] { contents(folder).filter { $0.hasPrefix(".") } }

    /// Hidden files left by a process not killed with SIGKILL: there must be none.
    static func leftByCatchableSignals(_ folder: URL) -> [String] {
        hidden(folder).filter { name in !killedHard.contains { name.contains(".workbook-\($0)-") } }
    }

    @Test("train over an existing model, killed at 10 points (SIGTERM, SIGINT, SIGKILL), its three files written slowly", .enabled(if: FileManager.default.isExecutableFile(atPath: executable.path)))
    func train() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("m.safetensors")
        let arguments = ["train", "--model", "mnist-gap", "--epochs", "1", "--limit", "512", "--out", out.path]
        #expect(try Self.run(arguments) == 0)
        for (k, delay) in stride(from: 0.05, through: 1.4, by: 0.15).enumerated() {
            let signal = [SIGTERM, SIGINT, SIGKILL][k % 3]
            _ = try Self.run(arguments + ["--seed", "\(k)"], killWith: signal, after: delay, slowWrites: 150)
            // The model is whole (it loads), and its log and curve are there beside it.
            #expect(throws: Never.self, "killed after \(delay) s: the model does not load") { _ = try ModelFile.load(out) }
            #expect(["m.training.png", "m.training.txt", "m.safetensors"].allSatisfy { contents(folder).contains($0) })
            #expect(Self.leftByCatchableSignals(folder).isEmpty, "killed (\(signal)) after \(delay) s, left \(Self.leftByCatchableSignals(folder))")
        }
        #expect(try Self.run(arguments) == 0)
        #expect(Self.hidden(folder).isEmpty, "a complete run leaves the folder clean of earlier left-overs: \(Self.hidden(folder))")
    }

    @Test("report into a new folder, killed at 8 points during its writes: no folder or a complete one", .enabled(if: FileManager.default.isExecutableFile(atPath: executable.path)))
    func report() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (k, delay) in stride(from: 0.2, through: 1.6, by: 0.2).enumerated() {
            let out = folder.appendingPathComponent("handouts\(k)")
            let signal = k % 4 == 3 ? SIGKILL : SIGTERM
            _ = try Self.run(["report", "--lesson", "1", "--out", out.path], killWith: signal, after: delay, slowWrites: 150)
            if FileManager.default.fileExists(atPath: out.path) {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path), "killed after \(delay) s: a folder without its index")
            }
            #expect(Self.leftByCatchableSignals(folder).isEmpty, "killed after \(delay) s, left \(Self.leftByCatchableSignals(folder))")
        }
        #expect(try Self.run(["report", "--lesson", "1", "--out", folder.appendingPathComponent("last").path]) == 0)
        #expect(Self.hidden(folder).isEmpty, "left-overs of killed runs: \(Self.hidden(folder))")
    }

    @Test("insights into a new folder, killed at 15 points during its writes (each file slowed to 30 ms): no folder or a complete one", .enabled(if: FileManager.default.isExecutableFile(atPath: executable.path)))
    func insights() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // One image and two methods: 70 files, written from about 0.3 s to 2.3 s.
        for (k, delay) in stride(from: 0.3, through: 2.4, by: 0.15).enumerated() {
            let out = folder.appendingPathComponent("page\(k)")
            let signal = k % 4 == 3 ? SIGKILL : SIGTERM
            _ = try Self.run(["insights", "--n", "1", "--channel-images", "0", "--methods", "saliency,gradcam", "--out", out.path],
                             killWith: signal, after: delay, slowWrites: 30)
            if FileManager.default.fileExists(atPath: out.path) {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path), "killed after \(delay) s: a folder without its page")
            }
            #expect(Self.leftByCatchableSignals(folder).isEmpty, "killed after \(delay) s, left \(Self.leftByCatchableSignals(folder))")
        }
        #expect(try Self.run(["insights", "--n", "1", "--channel-images", "0", "--methods", "saliency", "--out", folder.appendingPathComponent("last").path]) == 0)
        #expect(Self.hidden(folder).isEmpty, "left-overs of killed runs: \(Self.hidden(folder))")
    }
}
