import Foundation
@testable import Imaging
import Testing

/// The helpers that make figures readable: text turned 90° for labels that do not fit, colour
/// bars with their end values under heatmaps, bar charts for values per class.
@Suite struct FigureHelperTests {
    /// The bounding box (x, y, width, height) of pixels that are not white.
    static func inkBox(_ image: RGBAImage, x: Range<Int>? = nil, y: Range<Int>? = nil) -> (x: Int, y: Int, width: Int, height: Int)? {
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        for row in y ?? 0..<image.height {
            for column in x ?? 0..<image.width where image[x: column, y: row] != .white {
                minX = min(minX, column); maxX = max(maxX, column); minY = min(minY, row); maxY = max(maxY, row)
            }
        }
        return maxX < 0 ? nil : (minX, minY, maxX - minX + 1, maxY - minY + 1)
    }

    @Test("rotated text is the horizontal text turned 90° anticlockwise, read bottom to top")
    func rotatedText() {
        let text = "Ag(x)"
        var flat = RGBAImage(width: 40, height: 12, fill: .white)
        flat.drawText(text, x: 0, y: 0)
        var turned = RGBAImage(width: 12, height: 40, fill: .white)
        turned.drawTextRotated(text, x: 2, bottom: 35)
        // Turning anticlockwise sends (column c, row r) of the flat text to (2 + r, 35 − c).
        for r in 0..<12 {
            for c in 0..<40 {
                let expected = flat[x: c, y: r]
                let x = 2 + r, y = 35 - c
                guard x < turned.width, y >= 0 else { continue }
                #expect(turned[x: x, y: y] == expected, "flat (\(c), \(r)) turned (\(x), \(y))")
            }
        }
        let box = Self.inkBox(turned)!
        #expect(box.height <= BitmapFont.width(of: text) && box.width <= BitmapFont.glyphHeight)
    }

    @Test("a line chart writes its y label turned (one column 8 pixels wide), not one letter per line")
    func yLabelTurned() {
        let chart = LineChart(title: nil, xLabel: "", yLabel: "probability", series: [.init(name: "a", values: [0, 1, 0.5])],
                              width: 300, height: 200)
        let image = chart.render()
        // The label sits left of the tick labels: x 6..<14.
        let box = Self.inkBox(image, x: 0..<15)!
        #expect(box.width <= 8, "the y label spans \(box.width) columns")
        #expect(box.height == BitmapFont.width(of: "probability"), "the y label is \(box.height) pixels tall")
    }

    @Test("colour bar end labels: 3 significant digits, short exponents, 0 as 0")
    func labels() {
        #expect(ColorBar.label(0.031234) == "0.0312")
        #expect(ColorBar.label(-12.5) == "-12.5")
        #expect(ColorBar.label(0.0000123) == "1.23e-5")
        #expect(ColorBar.label(123456) == "1.23e5")
        #expect(ColorBar.label(0) == "0")
        #expect(ColorBar.label(1) == "1")
    }

    @Test("the end values of each normalisation: min and max, ±max|v|, the percentiles")
    func displayRange() throws {
        let map = Heatmap(width: 5, height: 1, values: [-1, 0, 2, 3, 10])
        #expect(map.displayRange(.minMax) == (-1, 10))
        #expect(map.displayRange(.symmetric) == (-10, 10))
        let clipped = map.displayRange(.percentile(lower: 25, upper: 75))          // numpy: 0 and 3
        #expect(clipped.low == 0 && clipped.high == 3)
        #expect(Heatmap(width: 1, height: 1, values: [.nan]).displayRange(.minMax) == (0, 0))
    }

    @Test("withColorBar adds the bar (colormap 0 at the left, 1 at the right) and a line with both end values")
    func colorBar() throws {
        let picture = RGBAImage(width: 112, height: 112, fill: RGBA(10, 20, 30))
        let barred = picture.withColorBar(.bwr, low: -0.5, high: 0.5)
        #expect(barred.width == 112 && barred.height == 112 + 2 + 6 + 2 + 10)
        #expect(barred[x: 50, y: 50] == RGBA(10, 20, 30))                          // the picture is untouched
        let middle = 112 + 2 + 3
        #expect(barred[x: 1, y: middle] == Colormap.bwr.color(at: 1.0 / 111))       // inside the outline
        #expect(barred[x: 110, y: middle] == Colormap.bwr.color(at: 110.0 / 111))
        // Both labels are written: ink at the left and at the right of the text line.
        let text = 112 + 10..<barred.height
        let left = Self.inkBox(barred, x: 0..<30, y: text), right = Self.inkBox(barred, x: 82..<112, y: text)
        #expect(left != nil && right != nil)
        #expect(left!.width == BitmapFont.width(of: "-0.5") || left!.width == BitmapFont.width(of: "-0.5") - 1)
        // Too narrow for both on one line: two lines, so both values stay readable.
        let narrow = RGBAImage(width: 36, height: 36, fill: .black).withColorBar(.bwr, low: -0.123, high: 0.123)
        #expect(narrow.height == 36 + 2 + 6 + 2 + 20)
    }

    @Test("a bar chart: one bar per category from 0, heights in proportion, negatives below the zero line")
    func barChart() throws {
        let chart = BarChart(categories: ["a", "b", "c"], series: [.init(name: "v", values: [1, 2, -1])],
                             width: 300, height: 240)
        let image = chart.render()
        let color = RGBA.tableau10[0]
        // The bars are the three runs of columns holding the series' colour; take each run's middle.
        let columns = (0..<image.width).filter { c in (0..<image.height).contains { image[x: c, y: $0] == color } }
        var runs: [[Int]] = []
        for column in columns {
            if let last = runs.last?.last, last == column - 1 { runs[runs.count - 1].append(column) } else { runs.append([column]) }
        }
        #expect(runs.count == 3)
        func barRows(atSlot slot: Int) -> [Int] {
            let column = runs[slot][runs[slot].count / 2]
            return (0..<image.height).filter { image[x: column, y: $0] == color }
        }
        let a = barRows(atSlot: 0), b = barRows(atSlot: 1), c = barRows(atSlot: 2)
        #expect(abs(b.count - 2 * a.count) <= 2, "bar b \(b.count) px, bar a \(a.count) px")
        #expect(abs(c.count - a.count) <= 2)
        #expect(a.last! < c.first!, "the negative bar hangs below the positive ones' feet")
    }

    @Test("category names wider than their slot are written turned, never cut or stacked letter by letter")
    func turnedCategories() throws {
        let names = (0..<10).map { "category number \($0)" }
        let chart = BarChart(categories: names, series: [.init(name: "v", values: (0..<10).map(Double.init))],
                             width: 300, height: 300)
        let image = chart.render()
        // Under the plot, the tallest ink column run is a whole turned name.
        let below = Self.inkBox(image, y: 160..<300)!
        #expect(below.height >= BitmapFont.width(of: names[0]))
        #expect(BarChart(categories: ["a", "b"], series: [.init(name: "v", values: [1, 2])]).render().height == 300)
    }
}
