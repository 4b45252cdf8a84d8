import Codecs
import Foundation
import Imaging
import Testing

@Suite struct GoldenImageTests {
    /// A fresh temporary folder holding a golden file and the failure artifacts.
    static func scratchFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("golden-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static let picture: RGBAImage = {
        var image = RGBAImage(width: 8, height: 6, fill: .white)
        image.fillRectangle(x: 2, y: 1, width: 3, height: 3, color: RGBA(200, 10, 10))
        return image
    }()

    @Test func passesWithinToleranceAndWritesNothing() throws {
        let folder = try Self.scratchFolder()
        let golden = folder.appendingPathComponent("square.png")
        try PNG.write(Self.picture, to: golden)
        var nearlySame = Self.picture
        nearlySame[x: 0, y: 0] = RGBA(254, 255, 255)
        let environment = ["WORKBOOK_TEST_OUTPUT": folder.appendingPathComponent("out").path]
        let exact = GoldenImage.compare(actual: Self.picture, goldenPath: golden, environment: environment)
        #expect(exact.passed && exact.difference?.maxAbsolute == 0)
        let close = GoldenImage.compare(actual: nearlySame, goldenPath: golden, tolerance: (rms: 0.01, max: 2.0 / 255),
                                        environment: environment)
        #expect(close.passed, "\(close.message)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    @Test func mismatchWritesActualExpectedAndDiff() throws {
        let folder = try Self.scratchFolder()
        let golden = folder.appendingPathComponent("square.png")
        try PNG.write(Self.picture, to: golden)
        var changed = Self.picture
        changed.fillRectangle(x: 0, y: 5, width: 8, height: 1, color: .black)
        let output = folder.appendingPathComponent("out")
        let result = GoldenImage.compare(actual: changed, goldenPath: golden, tolerance: (rms: 0.01, max: 0.1),
                                         environment: ["WORKBOOK_TEST_OUTPUT": output.path])
        #expect(!result.passed)
        #expect(result.artifacts.map(\.lastPathComponent) == ["square.actual.png", "square.expected.png", "square.diff.png"])
        #expect(result.artifacts.allSatisfy { $0.path.hasPrefix(output.appendingPathComponent("golden-failures").path) })
        #expect(result.message.contains("square.diff.png"))
        #expect(try PNG.readRGBA(from: result.artifacts[0]) == changed)
        let diff = try PNG.readRGBA(from: result.artifacts[2])
        #expect(diff[x: 0, y: 5] == RGBA(255, 255, 255) && diff[x: 0, y: 0] == .black)
    }

    @Test func missingGoldenFailsAndRecordModeCreatesIt() throws {
        let folder = try Self.scratchFolder()
        let golden = folder.appendingPathComponent("sub/new.png")
        let output = folder.appendingPathComponent("out").path
        let missing = GoldenImage.compare(actual: Self.picture, goldenPath: golden, environment: ["WORKBOOK_TEST_OUTPUT": output])
        #expect(!missing.passed && missing.message.contains("WORKBOOK_RECORD_GOLDENS=1"))

        let refused = GoldenImage.compare(actual: Self.picture, goldenPath: golden,
                                          environment: ["WORKBOOK_RECORD_GOLDENS": "1", "CI": "true"])
        #expect(!refused.passed && !FileManager.default.fileExists(atPath: golden.path))

        let recorded = GoldenImage.compare(actual: Self.picture, goldenPath: golden, environment: ["WORKBOOK_RECORD_GOLDENS": "1"])
        #expect(recorded.passed && recorded.recorded)
        #expect(GoldenImage.compare(actual: Self.picture, goldenPath: golden, environment: [:]).passed)
    }

    @Test func defaultFailureFolderIsUnderThePackageRoot() {
        let golden = TestPaths.fixtures.appendingPathComponent("x.png")
        let folder = GoldenImage.failureFolder(forGolden: golden, environment: [:])
        #expect(folder.path.hasSuffix("test-output/golden-failures"))
        #expect(FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Package.swift").path))
    }

    @Test func differenceMeasures() {
        let a = GrayImage(width: 2, height: 1, pixels: [0, 0])
        let b = GrayImage(width: 2, height: 1, pixels: [0, 255])
        let difference = ImageComparison.difference(a, b)
        #expect(difference?.maxAbsolute == 1 && abs((difference?.rms ?? 0) - 0.5.squareRoot()) < 1e-12)
        #expect(ImageComparison.difference(a, GrayImage(width: 1, height: 2)) == nil)
        #expect(ImageComparison.difference([1, 2, 3], [1, 2, 3.5])?.maxAbsolute == 0.5)
    }
}

@Suite struct ImagingFuzzTests {
    /// 16 Mi pixels: far enough above the 1 Mi of the first fuzzers that the slow paths of issue
    /// 16 (per-byte work on multi-megapixel images) are reachable, below the standard limits so
    /// that a mutant cannot make a fuzz input allocate more than ~200 MB.
    static let limits = PNG.Limits(maxWidth: 16384, maxHeight: 16384, maxPixels: 16 << 20, maxDataBytes: 128 << 20)

    /// Large images that compress to a few KB (the shape of the issue-16 files, scaled down so a
    /// decode takes milliseconds): the old decoder took ~1.5 s for the 8 Mi-pixel 1-bit one. Every
    /// mutant (CRCs fixed up, so most reach the inflater and the filters) must decode or throw
    /// within the per-input budget.
    @Test func pngDecoderIsFastOnLargeImages() throws {
        let seeds = [
            PNGCorpus.repeatedRows(width: 4096, height: 2048, bitDepth: 1, colorType: 0,
                                   firstRow: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 29) }),
            PNGCorpus.repeatedRows(width: 512, height: 512, bitDepth: 16, colorType: 6,
                                   firstRow: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
            PNGCorpus.repeatedRows(width: 1024, height: 1024, bitDepth: 2, colorType: 3,
                                   firstRow: (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 13) }),
        ].map { file -> [UInt8] in
            // Give the palette image its PLTE (4 entries) before IDAT.
            guard file[25] == 3 else { return file }
            let plte = PNGCorpus.assemble([("PLTE", [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])]).dropFirst(8)
            return Array(file[0..<33]) + plte + file[33...]
        }
        for seed in seeds { _ = try PNG.decodeRGBA(seed, limits: Self.limits) }     // the seeds are valid
        var fuzzer = MutationFuzzer(seed: 33)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 300)) { mutant in
            _ = try PNG.decodeRGBA(fixingCRCs(mutant), limits: Self.limits)
        }
        print("PNG (large images) fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")

        // Behind zlib: damage the inflated scanlines (filter types, pixel bytes, palette indices)
        // and recompress, so that most inputs reach the filters and the pixel conversion.
        let inflated = try seeds.map { try Self.idatPayload(of: $0) }
        var random = SplitMix64(seed: 34)
        // Each input recompresses megabytes (~15 ms), so the long mode stops at 10,000 here.
        let behind = MutationFuzzer.run(iterations: min(MutationFuzzer.iterations(default: 100), 10_000), input: { _ in
            let which = Int(random.next() % UInt64(seeds.count))
            var scanlines = inflated[which].scanlines
            for _ in 0..<(1 + random.next() % 8) {
                let position = Int(random.next() % UInt64(scanlines.count))
                scanlines[position] = random.next() % 2 == 0 ? UInt8(random.next() % 6) : UInt8(truncatingIfNeeded: random.next())
            }
            return inflated[which].head + PNGCorpus.assemble([("IDAT", Zlib.compress(scanlines, level: 1)), ("IEND", [])]).dropFirst(8)
        }) { mutant in
            _ = try PNG.decodeRGBA(mutant, limits: Self.limits)
        }
        print("PNG (large images, behind zlib) fuzz: \(behind)")
        #expect(behind.slowCount == 0, "\(behind)")
        #expect(behind.accepted > 0)
    }

    /// The chunks before IDAT (signature included) and the inflated IDAT data of a file with one IDAT.
    static func idatPayload(of file: [UInt8]) throws -> (head: [UInt8], scanlines: [UInt8]) {
        var position = 8
        while position + 12 <= file.count {
            let length = Int(file[position]) << 24 | Int(file[position + 1]) << 16 | Int(file[position + 2]) << 8 | Int(file[position + 3])
            if file[(position + 4)..<(position + 8)].elementsEqual("IDAT".utf8) {
                let data = Array(file[(position + 8)..<(position + 8 + length)])
                return (Array(file[..<position]), try Zlib.decompress(data, maxOutputSize: 1 << 28))
            }
            position += 12 + length
        }
        throw ImagingError.invalidFormat("no IDAT")
    }

    /// Every mutant of the PNG fixtures must decode or throw; never crash, hang or over-allocate.
    @Test func pngDecoderSurvivesMutations() throws {
        let seeds = try ["gray8", "rgba8", "palette8-trns", "gray1-interlaced", "rgba16", "rgb16-trns", "palette4"]
            .map { try TestPaths.fixture($0 + ".png") }
        var fuzzer = MutationFuzzer(seed: 31)
        let limits = ImagingFuzzTests.limits
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try PNG.decodeRGBA($0, limits: limits)
        }
        print("PNG fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    /// Mutating chunk *contents* only, with the CRCs fixed up, gets past the CRC check and reaches
    /// the header, zlib and filter code.
    @Test func pngDecoderSurvivesMutationsBehindValidCRCs() throws {
        let seeds = try ["gray8", "rgb8-interlaced", "palette8-trns", "gray-alpha16-interlaced"]
            .map { try TestPaths.fixture($0 + ".png") }
        var fuzzer = MutationFuzzer(seed: 32)
        let limits = ImagingFuzzTests.limits
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) { mutant in
            _ = try PNG.decodeRGBA(fixingCRCs(mutant), limits: limits)
        }
        print("PNG (CRC-fixed) fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }
}

/// Recomputes every chunk CRC it can find, so that mutations survive the integrity check.
func fixingCRCs(_ file: [UInt8]) -> [UInt8] {
    var bytes = file
    var position = 8
    while position + 12 <= bytes.count {
        let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
        guard length <= bytes.count - position - 12 else { break }
        let crc = CRC32.checksum(of: bytes[(position + 4)..<(position + 8 + length)])
        let at = position + 8 + length
        bytes[at] = UInt8(crc >> 24); bytes[at + 1] = UInt8(truncatingIfNeeded: crc >> 16)
        bytes[at + 2] = UInt8(truncatingIfNeeded: crc >> 8); bytes[at + 3] = UInt8(truncatingIfNeeded: crc)
        position = at + 4
    }
    return bytes
}
