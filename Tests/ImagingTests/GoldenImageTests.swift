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
    /// Every mutant of the PNG fixtures must decode or throw; never crash, hang or over-allocate.
    @Test func pngDecoderSurvivesMutations() throws {
        let seeds = try ["gray8", "rgba8", "palette8-trns", "gray1-interlaced", "rgba16", "rgb16-trns", "palette4"]
            .map { try TestPaths.fixture($0 + ".png") }
        var fuzzer = MutationFuzzer(seed: 31)
        let limits = PNG.Limits(maxWidth: 4096, maxHeight: 4096, maxPixels: 1 << 20)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try PNG.decodeRGBA($0, limits: limits)
        }
        print("PNG fuzz: \(report)")
    }

    /// Mutating chunk *contents* only, with the CRCs fixed up, gets past the CRC check and reaches
    /// the header, zlib and filter code.
    @Test func pngDecoderSurvivesMutationsBehindValidCRCs() throws {
        let seeds = try ["gray8", "rgb8-interlaced", "palette8-trns", "gray-alpha16-interlaced"]
            .map { try TestPaths.fixture($0 + ".png") }
        var fuzzer = MutationFuzzer(seed: 32)
        let limits = PNG.Limits(maxWidth: 4096, maxHeight: 4096, maxPixels: 1 << 20)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) { mutant in
            _ = try PNG.decodeRGBA(fixingCRCs(mutant), limits: limits)
        }
        print("PNG (CRC-fixed) fuzz: \(report)")
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
