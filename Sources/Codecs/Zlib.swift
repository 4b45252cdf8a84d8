/// The zlib format (RFC 1950): a 2-byte header, a DEFLATE stream and a big-endian Adler-32 of the
/// uncompressed data. PNG image data is stored this way.
///
/// Header: `CMF` (low nibble: method 8 = deflate; high nibble: log2(window size) − 8, at most 7)
/// and `FLG` (bit 5: a preset dictionary follows, unsupported here; the whole 16-bit header must
/// be a multiple of 31, a cheap integrity check).
public enum Zlib {
    /// Compresses `bytes` into a zlib stream (32 KiB window, no dictionary).
    public static func compress(_ bytes: [UInt8], level: Int = 6) -> [UInt8] {
        let levelHint = level <= 1 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3
        let cmf = 0x78                              // deflate, 32 KiB window
        var flg = levelHint << 6
        flg += 31 - (cmf << 8 | flg) % 31           // make the header a multiple of 31
        var output: [UInt8] = [UInt8(cmf), UInt8(flg)]
        output += Deflate.compress(bytes, level: level)
        appendBigEndian(Adler32.checksum(of: bytes), to: &output)
        return output
    }

    /// Decompresses a zlib stream, verifying the header and the Adler-32 trailer.
    ///
    /// - Throws: `CodecError` (bad header, preset dictionary, malformed data, checksum mismatch,
    ///   truncation, trailing bytes, output beyond `maxOutputSize`).
    public static func decompress(
        _ bytes: [UInt8], maxOutputSize: Int = DecodeLimits.defaultMaxOutputSize
    ) throws -> [UInt8] {
        try decompress(bytes, maxOutputSize: maxOutputSize) { Array($0) }
    }

    /// `decompress(_:maxOutputSize:)` that lends the output to `body` instead of copying it into
    /// an array: for large outputs (a PNG's scanlines) this halves the peak memory. The buffer
    /// is valid only during the call.
    public static func decompress<R>(
        _ bytes: [UInt8], maxOutputSize: Int = DecodeLimits.defaultMaxOutputSize,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) throws -> R {
        guard bytes.count >= 2 else { throw CodecError.truncated(context: "zlib header") }
        let cmf = Int(bytes[0]), flg = Int(bytes[1])
        guard cmf & 0x0F == 8 else { throw CodecError.badHeader("zlib compression method \(cmf & 0x0F), expected 8 (deflate)") }
        guard cmf >> 4 <= 7 else { throw CodecError.badHeader("zlib window size exponent \(cmf >> 4) exceeds 7") }
        guard (cmf << 8 | flg) % 31 == 0 else { throw CodecError.badHeader("zlib header check bits are wrong") }
        guard flg & 0x20 == 0 else { throw CodecError.badHeader("zlib preset dictionaries are not supported") }

        let sink = ByteSink(expectedSize: bytes.count * 4, limit: maxOutputSize)
        let end = try bytes.withUnsafeBufferPointer { try Deflate.inflate($0, from: 2, into: sink) }
        guard bytes.count - end >= 4 else { throw CodecError.truncated(context: "zlib Adler-32 trailer") }
        let declared = readBigEndian(bytes, at: end)
        let computed = sink.withBytes(from: 0) { Adler32.checksum(of: $0) }
        guard declared == computed else {
            throw CodecError.checksumMismatch(kind: "zlib Adler-32", declared: declared, computed: computed)
        }
        guard end + 4 == bytes.count else { throw CodecError.trailingData(count: bytes.count - end - 4) }
        return try sink.withBytes(from: 0, body)
    }
}

func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
              UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
}

func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
              UInt8(truncatingIfNeeded: value >> 16), UInt8(value >> 24)]
}

func readBigEndian(_ bytes: [UInt8], at index: Int) -> UInt32 {
    UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
}

func readLittleEndian(_ bytes: [UInt8], at index: Int) -> UInt32 {
    UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
}
