#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Framed messages over file descriptors, with a deadline on reading: the only place this module
/// touches descriptors.
public enum WirePipe {
    /// Why a message did not arrive.
    public enum Failure: Error, Equatable {
        /// The other end closed (the runner exited or crashed).
        case closed
        /// Nothing complete before the deadline.
        case timedOut
        /// It arrived, but is not a message.
        case malformed(String)
    }

    /// Writes every byte; false when the other end is gone (EPIPE, with SIGPIPE ignored). On a
    /// non-blocking descriptor it waits for room until `deadline` (nil: for ever).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: Date? = nil) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, min(bytes.count - offset, 1 << 20))
            }
            if written >= 0 { offset += written; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                let milliseconds = deadline.map { Int32(clamping: max(0, Int(($0.timeIntervalSinceNow * 1000).clamped(to: 0...1e9)))) } ?? -1
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&descriptor, 1, milliseconds)
                if ready == 0 { throw .timedOut }
                if ready < 0 && errno != EINTR { throw .closed }
            default: throw .closed
            }
        }
    }

    /// Sends one framed message.
    public static func send(_ payload: [UInt8], to fd: Int32, deadline: Date? = nil) throws(Failure) {
        try writeAll(fd, WireFrame.header(length: payload.count) + payload, deadline: deadline)
    }

    /// Reads one framed message; `deadline` nil waits for ever (the runner waiting for the judge).
    public static func receive(from fd: Int32, deadline: Date?) throws(Failure) -> [UInt8] {
        let header = try readExactly(fd, 12, deadline: deadline)
        let length: Int
        do { length = try WireFrame.length(ofHeader: header) } catch { throw .malformed("\(error)") }
        return try readExactly(fd, length, deadline: deadline)
    }

    /// Grows the buffer as bytes arrive, so a header announcing a huge message costs nothing
    /// until the bytes are really sent.
    static func readExactly(_ fd: Int32, _ count: Int, deadline: Date?) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(count, 1 << 24))
        var chunk = [UInt8](repeating: 0, count: min(max(count, 1), 1 << 20))
        while bytes.count < count {
            if let deadline {
                let milliseconds = Int32(clamping: Int((deadline.timeIntervalSinceNow * 1000).clamped(to: 0...1e9)))
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, milliseconds)
                if ready < 0 { if errno == EINTR { continue }; throw .closed }
                if ready == 0 { throw .timedOut }
            }
            let wanted = min(count - bytes.count, chunk.count)
            let received = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, wanted) }
            if received < 0 { if errno == EINTR || errno == EAGAIN { continue }; throw .closed }
            if received == 0 { throw .closed }
            bytes.append(contentsOf: chunk[0..<received])
        }
        return bytes
    }
}

extension Double {
    func clamped(to range: ClosedRange<Double>) -> Double { isNaN ? range.lowerBound : Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
