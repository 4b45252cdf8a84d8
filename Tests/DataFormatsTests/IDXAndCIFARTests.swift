import Codecs
import DataFormats
import Foundation
import Testing

@Suite struct IDXTests {
    @Test func readsPlainAndGzippedFiles() throws {
        for name in ["tiny-images-idx3-ubyte", "tiny-images-idx3-ubyte.gz"] {
            let array = try IDX.parse(TestPaths.fixture(name))
            #expect(array.elementType == .uint8 && array.shape == [2, 3, 4], "\(name)")
            #expect(try array.uint8Values() == Array(0..<24))
        }
        let shorts = try IDX.parse(TestPaths.fixture("shorts-idx1-int16"))
        #expect(shorts.elementType == .int16 && shorts.floatValues() == [-2, 300, 7])
        #expect(throws: DataFormatError.self) { try shorts.uint8Values() }
    }

    @Test func readsTheMNISTTestSet() throws {
        let labels = try IDX.read(contentsOf: TestPaths.mnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(labels.shape == [10_000])
        #expect(Array(try labels.uint8Values().prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let images = try IDX.read(contentsOf: TestPaths.mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        #expect(images.shape == [10_000, 28, 28])
    }

    @Test func validatesSizes() throws {
        let file = try TestPaths.fixture("tiny-images-idx3-ubyte")
        #expect(throws: DataFormatError.sizeMismatch(context: "IDX [2, 3, 4] of uint8", expected: 24, actual: 23)) {
            try IDX.parse(Array(file.dropLast()))
        }
        #expect(throws: DataFormatError.self) { try IDX.parse(file + [0]) }
        #expect(throws: DataFormatError.self) { try IDX.parse([0, 0, 0x07, 1, 0, 0, 0, 0]) }   // unknown type
        #expect(throws: DataFormatError.self) { try IDX.parse([0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: DataFormatError.self) { try IDX.parse(Gzip.compress(file).dropLast(3) + []) }
    }
}

@Suite struct CIFAR10Tests {
    @Test func readsRecords() throws {
        let batch = try CIFAR10Batch(bytes: TestPaths.fixture("two-records.bin"))
        #expect(batch.count == 2 && batch.labels == [3, 9])
        // python: (np.arange(3072) * (label + 1) % 256)[[0, 1, 1024, 3071]] for label 3
        let first = Array(batch.image(at: 0))
        #expect([first[0], first[1], first[1024], first[3071]] == [0, 4, 0, 252])
        #expect(batch.image(at: 1)[batch.image(at: 1).startIndex + 1] == 10)
        #expect(CIFAR10Batch.classNames[Int(batch.labels[0])] == "cat")
        #expect(try CIFAR10Batch(bytes: batch.encoded()) == batch)
    }

    @Test func rejectsBadBatches() throws {
        let file = try TestPaths.fixture("two-records.bin")
        #expect(throws: DataFormatError.self) { try CIFAR10Batch(bytes: Array(file.dropLast())) }
        var badLabel = file
        badLabel[3073] = 10
        #expect(throws: DataFormatError.self) { try CIFAR10Batch(bytes: badLabel) }
        #expect(try CIFAR10Batch(bytes: []).count == 0)
    }
}
