// The entropy-coded layer of a JPEG (ITU-T T.81, Annex C and F.2): Huffman tables built from a
// DHT segment, and a bit reader over the scan's bytes that removes the stuffed zero after each
// 0xFF and stops at the next marker.

/// One Huffman table (ITU-T T.81 Annex C), decoded with a 9-bit lookup table for the common short
/// codes and the canonical `maxCode`/`valuePointer` walk (Annex F.2.2.3) for the longer ones.
struct JPEGHuffmanTable: Sendable {
    static let lookupBits = 9

    /// `lookup[next 9 bits]`: code length in the high byte (0: longer than 9 bits), symbol in the low byte.
    private(set) var lookup = [UInt16](repeating: 0, count: 1 << lookupBits)
    /// For each code length 1...16: the largest code of that length (−1: none), and the index in
    /// `values` of the first code of that length minus that code.
    private(set) var maxCode = [Int32](repeating: -1, count: 17)
    private(set) var valueOffset = [Int32](repeating: 0, count: 17)
    private(set) var values: [UInt8]

    /// Builds the table from the 16 code-length counts and the symbols of a DHT segment.
    /// - Throws: `JPEGError.invalid` when the counts describe more codes than the lengths allow
    ///   (a code of all ones of its length, or beyond), or a DC table has a symbol above 15.
    init(counts: [Int], values: [UInt8], isDC: Bool) throws {
        guard counts.count == 16, counts.reduce(0, +) == values.count, values.count <= 256 else {
            throw JPEGError.invalid("Huffman table: \(values.count) symbols for counts summing to \(counts.reduce(0, +))")
        }
        if isDC, let bad = values.first(where: { $0 > 15 }) {
            throw JPEGError.invalid("DC Huffman table holds the category \(bad) (at most 15)")
        }
        self.values = values
        var code: Int32 = 0
        var index = 0
        for length in 1...16 {
            let count = counts[length - 1]
            if count > 0 {
                valueOffset[length] = Int32(index) - code
                for _ in 0..<count {
                    // Each code must fit in its length, the all-ones code left unused (T.81 C.2).
                    guard code + 1 < (Int32(1) << length) else {
                        throw JPEGError.invalid("Huffman table: too many codes of length \(length) or less")
                    }
                    if length <= Self.lookupBits {
                        // Every 9-bit pattern that starts with this code decodes to it.
                        let shift = Self.lookupBits - length
                        let first = Int(code) << shift
                        for pattern in first..<(first + (1 << shift)) {
                            lookup[pattern] = UInt16(length) << 8 | UInt16(values[index])
                        }
                    }
                    code += 1
                    index += 1
                }
                maxCode[length] = code - 1
            }
            code <<= 1
        }
    }

    /// The symbol of the code at the front of `reader`.
    /// - Throws: `JPEGError.invalid` when the next 16 bits start no code of this table.
    @inline(__always)
    func decode(_ reader: inout JPEGBitReader) throws -> UInt8 {
        reader.fill()
        let peek = Int(truncatingIfNeeded: reader.peek(Self.lookupBits))
        let entry = lookup[peek]
        let length = Int(entry >> 8)
        if length > 0 {
            reader.skip(length)
            return UInt8(truncatingIfNeeded: entry)
        }
        // Longer than the lookup: walk the lengths 10...16 (Annex F.2.2.3).
        let sixteen = Int32(truncatingIfNeeded: reader.peek(16))
        var length16 = Self.lookupBits + 1
        var code = sixteen >> Int32(16 - length16)
        while code > maxCode[length16] {
            length16 += 1
            if length16 > 16 { break }
            code = sixteen >> Int32(16 - length16)
        }
        guard length16 <= 16 else { throw JPEGError.invalid("corrupt entropy-coded data: a bit pattern no Huffman code starts") }
        reader.skip(length16)
        let at = Int(valueOffset[length16] + code)
        guard at >= 0 && at < values.count else { throw JPEGError.invalid("corrupt entropy-coded data: a Huffman code without a symbol") }
        return values[at]
    }
}

/// Reads the entropy-coded bits of a scan, most significant bit first.
///
/// A 0xFF byte in the data is followed by a stuffed 0x00 that is not data (T.81 F.1.2.3). Any
/// other byte after 0xFF is a marker: the reader stops in front of it and supplies zero bits from
/// then on, counting them (`phantomBits`), so a decoder that needs more bits than the scan holds
/// can tell truncated data from the padding of the last byte.
struct JPEGBitReader {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to load.
    private(set) var position: Int
    private var buffer: UInt64 = 0
    private var count = 0
    /// Zero bits supplied past the end of the data (a marker, or the end of the file).
    private(set) var phantomBits = 0

    init(bytes: UnsafeBufferPointer<UInt8>, position: Int) {
        self.bytes = bytes
        self.position = position
    }

    /// Tops the buffer up to at least 57 bits.
    @inline(__always)
    mutating func fill() {
        while count <= 56 {
            var byte: UInt8 = 0
            if position < bytes.count {
                byte = bytes[position]
                if byte == 0xFF {
                    let next = position + 1 < bytes.count ? bytes[position + 1] : 0xD9
                    if next == 0x00 {
                        position += 2
                    } else {
                        byte = 0
                        phantomBits += 8
                    }
                } else {
                    position += 1
                }
            } else {
                phantomBits += 8
            }
            buffer |= UInt64(byte) << UInt64(56 - count)
            count += 8
        }
    }

    /// The next `n` bits (1...16) without consuming them; `fill()` first.
    @inline(__always)
    func peek(_ n: Int) -> UInt32 { UInt32(truncatingIfNeeded: buffer >> UInt64(64 - n)) }

    @inline(__always)
    mutating func skip(_ n: Int) {
        buffer <<= UInt64(n)
        count -= n
    }

    /// The next `n` bits (0...16) as an unsigned number.
    @inline(__always)
    mutating func bits(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        fill()
        let value = Int(peek(n))
        skip(n)
        return value
    }

    @inline(__always)
    mutating func bit() -> Bool { bits(1) != 0 }

    /// `n` bits read as the signed value of magnitude category `n` (T.81 F.2.2.1, EXTEND).
    @inline(__always)
    mutating func signed(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        let value = bits(n)
        return value < (1 << (n - 1)) ? value - (1 << n) + 1 : value
    }

    /// Whether the decoder consumed bits that are not in the data (it ran into a marker or the end).
    var ranPastData: Bool { phantomBits > count }

    /// Drops the buffered bits (the padding of the last byte before a marker) and any zeros it
    /// supplied: the reader continues at `position`, in front of the marker.
    mutating func reset() {
        buffer = 0
        count = 0
        phantomBits = 0
    }

    /// Moves to `position` (after a restart marker) with an empty buffer.
    mutating func restart(at newPosition: Int) {
        reset()
        position = newPosition
    }
}
