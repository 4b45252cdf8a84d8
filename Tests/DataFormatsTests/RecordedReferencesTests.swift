import Codecs
@testable import DataFormats
import Foundation
import Testing

@Suite("Recorded references: the student edition's answer file")
struct RecordedReferencesTests {
    static func key(_ n: UInt8) -> [UInt8] { [UInt8](repeating: n, count: 31) + [n &* 7] }

    static let sample: [RecordedEntry] = [
        RecordedEntry(key: key(3), label: "1.1 activations(of:at:for:)", value: .tensor(shape: [1, 2, 2], data: [1, -2, .pi, -0.0])),
        RecordedEntry(key: key(1), label: "1.4 confidence(of:for:)", value: .list([.list([.integers([7]), .floats([0.5])]), .text("é ✓")])),
        RecordedEntry(key: key(2), label: "9.2 pca", value: .doubles([1e300, -.leastNonzeroMagnitude, .nan])),
        RecordedEntry(key: key(4), label: "throws", value: .thrown("unknown layer 'conv9'")),
        RecordedEntry(key: key(5), label: "empty", value: .tensor(shape: [0, 3], data: [])),
    ]

    @Test("entries round-trip bit for bit, NaN, −0 and empty tensors included")
    func roundTrip() throws {
        let decoded = try RecordedReferences.decode(try RecordedReferences.encode(Self.sample))
        #expect(decoded.map(\.key) == Self.sample.map(\.key).sorted { $0.lexicographicallyPrecedes($1) })
        for entry in Self.sample {
            let back = try #require(decoded.first { $0.key == entry.key })
            #expect(back.label == entry.label)
            // NaN ≠ NaN: compare what was written, the encoding of the value.
            #expect(try RecordedReferences.encode([back]) == RecordedReferences.encode([entry]))
        }
        if case let .tensor(_, data) = decoded.first(where: { $0.label.hasPrefix("1.1") })!.value {
            #expect(data.map(\.bitPattern) == [1, -2, Float.pi, -0.0].map(\.bitPattern))
        }
    }

    @Test("the bytes depend on the entries only, not on their order; a repeated entry is stored once")
    func deterministic() throws {
        let a = try RecordedReferences.encode(Self.sample)
        let b = try RecordedReferences.encode(Self.sample.reversed() + [Self.sample[0]])
        #expect(a == b)
        #expect(try RecordedReferences.decode(a).count == Self.sample.count)
    }

    @Test("one key with two values is refused: the reference was not deterministic")
    func conflictingValues() throws {
        let twice = [Self.sample[0], RecordedEntry(key: Self.key(3), label: "1.1 activations(of:at:for:)", value: .floats([1]))]
        #expect(throws: DataFormatError.self) { try RecordedReferences.encode(twice) }
    }

    @Test("a damaged, truncated or edited file is refused with one line, never trusted")
    func damageIsRefused() throws {
        let bytes = try RecordedReferences.encode(Self.sample)
        for cut in [0, 5, 8, 16, bytes.count / 2, bytes.count - 1] {
            #expect(throws: DataFormatError.self) { try RecordedReferences.decode(Array(bytes.prefix(cut))) }
        }
        // Every single-byte change is caught (by the magic, the length, zlib or the checksum), or
        // changes nothing read: deflate ignores the padding bits after its last block.
        let original = try RecordedReferences.encode(try RecordedReferences.decode(bytes))
        for position in stride(from: 0, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[position] ^= 0x40
            if let entries = try? RecordedReferences.decode(damaged) {
                #expect(try RecordedReferences.encode(entries) == original, "byte \(position) changed what was read, unnoticed")
            }
        }
        // A body edited and resealed with a fresh checksum still has to be well formed.
        var body = try RecordedReferences.encode(Self.sample)
        body = try Zlib.decompress(Array(body[16..<(body.count - 32)]))
        body[4 + 32 + 2 + 27] = 99                                  // first entry's value tag
        #expect(throws: DataFormatError.self) { try RecordedReferences.decode(RecordedReferences.seal(body)) }
    }

    @Test("counts are checked against the bytes that remain before anything is allocated")
    func hugeCountsAreRefused() throws {
        // Four billion entries declared in a 4-byte body.
        #expect(throws: DataFormatError.self) { try RecordedReferences.decodeBody([0xFF, 0xFF, 0xFF, 0xFF]) }
        // A tensor declaring 2⁶³ elements.
        var body: [UInt8] = [1, 0, 0, 0] + Self.key(1) + [0, 0, 1, 1, 0, 0, 0]
        body += [UInt8](repeating: 0xFF, count: 7) + [0x7F] + [UInt8](repeating: 0xFF, count: 7) + [0x7F]
        #expect(throws: DataFormatError.self) { try RecordedReferences.decodeBody(body) }
        // A body length over the limit, refused before decompressing.
        var header = RecordedReferences.magic + [UInt8](repeating: 0xFF, count: 8)
        header += [UInt8](repeating: 0, count: 40)
        #expect(throws: DataFormatError.self) { try RecordedReferences.decode(header) }
    }

    @Test("a journal is the concatenation of one-entry records")
    func journal() throws {
        let records = try Self.sample.map(RecordedReferences.journalRecord).reduce([], +)
        let entries = try RecordedReferences.journalEntries(records)
        #expect(try RecordedReferences.encode(entries) == RecordedReferences.encode(Self.sample))
        #expect(throws: DataFormatError.self) { try RecordedReferences.journalEntries(Array(records.dropLast())) }
    }

    @Test("mutated bodies, resealed so the checksum passes, parse or throw: never trap or hang")
    func bodyFuzz() throws {
        let body = try Zlib.decompress(Array(try RecordedReferences.encode(Self.sample).dropFirst(16).dropLast(32)))
        var fuzzer = MutationFuzzer(seed: 31)
        let report = fuzzer.run(seeds: [body], iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try RecordedReferences.decode(RecordedReferences.seal($0))
        }
        print("recorded-references fuzz: \(report)")
        #expect(report.iterations > 0)
        #expect(report.slowCount == 0, "\(report)")
    }
}
