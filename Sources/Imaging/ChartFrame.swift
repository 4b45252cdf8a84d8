import Foundation

/// The parts shared by `LineChart`, `ScatterPlot` and `BarChart`: "nice" axis ranges and ticks,
/// the plot area, axes with tick labels, titles and the legend. With `categories` the x axis is
/// categorical (one slot per name, as a bar chart has): names too wide for their slot are written
/// turned 90° (read bottom to top), never cut to one letter per line.
struct ChartFrame {
    let width: Int, height: Int, textScale: Int
    let xAxis: AxisScale, yAxis: AxisScale
    /// Names of the x slots of a categorical axis (nil: a numeric x axis).
    let categories: [String]?
    /// The plot area in pixels.
    let left: Int, right: Int, top: Int, bottom: Int

    init(width: Int, height: Int, textScale: Int, title: String?, xLabel: String, yLabel: String,
         xValues: [Double], yValues: [Double], categories: [String]? = nil) {
        self.width = width
        self.height = height
        self.textScale = textScale
        self.categories = categories
        let yScale = AxisScale(covering: yValues)
        xAxis = AxisScale(covering: categories.map { [0, Double(max($0.count, 1))] } ?? xValues)
        yAxis = yScale
        let line = BitmapFont.lineHeight * textScale
        let widestYLabel = yScale.ticks.map { BitmapFont.width(of: yScale.label(for: $0), scale: textScale) }.max() ?? 0
        left = 8 + (yLabel.isEmpty ? 0 : line + 4) + widestYLabel + 6
        right = width - 16
        top = title == nil ? 12 : 12 + line * 3 / 2
        var tickLabels = line
        if let categories, Self.rotates(categories, slot: Double(right - left) / Double(max(categories.count, 1)), scale: textScale) {
            tickLabels = categories.map { BitmapFont.width(of: $0, scale: textScale) }.max() ?? line
        }
        bottom = height - 8 - (xLabel.isEmpty ? 0 : line + 4) - tickLabels - 4
    }

    /// Whether category names are written turned: when the widest does not fit its slot with
    /// 2 pixels to spare on each side.
    static func rotates(_ categories: [String], slot: Double, scale: Int) -> Bool {
        Double(categories.map { BitmapFont.width(of: $0, scale: scale) }.max() ?? 0) > slot - 4
    }

    /// Width of one category's slot, in pixels (categorical axis).
    var slotWidth: Double { Double(right - left) / Double(max(categories?.count ?? 1, 1)) }

    /// Centre of category `index`'s slot (categorical axis).
    func slotCenter(_ index: Int) -> Int { left + Int(((Double(index) + 0.5) * slotWidth).rounded()) }

    func pixelX(_ value: Double) -> Int { left + Int((xAxis.fraction(of: value) * Double(right - left)).rounded()) }
    func pixelY(_ value: Double) -> Int { bottom - Int((yAxis.fraction(of: value) * Double(bottom - top)).rounded()) }

    /// Background, grid lines, axes, tick labels, axis labels and title.
    func drawAxes(on canvas: inout RGBAImage, title: String?, xLabel: String, yLabel: String) {
        let line = BitmapFont.lineHeight * textScale
        if let categories {
            let turned = Self.rotates(categories, slot: slotWidth, scale: textScale)
            for (index, name) in categories.enumerated() {
                let x = slotCenter(index)
                canvas.fillRectangle(x: x, y: bottom, width: 1, height: 4, color: .black)
                if turned {
                    // The name's end meets the axis, as matplotlib's rotation=90 with ha="center".
                    canvas.drawTextRotated(name, x: x - BitmapFont.glyphHeight * textScale / 2,
                                           bottom: bottom + 6 + BitmapFont.width(of: name, scale: textScale), scale: textScale)
                } else {
                    canvas.drawText(name, centeredAt: x, y: bottom + 6, scale: textScale)
                }
            }
        }
        for tick in categories == nil ? xAxis.ticks : [] {
            let x = pixelX(tick)
            canvas.fillRectangle(x: x, y: top, width: 1, height: bottom - top, color: .lightGray)
            canvas.fillRectangle(x: x, y: bottom, width: 1, height: 4, color: .black)
            canvas.drawText(xAxis.label(for: tick), centeredAt: x, y: bottom + 6, scale: textScale)
        }
        for tick in yAxis.ticks {
            let y = pixelY(tick)
            canvas.fillRectangle(x: left, y: y, width: right - left, height: 1, color: .lightGray)
            canvas.fillRectangle(x: left - 4, y: y, width: 4, height: 1, color: .black)
            let label = yAxis.label(for: tick)
            canvas.drawText(label, x: left - 6 - BitmapFont.width(of: label, scale: textScale),
                            y: y - BitmapFont.glyphHeight * textScale / 2, scale: textScale)
        }
        canvas.strokeRectangle(x: left, y: top, width: right - left + 1, height: bottom - top + 1, color: .black)
        if let title {
            canvas.drawText(title, centeredAt: (left + right) / 2, y: 8, scale: textScale)
        }
        if !xLabel.isEmpty {
            canvas.drawText(xLabel, centeredAt: (left + right) / 2, y: height - 4 - line, scale: textScale)
        }
        if !yLabel.isEmpty {
            // Turned 90° and read from bottom to top, as matplotlib writes a y label.
            canvas.drawTextRotated(yLabel, x: 6, centeredAtY: (top + bottom) / 2, scale: textScale)
        }
    }

    /// A boxed legend in the top-right corner of the plot area: a swatch and a name per entry.
    func drawLegend(on canvas: inout RGBAImage, entries: [(name: String, color: RGBA)]) {
        guard !entries.isEmpty else { return }
        let line = BitmapFont.lineHeight * textScale
        let swatch = 12 * textScale
        let textWidth = entries.map { BitmapFont.width(of: $0.name, scale: textScale) }.max() ?? 0
        let boxWidth = 6 + swatch + 4 + textWidth + 6
        let boxHeight = 4 + entries.count * (line + 2) + 2
        let boxLeft = right - boxWidth - 6, boxTop = top + 6
        canvas.fillRectangle(x: boxLeft, y: boxTop, width: boxWidth, height: boxHeight, color: .white)
        canvas.strokeRectangle(x: boxLeft, y: boxTop, width: boxWidth, height: boxHeight, color: .darkGray)
        for (index, entry) in entries.enumerated() {
            let y = boxTop + 4 + index * (line + 2)
            canvas.fillRectangle(x: boxLeft + 6, y: y + line / 2 - 2 * textScale, width: swatch, height: 3 * textScale,
                                 color: entry.color)
            canvas.drawText(entry.name, x: boxLeft + 6 + swatch + 4, y: y, scale: textScale)
        }
    }
}

/// A linear axis whose range is widened to "nice" tick values: steps of 1, 2 or 5 × 10^k.
struct AxisScale {
    let low: Double, high: Double, step: Double

    init(covering values: [Double], targetTickCount: Int = 6) {
        let finite = values.filter(\.isFinite)
        var minimum = finite.min() ?? 0, maximum = finite.max() ?? 1
        if minimum == maximum {                         // a flat series still gets a visible range
            minimum -= max(abs(minimum) * 0.1, 0.5)
            maximum += max(abs(maximum) * 0.1, 0.5)
        }
        let rough = (maximum - minimum) / Double(targetTickCount - 1)
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        self.step = step
        low = (minimum / step).rounded(.down) * step
        high = (maximum / step).rounded(.up) * step
    }

    var ticks: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }

    func fraction(of value: Double) -> Double { (value - low) / (high - low) }

    /// Tick text with just enough decimals for the step ("0.25", "100", "1e-05").
    func label(for value: Double) -> String {
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        if abs(value) < step / 2 { return "0" }
        if decimals > 6 || abs(value) >= 1e7 { return String(format: "%.1e", value) }
        return String(format: "%.\(decimals)f", value)
    }
}
