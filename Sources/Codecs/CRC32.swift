/// CRC-32 as used by zlib, gzip and PNG (ISO 3309 / ITU-T V.42).
///
/// The polynomial is 0x04C11DB7, processed least-significant bit first, which is why the table is
/// built from its bit-reversed form 0xEDB88320. The register starts at all ones and the result is
/// complemented. The table-driven form consumes one byte per step: `table[i]` is the effect of
/// shifting byte `i` through the register eight times.
///
///     var crc = CRC32()
///     crc.update(header)
///     crc.update(body)
///     let value = crc.value          // or CRC32.checksum(of: bytes) in one go
///
/// Check value: `CRC32.checksum(of: Array("123456789".utf8)) == 0xCBF43926`.
public struct CRC32: Sendable {
    /// The running register, kept complemented as the algorithm prescribes.
    private var register: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The CRC of everything passed to `update` so far.
    public var value: UInt32 { ~register }

    /// Feeds more bytes into the checksum.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        var crc = register
        let table = crc32Table  // a local copy avoids the global's lazy-initialisation check per byte
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            for byte in buffer {
                crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
            }
        }
        if handled == nil {
            for byte in bytes {
                crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
            }
        }
        register = crc
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(of bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

/// `crc32Table[i]` = the register after shifting byte `i` through the reflected polynomial.
let crc32Table: [UInt32] = (0..<256).map { index in
    var value = UInt32(index)
    for _ in 0..<8 {
        value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
    }
    return value
}
