import Codecs
import DataFormats
import Foundation
import Testing
import TestSupport
@testable import ModelZoo
import TensorEngine

@Suite("Decoy MNIST", .maintainers, .maintainers)
struct DecoyMNISTTests {
    static let clean = Result { try DatasetFiles.mnist(.training) }
    static let cleanTest = Result { try DatasetFiles.mnist(.test) }
    static func bytes(_ images: LabeledImages) -> [UInt8] { images.pixels.map { UInt8(($0 * 255).rounded()) } }

    @Test("corners and masks: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right, 16 pixels each")
    func corners() {
        #expect(DecoyMNIST.origin(ofCorner: 0) == (0, 0))
        #expect(DecoyMNIST.origin(ofCorner: 1) == (0, 24))
        #expect(DecoyMNIST.origin(ofCorner: 2) == (24, 0))
        #expect(DecoyMNIST.origin(ofCorner: 3) == (24, 24))
        let mask = DecoyMNIST.mask(corner: 1)
        #expect(mask.reduce(0) { $0 + Int($1) } == 16)
        #expect(mask[0 * 28 + 24] == 1 && mask[3 * 28 + 27] == 1 && mask[4 * 28 + 24] == 0 && mask[0 * 28 + 23] == 0)
        // The paper's grey levels 255 − 25·d.
        #expect((0...9).map { DecoyMNIST.grey(for: $0) } == [255, 230, 205, 180, 155, 130, 105, 80, 55, 30])
    }

    @Test("training images: the swatch is where the corner says with grey 255 − 25·label; every other pixel is MNIST's")
    func training() throws {
        let clean = try Self.clean.get()
        let original = Self.bytes(clean), labels = clean.labels.map(UInt8.init)
        let made = DecoyMNIST.make(images: original, labels: labels, variant: .training, test: false)
        #expect(made.decoys == labels)
        // The first five labels are 5 0 4 1 9: greys 130, 255, 155, 230, 30.
        let greys: [UInt8] = [130, 255, 155, 230, 30]
        for i in 0..<5 {
            let mask = DecoyMNIST.mask(corner: made.corners[i])
            for p in 0..<784 where mask[p] == 1 { #expect(made.images[i * 784 + p] == greys[i], "image \(i) pixel \(p)") }
        }
        var outside = 0, wrongOutside = 0, wrongInside = 0
        for i in 0..<clean.count {
            let mask = DecoyMNIST.mask(corner: made.corners[i])
            let grey = DecoyMNIST.grey(for: clean.labels[i])
            for p in 0..<784 {
                if mask[p] == 1 { if made.images[i * 784 + p] != grey { wrongInside += 1 } }
                else { outside += 1; if made.images[i * 784 + p] != original[i * 784 + p] { wrongOutside += 1 } }
            }
        }
        #expect(outside == 60_000 * 768 && wrongOutside == 0 && wrongInside == 0)
        // Each corner about a quarter of the time.
        for corner in 0..<4 {
            let n = made.corners.filter { $0 == corner }.count
            #expect(n > 14_500 && n < 15_500, "corner \(corner): \(n)")
        }
    }

    @Test("test images: random swatch digits (about 10% agree with the label), the truthful variant shares the corners")
    func test() throws {
        let clean = try Self.cleanTest.get()
        let original = Self.bytes(clean), labels = clean.labels.map(UInt8.init)
        let random = DecoyMNIST.make(images: original, labels: labels, variant: .randomised, test: true)
        let truthful = DecoyMNIST.make(images: original, labels: labels, variant: .truthful, test: true)
        #expect(random.corners == truthful.corners)
        #expect(truthful.decoys == labels)
        let agree = zip(random.decoys, labels).filter { $0 == $1 }.count
        #expect(agree > 850 && agree < 1150, "\(agree) of 10,000 random swatches tell the truth")
        for d in 0..<10 { let n = random.decoys.filter { $0 == d }.count; #expect(n > 850 && n < 1150, "digit \(d): \(n)") }
        for i in 0..<clean.count {
            let mask = DecoyMNIST.mask(corner: random.corners[i])
            for p in 0..<784 {
                let r = random.images[i * 784 + p], t = truthful.images[i * 784 + p]
                if mask[p] == 1 {
                    #expect(r == DecoyMNIST.grey(for: Int(random.decoys[i])) && t == DecoyMNIST.grey(for: clean.labels[i]))
                } else if r != original[i * 784 + p] || t != original[i * 784 + p] {
                    Issue.record("image \(i) pixel \(p) differs from MNIST outside the swatch"); return
                }
            }
        }
    }

    @Test("the same seed gives the same bytes; another seed, or the test stream, other corners")
    func determinism() throws {
        let clean = try Self.cleanTest.get().prefix(500)
        let original = Self.bytes(clean), labels = clean.labels.map(UInt8.init)
        let a = DecoyMNIST.make(images: original, labels: labels, variant: .randomised, test: true, seed: 7)
        let b = DecoyMNIST.make(images: original, labels: labels, variant: .randomised, test: true, seed: 7)
        #expect(a.images == b.images && a.corners == b.corners && a.decoys == b.decoys)
        #expect(DecoyMNIST.make(images: original, labels: labels, variant: .randomised, test: true, seed: 8).corners != a.corners)
        #expect(DecoyMNIST.make(images: original, labels: labels, variant: .randomised, test: false, seed: 7).corners != a.corners)
    }

    @Test("the course's Decoy MNIST regenerates to the SHA-256 recorded in Datasets/decoy-mnist/RAW-SHA256")
    func recorded() throws {
        let recorded = try String(contentsOf: try DatasetFiles.datasets().appendingPathComponent("decoy-mnist/RAW-SHA256"), encoding: .utf8)
        #expect(recorded.split(separator: "\n").count == 3)
        let training = try DatasetFiles.decoyMNIST(.training)          // throws on a mismatch
        let test = try DatasetFiles.decoyMNIST(.test), truthful = try DatasetFiles.decoyMNIST(.test, truthful: true)
        #expect(training.images.count == 60_000 && test.images.count == 10_000 && truthful.images.count == 10_000)
        #expect(test.corners == truthful.corners && test.images.labels == truthful.images.labels)
        // Independently of the loader: the IDX bytes of the training images hash to the recorded digest.
        let raw = try IDX.encode(uint8: Self.bytes(training.images), shape: [60_000, 28, 28])
        #expect(recorded.contains("\(SHA256.hash(of: raw).hexString)  train-images-idx3-ubyte"))
    }

    @Test("IDX.encode writes MNIST's header and parses back; a shape that does not fit is refused")
    func idxEncode() throws {
        let bytes = try IDX.encode(uint8: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(bytes == [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
        #expect(try IDX.parse(bytes).shape == [2, 3])
        #expect(throws: DataFormatError.self) { _ = try IDX.encode(uint8: [1, 2, 3], shape: [2, 2]) }
        #expect(throws: DataFormatError.self) { _ = try IDX.encode(uint8: [], shape: [-1]) }
    }
}
