// The one place the graders touch the C library: the crash handler, the watchdog thread and the
// copy of standard error that lets a crash report quote the runtime's "Fatal error" line.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Keeps one crash or endless loop from hiding the whole grade.
///
/// - A crash (`fatalError`, a failed precondition, an index out of range, `try!`, a bad pointer)
///   raises a signal; the handler prints one line naming the exercise, the stub and the runtime's
///   message, then the scoreboard so far, and lets the signal end the process.
/// - A test running longer than the time limit (`WORKBOOK_TEST_TIME_LIMIT` seconds, default 120)
///   is reported the same way by a watchdog thread, which then ends the process.
///
/// Standard error is copied through a pipe so that the runtime's message, written just before the
/// trap, can be quoted; everything written there still reaches the terminal.
enum ProcessGuard {
    nonisolated(unsafe) private static var originalStandardError: Int32 = 2
    nonisolated(unsafe) private static var pipeRead: Int32 = -1
    nonisolated(unsafe) private static var copier: pthread_t?
    private static let tail = TailBuffer(capacity: 8192)

    /// Installs the handlers once per process.
    static func install() {
        if ProcessInfo.processInfo.environment["WORKBOOK_NO_GUARD"] != nil { return }
        copyStandardError()
        for signal in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_sigaction = crashedAt
            action.sa_flags = SA_SIGINFO
            #elseif canImport(Darwin)
            action.__sigaction_u.__sa_handler = crashed
            #else
            action.__sigaction_handler.sa_handler = crashed
            #endif
            sigaction(signal, &action, nil)
        }
        Thread.detachNewThread { watchdog() }
        atexit { ProcessGuard.finish() }
    }

    /// Writes `text` to the terminal's standard error, past the copy.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(originalStandardError, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }

    /// At exit: let the copier drain, then print the scoreboard after everything else.
    private static func finish() {
        restoreStandardError()
        Scoreboard.shared.finish()
    }

    private static func restoreStandardError() {
        guard pipeRead >= 0 else { return }
        fflush(nil)
        dup2(originalStandardError, 2)          // closes the pipe's last write end: the copier sees EOF
        if let copier { pthread_join(copier, nil) }
        pipeRead = -1
    }

    private static func copyStandardError() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        originalStandardError = dup(2)
        guard originalStandardError >= 0, dup2(fds[1], 2) >= 0 else { originalStandardError = 2; return }
        close(fds[1])
        pipeRead = fds[0]
        var thread = pthread_t?.none
        #if canImport(Darwin)
        var handle: pthread_t?
        pthread_create(&handle, nil, { _ in ProcessGuard.copyLoop(); return nil }, nil)
        thread = handle
        #else
        var handle = pthread_t()
        pthread_create(&handle, nil, { _ in ProcessGuard.copyLoop(); return nil }, nil)
        thread = handle
        #endif
        copier = thread
    }

    private static func copyLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipeRead, $0.baseAddress!, 4096) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset < n {
                    let w = Foundation.write(originalStandardError, raw.baseAddress! + offset, n - offset)
                    if w <= 0 { break }
                    offset += w
                }
            }
            tail.append(buffer[0..<n])
        }
    }

    /// The runtime's last message on standard error ("…: Fatal error: Index out of range").
    static func lastRuntimeMessage() -> String? {
        usleep(100_000)                          // the copier is a step behind the crashing thread
        let text = tail.text()
        // The runtime's own words first; a test's "error:" line only if there is nothing better.
        let markers = ["Fatal error", "Precondition failed", "Assertion failed", "Illegal instruction", "Segmentation fault", "error:"]
        let lines = text.split(separator: "\n").reversed()
        for marker in markers {
            if let line = lines.first(where: { $0.contains(marker) }) { return String(line).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    nonisolated(unsafe) private static var handling: Int32 = 0

    private static let crashed: @convention(c) (Int32) -> Void = { signal in report(signal, at: nil) }

    #if os(Linux)
    /// The handler with the signal's context: the faulting instruction's address, so a trap the
    /// optimiser left without a message (an index out of range, an overflow in `-O` code) is still
    /// placed at its line.
    private static let crashedAt: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = { signal, _, context in
        report(signal, at: context.flatMap(instructionAddress))
    }
    #endif

    private static func report(_ signal: Int32, at address: UInt?) {
        // Two threads can trap at once: the first reports and ends the process, the others wait.
        if handling != 0 { while true { pause() } }
        handling = 1
        let name: String
        switch signal {
        case SIGILL, SIGTRAP: name = "a trap (fatalError, precondition, index out of range, try!, overflow)"
        case SIGABRT: name = "abort"
        case SIGSEGV, SIGBUS: name = "a bad memory access"
        case SIGFPE: name = "an arithmetic fault"
        default: name = "signal \(signal)"
        }
        // The runtime's message names its own line ("Hooks.swift:57: Fatal error: …"); a bare trap
        // is placed by its address, at the innermost line in Lessons/ (the student's code).
        let detail = lastRuntimeMessage() ?? (address.flatMap(lessonLine).map { "\(name) at \($0)" } ?? name)
        Scoreboard.shared.abort(reason: .crashed, detail: detail)
        restoreStandardError()
        Foundation.signal(signal, SIG_DFL)
        raise(signal)                            // the default action ends the process
    }

    #if os(Linux)
    /// The program counter in a signal's `ucontext_t` (x86-64: RIP, gregs[16]; arm64: pc).
    private static func instructionAddress(_ context: UnsafeMutableRawPointer) -> UInt? {
        let ucontext = context.assumingMemoryBound(to: ucontext_t.self)
        #if arch(x86_64)
        return withUnsafeBytes(of: &ucontext.pointee.uc_mcontext.gregs) { UInt(bitPattern: Int($0.load(fromByteOffset: 16 * 8, as: Int64.self))) }
        #elseif arch(arm64)
        return UInt(ucontext.pointee.uc_mcontext.pc)
        #else
        return nil
        #endif
    }
    #endif

    /// The file mapped at `address` and its load address (the start of its mapping at file offset 0),
    /// from /proc/self/maps: what `dladdr` gives, which Glibc's Swift module does not export.
    static func mappedFile(containing address: UInt) -> (path: String, base: UInt)? {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        var bases: [String: UInt] = [:], found: String?
        for line in maps.split(separator: "\n") {
            // start-end perms offset dev inode path
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                  let fileOffset = UInt(fields[2], radix: 16) else { continue }
            let path = fields[5...].joined(separator: " ")
            if fileOffset == 0 && bases[path] == nil { bases[path] = start }
            if start <= address && address < end { found = path }
        }
        guard let found, let base = bases[found] else { return nil }
        return (found, base)
    }

    /// "Lessons/02-Saliency/Saliency.swift:57" for an instruction address in a lesson's code: the
    /// binary and offset from the process's mappings, the line table read by `addr2line -i` (binutils; absent,
    /// nothing), the innermost inlined frame whose file is under Lessons/. Runs in the crash
    /// handler, whose process ends right after.
    static func lessonLine(of address: UInt) -> String? {
        guard let (file, base) = mappedFile(containing: address) else { return nil }
        let offset = address - base
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = ["/usr/bin/env", "addr2line", "-e", file, "-i", "0x" + String(offset, radix: 16)]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard started == 0 else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while output.count < 65_536 {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, 4096) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let range = line.range(of: "/Lessons/"), !line.hasSuffix(":?"), !line.hasSuffix(":0") else { continue }
            return String(line[line.index(after: range.lowerBound)...]).split(separator: " ").first.map(String.init)
        }
        return nil
    }

    private static func watchdog() {
        let limit = Double(ProcessInfo.processInfo.environment["WORKBOOK_TEST_TIME_LIMIT"] ?? "") ?? 120
        while true {
            Thread.sleep(forTimeInterval: 0.5)
            if let (seconds, _) = Scoreboard.shared.longestRunning(), seconds > limit {
                Scoreboard.shared.abort(reason: .timeLimit, detail: String(format: "still running after %.0f s — an endless loop?", seconds))
                restoreStandardError()
                _exit(124)
            }
        }
    }
}

/// The last `capacity` bytes written to standard error.
private final class TailBuffer: @unchecked Sendable {
    private var bytes: [UInt8] = []
    private let capacity: Int
    private let lock = NSLock()
    init(capacity: Int) { self.capacity = capacity }

    func append(_ chunk: ArraySlice<UInt8>) {
        lock.lock(); defer { lock.unlock() }
        bytes.append(contentsOf: chunk)
        if bytes.count > capacity { bytes.removeFirst(bytes.count - capacity) }
    }

    func text() -> String {
        // The crashing thread never holds this lock; the copier holds it only for an append.
        lock.lock(); defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
