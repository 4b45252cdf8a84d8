import Foundation
import Imaging
import Testing

/// `Resampling` against Pillow's bilinear resize of a float image (`Fixtures/resize`).
@Suite struct ResamplingTests {
    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("resize/\(name).f32"))
        return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
    }

    /// Reducing (the triangle stretched over the reduction), enlarging (plain bilinear), and both
    /// at once agree with Pillow to float rounding.
    @Test(arguments: [(11, 8), (5, 3), (1, 1), (50, 41), (74, 9)])
    func resizesAsPillow(_ size: (Int, Int)) throws {
        let source = try Self.floats("source")
        let expected = try Self.floats("\(size.0)x\(size.1)")
        let resized = Resampling.resized(source, channels: 1, width: 37, height: 29, toWidth: size.0, toHeight: size.1)
        try #require(resized.count == expected.count)
        let worst = zip(resized, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5, "\(size): largest difference \(worst)")
    }

    /// Averaging, not sampling: a one-pixel checkerboard reduced 8-fold is nearly flat grey (the
    /// triangle's weights on black and white squares differ a little; sampling would give 0 or 1),
    /// and every channel is resized alike.
    @Test func reducingAveragesEveryPixel() {
        let board: [Float] = (0..<(64 * 64)).map { (i: Int) -> Float in Float((i % 64 + i / 64) % 2) }
        let inverse: [Float] = board.map { 1 - $0 }
        let both = Resampling.resized(board + inverse, channels: 2, width: 64, height: 64, toWidth: 8, toHeight: 8)
        #expect(both.allSatisfy { abs($0 - 0.5) < 0.02 }, "\(both.prefix(8))")
    }

    @Test func torchvisionsResizeAndCentreCrop() {
        #expect(Resampling.shortSideSize(width: 4032, height: 3024, to: 256) == (341, 256))
        #expect(Resampling.shortSideSize(width: 500, height: 375, to: 256) == (341, 256))
        #expect(Resampling.shortSideSize(width: 300, height: 451, to: 224) == (224, 336))
        #expect(Resampling.centreCropOrigin(width: 341, height: 256, cropWidth: 224, cropHeight: 224) == (58, 16))
        let plane = (0..<20).map(Float.init)      // 5 wide, 4 high
        #expect(Resampling.cropped(plane, channels: 1, width: 5, height: 4, x: 1, y: 2, cropWidth: 3, cropHeight: 2) == [11, 12, 13, 16, 17, 18])
    }

    @Test func readsPNGAndJPEGAndNamesAnythingElse() throws {
        let png = try ImageFile.decodeRGBA(try TestPaths.fixture("gray8.png"))
        #expect(png.format == "PNG")
        let jpeg = try ImageFile.decodeRGBA(try [UInt8](Data(contentsOf: TestPaths.fixtures.appendingPathComponent("jpeg/orientation-6.jpg"))))
        #expect(jpeg.format == "JPEG" && jpeg.image.width == 37 && jpeg.image.height == 45)
        #expect(throws: ImagingError.unknownImageFormat(firstBytes: "47 49 46 38")) { try ImageFile.decodeRGBA(Array("GIF89a".utf8)) }
        #expect(throws: ImagingError.unknownImageFormat(firstBytes: "nothing: it is empty")) { try ImageFile.decodeRGBA([]) }
    }
}
