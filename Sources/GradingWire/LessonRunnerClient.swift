#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LessonSupport
import TensorEngine

/// A call the lesson runner did not answer: it crashed, or ran past the time limit and was
/// killed. The exercise it was running is the one to blame; the next call starts a new runner.
public struct RunnerAborted: Error, CustomStringConvertible, Sendable {
    public let timedOut: Bool
    public let message: String
    public var description: String { message }
}

/// An error the student's function threw in the runner, as its description: a test that expects
/// an error sees one, and one that prints it prints the same words.
public struct RunnerThrew: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The judge's end of the grading wire.
///
/// With `WORKBOOK_RUNNER` set (the path of a `lesson-runner` built from the student's lessons),
/// the graders call each exercise there instead of in their own process, which then runs no
/// student code at all: whatever the student's code does — exit early, rewrite the results file,
/// print a fake score, read the recorded references — it does in another process, and with
/// `WORKBOOK_RUNNER_USER` (Linux, the grader running as root) as another user, who cannot read
/// the course's files. Calls are made one at a time; each has the test time limit
/// (`WORKBOOK_TEST_TIME_LIMIT`, default 120 s).
public final class LessonRunnerClient: @unchecked Sendable {
    /// The runner configured by the environment, or nil: the graders call in-process.
    public static let configured: LessonRunnerClient? = {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment["WORKBOOK_RUNNER"], !path.isEmpty else { return nil }
        let limit = Double(environment["WORKBOOK_TEST_TIME_LIMIT"] ?? "") ?? 120
        var mode: [String: String] = [:]
        for key in ["WORKBOOK_SOLUTIONS", "WORKBOOK_MISTAKE", "WORKBOOK_VARIANT"] { mode[key] = environment[key] }
        return LessonRunnerClient(executable: path, user: environment["WORKBOOK_RUNNER_USER"], timeLimit: limit, mode: mode)
    }()

    let executable: String
    let user: String?
    let timeLimit: Double
    /// The grading mode's variables, passed on so the runner selects what the graders expect.
    let mode: [String: String]
    private let lock = NSLock()
    private var running: Running?
    private var started = 0

    struct Running {
        let pid: pid_t
        let requests: Int32      // our write end of the runner's descriptor 0
        let responses: Int32     // our read end of the runner's descriptor 3
        let log: Int32           // a read descriptor of the runner's (unlinked) output file
        let folder: String
    }

    /// - Parameter mode: `WORKBOOK_SOLUTIONS`, `WORKBOOK_MISTAKE` or `WORKBOOK_VARIANT` for the
    ///   runner's environment (the only variables it gets besides PATH, HOME and LANG).
    public init(executable: String, user: String?, timeLimit: Double, mode: [String: String] = [:]) {
        self.executable = executable; self.user = user; self.timeLimit = timeLimit; self.mode = mode
        signal(SIGPIPE, SIG_IGN)       // a runner that dies mid-request is an EPIPE, not our death
    }

    /// Calls `key` (`"01/activations(of:at:for:)"`) with `arguments` in the runner; replays what
    /// the call left on each `Module` argument (hooks, modes) on the caller's networks.
    public func call<each A: WireCodable, R: WireCodable>(_ key: String, _ arguments: repeat each A) throws -> R {
        var writer = WireWriter()
        writer.write(key)
        var modules: [Module] = []
        for argument in repeat each arguments {
            try argument.encode(into: &writer)
            if let module = argument as? Module { modules.append(module) }
        }
        // The modules a test watches with a forward hook: the runner records their passes.
        for module in modules {
            try module.namedModules().filter { $0.module.forwardHookCount > 0 }.map(\.name).encode(into: &writer)
        }
        let response = try exchange(writer.bytes, key: key)
        do {
            return try Self.decodeResponse(response, modules: modules)
        } catch let error as WireError {
            // The runner's answer is not a message (its code wrote to the wire itself, say): the
            // call's result is unusable, like a crash. The runner is replaced.
            stop()
            throw RunnerAborted(timedOut: false, message: "the answer of \(key) could not be read (\(error.message))")
        }
    }

    /// Reads a response: the result, after replaying on `modules` (the call's `Module` arguments)
    /// the forward passes the runner recorded and the hooks and modes the call left; or the error
    /// the call ended with. Whatever the bytes, a `WireError` or the call's error, never a trap.
    static func decodeResponse<R: WireCodable>(_ response: [UInt8], modules: [Module]) throws -> R {
        var reader = WireReader(response)
        let outcome = try reader.readUInt8("the outcome")
        switch WireOutcome(rawValue: outcome) {
        case .returned:
            let result = try R.decode(from: &reader)
            let effects = try modules.map { _ in try ModuleEffects.decode(from: &reader) }
            let calls = try [ForwardCall].decode(from: &reader)
            guard reader.isAtEnd else { throw WireError("\(reader.remaining) bytes after the result") }
            // Checked before anything is replayed: a damaged answer changes no network.
            for (module, effect) in zip(modules, effects) { try effect.check(against: module) }
            var watched: [Module] = []
            for call in calls {
                guard modules.indices.contains(call.argument) else { throw WireError("a forward pass of argument \(call.argument)") }
                do { watched.append(try modules[call.argument].module(named: call.path)) } catch { throw WireError("a forward pass of '\(call.path)'") }
            }
            // The watchers see the passes first (they were registered before the call), then the
            // hooks the call left are added.
            for (call, module) in zip(calls, watched) {
                try GradientMode.$isEnabled.withValue(call.gradientsEnabled) {
                    try module.replayForwardHooks(input: call.input, output: call.output)
                }
            }
            for (module, effect) in zip(modules, effects) { try effect.replay(on: module) }
            return result
        case .notStarted:
            throw ExerciseNotStarted(exercise: try reader.readString(), function: try reader.readString(), file: try reader.readString())
        case .unknownMistake:
            let (exercise, id, kind) = (try reader.readString(), try reader.readString(), try reader.readString())
            let count = try reader.readCount("the known ids", elementSize: 8)
            throw UnknownMistake(exercise: exercise, id: id, known: try (0..<count).map { _ in try reader.readString() }, kind: kind)
        case .threw:
            throw RunnerThrew(description: try reader.readString())
        case nil:
            throw WireError("unknown outcome \(outcome)")
        }
    }

    /// Sends one request and waits for its response, starting a runner if none is running.
    private func exchange(_ request: [UInt8], key: String) throws -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
        let runner = try running ?? start()
        running = runner
        guard WirePipe.send(request, to: runner.requests) else { throw aborted(runner, key: key, timedOut: false) }
        do {
            return try WirePipe.receive(from: runner.responses, deadline: Date().addingTimeInterval(timeLimit))
        } catch .timedOut {
            throw aborted(runner, key: key, timedOut: true)
        } catch .closed {
            throw aborted(runner, key: key, timedOut: false)
        } catch let .malformed(reason) {
            _ = reason
            throw aborted(runner, key: key, timedOut: false)
        }
    }

    /// Ends the runner (killed if still there), and says why the call did not come back.
    private func aborted(_ runner: Running, key: String, timedOut: Bool) -> RunnerAborted {
        kill(runner.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(runner.pid, &status, 0) < 0 && errno == EINTR {}
        let output = Self.tail(of: runner.log)
        close(runner.requests); close(runner.responses); close(runner.log)
        try? FileManager.default.removeItem(atPath: runner.folder)
        running = nil
        let function = key.split(separator: "/").last.map(String.init) ?? key
        if timedOut {
            return RunnerAborted(timedOut: true, message: "\(function) still running after \(Int(timeLimit)) s (the time limit): an endless loop?")
        }
        let signalNumber = status & 0x7f
        let how = signalNumber != 0 ? "crashed (\(Self.signalName(signalNumber)))" : "exited (status \((status >> 8) & 0xff)) before answering"
        return RunnerAborted(timedOut: false, message: "\(function) \(how)" + (output.isEmpty ? "" : "; its last output: \(output)"))
    }

    /// Stops the runner if one is running (the next call starts another).
    public func stop() {
        lock.lock(); defer { lock.unlock() }
        guard let runner = running else { return }
        _ = aborted(runner, key: "", timedOut: false)
    }

    /// The last lines the runner printed (a crash's message), at most 300 characters.
    static func tail(of fd: Int32) -> String {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return "" }
        let window = min(Int(size), 4096)
        lseek(fd, off_t(Int(size) - window), SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: window)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress!, window) }
        guard count > 0 else { return "" }
        let lines = String(decoding: bytes[0..<count], as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("💣") && !$0.hasPrefix("*** ") }
        let text = lines.suffix(2).joined(separator: " — ")
        return text.count <= 300 ? text : "…" + text.suffix(299)
    }

    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGILL: return "SIGILL: a trap, e.g. an index out of range, an overflow or fatalError"
        case SIGTRAP: return "SIGTRAP: a trap, e.g. an index out of range, an overflow or fatalError"
        case SIGSEGV: return "SIGSEGV: a bad memory access"
        case SIGBUS: return "SIGBUS: a bad memory access"
        case SIGABRT: return "SIGABRT"
        case SIGKILL: return "SIGKILL: killed, e.g. out of memory"
        case SIGXFSZ: return "SIGXFSZ: wrote more than the file size limit"
        default: return "signal \(number)"
        }
    }

    /// Starts a runner: its own empty working folder (owned by the runner's user), requests on
    /// its descriptor 0, responses on 3, its output in an unlinked file, a minimal environment
    /// (the grading mode only: no path of the judge's results or references).
    private func start() throws -> Running {
        started += 1
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-runner-\(getpid())-\(started)").path
        try? FileManager.default.removeItem(atPath: folder)
        guard mkdir(folder, 0o700) == 0 else { throw RunnerAborted(timedOut: false, message: "cannot create the runner's folder \(folder)") }
        var command = [executable, "--directory", folder]
        if let user, !user.isEmpty {
            #if os(Linux)
            guard let account = getpwnam(user) else { throw RunnerAborted(timedOut: false, message: "WORKBOOK_RUNNER_USER=\(user): no such user") }
            let (uid, gid) = (account.pointee.pw_uid, account.pointee.pw_gid)
            guard chown(folder, uid, gid) == 0 else { throw RunnerAborted(timedOut: false, message: "cannot give \(folder) to \(user) (the judge must run as root)") }
            command = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--no-new-privs", "--"] + command
            #else
            throw RunnerAborted(timedOut: false, message: "WORKBOOK_RUNNER_USER is supported on Linux only")
            #endif
        }
        var requestPipe: [Int32] = [0, 0], responsePipe: [Int32] = [0, 0]
        guard Self.makePipe(&requestPipe), Self.makePipe(&responsePipe) else {
            throw RunnerAborted(timedOut: false, message: "cannot create the runner's pipes")
        }
        let logPath = folder + ".log"
        let logWrite = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let logRead = open(logPath, O_RDONLY | O_CLOEXEC)
        unlink(logPath)
        guard logWrite >= 0, logRead >= 0 else { throw RunnerAborted(timedOut: false, message: "cannot create the runner's log") }
        if let user, !user.isEmpty { _ = fchown(logWrite, getpwnam(user)?.pointee.pw_uid ?? 0, getpwnam(user)?.pointee.pw_gid ?? 0) }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, requestPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, logWrite, 1)
        posix_spawn_file_actions_adddup2(&actions, logWrite, 2)
        posix_spawn_file_actions_adddup2(&actions, responsePipe[1], 3)
        var environment = ["PATH=/usr/bin:/bin", "HOME=\(folder)", "LANG=C.UTF-8", "SWIFT_BACKTRACE=enable=no"]
        for (key, value) in mode.sorted(by: { $0.key < $1.key }) where key.hasPrefix("WORKBOOK_") { environment.append("\(key)=\(value)") }
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        close(requestPipe[0]); close(responsePipe[1]); close(logWrite)
        guard status == 0 else {
            close(requestPipe[1]); close(responsePipe[0]); close(logRead)
            throw RunnerAborted(timedOut: false, message: "cannot start the lesson runner \(command[0]): error \(status)")
        }
        return Running(pid: pid, requests: requestPipe[1], responses: responsePipe[0], log: logRead, folder: folder)
    }

    /// A pipe whose ends close on exec (the runner gets only the ends dup'ed into 0 and 3).
    static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }
}
