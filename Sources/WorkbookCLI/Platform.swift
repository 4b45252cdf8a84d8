// The one place the command line touches the C library: terminal detection, exit codes, and
// the durable writes, atomic renames and signal-time clean-up behind `AtomicFiles`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

enum Platform {
    /// Whether standard error is a terminal (progress bars redraw in place only there).
    static var standardErrorIsTerminal: Bool { isatty(2) != 0 }

    /// Kills a child process that ignored SIGTERM.
    static func forceKill(_ pid: Int32) { _ = kill(pid, SIGKILL) }

    /// Whether a process with this id exists (one we may not signal counts).
    static func isRunning(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// A failed system call, with the C library's words ("No space left on device").
    struct SystemError: Error, CustomStringConvertible {
        let call: String, path: String, code: Int32
        var description: String { "\(path): \(String(cString: strerror(code)))" }
    }

    /// Writes `data` to a new file at `path` (which must not exist) and flushes it to disk, so a
    /// rename of it afterwards publishes complete contents.
    static func writeDurably(_ data: Data, to path: String) throws {
        if slowWrites > 0 { usleep(slowWrites) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError(call: "open", path: path, code: errno) }
        var failure: SystemError?
        let disk = Platform.disk
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let allowed = disk.map { min(raw.count - offset, $0.take(raw.count - offset)) } ?? raw.count - offset
                guard allowed > 0 else {
                    failure = SystemError(call: "write", path: path, code: ENOSPC)
                    return
                }
                let n = Glibc_write(fd, base + offset, allowed)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError(call: "write", path: path, code: errno)
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = SystemError(call: "fsync", path: path, code: errno) }
        if close(fd) != 0, failure == nil { failure = SystemError(call: "close", path: path, code: errno) }
        if let failure { throw failure }
    }

    /// Replaces `destination` by `staging` in one step (`rename(2)`: never an unlink first), then
    /// forgets `staging` as a temporary file.
    static func replace(_ destination: String, with staging: String) throws {
        guard rename(staging, destination) == 0 else { throw SystemError(call: "rename", path: destination, code: errno) }
        forgetTemporary(staging)
    }

    /// Fault injection for the kill tests: `WORKBOOK_SLOW_WRITES=MS` waits MS milliseconds before
    /// each file is written, so that a signal can be aimed at the middle of a command's writes.
    static let slowWrites: UInt32 = UInt32(ProcessInfo.processInfo.environment["WORKBOOK_SLOW_WRITES"].flatMap { UInt32($0) }.map { min($0, 10_000) * 1000 } ?? 0)

    /// A disk that fills up, for the tests: with `Platform.$disk.withValue(SimulatedDisk(bytes: N))`
    /// the writes of this task fail with ENOSPC ("No space left on device") once N bytes are
    /// written, after writing what fit, as a full file system does.
    @TaskLocal static var disk: SimulatedDisk?

    final class SimulatedDisk: @unchecked Sendable {
        private var left: Int
        private let lock = NSLock()
        init(bytes: Int) { left = bytes }
        /// Up to `wanted` bytes of the space left.
        func take(_ wanted: Int) -> Int { lock.withLock { let n = min(wanted, left); left -= n; return n } }
    }

    /// Runs `body` — the renames that publish a command's outputs — so that SIGINT, SIGTERM and
    /// SIGHUP wait for it: the signal watcher takes the same lock before it cleans up and ends the
    /// process, so a Ctrl-C or a `kill` never falls between two renames. (SIGKILL cannot wait;
    /// only it, or a power cut, can.)
    static func withTerminationSignalsHeld<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    // MARK: Temporary files removed on a signal

    /// The temporary files and folders this process has not yet published.
    nonisolated(unsafe) private static var temporaries = Set<String>()
    private static let lock = NSRecursiveLock()

    static func registerTemporary(_ path: String) { lock.withLock { _ = temporaries.insert(path) } }

    private static func forgetTemporary(_ path: String) { lock.withLock { _ = temporaries.remove(path) } }

    /// Removes a temporary file or folder (if it is there) and forgets it.
    static func removeTemporary(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        forgetTemporary(path)
    }

    /// For the `workbook` executable (not the in-process tests): SIGINT, SIGTERM and SIGHUP are
    /// blocked in every thread (this runs first, so the threads started later inherit the mask)
    /// and received by one watcher thread with `sigwait`. On a signal it waits for a publish in
    /// progress, removes every temporary file and folder, and ends the process with that signal.
    static func watchTerminationSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let blocked = set
        Thread.detachNewThread {
            var received: Int32 = 0
            var waitSet = blocked
            while sigwait(&waitSet, &received) != 0 {}
            lock.lock()                          // a publish in progress finishes first
            for path in temporaries { try? FileManager.default.removeItem(atPath: path) }
            Foundation.signal(received, SIG_DFL)
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, received)
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            raise(received)
            _exit(128 + received)
        }
    }
}

/// The C library's `write`, under a name that does not collide with Foundation's.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Glibc.write(fd, buffer, count)
    #endif
}
