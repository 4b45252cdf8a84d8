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
            #if canImport(Darwin)
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

    private static let crashed: @convention(c) (Int32) -> Void = { signal in
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
        Scoreboard.shared.abort(reason: .crashed, detail: lastRuntimeMessage() ?? name)
        restoreStandardError()
        Foundation.signal(signal, SIG_DFL)
        raise(signal)                            // the default action ends the process
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
