/// The bytes of the grading wire: what the judge (the test process, which runs no student code)
/// and the lesson runner (which runs nothing else) say to each other.
///
/// Little-endian, length-prefixed, no alignment. Every count read is checked against the bytes
/// that remain before anything is allocated, so a hostile or truncated message is a `WireError`,
/// never a trap or a huge allocation: the judge reads what the student's process wrote.

/// A message that cannot be read: one line saying what and where.
public struct WireError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "grading wire: \(message)" }
}

/// Appends values to a byte buffer.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ text: String) {
        let utf8 = Array(text.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }
    /// Floats as their bit patterns: NaN payloads and signed zeros arrive as sent.
    /// (Every platform Swift runs this package on is little-endian, so the values' memory is the
    /// wire's bytes: one copy.)
    public mutating func write(_ values: [Float]) {
        write(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ values: [Double]) {
        write(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

/// Reads values back, checking every length against what remains.
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw WireError("\(what): needs \(count) bytes at offset \(offset), \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    public mutating func readUInt64(_ what: String = "a number") throws -> UInt64 {
        try take(8, what).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    public mutating func readUInt32(_ what: String = "a number") throws -> UInt32 {
        try take(4, what).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    public mutating func readUInt8(_ what: String = "a tag") throws -> UInt8 { try take(1, what).first! }
    public mutating func readInt(_ what: String = "an integer") throws -> Int {
        let raw = Int64(bitPattern: try readUInt64(what))
        guard let value = Int(exactly: raw) else { throw WireError("\(what): \(raw) does not fit an Int") }
        return value
    }
    /// A count of items of `size` bytes each: refused unless that many bytes remain.
    public mutating func readCount(_ what: String, elementSize: Int) throws -> Int {
        let count = try readInt("\(what)'s count")
        guard count >= 0, count <= remaining / max(1, elementSize) else {
            throw WireError("\(what): \(count) items of \(elementSize) bytes, only \(remaining) bytes left")
        }
        return count
    }
    public mutating func readString(_ what: String = "a string") throws -> String {
        let count = try readCount(what, elementSize: 1)
        let slice = try take(count, what)
        // (`String(validating:as:)` needs macOS 15; decoding repairs invalid bytes, so a text that
        // does not give its bytes back was not UTF-8.)
        let text = String(decoding: slice, as: UTF8.self)
        guard text.utf8.elementsEqual(slice) else { throw WireError("\(what): not UTF-8") }
        return text
    }
    public mutating func readFloats(_ what: String = "floats") throws -> [Float] { try readValues(what) }
    public mutating func readDoubles(_ what: String = "doubles") throws -> [Double] { try readValues(what) }

    /// A count, then that many values as their little-endian bytes (the memory of a Float or Double
    /// on every platform this package builds for): one copy.
    mutating func readValues<Value: BitwiseCopyable>(_ what: String) throws -> [Value] {
        let size = MemoryLayout<Value>.size
        let count = try readCount(what, elementSize: size)
        let slice = try take(size * count, what)
        return [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
            slice.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }
}
