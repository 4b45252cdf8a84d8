import Codecs
import Testing

@Suite struct DeflateTests {
    /// Deterministic test inputs of different character.
    static func inputs() -> [(name: String, bytes: [UInt8])] {
        var random = SplitMix64(seed: 7)
        let noise = (0..<50_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let text = Array(String(repeating: "the cat sat on the mat; ", count: 2000).utf8)
        let ramps = (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 / 3) ^ ($0 >> 9)) }
        let skewed = (0..<40_000).map { _ in UInt8(random.next() % 100 < 90 ? 65 : random.next() % 8) }
        return [
            ("empty", []), ("one byte", [42]), ("two bytes", [1, 2]),
            ("zeros", [UInt8](repeating: 0, count: 100_000)),
            ("random", noise), ("text", text), ("ramps", ramps), ("skewed", skewed),
            ("random then text", noise + text),
        ]
    }

    @Test(arguments: [0, 1, 4, 6, 9])
    func roundTripsAtEveryLevel(level: Int) throws {
        for (name, bytes) in Self.inputs() {
            let compressed = Deflate.compress(bytes, level: level)
            let restored = try Deflate.decompress(compressed)
            #expect(restored == bytes, "\(name) at level \(level)")
        }
    }

    @Test func compressionRatiosAreSensible() throws {
        let inputs = Dictionary(uniqueKeysWithValues: Self.inputs().map { ($0.name, $0.bytes) })
        // Repetitive data shrinks enormously; random data may grow only by stored-block overhead.
        #expect(Deflate.compress(inputs["zeros"]!).count < 300)
        #expect(Deflate.compress(inputs["text"]!).count < 500)
        let noise = inputs["random"]!
        #expect(Deflate.compress(noise).count <= noise.count + 5 * (noise.count / 32768 + 1))
        // A skewed byte distribution needs dynamic Huffman codes to compress well (< 1 bit/byte here).
        #expect(Deflate.compress(inputs["skewed"]!).count < 40_000 / 4)
    }

    @Test func largeInputRoundTrips() throws {
        var random = SplitMix64(seed: 99)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(3_000_000)
        while bytes.count < 3_000_000 {
            // Words from a small vocabulary: long-distance matches and varied lengths.
            let word = Array("w\(random.next() % 5000) ".utf8)
            bytes += word
        }
        let compressed = Deflate.compress(bytes)
        #expect(compressed.count < bytes.count / 2)
        #expect(try Deflate.decompress(compressed) == bytes)
    }

    @Test func inflatesStreamsWrittenByPythonZlib() throws {
        let text = try TestPaths.fixture("sample.txt")
        #expect(try Deflate.decompress(TestPaths.fixture("sample-stored.deflate")) == text)
        #expect(try Deflate.decompress(TestPaths.fixture("sample-fixed.deflate")) == text)
        #expect(try Deflate.decompress(TestPaths.fixture("skewed-dynamic.deflate")) == TestPaths.fixture("skewed.txt"))
    }

    @Test func zlibRoundTripsAndReadsPythonOutput() throws {
        let text = try TestPaths.fixture("sample.txt")
        #expect(try Zlib.decompress(TestPaths.fixture("sample.zlib")) == text)
        let ours = Zlib.compress(text)
        #expect(ours[0] == 0x78 && (Int(ours[0]) << 8 | Int(ours[1])) % 31 == 0)
        #expect(try Zlib.decompress(ours) == text)
    }

    @Test func zlibRejectsDamage() throws {
        var stream = Zlib.compress(Array("hello hello hello".utf8))
        stream[stream.count - 1] ^= 1
        #expect {
            try Zlib.decompress(stream)
        } throws: { error in
            guard case CodecError.checksumMismatch(_, let declared, let computed) = error else { return false }
            return declared != computed && "\(error)".contains("declared")
        }
        #expect(throws: CodecError.self) { try Zlib.decompress([0x78]) }
        #expect(throws: CodecError.self) { try Zlib.decompress([0x79, 0x9C, 0x03, 0x00]) }
        #expect(throws: CodecError.self) { try Zlib.decompress(stream.dropLast(2) + []) }
    }

    @Test func inflateRejectsInvalidStreams() throws {
        // Block type 3 is reserved.
        #expect(throws: CodecError.invalidData("reserved block type 3")) { try Deflate.decompress([0x07]) }
        // Stored block whose NLEN is not the complement of LEN.
        #expect(throws: CodecError.self) { try Deflate.decompress([0x01, 0x05, 0x00, 0x00, 0x00]) }
        // Stored block announcing more bytes than present.
        #expect(throws: CodecError.truncated(context: "stored block")) {
            try Deflate.decompress([0x01, 0x05, 0x00, 0xFA, 0xFF, 1, 2])
        }
        // Empty input.
        #expect(throws: CodecError.self) { try Deflate.decompress([]) }
        // Fixed block: literal 'a', then length 3 at distance 1 with nothing before... distance 2.
        // Bits: BFINAL=1, BTYPE=01, then a back-reference with distance > output.
        let farBack = Deflate.compress(Array("abcabcabc".utf8), level: 1)
        #expect(try Deflate.decompress(farBack) == Array("abcabcabc".utf8))
        #expect(throws: CodecError.distanceTooFarBack(distance: 1, available: 0)) {
            try Deflate.decompress([0x03, 0x02, 0x00])   // fixed block: length-3 match at distance 1, empty window
        }
    }

    @Test func outputLimitStopsDecompressionBombs() {
        let bomb = Deflate.compress([UInt8](repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        #expect(throws: CodecError.outputLimitExceeded(limit: 1_000_000)) {
            try Deflate.decompress(bomb, maxOutputSize: 1_000_000)
        }
    }

    @Test func everyTruncationOfAStreamIsRejected() {
        let bytes = Array(String(repeating: "truncate me, please. ", count: 50).utf8)
        for level in [0, 6] {
            let stream = Deflate.compress(bytes, level: level)
            for length in 0..<stream.count {
                #expect(throws: CodecError.self) { try Deflate.decompress(Array(stream[..<length])) }
            }
        }
    }
}
