import Codecs
import Foundation
import Testing

@Suite struct GzipTests {
    @Test func readsPythonGzipOutput() throws {
        let text = try TestPaths.fixture("sample.txt")
        #expect(try Gzip.decompress(TestPaths.fixture("sample.gz")) == text)
    }

    @Test func readsEveryOptionalHeaderField() throws {
        // FEXTRA + FNAME + FCOMMENT + FHCRC, built by make_fixtures.py.
        let text = try TestPaths.fixture("sample.txt")
        #expect(try Gzip.decompress(TestPaths.fixture("all-header-fields.gz")) == text)
    }

    @Test func detectsAWrongHeaderCRC() throws {
        var file = try TestPaths.fixture("all-header-fields.gz")
        file[12] ^= 0xFF  // inside FEXTRA, covered by the header CRC
        #expect(throws: CodecError.self) { try Gzip.decompress(file) }
    }

    @Test func concatenatesMembers() throws {
        #expect(try Gzip.decompress(TestPaths.fixture("two-members.gz")) == Array("first member, second member".utf8))
    }

    @Test func roundTripsWithAFileName() throws {
        let bytes = Array(String(repeating: "gzip round trip ", count: 100).utf8)
        let file = Gzip.compress(bytes, fileName: "trip.txt")
        #expect(Gzip.hasMagicNumber(file))
        #expect(try Gzip.decompress(file) == bytes)
        #expect(try Gzip.decompress(Gzip.compress([])) == [])
    }

    @Test func verifiesTheTrailer() throws {
        let bytes = Array("checksum me".utf8)
        var badCRC = Gzip.compress(bytes)
        badCRC[badCRC.count - 8] ^= 0x01
        #expect {
            try Gzip.decompress(badCRC)
        } throws: { error in
            let text = "\(error)"
            return text.contains("CRC-32") && text.contains("declared") && text.contains("computed")
        }
        var badSize = Gzip.compress(bytes)
        badSize[badSize.count - 4] &+= 1
        #expect(throws: CodecError.lengthMismatch(kind: "gzip ISIZE", declared: bytes.count + 1, actual: bytes.count)) {
            try Gzip.decompress(badSize)
        }
        #expect(throws: CodecError.self) { try Gzip.decompress(Gzip.compress(bytes) + [0x1f]) }
        #expect(throws: CodecError.self) { try Gzip.decompress([0x1f, 0x8c, 8, 0, 0, 0, 0, 0, 0, 255]) }
    }

    @Test func decodesMNISTTestLabels() throws {
        let url = TestPaths.mnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        let compressed = try [UInt8](Data(contentsOf: url))
        #expect(SHA256.hash(of: compressed).hexString == "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b")
        let raw = try Gzip.decompress(compressed)
        // Datasets/mnist/RAW-SHA256
        #expect(SHA256.hash(of: raw).hexString == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
        #expect(raw.count == 8 + 10_000)
        #expect(Array(raw[8..<18]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    }

    /// The speed requirement: the 9.9 MB MNIST training images gzip inflates well under a second
    /// in optimised code (Codecs is always compiled with -O).
    @Test func inflatesMNISTTrainingImagesQuickly() throws {
        let url = TestPaths.mnist.appendingPathComponent("train-images-idx3-ubyte.gz")
        let compressed = try [UInt8](Data(contentsOf: url))
        let clock = ContinuousClock()
        var raw: [UInt8] = []
        let elapsed = try clock.measure { raw = try Gzip.decompress(compressed) }
        print("MNIST training images: inflated \(compressed.count) -> \(raw.count) bytes in \(elapsed)")
        #expect(raw.count == 47_040_016)
        #expect(elapsed < .seconds(2), "inflating took \(elapsed)")
        #expect(SHA256.hash(of: raw).hexString == "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db")
    }
}
