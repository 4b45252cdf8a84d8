import Codecs
import Foundation
import Imaging
import Testing

@Suite struct PNGTests {
    /// Fixtures from Fixtures/make_png_fixtures.py: each NAME.png with its expected RGBA8 pixels
    /// in NAME.rgba (decoded by PIL, or by construction where PIL cannot write the format).
    static let fixtureNames = [
        "gray8", "gray-alpha8", "rgb8", "rgba8", "palette8-trns", "palette4", "gray1", "gray2", "gray4",
        "gray16", "rgba16", "rgb16-trns", "rgb8-interlaced", "gray-alpha16-interlaced", "gray1-interlaced",
        "one-pixel-interlaced",
    ]

    @Test(arguments: fixtureNames)
    func decodesPILFixtures(name: String) throws {
        let image = try PNG.decodeRGBA(TestPaths.fixture(name + ".png"))
        let expected = try TestPaths.fixture(name + ".rgba")
        #expect(image.pixels.count == expected.count)
        #expect(image.pixels == expected)
    }

    /// 600 seeded files of every format (see `PNGCorpus`): RGBA and gray decodings, and the error
    /// text of the invalid ones, are pinned by one SHA-256 computed with the decoder as it was
    /// before the constant-time rewrite (issue 16), so the rewrite provably changed no output.
    @Test func corpusDecodesAsBefore() {
        let lines = PNGCorpus.decodings(of: PNGCorpus.files(count: 600, seed: 16))
        #expect(lines.filter { $0.hasPrefix("error") }.count > 10)        // some palette indices are out of range
        #expect(lines.filter { !$0.hasPrefix("error") }.count > 500)
        #expect(SHA256.hash(of: Array(lines.joined(separator: "\n").utf8)).hexString == Self.corpusSHA256)
    }

    static let corpusSHA256 = "d2469d8c98cdda8a0f492615fa9c521a6a98599e00b1b043c828d49d4d46428b"

    @Test func decodesToGrayOnRequest() throws {
        let gray = try PNG.decodeGray(TestPaths.fixture("gray8.png"))
        let rgba = try TestPaths.fixture("gray8.rgba")
        #expect(gray.width == 7 && gray.height == 5)
        #expect(gray.pixels == stride(from: 0, to: rgba.count, by: 4).map { rgba[$0] })
        // Colour to gray uses PIL's convert("L") weights.
        let fromColor = try PNG.decodeGray(TestPaths.fixture("rgb8.png"))
        let colored = try PNG.decodeRGBA(TestPaths.fixture("rgb8.png"))
        #expect(fromColor == colored.grayscale())
    }

    @Test func roundTripsOurOwnFiles() throws {
        var random = SplitMix64(seed: 11)
        let gray = GrayImage(width: 33, height: 17, pixels: (0..<(33 * 17)).map { _ in UInt8(random.next() % 256) })
        #expect(try PNG.decodeGray(PNG.encode(gray)) == gray)
        let smooth = GrayImage(width: 64, height: 64, pixels: (0..<4096).map { UInt8(($0 % 64 + $0 / 64) * 2) })
        #expect(try PNG.decodeGray(PNG.encode(smooth)) == smooth)
        #expect(PNG.encode(smooth).count < 600)     // filters make gradients compress well
        let rgba = RGBAImage(width: 9, height: 4, pixels: (0..<144).map { _ in UInt8(random.next() % 256) })
        #expect(try PNG.decodeRGBA(PNG.encode(rgba)) == rgba)
        let opaque = RGBAImage(width: 5, height: 5, fill: RGBA(10, 20, 30))
        #expect(try PNG.decodeRGBA(PNG.encode(opaque)) == opaque)
    }

    /// Files written by our encoder were checked once in Python (Pillow 13.0), exported by running
    /// this test with WORKBOOK_PNG_EXPORT=/tmp/pngexport:
    ///     from PIL import Image; import numpy as np
    ///     Image.open("ours-gray.png")   # mode L, 16x8, pixels == [(i * 37) % 256 for i in range(128)]: True
    ///     Image.open("ours-rgba.png")   # mode RGBA, 4x3, all (255, 0, 0, 128) except (1, 2, 3, 4) at x=1, y=2: True
    /// The encoder is deterministic, so those exact bytes are pinned by their SHA-256 here.
    @Test func encoderOutputIsPinned() throws {
        let gray = GrayImage(width: 16, height: 8, pixels: (0..<128).map { UInt8(($0 * 37) % 256) })
        var rgba = RGBAImage(width: 4, height: 3, fill: RGBA(255, 0, 0, 128))
        rgba[x: 1, y: 2] = RGBA(1, 2, 3, 4)
        let grayFile = PNG.encode(gray), rgbaFile = PNG.encode(rgba)
        if let folder = ProcessInfo.processInfo.environment["WORKBOOK_PNG_EXPORT"] {
            try Data(grayFile).write(to: URL(fileURLWithPath: folder).appendingPathComponent("ours-gray.png"))
            try Data(rgbaFile).write(to: URL(fileURLWithPath: folder).appendingPathComponent("ours-rgba.png"))
        }
        #expect(SHA256.hash(of: grayFile).hexString == Self.pinnedGraySHA256)
        #expect(SHA256.hash(of: rgbaFile).hexString == Self.pinnedRGBASHA256)
    }

    static let pinnedGraySHA256 = "a6847203eef4091b6cf528133fcc424db4d38414de0528787a2e0ea6c7617c3d"
    static let pinnedRGBASHA256 = "dfc7a49223da97bd15f576770a275f776750287c1fb8fff1cd9e6271fc72ec66"

    @Test func rejectsDamagedFiles() throws {
        let file = try TestPaths.fixture("rgb8.png")
        #expect(throws: ImagingError.badSignature) { try PNG.decodeRGBA([0x89, 0x50] + file.dropFirst(2).map { $0 ^ 1 }) }
        var badCRC = file
        badCRC[20] ^= 0x01                                  // inside IHDR's data
        #expect {
            try PNG.decodeRGBA(badCRC)
        } throws: { error in
            guard case ImagingError.badChunkCRC(let chunk, let declared, let computed) = error else { return false }
            return chunk == "IHDR" && declared != computed
        }
        #expect(throws: ImagingError.self) { try PNG.decodeRGBA(Array(file.prefix(40))) }
        #expect(throws: ImagingError.self) { try PNG.decodeRGBA(Array(file.prefix(7))) }
    }

    @Test func rejectsAbsurdDimensions() throws {
        let huge = GrayImage(width: 300, height: 2)
        var file = PNG.encode(huge)
        #expect(throws: ImagingError.self) {
            try PNG.decodeGray(file, limits: PNG.Limits(maxWidth: 256, maxHeight: 256, maxPixels: 1000))
        }
        // A header claiming 100000 × 100000 pixels (with a valid CRC) is refused before any allocation.
        file.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let crc = CRC32.checksum(of: file[12..<29])
        file.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 255), UInt8(crc >> 8 & 255), UInt8(crc & 255)])
        #expect(throws: ImagingError.dimensionsTooLarge(width: 100_000, height: 100_000,
                                                        limit: "16384x16384, 67108864 pixels")) {
            try PNG.decodeGray(file)
        }
    }
}
