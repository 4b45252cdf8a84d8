import Codecs
import Foundation

/// What a grader recorded from the reference (or from a catalogued mistake) for one call: the
/// value a test compares a student's output with. Tensors are stored as their shape and Float
/// data; anything with more parts (a pair, a list of tuples) is a `list`.
///
/// The student edition has no reference to run, so its graders read these values instead of
/// computing them (see `RecordedReferences`).
public indirect enum RecordedValue: Equatable, Sendable {
    case tensor(shape: [Int], data: [Float])
    case floats([Float])
    case doubles([Double])
    case integers([Int])
    case text(String)
    case list([RecordedValue])
    /// The recorded call threw: its message. Replaying it throws again.
    case thrown(String)

    fileprivate var tag: UInt8 {
        switch self {
        case .tensor: 1
        case .floats: 2
        case .doubles: 3
        case .integers: 4
        case .text: 5
        case .list: 6
        case .thrown: 7
        }
    }
}

/// One recorded call: a key (the SHA-256 of what was called, with which inputs), a label for
/// people ("1.1 activations(of:at:for:)") and the value.
public struct RecordedEntry: Equatable, Sendable {
    public let key: [UInt8]
    public let label: String
    public let value: RecordedValue

    public init(key: [UInt8], label: String, value: RecordedValue) {
        precondition(key.count == 32, "a recorded reference's key is a 32-byte SHA-256")
        self.key = key; self.label = label; self.value = value
    }
}

/// The recorded references of one lesson: a compact, checksummed binary file
/// (`Tests/<Topic>LessonTests/Recorded/references.wbref`), written by `workbook record-references`.
///
///     "WBREFS01"                        8 bytes, magic and version
///     body length (UInt64 LE)           the uncompressed body's size
///     zlib(body)                        the entries, compressed
///     SHA-256(body)                     32 bytes: a damaged or edited file is refused
///
///     body = count (UInt32 LE), then per entry, sorted by key:
///            key (32 bytes) | label length (UInt16) | label (UTF-8) | value
///     value = tag (UInt8) | payload: tensor: rank (UInt32), dims (Int64 each), count (UInt64),
///            Float bits; floats/doubles/integers: count (UInt64), elements (4/8/8 bytes LE);
///            text/thrown: length (UInt32), UTF-8; list: count (UInt32), values
///
/// Entries are sorted and written without dates or ids, so recording the same calls twice gives
/// the same bytes. Reading validates every count against the bytes that remain before allocating.
public enum RecordedReferences {
    public static let magic = Array("WBREFS01".utf8)
    /// The largest body a file may declare: 1 GiB (a lesson's references are a few MB).
    public static let maxBodySize = 1 << 30

    public static func encode(_ entries: [RecordedEntry]) throws -> [UInt8] {
        var sorted = entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        // One key, one value: a key recorded twice with different values means the reference is not
        // deterministic for those inputs, and a replay could not know which to give.
        var unique: [RecordedEntry] = []
        for entry in sorted {
            if let last = unique.last, last.key == entry.key {
                guard last.value == entry.value else {
                    throw DataFormatError.invalidValue("recorded references: '\(entry.label)' was recorded twice for the same inputs with different values (is the reference deterministic?)")
                }
                continue
            }
            unique.append(entry)
        }
        sorted = unique
        var body = Writer()
        body.u32(UInt32(sorted.count))
        for entry in sorted {
            body.bytes(entry.key)
            let label = Array(entry.label.utf8.prefix(Int(UInt16.max)))
            body.u16(UInt16(label.count)); body.bytes(label)
            body.value(entry.value)
        }
        return seal(body.out)
    }

    /// The file around a body: magic, length, zlib, checksum.
    static func seal(_ body: [UInt8]) -> [UInt8] {
        var length = Writer(); length.u64(UInt64(body.count))
        return magic + length.out + Zlib.compress(body, level: 6) + SHA256.hash(of: body).bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> [RecordedEntry] {
        guard bytes.count >= magic.count + 8 + 32 else { throw DataFormatError.truncated(context: "recorded references header") }
        guard Array(bytes[0..<magic.count]) == magic else {
            throw DataFormatError.invalidHeader("not a recorded-references file (magic \(bytes[0..<8].map { String(format: "%02x", $0) }.joined()))")
        }
        var header = Reader(Array(bytes[magic.count..<(magic.count + 8)]))
        let declared = try header.u64("body length")
        guard declared <= UInt64(maxBodySize) else {
            throw DataFormatError.invalidValue("recorded references declare a \(declared)-byte body, more than the \(maxBodySize) allowed")
        }
        let compressed = Array(bytes[(magic.count + 8)..<(bytes.count - 32)])
        let body: [UInt8]
        do { body = try Zlib.decompress(compressed, maxOutputSize: Int(declared)) } catch {
            throw DataFormatError.compression("recorded references: \(error)")
        }
        guard body.count == Int(declared) else {
            throw DataFormatError.sizeMismatch(context: "recorded references body", expected: Int(declared), actual: body.count)
        }
        guard SHA256.hash(of: body).bytes == Array(bytes[(bytes.count - 32)...]) else {
            throw DataFormatError.invalidValue("recorded references: the checksum does not match (the file is damaged or was edited)")
        }
        return try decodeBody(body)
    }

    /// The entries of an uncompressed body (what the checksum covers).
    static func decodeBody(_ body: [UInt8]) throws -> [RecordedEntry] {
        var reader = Reader(body)
        let count = Int(try reader.u32("entry count"))
        // Every entry takes at least 32 + 2 + 1 bytes.
        guard count <= reader.remaining / 35 else {
            throw DataFormatError.invalidValue("recorded references declare \(count) entries in \(reader.remaining) bytes")
        }
        var entries: [RecordedEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let key = try reader.take(32, "entry \(index) key")
            let labelLength = Int(try reader.u16("entry \(index) label length"))
            let label = String(decoding: try reader.take(labelLength, "entry \(index) label"), as: UTF8.self)
            let value = try reader.value(depth: 0, "entry \(index) (\(label))")
            if let last = entries.last, !last.key.lexicographicallyPrecedes(key) {
                throw DataFormatError.invalidValue("recorded references: entry \(index) is out of order or repeated")
            }
            entries.append(RecordedEntry(key: key, label: label, value: value))
        }
        guard reader.remaining == 0 else {
            throw DataFormatError.invalidValue("recorded references: \(reader.remaining) bytes after the last entry")
        }
        return entries
    }

    /// One entry as a journal record: its length (UInt64 LE), then a one-entry file. A recording
    /// test process appends these to its journal; `workbook record-references` merges them.
    public static func journalRecord(_ entry: RecordedEntry) throws -> [UInt8] {
        let file = try encode([entry])
        var length = Writer(); length.u64(UInt64(file.count))
        return length.out + file
    }

    /// The entries of a journal (records as `journalRecord` writes them, one after another).
    public static func journalEntries(_ bytes: [UInt8]) throws -> [RecordedEntry] {
        var reader = Reader(bytes)
        var entries: [RecordedEntry] = []
        while reader.remaining > 0 {
            let length = try reader.u64("journal record length")
            guard length <= UInt64(reader.remaining) else { throw DataFormatError.truncated(context: "recorded-references journal record") }
            entries += try decode(try reader.take(Int(length), "journal record"))
        }
        return entries
    }

    public static func read(_ url: URL) throws -> [RecordedEntry] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataFormatError.invalidValue("cannot read recorded references \(url.path): \(error.localizedDescription)")
        }
        do { return try decode([UInt8](data)) } catch let error as DataFormatError {
            throw DataFormatError.invalidValue("\(url.lastPathComponent): \(error.description)")
        }
    }
}

// MARK: - Little-endian writing and bounded reading

private struct Writer {
    var out: [UInt8] = []
    mutating func u16(_ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
    mutating func bytes(_ b: [UInt8]) { out += b }
    mutating func text(_ s: String) { let b = Array(s.utf8); u32(UInt32(b.count)); out += b }

    mutating func value(_ v: RecordedValue) {
        out.append(v.tag)
        switch v {
        case let .tensor(shape, data):
            u32(UInt32(shape.count)); shape.forEach { u64(UInt64(bitPattern: Int64($0))) }
            u64(UInt64(data.count)); data.forEach { u32($0.bitPattern) }
        case let .floats(values): u64(UInt64(values.count)); values.forEach { u32($0.bitPattern) }
        case let .doubles(values): u64(UInt64(values.count)); values.forEach { u64($0.bitPattern) }
        case let .integers(values): u64(UInt64(values.count)); values.forEach { u64(UInt64(bitPattern: Int64($0))) }
        case let .text(s), let .thrown(s): text(s)
        case let .list(values): u32(UInt32(values.count)); values.forEach { value($0) }
        }
    }
}

private struct Reader {
    let bytes: [UInt8]
    var position = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var remaining: Int { bytes.count - position }

    mutating func take(_ n: Int, _ context: String) throws -> [UInt8] {
        guard n >= 0, n <= remaining else { throw DataFormatError.truncated(context: "recorded references, \(context)") }
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }
    mutating func unsigned(_ width: Int, _ context: String) throws -> UInt64 {
        guard width <= remaining else { throw DataFormatError.truncated(context: "recorded references, \(context)") }
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[position + i]) << UInt64(8 * i) }
        position += width
        return v
    }
    mutating func u16(_ c: String) throws -> UInt16 { UInt16(try unsigned(2, c)) }
    mutating func u32(_ c: String) throws -> UInt32 { UInt32(try unsigned(4, c)) }
    mutating func u64(_ c: String) throws -> UInt64 { try unsigned(8, c) }

    /// A count of elements of `width` bytes each, checked against what remains.
    mutating func count(_ width: Int, _ context: String, wide: Bool = true) throws -> Int {
        let n = wide ? try u64(context) : UInt64(try u32(context))
        guard n <= UInt64(remaining / max(width, 1)) else {
            throw DataFormatError.invalidValue("recorded references, \(context): \(n) elements declared, \(remaining) bytes left")
        }
        return Int(n)
    }

    mutating func value(depth: Int, _ context: String) throws -> RecordedValue {
        guard depth < 32 else { throw DataFormatError.invalidValue("recorded references, \(context): values nested deeper than 32") }
        let tag = try take(1, context)[0]
        switch tag {
        case 1:
            let rank = try count(8, "\(context) rank", wide: false)
            var shape: [Int] = []
            for _ in 0..<rank {
                let d = Int64(bitPattern: try u64("\(context) shape"))
                guard d >= 0, d <= Int64(Int32.max) else { throw DataFormatError.invalidValue("recorded references, \(context): dimension \(d)") }
                shape.append(Int(d))
            }
            let n = try count(4, "\(context) data")
            guard checkedElementCount(shape) == n else {
                throw DataFormatError.sizeMismatch(context: "recorded references, \(context) shape \(shape)", expected: checkedElementCount(shape) ?? -1, actual: n)
            }
            return .tensor(shape: shape, data: try (0..<n).map { _ in Float(bitPattern: try u32(context)) })
        case 2:
            let n = try count(4, context)
            return .floats(try (0..<n).map { _ in Float(bitPattern: try u32(context)) })
        case 3:
            let n = try count(8, context)
            return .doubles(try (0..<n).map { _ in Double(bitPattern: try u64(context)) })
        case 4:
            let n = try count(8, context)
            return .integers(try (0..<n).map { _ in Int(Int64(bitPattern: try u64(context))) })
        case 5, 7:
            let n = try count(1, context, wide: false)
            let s = String(decoding: try take(n, context), as: UTF8.self)
            return tag == 5 ? .text(s) : .thrown(s)
        case 6:
            let n = try count(1, context, wide: false)
            return .list(try (0..<n).map { _ in try value(depth: depth + 1, context) })
        default:
            throw DataFormatError.invalidValue("recorded references, \(context): unknown value tag \(tag)")
        }
    }
}
