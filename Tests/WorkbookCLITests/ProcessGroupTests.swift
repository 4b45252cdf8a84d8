import Foundation
import Testing
import TestSupport
@testable import WorkbookCLI

/// What `grade` and the autograder run is a student's code: an output flood ends with its own
/// test and leaves a bounded log. (A child in a new session that outlives the run or holds its
/// output open is killed by the executable's orphan sweep: Tests/GradingSelfTest/run.sh, part E.)
@Suite("Running a student's tests: nothing outlives the run, output and files are bounded", .maintainers)
struct ProcessGroupTests {
    func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    #if os(Linux)
    @Test("children(of:) lists this process's children from /proc (what the executable's orphan sweep reads)")
    func childrenAreListed() throws {
        let own = Process()
        own.executableURL = URL(fileURLWithPath: "/bin/sleep")
        own.arguments = ["2"]
        try own.run()
        defer { own.terminate(); own.waitUntilExit() }
        #expect(ProcessGroup.children(of: getpid()).contains(own.processIdentifier))
        #expect(!ProcessGroup.children(of: getpid()).contains(getpid()))
    }
    #endif

    @Test("runs on several threads at once each run in their own folder (verify runs two at a time)")
    func concurrentRunsKeepTheirFolders() throws {
        let folders = try (0..<4).map { _ in try scratch() }
        defer { folders.forEach { try? FileManager.default.removeItem(at: $0) } }
        let outcomes = LockedValue<[Int: ProcessGroup.Outcome]>([:])
        DispatchQueue.concurrentPerform(iterations: folders.count) { i in
            let outcome = try? ProcessGroup.run(["sh", "-c", "sleep 0.2; pwd > here.txt"], in: folders[i],
                                                environment: ProcessInfo.processInfo.environment,
                                                log: folders[i].appendingPathComponent("log"), timeout: 60)
            outcomes.withLock { $0[i] = outcome }
        }
        for (i, folder) in folders.enumerated() {
            let written = try String(contentsOf: folder.appendingPathComponent("here.txt"), encoding: .utf8)
            #expect(URL(fileURLWithPath: written.trimmingCharacters(in: .whitespacesAndNewlines)).resolvingSymlinksInPath().path
                    == folder.resolvingSymlinksInPath().path)
            #expect(outcomes.withLock { $0[i]?.exited == true && $0[i]?.code == 0 })
        }
        // And this process's own folder is untouched.
        #expect(FileManager.default.currentDirectoryPath != folders[0].path)
    }

    @Test("verify's jobs report in their own order whatever order they end in, with any number at once")
    func verifyReportsInOrder() throws {
        // Job i sleeps (5 − i)·20 ms: with several at once the last ones end first.
        let jobs = (0..<6).map { i in
            VerifyCommand.Job(kind: i == 0 ? .stubs : .mistake) {
                usleep(useconds_t((5 - i) * 20_000))
                return VerifyCommand.Outcome(kind: i == 0 ? .stubs : .mistake, lines: [], problems: ["job \(i)"])
            }
        }
        for count in [1, 2, 4] {
            let outcomes = VerifyCommand.runInOrder(jobs, at: count)
            #expect(outcomes.flatMap(\.problems) == (0..<6).map { "job \($0)" }, "at \(count) at once")
            #expect(outcomes.filter { $0.kind == .mistake }.count == 5)
        }
    }

    @Test("a run that writes more than the file-size limit is stopped (SIGXFSZ), its log is capped, and the text read back keeps both ends")
    func outputFloodIsBounded() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("log")
        let outcome = try ProcessGroup.run(["sh", "-c", "echo first line; head -c 8000000 /dev/zero | tr '\\0' x; echo never"], in: folder,
                                           environment: ProcessInfo.processInfo.environment, log: log, timeout: 60, maximumFileBytes: 1 << 20)
        let size = (try FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int) ?? -1
        #expect(size <= 1 << 20, "the log grew to \(size) bytes")
        #expect(outcome.code != 0 || !outcome.exited, "the flood was not stopped")
        // Reading back: a 3 MB log is read as its first and last window with the cut marked.
        let big = folder.appendingPathComponent("big")
        try Data(("HEAD" + String(repeating: "y", count: 3_000_000) + "TAIL").utf8).write(to: big)
        let text = ProcessGroup.boundedText(of: big, window: 1000)
        #expect(text.hasPrefix("HEAD") && text.hasSuffix("TAIL") && text.count < 3000 && text.contains("bytes of output left out"))
        #expect(ProcessGroup.boundedText(of: log).hasPrefix("first line"))
    }

    @Test("a run that allocates past its memory limit fails at the allocation instead of taking the machine's memory")
    func memoryIsBounded() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("log")
        let start = Date()
        let outcome = try ProcessGroup.run(["python3", "-c", "x = bytearray(2 << 30); print('allocated')"], in: folder,
                                           environment: ProcessInfo.processInfo.environment, log: log, timeout: 60, maximumMemoryBytes: 512 << 20)
        let text = ProcessGroup.boundedText(of: log)
        #expect(outcome.code != 0 && !text.contains("allocated"), "exit \(outcome.code): \(text)")
        #expect(text.contains("MemoryError"), "\(text)")
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
