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

    /// Completed with status 0: every test passed or was cancelled as not started.
    var succeeded: Bool { completed && exitCode == 0 }

    static func run(filter: String, environment extra: [String: String], timeout: Double, root: URL) throws -> TestRun {
        let temporary = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let log = temporary.appendingPathComponent("workbook-test-\(token).log")
        let results = temporary.appendingPathComponent("workbook-results-\(token).jsonl")
        defer { try? FileManager.default.removeItem(at: log); try? FileManager.default.removeItem(at: results) }
        var environment = ProcessInfo.processInfo.environment
        for key in ["WORKBOOK_SOLUTIONS", "WORKBOOK_MISTAKE", "WORKBOOK_VARIANT", "WORKBOOK_REFERENCES", "WORKBOOK_RECORD_REFERENCES", "WORKBOOK_REFERENCE_MISMATCHES", "WORKBOOK_SKIP_EXERCISES"] { environment[key] = nil }
        environment.merge(extra) { _, new in new }
        environment["WORKBOOK_RESULTS"] = results.path
        let start = Date()
        let outcome = try ProcessGroup.run(["swift", "test", "--skip-build", "--filter", "^\(filter)\\."], in: root,
                                           environment: environment, log: log, timeout: timeout)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
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
enum ProcessGroup {
    struct Outcome { let exited: Bool; let code: Int32; let timedOut: Bool }

    /// Runs `arguments` (looked up on PATH by `/usr/bin/env`) in `directory`; after `timeout`
    /// seconds kills the whole group (SIGKILL) and reaps it. Never waits on a pipe.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String], log: URL, timeout: Double) throws -> Outcome {
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
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp)
        guard status == 0 else { throw WorkFailure(message: "cannot start \(arguments.joined(separator: " ")): error \(status)") }
        let deadline = Date().addingTimeInterval(timeout)
        var waitStatus: Int32 = 0
        var timedOut = false
        while true {
            let result = waitpid(pid, &waitStatus, WNOHANG)
            if result == pid { break }
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
        let signal = waitStatus & 0x7f
        return Outcome(exited: signal == 0 && !timedOut, code: (waitStatus >> 8) & 0xff, timedOut: timedOut)
    }
}

extension TestRun {
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
