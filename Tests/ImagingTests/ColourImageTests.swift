import Foundation
import Imaging
import Testing

@Suite("Colour images and mask outlines")
struct ColourImageTests {
    @Test("planar [3, H, W] values become RGB pixels; one channel becomes gray, as GrayImage does")
    func planar() {
        // 2×1 image: red plane [0, 1], green [0.5, 0.2], blue [1, 0]; out-of-range values clamp.
        let image = RGBAImage(planar: [0, 1, 0.5, 0.2, 1.7, -3], channels: 3, width: 2, height: 1)
        #expect(image[x: 0, y: 0] == RGBA(0, 128, 255) && image[x: 1, y: 0] == RGBA(255, 51, 0))
        let gray = RGBAImage(planar: [0.25, 0.9], channels: 1, width: 2, height: 1)
        #expect(gray == RGBAImage(GrayImage(width: 2, height: 1, unitValues: [0.25, 0.9])))
    }

    @Test("the outline of a hand-made mask: a 2×2 square in a 4×4 grid, upscaled 3 times")
    func outline() throws {
        // Cells (1, 1), (2, 1), (1, 2), (2, 2) are the object: on the 12×12 picture its outline is
        // the square of side 6 from (3, 3) to (8, 8), one pixel wide, inside the object's cells.
        var mask = [Bool](repeating: false, count: 16)
        for (x, y) in [(1, 1), (2, 1), (1, 2), (2, 2)] { mask[y * 4 + x] = true }
        let picture = try RGBAImage(width: 12, height: 12, fill: .black).outliningMask(mask, width: 4, height: 4, color: .white)
        var expected = Set<Int>()
        for i in 3...8 { expected.formUnion([3 * 12 + i, 8 * 12 + i, i * 12 + 3, i * 12 + 8]) }
        let white = Set((0..<144).filter { picture[x: $0 % 12, y: $0 / 12] == .white })
        #expect(white == expected, "outline pixels: \(white.count) drawn, \(expected.count) expected; \(white.symmetricDifference(expected).count) differ")
        #expect((0..<144).allSatisfy { white.contains($0) || picture[x: $0 % 12, y: $0 / 12] == .black })
    }

    @Test("a mask cell at the image border is outlined on that border; an L-shape gets its inner corner")
    func outlineAtBorder() throws {
        // 3×2 grid, upscale 2; mask = (0,0), (1,0), (0,1): an L in the top-left corner.
        let mask = [true, true, false, true, false, false]
        let picture = try RGBAImage(width: 6, height: 4, fill: .black).outliningMask(mask, width: 3, height: 2, color: .white)
        let rows = (0..<4).map { y in String((0..<6).map { picture[x: $0, y: y] == .white ? "#" : "." }) }
        #expect(rows == ["####..", "#.##..", "##....", "##...."], "\(rows)")
    }

    @Test("a mask whose size does not divide the image, or has the wrong count, is an error")
    func outlineErrors() {
        let image = RGBAImage(width: 10, height: 10)
        #expect(throws: ImagingError.self) { try image.outliningMask([Bool](repeating: true, count: 9), width: 3, height: 3) }
        #expect(throws: ImagingError.self) { try image.outliningMask([true], width: 5, height: 5) }
    }

    @Test("un-normalising per channel undoes (x − mean[c]) / std[c]")
    func unnormalize() throws {
        let mean: [Float] = [0.5, 0.25, 0], std: [Float] = [0.5, 0.25, 2]
        let pixels: [Float] = [0, 1, 0.5, 0.75, 0.2, 0.4]
        let normalized = pixels.enumerated().map { ($1 - mean[$0 / 2]) / std[$0 / 2] }
        let back = try DisplayPixels.unnormalized(normalized, mean: mean, std: std, area: 2)
        #expect(zip(back, pixels).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(throws: ImagingError.self) { try DisplayPixels.unnormalized([1, 2, 3], mean: mean, std: std, area: 2) }
    }
}
