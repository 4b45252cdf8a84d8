/// A canonical Huffman code (RFC 1951, section 3.2.2) prepared for fast decoding.
///
/// DEFLATE transmits only the code *length* of each symbol; the codes themselves follow from the
/// lengths: shorter codes come first, and codes of equal length are assigned in symbol order.
/// Codes are packed into the stream starting with their most significant bit, while everything
/// else in DEFLATE is packed least-significant bit first; this is why codes are bit-reversed
/// before they are put in the lookup table.
///
/// Decoding has two paths:
/// - **fast**: the next `fastBits` bits of the stream index `fastTable`, which holds the symbol and
///   its length for every code of up to `fastBits` bits (each code fills all the entries that start
///   with it). Almost all symbols in practice are found here.
/// - **slow**: longer codes (entry 0) are decoded one bit at a time with the per-length counts,
///   the textbook canonical decoding loop.
struct HuffmanDecoder: Sendable {
    static let fastBits = 10
    static let fastMask: UInt64 = (1 << UInt64(fastBits)) - 1
    static let maxCodeLength = 15

    /// `symbol << 4 | length` for each `fastBits`-bit lookahead, or 0 when the code is longer.
    let fastTable: [UInt16]
    /// Number of codes of each length, indexed 0...15 (index 0 unused).
    let countPerLength: [Int]
    /// Symbols in canonical order: by code length, then by symbol value.
    let sortedSymbols: [UInt16]

    /// Builds the decoder for the given code lengths (0 = symbol unused).
    ///
    /// Like zlib, this rejects over-subscribed codes (more codes than the lengths can hold) and
    /// incomplete codes, except the one case the format needs: a code with a single symbol of
    /// length 1 (`allowSingleCode`), which the encoder uses when a block has one distance.
    /// An all-zero distance code (a block with literals only) is accepted too.
    init(codeLengths: ArraySlice<UInt8>, name: String, allowSingleCode: Bool) throws {
        var counts = [Int](repeating: 0, count: Self.maxCodeLength + 1)
        for length in codeLengths {
            guard length <= Self.maxCodeLength else {
                throw CodecError.invalidData("\(name) code length \(length) exceeds 15")
            }
            counts[Int(length)] += 1
        }
        counts[0] = 0
        let used = counts.reduce(0, +)

        // Kraft inequality: walk the lengths, tracking how many codes are still free.
        var free = 1
        for length in 1...Self.maxCodeLength {
            free = free * 2 - counts[length]
            if free < 0 {
                throw CodecError.invalidData("\(name) code lengths are over-subscribed")
            }
        }
        if free > 0 && used > 0 {
            let isSingleShortCode = used == 1 && counts[1] == 1
            guard allowSingleCode && isSingleShortCode else {
                throw CodecError.invalidData("\(name) code lengths are incomplete")
            }
        }
        if used == 0 && !allowSingleCode {
            throw CodecError.invalidData("\(name) code has no symbols")
        }

        // First canonical code of each length, then symbols in canonical order.
        var offsets = [Int](repeating: 0, count: Self.maxCodeLength + 2)
        for length in 1...Self.maxCodeLength {
            offsets[length + 1] = offsets[length] + counts[length]
        }
        var sorted = [UInt16](repeating: 0, count: used)
        var nextCode = [Int](repeating: 0, count: Self.maxCodeLength + 1)
        var code = 0
        for length in 1...Self.maxCodeLength {
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }

        var table = [UInt16](repeating: 0, count: 1 << Self.fastBits)
        for (index, length) in codeLengths.enumerated() where length != 0 {
            let length = Int(length)
            let symbol = index
            sorted[offsets[length]] = UInt16(symbol)
            offsets[length] += 1
            let code = nextCode[length]
            nextCode[length] += 1
            guard length <= Self.fastBits else { continue }
            let reversed = reverseBits(code, count: length)
            let entry = UInt16(symbol << 4 | length)
            var slot = reversed
            while slot < table.count {
                table[slot] = entry
                slot += 1 << length
            }
        }
        self.fastTable = table
        self.countPerLength = counts
        self.sortedSymbols = sorted
    }

    /// Decodes one symbol from the low bits of `bits`; returns the symbol and its code length.
    /// `bits` must hold at least 15 valid bits.
    @inline(__always)
    func decode(_ bits: UInt64) throws -> (symbol: Int, length: Int) {
        let entry = fastTable[Int(bits & Self.fastMask)]
        if entry != 0 {
            return (Int(entry >> 4), Int(entry & 15))
        }
        return try decodeLongCode(bits)
    }

    /// `decode` with the fast table passed as a buffer pointer, for the inflater's hot loop
    /// (saves the array's retain/release and bounds check per symbol).
    @inline(__always)
    func decode(_ bits: UInt64, fastTable: UnsafeBufferPointer<UInt16>) throws -> (symbol: Int, length: Int) {
        let entry = fastTable[Int(bits & Self.fastMask)]
        if entry != 0 {
            return (Int(entry >> 4), Int(entry & 15))
        }
        return try decodeLongCode(bits)
    }

    /// The canonical decoding loop: extend the code one bit at a time until it falls inside the
    /// range of codes of the current length.
    private func decodeLongCode(_ bits: UInt64) throws -> (symbol: Int, length: Int) {
        var code = 0      // the bits read so far, most significant first
        var first = 0     // the first code of the current length
        var index = 0     // index in sortedSymbols of that first code
        for length in 1...Self.maxCodeLength {
            code |= Int((bits >> UInt64(length - 1)) & 1)
            let count = countPerLength[length]
            if code - first < count {
                return (Int(sortedSymbols[index + code - first]), length)
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw CodecError.invalidData("bit pattern matches no Huffman code")
    }
}

/// The lowest `count` bits of `value` in reverse order.
@inline(__always)
func reverseBits(_ value: Int, count: Int) -> Int {
    var result = 0
    var value = value
    for _ in 0..<count {
        result = (result << 1) | (value & 1)
        value >>= 1
    }
    return result
}
