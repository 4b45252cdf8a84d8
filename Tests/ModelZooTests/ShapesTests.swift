import Codecs
import DataFormats
import Foundation
import Testing
import TestSupport
@testable import ModelZoo
import TensorEngine

/// The pixels `(x, y)` of a mask that are 1, as a set (for comparing with hand-computed sets).
private func pixels(_ mask: [UInt8], side: Int = 32) -> Set<[Int]> {
    Set(mask.indices.filter { mask[$0] == 1 }.map { [$0 % side, $0 / side] })
}

@Suite("Shapes: geometry of the masks", .maintainers, .maintainers)
struct ShapeMaskTests {
    @Test("an axis-aligned square covers exactly the pixels whose centres lie within its half side")
    func square() {
        // Scale 5 → half side 4 around (10, 12): centres x + 0.5 ∈ [6, 14] → x = 6...13, y + 0.5 ∈ [8, 16] → y = 8...15.
        let mask = PlacedShape(kind: .square, centerX: 10, centerY: 12, scale: 5).mask(width: 32, height: 32)
        let expected = Set((6...13).flatMap { x in (8...15).map { y in [x, y] } })
        #expect(mask.count == 1024)
        #expect(pixels(mask) == expected)
        #expect(expected.count == 64)
    }

    @Test("small circles: radius 1 covers the 4 central pixels, radius 2 those 4 and their 8 edge neighbours")
    func smallCircles() {
        // Centre (16, 16): pixel centres at (±0.5, ±0.5) are 0.71 away, (±1.5, ±0.5) 1.58, (±1.5, ±1.5) 2.12, (±2.5, ±0.5) 2.55.
        let one = PlacedShape(kind: .circle, centerX: 16, centerY: 16, scale: 1).mask(width: 32, height: 32)
        #expect(pixels(one) == [[15, 15], [16, 15], [15, 16], [16, 16]])
        let two = PlacedShape(kind: .circle, centerX: 16, centerY: 16, scale: 2).mask(width: 32, height: 32)
        #expect(pixels(two) == [[15, 15], [16, 15], [15, 16], [16, 16],
                                [14, 15], [14, 16], [17, 15], [17, 16], [15, 14], [16, 14], [15, 17], [16, 17]])
    }

    @Test("a circle of radius 6.3 covers the pixels whose centres are within 6.3 of its centre")
    func circle() {
        let mask = PlacedShape(kind: .circle, centerX: 13.2, centerY: 17.9, scale: 6.3).mask(width: 32, height: 32)
        var expected = Set<[Int]>()
        for y in 0..<32 { for x in 0..<32 where hypot(Double(x) + 0.5 - 13.2, Double(y) + 0.5 - 17.9) <= 6.3 { expected.insert([x, y]) } }
        #expect(pixels(mask) == expected)
        #expect(expected.count > 100 && expected.count < 140)   // π·6.3² ≈ 125
    }

    @Test("a square turned by 45° is the diamond |dx| + |dy| ≤ half side · √2")
    func rotatedSquare() {
        let r = 0.5.squareRoot()
        let mask = PlacedShape(kind: .square, centerX: 16, centerY: 15, scale: 5, cosine: r, sine: r).mask(width: 32, height: 32)
        var expected = Set<[Int]>()
        for y in 0..<32 { for x in 0..<32 where abs(Double(x) + 0.5 - 16) + abs(Double(y) + 0.5 - 15) <= 4 * 2.0.squareRoot() { expected.insert([x, y]) } }
        #expect(pixels(mask) == expected)
        // A quarter turn maps the square onto itself.
        #expect(PlacedShape(kind: .square, centerX: 10, centerY: 12, scale: 5, cosine: 0, sine: 1).mask(width: 32, height: 32)
                == PlacedShape(kind: .square, centerX: 10, centerY: 12, scale: 5).mask(width: 32, height: 32))
    }

    @Test("an upright triangle: each row spans the width of the triangle at that row's pixel centres")
    func triangle() {
        // Scale 8 around (16, 16): apex (16, 8), base y = 20 from x = 16 − 4√3 to 16 + 4√3.
        let mask = PlacedShape(kind: .triangle, centerX: 16, centerY: 16, scale: 8).mask(width: 32, height: 32)
        var expected = Set<[Int]>()
        for y in 0..<32 {
            let cy = Double(y) + 0.5
            guard cy >= 8, cy <= 20 else { continue }
            let halfWidth = (cy - 8) / 12 * 4 * 3.0.squareRoot()
            for x in 0..<32 where abs(Double(x) + 0.5 - 16) <= halfWidth { expected.insert([x, y]) }
        }
        #expect(pixels(mask) == expected)
        #expect(!expected.contains([16, 20]) && expected.contains([15, 19]))
    }

    @Test("the ring has a hole and the crescent is the disc minus the offset disc")
    func ringAndCrescent() {
        let ring = PlacedShape(kind: .ring, centerX: 16, centerY: 16, scale: 10).mask(width: 32, height: 32)
        #expect(ring[16 * 32 + 16] == 0 && ring[16 * 32 + 24] == 1 && ring[16 * 32 + 27] == 0)
        let disc = PlacedShape(kind: .circle, centerX: 16, centerY: 16, scale: 10).mask(width: 32, height: 32)
        let crescent = PlacedShape(kind: .crescent, centerX: 16, centerY: 16, scale: 10).mask(width: 32, height: 32)
        for i in 0..<1024 {
            let (x, y) = (Double(i % 32) + 0.5, Double(i / 32) + 0.5)
            let bitten = hypot(x - 21, y - 16) <= 8.5
            #expect(crescent[i] == ((disc[i] == 1 && !bitten) ? 1 : 0))
        }
    }

    @Test("every kind fits the frame it is drawn in and no two kinds have the same mask")
    func kindsDiffer() {
        var seen = Set<[UInt8]>()
        for kind in ShapeKind.allCases {
            let mask = PlacedShape(kind: kind, centerX: 16, centerY: 16, scale: 10).mask(width: 32, height: 32)
            #expect(!seen.contains(mask), "\(kind) has the mask of another kind")
            seen.insert(mask)
            // The unit frame's bounding square [-1.2, 1.2]² holds the shape (the generator's drawing box).
            for y in 0..<32 { for x in 0..<32 where mask[y * 32 + x] == 1 {
                #expect(abs(Double(x) + 0.5 - 16) <= 12 && abs(Double(y) + 0.5 - 16) <= 12, "\(kind) reaches (\(x), \(y))")
            } }
        }
        #expect(ShapesGenerator.classNames.count == 12)
    }
}

@Suite("Shapes: the generated data set", .maintainers, .maintainers)
struct ShapesDatasetTests {
    @Test("the same seed gives the same bytes on one and two threads; another seed does not")
    func determinism() {
        let one = Parallel.withThreads(1) { ShapesGenerator.generate(seed: 5, count: 150) }
        let two = Parallel.withThreads(2) { ShapesGenerator.generate(seed: 5, count: 150) }
        #expect(one == two)
        #expect(one == ShapesGenerator.generate(seed: 5, count: 150))
        #expect(one.images != ShapesGenerator.generate(seed: 6, count: 150).images)
        // Image i does not depend on how many are generated.
        let prefix = ShapesGenerator.generate(seed: 5, count: 70)
        #expect(prefix.images == Array(one.images.prefix(70 * 3072)))
    }

    @Test("labels are in range, every class occurs, masks are binary and hold the object")
    func contents() {
        let data = ShapesGenerator.generate(seed: 9, count: 600)
        #expect(data.images.count == 600 * 3 * 1024 && data.masks.count == 600 * 1024)
        #expect(data.labels.allSatisfy { $0 < 12 })
        #expect(Set(data.labels).count == 12)
        #expect(data.masks.allSatisfy { $0 <= 1 })
        for i in 0..<data.count {
            let area = data.masks[(i * 1024)..<((i + 1) * 1024)].reduce(0) { $0 + Int($1) }
            #expect(area >= 8 && area <= 600, "image \(i): object area \(area)")
        }
    }

    @Test("inside the mask, away from its edge, the image shows the object's colour (±8% shading), not the background")
    func objectPixels() {
        // A mask pixel whose 8 neighbours are also in the mask is fully covered: its colour is the
        // object's times a shading factor in [0.92, 1.08], so such pixels agree closely with each other.
        let data = ShapesGenerator.generate(seed: 21, count: 50)
        var checked = 0
        for i in 0..<data.count {
            let mask = Array(data.masks[(i * 1024)..<((i + 1) * 1024)])
            var values: [[Double]] = []
            for y in 1..<31 { for x in 1..<31 {
                let all = (-1...1).allSatisfy { dy in (-1...1).allSatisfy { dx in mask[(y + dy) * 32 + x + dx] == 1 } }
                if all { values.append((0..<3).map { Double(data.images[i * 3072 + $0 * 1024 + y * 32 + x]) }) }
            } }
            guard values.count >= 2 else { continue }
            for c in 0..<3 {
                let channel = values.map { $0[c] }
                let low = channel.min()!, high = channel.max()!
                // (1.08 / 0.92) of the brightest is the most the shading can spread, plus rounding and clamping at 255.
                #expect(low >= high * 0.92 / 1.08 - 1.5, "image \(i) channel \(c): \(low)...\(high)")
            }
            checked += 1
        }
        #expect(checked > 30)
    }

    @Test("the shipped test split regenerates byte for byte and matches its SHA256SUMS")
    func shippedSplit() throws {
        let folder = try DatasetFiles.datasets().appendingPathComponent("shapes")
        let data = ShapesGenerator.generate(seed: ShapesGenerator.testSeed, count: ShapesGenerator.testCount)
        let files = try MaskedImageFiles.encode(images: data.images, imageShape: [3, 32, 32], masks: data.masks, labels: data.labels)
        for (name, bytes) in files {
            let shipped = try #require(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path), "missing \(name)")
            #expect(SHA256.hash(of: bytes) == SHA256.hash(of: [UInt8](shipped)), "\(name) differs from the shipped file")
        }
        let loaded = try DatasetFiles.shapes(.test)
        #expect(loaded.images.count == 2000 && loaded.images.imageShape == [3, 32, 32])
        #expect(loaded.images.labels == data.labels.map(Int.init))
        #expect(loaded.masks == data.masks)
        #expect(loaded.images.classNames == ShapesGenerator.classNames)
    }

    @Test("the normalisation constants of shapes-simplenet are the training split's channel means and deviations")
    func normalisation() throws {
        let data = ShapesGenerator.generate(seed: ShapesGenerator.trainingSeed, count: ShapesGenerator.trainingCount)
        for c in 0..<3 {
            var sum = 0.0, squares = 0.0, n = 0.0
            for i in 0..<data.count {
                for p in 0..<1024 {
                    let v = Double(data.images[i * 3072 + c * 1024 + p]) / 255
                    sum += v; squares += v * v; n += 1
                }
            }
            let mean = sum / n, std = (squares / n - mean * mean).squareRoot()
            #expect(abs(Double(Catalog.shapesMean[c]) - mean) < 1e-4, "channel \(c): mean \(mean)")
            #expect(abs(Double(Catalog.shapesStd[c]) - std) < 1e-4, "channel \(c): std \(std)")
        }
    }

    @Test("the file format rejects masks that are not 0/1, labels out of range and shapes that disagree")
    func badFiles() throws {
        let files = try MaskedImageFiles.encode(images: [UInt8](repeating: 7, count: 2 * 3 * 4), imageShape: [3, 2, 2],
                                                masks: [0, 1, 1, 0, 0, 0, 0, 1], labels: [3, 11])
        let byName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.bytes) })
        let ok = try MaskedImageFiles.decode(images: byName["images.npy.gz"]!, masks: byName["masks.npy.gz"]!, labels: byName["labels.npy.gz"]!, classes: 12)
        #expect(ok.imageShape == [3, 2, 2] && ok.labels == [3, 11] && ok.masks == [0, 1, 1, 0, 0, 0, 0, 1])
        #expect(throws: DataFormatError.self) {
            _ = try MaskedImageFiles.decode(images: byName["images.npy.gz"]!, masks: byName["masks.npy.gz"]!, labels: byName["labels.npy.gz"]!, classes: 11)
        }
        let twoMask = try MaskedImageFiles.encode(images: [UInt8](repeating: 7, count: 12), imageShape: [3, 2, 2], masks: [0, 2, 1, 0], labels: [0])
        #expect(throws: DataFormatError.self) {
            _ = try MaskedImageFiles.decode(images: twoMask[0].bytes, masks: twoMask[1].bytes, labels: twoMask[2].bytes, classes: 12)
        }
        #expect(throws: DataFormatError.self) {   // two images, one label
            _ = try MaskedImageFiles.decode(images: byName["images.npy.gz"]!, masks: byName["masks.npy.gz"]!, labels: twoMask[2].bytes, classes: 12)
        }
        #expect(throws: DataFormatError.self) {   // the data does not fit the shape
            _ = try MaskedImageFiles.encode(images: [1, 2, 3], imageShape: [3, 2, 2], masks: [0, 0, 0, 0], labels: [0])
        }
    }

    @Test("a corrupted shipped file is refused with a one-line error naming it")
    func corruptFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shapes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = ShapesGenerator.generate(seed: 3, count: 4)
        for (name, var bytes) in try MaskedImageFiles.encode(images: data.images, imageShape: [3, 32, 32], masks: data.masks, labels: data.labels) {
            if name == MaskedImageFiles.masksName { bytes[bytes.count / 2] ^= 1 }
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
        let error = #expect(throws: ModelZooError.self) { _ = try DatasetFiles.readMaskedImages(folder: folder, skipChecksums: false) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("masks.npy.gz is corrupt") && !text.contains("\n"))
    }

    @Test("the loaded test split carries its masks (explain outlines them), and prefix keeps them")
    func loadedSplitCarriesMasks() throws {
        let (images, masks) = try DatasetFiles.shapes(.test)
        let first = try #require(images.mask(at: 3))
        #expect(first == masks[(3 * 1024)..<(4 * 1024)].map { $0 != 0 })
        let few = images.prefix(5)
        #expect(few.mask(at: 4) == images.mask(at: 4) && few.mask(at: 4) != nil)
        #expect(few.mask(at: 5) == nil)
    }
}
