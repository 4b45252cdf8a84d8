import Codecs
import Foundation
import Imaging
import Testing

@Suite struct DrawingTests {
    /// Set WORKBOOK_IMAGING_EXPORT=/some/folder to look at the rendered pictures.
    static func export(_ image: RGBAImage, _ name: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["WORKBOOK_IMAGING_EXPORT"] else { return }
        try PNG.write(image, to: URL(fileURLWithPath: folder).appendingPathComponent(name + ".png"))
    }

    @Test func upscalingRepeatsPixels() {
        let digit = GrayImage(width: 2, height: 1, pixels: [10, 200])
        let big = digit.upscaled(by: 4)
        #expect(big.width == 8 && big.height == 4)
        #expect(big[x: 3, y: 3] == 10 && big[x: 4, y: 0] == 200)
        #expect(RGBAImage(digit).upscaled(by: 2)[x: 3, y: 1] == RGBA(200, 200, 200))
    }

    @Test func fontCoversPrintableASCIIAndMeasuresText() {
        #expect(BitmapFont.width(of: "pred 3 / true 5 (0.97)") == 22 * 6 - 1)
        #expect(BitmapFont.width(of: "ab", scale: 3) == 33)
        // Every printable character draws something except space, and differs from '?' unless it is '?'.
        var question = RGBAImage(width: 6, height: 8)
        question.drawText("?", x: 0, y: 0)
        for code in 33...126 {
            let character = String(UnicodeScalar(UInt8(code)))
            var canvas = RGBAImage(width: 6, height: 8)
            canvas.drawText(character, x: 0, y: 0)
            #expect(canvas != RGBAImage(width: 6, height: 8), "glyph \(character) is blank")
            if character != "?" { #expect(canvas != question, "glyph \(character) is missing") }
        }
    }

    @Test func textIsDrawnAtTheRightPlace() {
        var canvas = RGBAImage(width: 20, height: 10)
        canvas.drawText("1", x: 2, y: 1, color: .black, scale: 1)
        // '1' row 0 is ..#.. : one pixel at x = 2 + 2, y = 1.
        #expect(canvas[x: 4, y: 1] == .black && canvas[x: 3, y: 1] == .white)
        // Row 6 is .###. (the base of the 1).
        #expect(canvas[x: 3, y: 7] == .black && canvas[x: 5, y: 7] == .black && canvas[x: 6, y: 7] == .white)
    }

    @Test func gridPlacesImagesAndCaptions() throws {
        var random = SplitMix64(seed: 5)
        let digits = (0..<6).map { _ in GrayImage(width: 28, height: 28, pixels: (0..<784).map { _ in UInt8(random.next() % 256) }) }
        let grid = ImageGrid.render(digits.enumerated().map { ($1, "pred \($0) / true 5 (0.97)") },
                                    columns: 3, title: "Predictions", upscale: 4)
        try Self.export(grid, "grid")
        #expect(grid.width >= 3 * 112 && grid.height >= 2 * 112)
        // The first image's top-left pixel appears, upscaled, in the first cell.
        let expected = digits[0][x: 0, y: 0]
        var found = false
        for y in 0..<grid.height where !found {
            for x in 0..<(grid.width - 3) where grid[x: x, y: y] == RGBA(expected, expected, expected)
                && grid[x: x + 3, y: y] == RGBA(expected, expected, expected) {
                found = true
                break
            }
        }
        #expect(found)
    }

    @Test func chartsRenderDeterministically() throws {
        let losses = (0..<30).map { 2.3 * exp(-Double($0) / 8) + 0.05 }
        var chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss")
        chart.series.append(.init(name: "train", values: losses))
        chart.series.append(.init(name: "test", values: losses.map { $0 * 1.1 + 0.02 }))
        let picture = chart.render()
        #expect(picture.width == 640 && picture.height == 400)
        #expect(picture == chart.render())
        try Self.export(picture, "line-chart")
        // The series colours appear on the canvas.
        #expect(picture.pixels.withUnsafeBufferPointer { Self.contains(RGBA.tableau10[0], in: $0) })
        #expect(picture.pixels.withUnsafeBufferPointer { Self.contains(RGBA.tableau10[1], in: $0) })

        var random = SplitMix64(seed: 9)
        let points = (0..<300).map { index -> ScatterPlot.Point in
            let cls = index % 3
            return ScatterPlot.Point(x: Double(cls) * 3 + Double(random.next() % 1000) / 400,
                                     y: Double(cls % 2) * 2 + Double(random.next() % 1000) / 500, classIndex: cls)
        }
        let scatter = ScatterPlot(title: "Features (PCA)", xLabel: "pc1", yLabel: "pc2", points: points,
                                  classNames: ["zero", "one", "two"]).render()
        try Self.export(scatter, "scatter")
        #expect(scatter.pixels.withUnsafeBufferPointer { Self.contains(ScatterPlot.color(ofClass: 2), in: $0) })
    }

    @Test func flatAndEmptyChartsDoNotCrash() {
        _ = LineChart(series: [.init(name: "flat", values: [1, 1, 1])]).render()
        _ = LineChart(series: [.init(name: "nan", values: [.nan, .infinity, 2])]).render()
        _ = LineChart().render()
        _ = ScatterPlot().render()
    }

    static func contains(_ color: RGBA, in pixels: UnsafeBufferPointer<UInt8>) -> Bool {
        stride(from: 0, to: pixels.count, by: 4).contains {
            pixels[$0] == color.r && pixels[$0 + 1] == color.g && pixels[$0 + 2] == color.b
        }
    }
}
