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

/// The calls of one graded test that the runner did not answer, kept even when the test catches
/// the error (`GradedLesson` charges the test's exercise with the first).
public final class RunnerAbortLog: @unchecked Sendable {
    /// The log of the graded test running on this task, if any.
    @TaskLocal public static var current: RunnerAbortLog?

    private let lock = NSLock()
    private var aborts: [RunnerAborted] = []

    public init() {}

    func record(_ aborted: RunnerAborted) { lock.lock(); aborts.append(aborted); lock.unlock() }

    public var first: RunnerAborted? { lock.lock(); defer { lock.unlock() }; return aborts.first }
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
        let limit = Double(environment["WORKBOOK_TEST_TIME_LIMIT"] ?? "").flatMap { $0.isFinite && $0 >= 1 ? min($0, 86_400) : nil } ?? 120
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
    /// Runners waiting for a call. Tests run in parallel; each call takes an idle runner or starts
    /// one, so no call waits for another's (a slow exercise cannot push a test waiting behind it
    /// past the time limit).
    private var idle: [Running] = []
    /// Runners answering a call now (`stop()` ends them too).
    private var busy: [pid_t: Running] = [:]

    final class Running {
        let pid: pid_t
        let requests: Int32      // our write end of the runner's descriptor 0 (non-blocking)
        let responses: Int32     // our read end of the runner's descriptor 3
        let log: Int32           // a read descriptor of the runner's (unlinked) output file
        /// Each request is numbered and its answer must carry the number: a stray frame the
        /// runner wrote earlier is never taken for this call's answer.
        var sequence: UInt64 = 0
        init(pid: pid_t, requests: Int32, responses: Int32, log: Int32) {
            self.pid = pid; self.requests = requests; self.responses = responses; self.log = log
        }
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
        var modules: [Module] = [], tensors: [Tensor] = []
        for argument in repeat each arguments {
            try argument.encode(into: &writer)
            if let module = argument as? Module { modules.append(module) }
            if let tensor = argument as? Tensor { tensors.append(tensor) }
        }
        // The modules a test watches with a forward hook: the runner records their passes.
        for module in modules {
            try module.namedModules().filter { $0.module.forwardHookCount > 0 }.map(\.name).encode(into: &writer)
        }
        do {
            let (response, runner) = try exchange(writer.bytes, key: key)
            do {
                let result: R = try Self.decodeResponse(response, modules: modules, tensors: tensors)
                release(runner)
                return result
            } catch let error as WireError {
                // The runner's answer is not a message (its code wrote to the wire itself, say): the
                // call's result is unusable, like a crash. The runner is replaced.
                _ = end(runner)
                throw RunnerAborted(timedOut: false, message: "the answer of \(key) could not be read (\(error.message))")
            } catch {
                release(runner)
                throw error
            }
        } catch let aborted as RunnerAborted {
            RunnerAbortLog.current?.record(aborted)
            throw aborted
        }
    }

    /// Reads a response: the result, after replaying on `modules` (the call's `Module` arguments)
    /// the forward passes the runner recorded and the hooks and modes the call left; or the error
    /// the call ended with. Whatever the bytes, a `WireError` or the call's error, never a trap.
    static func decodeResponse<R: WireCodable>(_ response: [UInt8], modules: [Module], tensors: [Tensor] = []) throws -> R {
        var reader = WireReader(response)
        let outcome = try reader.readUInt8("the outcome")
        switch WireOutcome(rawValue: outcome) {
        case .returned:
            let result = try R.decode(from: &reader)
            let effects = try modules.map { _ in try ModuleEffects.decode(from: &reader) }
            let calls = try [ForwardCall].decode(from: &reader)
            let tensorEffects = try [WirePair<Bool, [Float]?>].decode(from: &reader)
            guard reader.isAtEnd else { throw WireError("\(reader.remaining) bytes after the result") }
            guard tensorEffects.count == tensors.count,
                  zip(tensors, tensorEffects).allSatisfy({ $1.second == nil || $1.second!.count == $0.count }) else {
                throw WireError("the runner reports \(tensorEffects.count) tensor arguments, the call has \(tensors.count)")
            }
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
            for (tensor, effect) in zip(tensors, tensorEffects) {
                if tensor.isLeaf { tensor.requiresGrad = effect.first }
                try tensor.replaceGradient(with: effect.second)
            }
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

    /// The per-call deadline: a little under the test time limit, so a hung call is charged to
    /// its own test here before the test process's watchdog (which measures whole tests) fires.
    var callLimit: Double { max(1, timeLimit * 0.9) }

    /// Sends one request (numbered) and waits for its numbered answer, on an idle runner or a new
    /// one. Returns the answer's payload and the runner, which the caller releases or ends.
    private func exchange(_ request: [UInt8], key: String) throws -> ([UInt8], Running) {
        let runner = try (lock.withLock { idle.popLast() }) ?? start()
        lock.withLock { busy[runner.pid] = runner }
        defer { lock.withLock { _ = busy.removeValue(forKey: runner.pid) } }
        runner.sequence &+= 1
        var numbered = WireWriter()
        numbered.write(runner.sequence)
        let deadline = Date().addingTimeInterval(callLimit)
        let answer: [UInt8]
        do {
            try WirePipe.send(numbered.bytes + request, to: runner.requests, deadline: deadline)
            answer = try WirePipe.receive(from: runner.responses, deadline: deadline)
        } catch {
            throw end(runner, key: key, timedOut: error == .timedOut)
        }
        var reader = WireReader(answer)
        guard answer.count >= 8, (try? reader.readUInt64()) == runner.sequence else {
            end(runner)
            throw RunnerAborted(timedOut: false, message: "the answer of \(key) is not numbered as its request")
        }
        return (Array(answer.dropFirst(8)), runner)
    }

    private func release(_ runner: Running) { lock.withLock { idle.append(runner) } }

    /// Ends the runner (killed if still there), and says why the call did not come back.
    @discardableResult
    private func end(_ runner: Running, key: String = "", timedOut: Bool = false) -> RunnerAborted {
        kill(runner.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(runner.pid, &status, 0) < 0 && errno == EINTR {}
        let output = Self.tail(of: runner.log)
        close(runner.requests); close(runner.responses); close(runner.log)
        let function = key.split(separator: "/").last.map(String.init) ?? key
        if timedOut {
            return RunnerAborted(timedOut: true, message: "\(function) still running after \(Int(callLimit)) s (the time limit): an endless loop?")
        }
        let signalNumber = status & 0x7f
        let how = signalNumber != 0 ? "crashed (\(Self.signalName(signalNumber)))" : "exited (status \((status >> 8) & 0xff)) before answering"
        return RunnerAborted(timedOut: false, message: "\(function) \(how)" + (output.isEmpty ? "" : "; its last output: \(output)"))
    }

    /// Ends every runner: the idle ones, and those answering a call (that call is aborted). The
    /// next call starts another.
    public func stop() {
        let (runners, answering) = lock.withLock { () -> ([Running], [pid_t]) in defer { idle = [] }; return (idle, Array(busy.keys)) }
        for pid in answering { kill(pid, SIGKILL) }
        for runner in runners { end(runner) }
    }

    /// Whether runners can be started as `user`: this process is root on Linux, `setpriv` is
    /// there and the user exists. Checked by `grade --runner-user` before any grading, so a
    /// grader set up wrongly stops with one line instead of grading every exercise *crashed*.
    public static func checkUser(_ user: String) throws {
        #if os(Linux)
        guard getuid() == 0 else { throw WireError("--runner-user \(user): the judge must run as root to start the runner as another user") }
        guard FileManager.default.isExecutableFile(atPath: setpriv) else { throw WireError("--runner-user \(user): \(setpriv) is missing (util-linux)") }
        guard getpwnam(user) != nil else { throw WireError("--runner-user \(user): no such user") }
        #else
        throw WireError("--runner-user is supported on Linux only")
        #endif
    }

    static let setpriv = "/usr/bin/setpriv"

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

    /// Starts a runner: working in `/` (nothing to clean up, nothing the runner's user can write
    /// there), requests on its descriptor 0, responses on 3, its output in a file only the judge
    /// can name (made in a private folder and unlinked at once), a minimal environment (the grading
    /// mode only: no path of the judge's results or references).
    private func start() throws -> Running {
        let account: (uid: uid_t, gid: gid_t)?
        if let user, !user.isEmpty {
            try Self.checkUser(user)
            guard let entry = getpwnam(user) else { throw RunnerAborted(timedOut: false, message: "no user \(user)") }
            account = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        } else {
            account = nil
        }
        func failure(_ what: String) -> RunnerAborted { RunnerAborted(timedOut: false, message: "cannot start the lesson runner: \(what)") }
        let temporary = FileManager.default.temporaryDirectory.path
        // The output file: created inside a folder only the judge can enter, then unlinked.
        guard let privateFolder = Self.makeFolder(in: temporary, prefix: "workbook-judge-") else { throw failure("no folder in \(temporary)") }
        let logPath = privateFolder + "/runner.log"
        let logWrite = open(logPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        let logRead = logWrite >= 0 ? open(logPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1
        unlink(logPath); rmdir(privateFolder)
        guard logWrite >= 0, logRead >= 0 else {
            if logWrite >= 0 { close(logWrite) }
            throw failure("no output file")
        }
        var requestPipe: [Int32] = [-1, -1], responsePipe: [Int32] = [-1, -1]
        guard Self.makePipe(&requestPipe), Self.makePipe(&responsePipe) else {
            for fd in requestPipe + responsePipe + [logWrite, logRead] where fd >= 0 { close(fd) }
            throw failure("no pipes")
        }
        var command = [executable, "--directory", "/"]
        if let account {
            command = [Self.setpriv, "--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups", "--no-new-privs", "--"] + command
        }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer { posix_spawn_file_actions_destroy(&actions); posix_spawnattr_destroy(&attributes) }
        #if canImport(Darwin)
        // Every descriptor not named below is closed in the runner.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        #endif
        posix_spawn_file_actions_adddup2(&actions, requestPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, logWrite, 1)
        posix_spawn_file_actions_adddup2(&actions, logWrite, 2)
        posix_spawn_file_actions_adddup2(&actions, responsePipe[1], 3)
        var environment = ["PATH=/usr/bin:/bin", "HOME=/", "LANG=C.UTF-8", "SWIFT_BACKTRACE=enable=no"]
        for (key, value) in mode.sorted(by: { $0.key < $1.key }) where key.hasPrefix("WORKBOOK_") { environment.append("\(key)=\(value)") }
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        close(requestPipe[0]); close(responsePipe[1]); close(logWrite)
        guard status == 0 else {
            close(requestPipe[1]); close(responsePipe[0]); close(logRead)
            throw failure("\(command[0]): error \(status)")
        }
        // Writes never block: a runner that stops reading costs its call the time limit, no more.
        _ = fcntl(requestPipe[1], F_SETFL, fcntl(requestPipe[1], F_GETFL) | O_NONBLOCK)
        return Running(pid: pid, requests: requestPipe[1], responses: responsePipe[0], log: logRead)
    }

    /// A new folder with an unpredictable name (mkdtemp, mode 0700), or nil.
    static func makeFolder(in parent: String, prefix: String) -> String? {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
    }

    /// A pipe whose ends close on exec (the runner gets only the ends dup'ed into 0 and 3).
    static func makePipe(_ ends: inout [Int32]) -> Bool {
        #if os(Linux)
        return linuxPipe2(&ends, O_CLOEXEC) == 0      // atomically: no spawn on another thread inherits them
        #else
        guard pipe(&ends) == 0 else { return false }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }   // the spawn closes every other descriptor anyway
        return true
        #endif
    }
}

#if os(Linux)
/// pipe2(2), which Glibc's Swift module does not export.
@_silgen_name("pipe2")
private func linuxPipe2(_ descriptors: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
#endif
