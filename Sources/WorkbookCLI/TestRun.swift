#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs one lesson's tests (`swift test --skip-build --filter ^<Topic>LessonTests\.`) in a child
/// process group, so a crash or an endless loop cannot take the caller down and the time limit
/// kills every process the run started. The graders' scoreboard writes one JSON line per test to
/// `WORKBOOK_RESULTS`; that file, not the console output, is what `grade` and `verify` read.
struct TestRun {
    /// One test's outcome, as the scoreboard writes it (`Sources/TestSupport/Scoreboard.swift`).
    struct Record: Codable {
        let lesson: Int
        let exercise: String
        let test: String
        let status: String      // passed, failed, not started, skipped, crashed, time limit
        let message: String?
    }

    let records: [Record]
    /// The process exited by itself (not killed by a signal or the time limit).
    let exited: Bool
    let exitCode: Int32
    let timedOut: Bool
    let output: String
    let seconds: Double

    /// The test process ran to its end: `swift test` exited by itself (it does so with status 1
    /// also when its test process crashed), Swift Testing printed its summary, and no test
    /// crashed or hit the time limit.
    var completed: Bool {
        exited && output.contains("Test run with") && !records.contains { $0.status == "crashed" || $0.status == "time limit" }
    }

    /// The test process printed Swift Testing's summary and exited by itself: every test ran to
    /// its verdict (a crash or time limit in the lesson runner is one test's verdict).
    var ranToEnd: Bool { exited && output.contains("Test run with") }

    /// Completed with status 0: every test passed or was cancelled as not started.
    var succeeded: Bool { completed && exitCode == 0 }

    /// Runs the tests of `filter` (a lesson's test target) with `environment` added.
    ///
    /// `directly`: run the built test executable itself (`.build/debug/*PackageTests.xctest
    /// --testing-library swift-testing`, Linux) instead of `swift test --skip-build`, which holds
    /// SwiftPM's lock on `.build` for the whole run, so two runs at once would wait for each other.
    /// Where there is no such executable (macOS builds a bundle) it falls back to `swift test`.
    ///
    /// `executable`: run this test executable (`--testing-library swift-testing`) instead: the
    /// judge `workbook grade --judge` uses, built before any student code existed.
    static func run(filter: String, environment extra: [String: String], timeout: Double, root: URL,
                    directly: Bool = false, executable: URL? = nil) throws -> TestRun {
        // The log and the results in a folder only this user can enter: a process of another user
        // (the lesson runner, `--runner-user`) can neither read nor rewrite them.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let log = folder.appendingPathComponent("test.log")
        let results = folder.appendingPathComponent("results.jsonl")
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = ProcessInfo.processInfo.environment
        for key in ["WORKBOOK_SOLUTIONS", "WORKBOOK_MISTAKE", "WORKBOOK_VARIANT", "WORKBOOK_REFERENCES", "WORKBOOK_RECORD_REFERENCES", "WORKBOOK_REFERENCE_MISMATCHES", "WORKBOOK_SKIP_EXERCISES",
                    "WORKBOOK_RUNNER", "WORKBOOK_RUNNER_USER", "WORKBOOK_HELD_OUT_SEED"] { environment[key] = nil }
        environment.merge(extra) { _, new in new }
        environment["WORKBOOK_RESULTS"] = results.path
        let start = Date()
        let pattern = "^\(filter)\\."
        let command = (executable ?? (directly ? testExecutable(root: root) : nil)).map { [$0.path, "--testing-library", "swift-testing", "--filter", pattern] }
        let outcome = try ProcessGroup.run(command ?? ["swift", "test", "--skip-build", "--filter", pattern], in: root,
                                           environment: environment, log: log, timeout: timeout)
        let output = ProcessGroup.boundedText(of: log)
        let lines = ((try? String(contentsOf: results, encoding: .utf8)) ?? "").split(separator: "\n")
        var records: [Record] = []
        for line in lines {
            // Running tests have no line: a crash or time-limit line is the test's only one.
            if let record = try? JSONDecoder().decode(Record.self, from: Data(line.utf8)) { records.append(record) }
        }
        return TestRun(records: records, exited: outcome.exited, exitCode: outcome.code, timedOut: outcome.timedOut,
                       output: output, seconds: Date().timeIntervalSince(start))
    }
}

/// A child process in its own process group, with its output in a file.
///
/// What it runs is a student's code and may be hostile; the run is bounded:
/// - **time**: after `timeout` seconds the whole group is killed (SIGKILL);
/// - **memory**: 4 GiB of address space per process (RLIMIT_AS: an allocation past it fails, a
///   crash of that test; the heaviest lessons' tests run in under 4 GiB, checked);
/// - **output and disk**: every file the run writes, its output included, is limited to
///   `maximumFileBytes` (RLIMIT_FSIZE: a write past it ends the writer with SIGXFSZ, a crash of that
///   test), and `boundedText(of:)` reads at most the first and last `logWindow` bytes of the log;
/// - **no process outlives it**, a new session included: in the `workbook` executable on Linux
///   (`reapsOrphans`, set by `Workbook.superviseRuns()`) the process is a child subreaper
///   (`PR_SET_CHILD_SUBREAPER`), so a process whose parent dies during the run — `setsid -f`, a
///   double fork — is re-parented to it instead of init; every such orphan is killed as soon as it
///   appears (it can no longer hold the run's output pipe open, nor write after the run) and once
///   more when the run ends. An orphan is any child that is not a run's leader, which is why only
///   the executable, whose commands start no other process while runs are in progress, turns this
///   on: the in-process tests run many processes at once.
enum ProcessGroup {
    struct Outcome { let exited: Bool; let code: Int32; let timedOut: Bool }

    /// 64 MiB: far above what a lesson's tests write (the largest log is under 1 MB), far below a disk.
    static let maximumFileBytes = 64 << 20
    /// 4 GiB of address space: lessons 08–10's tests with the reference answers run within it.
    static let maximumMemoryBytes = 4 << 30
    /// How much of each end of a log `boundedText(of:)` keeps.
    static let logWindow = 1 << 20

    /// Runs `arguments` (looked up on PATH by `/usr/bin/env`) in `directory`; after `timeout`
    /// seconds kills the whole group (SIGKILL) and reaps it. Never waits on a pipe.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String], log: URL, timeout: Double,
                    maximumFileBytes: Int = maximumFileBytes, maximumMemoryBytes: Int = maximumMemoryBytes) throws -> Outcome {
        if reapsOrphans { becomeSubreaper() }
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t? = nil
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The limits and the working folder are set by the shell the child starts as, then it becomes
        // the command (changing this process's folder instead would race with runs on other threads).
        // POSIX counts `ulimit -f` in 512-byte blocks (dash, and bash as sh); -v is in KiB.
        let limits = "ulimit -f \(max(1, maximumFileBytes / 512)) 2>/dev/null; ulimit -v \(max(1, maximumMemoryBytes / 1024)) 2>/dev/null"
        let limited = ["sh", "-c", limits + "; cd \"$0\" || exit 126; exec \"$@\"", directory.path] + arguments
        let argv = (["/usr/bin/env"] + limited).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        // Spawned and entered as a leader under the lock the orphan sweep takes, so a sweep on another
        // thread never sees this child before it is known as a run's leader.
        var pid: pid_t = 0
        let status = runLeaders.withLock { leaders -> Int32 in
            let status = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp)
            if status == 0 { leaders.insert(pid) }
            return status
        }
        guard status == 0 else { throw WorkFailure(message: "cannot start \(arguments.joined(separator: " ")): error \(status)") }
        defer { runLeaders.withLock { _ = $0.remove(pid) } }
        let deadline = Date().addingTimeInterval(timeout)
        var waitStatus: Int32 = 0
        var timedOut = false
        var sweep = 0
        while true {
            let result = waitpid(pid, &waitStatus, WNOHANG)
            if result == pid { break }
            sweep += 1
            if reapsOrphans && sweep % 4 == 0 { killOrphans() }     // every 0.2 s
            if result < 0 && errno != EINTR { break }
            if Date() > deadline {
                timedOut = true
                kill(-pid, SIGKILL)
                while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(50_000)
        }
        kill(-pid, SIGKILL)                      // anything the run left behind in its group
        if reapsOrphans { killOrphans() }        // and anything that left the group
        let signal = waitStatus & 0x7f
        return Outcome(exited: signal == 0 && !timedOut, code: (waitStatus >> 8) & 0xff, timedOut: timedOut)
    }
}

extension TestRun {
    /// The package's test executable in the debug build folder, when the platform builds one (Linux:
    /// `.build/debug/<Package>PackageTests.xctest` is an ELF executable; macOS builds a bundle).
    static func testExecutable(root: URL) -> URL? {
        #if os(Linux)
        let folder = root.appendingPathComponent(".build/debug")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard let name = names.filter({ $0.hasSuffix("PackageTests.xctest") }).sorted().first else { return nil }
        let url = folder.appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
        #else
        return nil
        #endif
    }

    /// `swift build --build-tests` in `root`, its output passed through; a failed build is a work failure.
    static func buildTests(root: URL) throws {
        printNow("building the tests (swift build --build-tests)…")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--build-tests"]
        process.currentDirectoryURL = root
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw WorkFailure(message: "swift build --build-tests failed") }
    }
}

extension ProcessGroup {
    /// The pids of the runs in progress in this process (verify may run several at once).
    static let runLeaders = LockedValue<Set<pid_t>>([])

    /// Whether orphans of runs are re-parented here and killed (see the type's comment).
    nonisolated(unsafe) static var reapsOrphans = false

    /// Linux: orphaned descendants are re-parented to this process (see the type's comment).
    static func becomeSubreaper() {
        #if os(Linux)
        _ = linuxProcessControl(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0)
        #endif
    }

    /// Kills and reaps every child of this process that is an orphan of a run: any child that is not
    /// a run's leader. Repeats until none is left (killing one may orphan its own children). Linux
    /// only: elsewhere orphans go to init and the group kill is all.
    static func killOrphans() {
        #if os(Linux)
        let me = getpid()
        for _ in 0..<64 {
            // Listed first, then filtered under the lock in one go: a child listed here was spawned
            // before the lock is taken, so if it is a leader it is already in the set.
            let listed = children(of: me)
            let orphans = runLeaders.withLock { leaders in listed.filter { !leaders.contains($0) } }
            guard !orphans.isEmpty else { return }
            for child in orphans { kill(child, SIGKILL) }
            for child in orphans { var status: Int32 = 0; while waitpid(child, &status, 0) < 0 && errno == EINTR {} }
        }
        #endif
    }

    /// The pids whose parent is `parent`, from /proc/PID/stat (field 4, after the parenthesised name).
    static func children(of parent: pid_t) -> [pid_t] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    /// The log's text, at most `logWindow` bytes from each end (a run that floods its output does not
    /// flood the grader's memory); the cut is marked with the number of bytes left out.
    static func boundedText(of log: URL, window: Int = logWindow) -> String {
        guard let handle = try? FileHandle(forReadingFrom: log) else { return "" }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        guard size > 2 * window else { return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self) }
        let head = (try? handle.read(upToCount: window)) ?? Data()
        try? handle.seek(toOffset: UInt64(size - window))
        let tail = (try? handle.readToEnd()) ?? Data()
        return String(decoding: head, as: UTF8.self) + "\n… \(size - 2 * window) bytes of output left out …\n" + String(decoding: tail, as: UTF8.self)
    }
}

#if os(Linux)
/// prctl(2), which Glibc's Swift module does not export: its integer arguments as the kernel takes them.
@_silgen_name("prctl")
private func linuxProcessControl(_ option: Int32, _ arg2: UInt, _ arg3: UInt, _ arg4: UInt, _ arg5: UInt) -> Int32
#endif

/// A value behind a lock.
final class LockedValue<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}
