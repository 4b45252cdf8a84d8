import Foundation

/// The gzip file format (RFC 1952), as in `.gz` downloads such as MNIST.
///
/// A gzip file is one or more *members*, each:
///
///     1f 8b | CM=8 | FLG | MTIME (4, LE) | XFL | OS
///     [FEXTRA: XLEN (2, LE) + XLEN bytes] [FNAME: text\0] [FCOMMENT: text\0] [FHCRC: 2 bytes]
///     DEFLATE data | CRC-32 of the data (4, LE) | ISIZE = length mod 2^32 (4, LE)
///
/// Decompressing concatenates the members, as `gunzip` does.
public enum Gzip {
    /// Header flag bits (FLG).
    static let flagHeaderCRC: UInt8 = 0x02
    static let flagExtra: UInt8 = 0x04
    static let flagName: UInt8 = 0x08
    static let flagComment: UInt8 = 0x10

    /// Compresses `bytes` into a single-member gzip file.
    ///
    /// - Parameters:
    ///   - fileName: stored in the FNAME field when given (Latin-1 text in the spec; pass ASCII).
    ///   - modificationTime: seconds since 1970 for MTIME; 0 ("unknown") keeps output reproducible.
    public static func compress(_ bytes: [UInt8], level: Int = 6, fileName: String? = nil,
                                modificationTime: UInt32 = 0) -> [UInt8] {
        var flags: UInt8 = 0
        if fileName != nil { flags |= flagName }
        let extraFlags: UInt8 = level >= 9 ? 2 : level <= 1 ? 4 : 0
        var output: [UInt8] = [0x1f, 0x8b, 8, flags]
        appendLittleEndian(modificationTime, to: &output)
        output += [extraFlags, 255]                                  // OS 255 = unknown
        if let fileName {
            output += fileName.utf8.filter { $0 != 0 }
            output.append(0)
        }
        output += Deflate.compress(bytes, level: level)
        appendLittleEndian(CRC32.checksum(of: bytes), to: &output)
        appendLittleEndian(UInt32(truncatingIfNeeded: bytes.count), to: &output)
        return output
    }

    /// Decompresses a gzip file, verifying every member's header, CRC-32 and ISIZE.
    ///
    /// - Throws: `CodecError` for a bad magic number or flags, truncation, malformed DEFLATE data,
    ///   checksum or length mismatches, trailing garbage, or output beyond `maxOutputSize`.
    public static func decompress(
        _ bytes: [UInt8], maxOutputSize: Int = DecodeLimits.defaultMaxOutputSize
    ) throws -> [UInt8] {
        let sink = ByteSink(expectedSize: bytes.count * 5, limit: maxOutputSize)
        try bytes.withUnsafeBufferPointer { input in
            var position = 0
            repeat {
                position = try decodeMember(input, at: position, into: sink)
            } while position < input.count
        }
        return sink.toArray()
    }

    /// Reads and decompresses a `.gz` file.
    public static func decompress(contentsOf url: URL,
                                  maxOutputSize: Int = DecodeLimits.defaultMaxOutputSize) throws -> [UInt8] {
        try decompress([UInt8](Data(contentsOf: url)), maxOutputSize: maxOutputSize)
    }

    /// True when `bytes` start with the gzip magic number.
    public static func hasMagicNumber(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: [0x1f, 0x8b])
    }

    /// Decodes the member starting at `start`; returns the index just past it.
    private static func decodeMember(_ input: UnsafeBufferPointer<UInt8>, at start: Int, into sink: ByteSink) throws -> Int {
        var position = start
        func need(_ count: Int, _ what: String) throws {
            guard input.count - position >= count else { throw CodecError.truncated(context: "gzip \(what)") }
        }
        try need(10, "header")
        guard input[position] == 0x1f, input[position + 1] == 0x8b else {
            throw CodecError.badHeader("not a gzip member (magic bytes \(input[position]) \(input[position + 1]), expected 31 139)")
        }
        guard input[position + 2] == 8 else {
            throw CodecError.badHeader("gzip compression method \(input[position + 2]), expected 8 (deflate)")
        }
        let flags = input[position + 3]
        guard flags & 0xE0 == 0 else { throw CodecError.badHeader("gzip reserved flag bits are set (FLG=\(flags))") }
        position += 10
        if flags & flagExtra != 0 {
            try need(2, "FEXTRA length")
            let extraLength = Int(input[position]) | Int(input[position + 1]) << 8
            position += 2
            try need(extraLength, "FEXTRA field")
            position += extraLength
        }
        for (flag, field) in [(flagName, "FNAME"), (flagComment, "FCOMMENT")] where flags & flag != 0 {
            guard let terminator = input[position...].firstIndex(of: 0) else {
                throw CodecError.truncated(context: "gzip \(field) field")
            }
            position = terminator + 1
        }
        if flags & flagHeaderCRC != 0 {
            try need(2, "header CRC")
            let declared = UInt32(input[position]) | UInt32(input[position + 1]) << 8
            let computed = CRC32.checksum(of: UnsafeBufferPointer(rebasing: input[start..<position])) & 0xFFFF
            guard declared == computed else {
                throw CodecError.checksumMismatch(kind: "gzip header CRC-16", declared: declared, computed: computed)
            }
            position += 2
        }

        let memberStart = sink.count
        position = try Deflate.inflate(input, from: position, into: sink)
        try need(8, "CRC-32/ISIZE trailer")
        let declaredCRC = UInt32(input[position]) | UInt32(input[position + 1]) << 8
            | UInt32(input[position + 2]) << 16 | UInt32(input[position + 3]) << 24
        let declaredSize = Int(input[position + 4]) | Int(input[position + 5]) << 8
            | Int(input[position + 6]) << 16 | Int(input[position + 7]) << 24
        let computedCRC = sink.withBytes(from: memberStart) { CRC32.checksum(of: $0) }
        guard declaredCRC == computedCRC else {
            throw CodecError.checksumMismatch(kind: "gzip CRC-32", declared: declaredCRC, computed: computedCRC)
        }
        let actualSize = (sink.count - memberStart) & 0xFFFF_FFFF
        guard declaredSize == actualSize else {
            throw CodecError.lengthMismatch(kind: "gzip ISIZE", declared: declaredSize, actual: actualSize)
        }
        return position + 8
    }
}
