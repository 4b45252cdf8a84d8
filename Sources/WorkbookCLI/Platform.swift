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

    // MARK: Temporary files removed on a signal

    /// The temporary files this process has not yet published, as C strings the signal handler
    /// can unlink without allocating.
    nonisolated(unsafe) private static var temporaries: [UnsafeMutablePointer<CChar>?] = Array(repeating: nil, count: 256)
    nonisolated(unsafe) private static var handlerInstalled = false
    private static let lock = NSLock()

    static func registerTemporary(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        installHandler()
        if let slot = temporaries.firstIndex(where: { $0 == nil }) { temporaries[slot] = strdup(path) }
    }

    private static func forgetTemporary(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        for i in temporaries.indices {
            if let p = temporaries[i], String(cString: p) == path { free(p); temporaries[i] = nil }
        }
    }

    /// Removes a temporary file (if it is there) and forgets it.
    static func removeTemporary(_ path: String) {
        _ = unlink(path)
        forgetTemporary(path)
    }

    private static func installHandler() {
        guard !handlerInstalled else { return }
        handlerInstalled = true
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            #if canImport(Darwin)
            action.__sigaction_u.__sa_handler = onSignal
            #else
            action.__sigaction_handler.sa_handler = onSignal
            #endif
            sigaction(signal, &action, nil)
        }
    }

    /// Unlinks every registered temporary file (async-signal-safe: no allocation, no lock), then
    /// lets the signal end the process as it would have.
    private static let onSignal: @convention(c) (Int32) -> Void = { signal in
        for p in temporaries { if let p { unlink(p) } }
        Foundation.signal(signal, SIG_DFL)
        raise(signal)
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
