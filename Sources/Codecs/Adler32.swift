/// Adler-32, the checksum in the zlib trailer (RFC 1950, section 8.2).
///
/// Two running sums modulo 65521 (the largest prime below 2^16): `a` is 1 plus the sum of all bytes,
/// `b` the sum of the successive values of `a`. The result is `b << 16 | a`. Reducing only every
/// 5552 bytes is the standard trick: 5552 is the most bytes for which `b` cannot overflow 32 bits.
public struct Adler32: Sendable {
    private var a: UInt32 = 1
    private var b: UInt32 = 0
    private static let modulus: UInt32 = 65521
    private static let blockLength = 5552

    public init() {}

    /// The checksum of everything passed to `update` so far.
    public var value: UInt32 { (b << 16) | a }

    /// Feeds more bytes into the checksum.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(start + Self.blockLength, buffer.count)
                for index in start..<end {
                    a &+= UInt32(buffer[index])
                    b &+= a
                }
                a %= Self.modulus
                b %= Self.modulus
                start = end
            }
        }
        if handled == nil {
            update(Array(bytes))
        }
    }

    /// The Adler-32 of `bytes`.
    public static func checksum(of bytes: some Sequence<UInt8>) -> UInt32 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }
}
