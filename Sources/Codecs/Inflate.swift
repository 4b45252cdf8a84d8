/// DEFLATE decompression ("inflate", RFC 1951).
///
/// A DEFLATE stream is a sequence of blocks, each starting with a 3-bit header: one bit that marks
/// the last block and two bits for the block type:
/// - 0, **stored**: byte-aligned `LEN`, `NLEN` (its one's complement) and `LEN` raw bytes;
/// - 1, **fixed Huffman**: literals/lengths and distances use codes defined by the RFC;
/// - 2, **dynamic Huffman**: the block first describes its own codes (as code lengths, themselves
///   Huffman-coded and run-length encoded), then uses them.
/// Inside Huffman blocks, symbols 0–255 are literal bytes, 256 ends the block and 257–285 start a
/// back-reference (length, then a distance symbol) that copies earlier output (LZ77).
extension Deflate {
    /// Decompresses a raw DEFLATE stream (no zlib or gzip wrapper).
    ///
    /// - Parameters:
    ///   - bytes: the compressed stream; bytes after its final block are an error.
    ///   - maxOutputSize: the most bytes the result may have; larger output throws
    ///     `CodecError.outputLimitExceeded` instead of exhausting memory.
    /// - Throws: `CodecError` for truncated, malformed or oversized input.
    public static func decompress(
        _ bytes: [UInt8], maxOutputSize: Int = DecodeLimits.defaultMaxOutputSize
    ) throws -> [UInt8] {
        let sink = ByteSink(expectedSize: bytes.count * 4, limit: maxOutputSize)
        let end = try bytes.withUnsafeBufferPointer { try inflate($0, from: 0, into: sink) }
        guard end == bytes.count else { throw CodecError.trailingData(count: bytes.count - end) }
        return sink.toArray()
    }

    /// Inflates the stream starting at `input[start]`, appending to `sink`; returns the index of
    /// the first byte after the stream (used by the zlib and gzip wrappers to find their trailers).
    static func inflate(_ input: UnsafeBufferPointer<UInt8>, from start: Int, into sink: ByteSink) throws -> Int {
        var inflater = Inflater(input: input, position: start, output: sink)
        try inflater.decodeAllBlocks()
        return try inflater.alignToByteAndReturnPosition()
    }
}

/// The decoder state: a 64-bit bit buffer over the input, and the output sink.
///
/// Bits are consumed from the low end of `bitBuffer`. `refill` tops it up to at least 56 bits,
/// enough for the longest item in the format (a 15-bit length code with 5 extra bits plus a
/// 15-bit distance code with 13 extra bits = 48 bits), so the hot loop refills once per symbol.
/// Past the end of the input, refill supplies zero bytes and counts them in `phantomBytes`; a
/// stream that actually *consumes* them is truncated, which `checkNotOverrun` reports. This keeps
/// the length checks out of the hot loop.
private struct Inflater {
    let input: UnsafeBufferPointer<UInt8>
    var position: Int
    let output: ByteSink
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var phantomBytes = 0

    init(input: UnsafeBufferPointer<UInt8>, position: Int, output: ByteSink) {
        self.input = input
        self.position = position
        self.output = output
        output.windowStart = output.count
    }

    // MARK: Bit buffer

    @inline(__always)
    mutating func refill() throws {
        if position + 8 <= input.count, let base = input.baseAddress {
            // Load 8 bytes at once; keep the whole bytes that fit above the bits we hold.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            bitBuffer |= word << UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 {
                if position < input.count {
                    bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                    position += 1
                } else {
                    phantomBytes += 1
                    if phantomBytes > 16 { throw CodecError.truncated(context: "DEFLATE stream") }
                }
                bitCount += 8
            }
        }
    }

    @inline(__always)
    func peek(_ count: Int) -> Int { Int(bitBuffer & ((1 << UInt64(count)) - 1)) }

    @inline(__always)
    mutating func consume(_ count: Int) {
        bitBuffer >>= UInt64(count)
        bitCount -= count
    }

    @inline(__always)
    mutating func read(_ count: Int) -> Int {
        let value = peek(count)
        consume(count)
        return value
    }

    /// Throws if decoding used bits that were not in the input.
    func checkNotOverrun() throws {
        if bitCount < phantomBytes * 8 { throw CodecError.truncated(context: "DEFLATE stream") }
    }

    /// Drops the bits up to the next byte boundary and hands the whole bytes still in the bit
    /// buffer back to the input, so that `position` is the next unread byte.
    mutating func alignToByteAndReturnPosition() throws -> Int {
        try checkNotOverrun()
        consume(bitCount & 7)
        let realBytes = bitCount / 8 - phantomBytes
        position -= realBytes
        bitBuffer = 0
        bitCount = 0
        phantomBytes = 0
        return position
    }

    // MARK: Blocks

    mutating func decodeAllBlocks() throws {
        var isLastBlock = false
        while !isLastBlock {
            try refill()
            isLastBlock = read(1) == 1
            switch read(2) {
            case 0:
                try decodeStoredBlock()
            case 1:
                try decodeHuffmanBlock(literals: fixedLiteralDecoder, distances: fixedDistanceDecoder)
            case 2:
                let (literals, distances) = try readDynamicCodes()
                try decodeHuffmanBlock(literals: literals, distances: distances)
            default:
                throw CodecError.invalidData("reserved block type 3")
            }
            try checkNotOverrun()
        }
    }

    mutating func decodeStoredBlock() throws {
        position = try alignToByteAndReturnPosition()
        guard input.count - position >= 4 else { throw CodecError.truncated(context: "stored block header") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == complement ^ 0xFFFF else {
            throw CodecError.invalidData("stored block length \(length) does not match its complement")
        }
        position += 4
        guard input.count - position >= length else { throw CodecError.truncated(context: "stored block") }
        try output.append(UnsafeBufferPointer(rebasing: input[position..<(position + length)]))
        position += length
    }

    /// Reads the code-length description at the start of a dynamic block (RFC 1951, 3.2.7).
    mutating func readDynamicCodes() throws -> (HuffmanDecoder, HuffmanDecoder) {
        try refill()
        let literalCount = read(5) + 257
        let distanceCount = read(5) + 1
        let codeLengthCount = read(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw CodecError.invalidData("too many length (\(literalCount)) or distance (\(distanceCount)) symbols")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for index in 0..<codeLengthCount {
            // Up to 19 × 3 = 57 bits: more than one refill guarantees (56), so refill as we go.
            if bitCount < 3 { try refill() }
            codeLengthLengths[codeLengthOrder[index]] = UInt8(read(3))
        }
        let codeLengthDecoder = try HuffmanDecoder(
            codeLengths: codeLengthLengths[...], name: "code-length", allowSingleCode: false)

        // Literal/length and distance code lengths form one run-length coded sequence.
        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var index = 0
        while index < total {
            try refill()
            let (symbol, codeLength) = try codeLengthDecoder.decode(bitBuffer)
            consume(codeLength)
            var repeatedValue: UInt8 = 0
            var repeatCount: Int
            switch symbol {
            case 0...15:
                lengths[index] = UInt8(symbol)
                index += 1
                continue
            case 16:
                guard index > 0 else { throw CodecError.invalidData("repeat code 16 with no previous length") }
                repeatedValue = lengths[index - 1]
                repeatCount = 3 + read(2)
            case 17:
                repeatCount = 3 + read(3)
            default:
                repeatCount = 11 + read(7)
            }
            guard index + repeatCount <= total else {
                throw CodecError.invalidData("code length repeat runs past the end of the table")
            }
            for _ in 0..<repeatCount {
                lengths[index] = repeatedValue
                index += 1
            }
        }
        try checkNotOverrun()
        guard lengths[256] != 0 else { throw CodecError.invalidData("the end-of-block symbol has no code") }
        let literals = try HuffmanDecoder(
            codeLengths: lengths[0..<literalCount], name: "literal/length", allowSingleCode: true)
        let distances = try HuffmanDecoder(
            codeLengths: lengths[literalCount...], name: "distance", allowSingleCode: true)
        return (literals, distances)
    }

    /// The hot loop: literals, back-references and the end-of-block symbol.
    mutating func decodeHuffmanBlock(literals: HuffmanDecoder, distances: HuffmanDecoder) throws {
        try literals.fastTable.withUnsafeBufferPointer { literalTable in
            try distances.fastTable.withUnsafeBufferPointer { distanceTable in
                try decodeSymbols(literals: literals, literalTable: literalTable,
                                  distances: distances, distanceTable: distanceTable)
            }
        }
    }

    @inline(__always)
    private mutating func decodeSymbols(
        literals: HuffmanDecoder, literalTable: UnsafeBufferPointer<UInt16>,
        distances: HuffmanDecoder, distanceTable: UnsafeBufferPointer<UInt16>
    ) throws {
        let lengthBase = lengthBases, lengthExtra = lengthExtraBits
        let distanceBase = distanceBases, distanceExtra = distanceExtraBits
        while true {
            try refill()
            let (symbol, codeLength) = try literals.decode(bitBuffer, fastTable: literalTable)
            consume(codeLength)
            if symbol < 256 {
                try output.append(UInt8(truncatingIfNeeded: symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw CodecError.invalidData("invalid length symbol \(symbol)") }
            let length = lengthBase[lengthIndex] + read(lengthExtra[lengthIndex])
            let (distanceSymbol, distanceCodeLength) = try distances.decode(bitBuffer, fastTable: distanceTable)
            consume(distanceCodeLength)
            guard distanceSymbol < 30 else {
                throw CodecError.invalidData("invalid distance symbol \(distanceSymbol)")
            }
            let distance = distanceBase[distanceSymbol] + read(distanceExtra[distanceSymbol])
            try output.copyMatch(distance: distance, length: length)
        }
    }
}

/// The order in which code-length code lengths are transmitted (most likely used first).
let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/// Match lengths for symbols 257...285: base value and number of extra bits.
let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                   35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                       3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
/// Distances for symbols 0...29: base value and number of extra bits.
let distanceBases = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                     257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                         7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

/// The fixed code lengths of RFC 1951, 3.2.6.
let fixedLiteralLengths: [UInt8] =
    [UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112)
    + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8)
let fixedDistanceLengths = [UInt8](repeating: 5, count: 32)

// These tables are valid by construction, so building them cannot fail.
private let fixedLiteralDecoder = try! HuffmanDecoder(
    codeLengths: fixedLiteralLengths[...], name: "fixed literal", allowSingleCode: false)
private let fixedDistanceDecoder = try! HuffmanDecoder(
    codeLengths: fixedDistanceLengths[...], name: "fixed distance", allowSingleCode: false)
