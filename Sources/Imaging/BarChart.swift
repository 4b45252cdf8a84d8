/// A bar chart of categorical data — a value per class (probabilities, logits, per-class
/// accuracy) — rendered pixel-exact like `LineChart`. Classes have no order to draw a line
/// through, so each value is a bar from 0; several series are grouped side by side in each slot
/// with a legend. Category names that do not fit their slot are written turned 90°.
///
///     var chart = BarChart(title: "test accuracy per class", xLabel: "class", yLabel: "accuracy (%)",
///                          categories: ["0", "1", ...])
///     chart.series.append(.init(name: "test", values: accuracy))
///     try PNG.write(chart.render(), to: url)
///
/// Cost: O(width · height) to fill the canvas, plus the bars.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// One value per category; a non-finite value draws no bar.
        public var values: [Double]
        /// nil picks the next colour of matplotlib's default cycle (`RGBA.tableau10`).
        public var color: RGBA?

        public init(name: String, values: [Double], color: RGBA? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    public var title: String?
    public var xLabel: String
    public var yLabel: String
    /// The names under the slots, left to right.
    public var categories: [String]
    public var series: [Series]
    public var width: Int
    public var height: Int
    public var textScale: Int
    /// Write each bar's value above it (below for a negative bar), with `valueFormat`; only when
    /// it fits the bar's width.
    public var valueLabels: Bool
    public var valueFormat: String
    /// Fixed value-axis range (e.g. 0...1 for probabilities); nil fits the values and 0.
    public var valueRange: ClosedRange<Double>?

    public init(title: String? = nil, xLabel: String = "", yLabel: String = "", categories: [String],
                series: [Series] = [], width: Int = 480, height: Int = 300, textScale: Int = 1,
                valueLabels: Bool = false, valueFormat: String = "%.2f", valueRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.width = width
        self.height = height
        self.textScale = textScale
        self.valueLabels = valueLabels
        self.valueFormat = valueFormat
        self.valueRange = valueRange
    }

    /// Draws the chart: the value axis always includes 0, where every bar starts.
    public func render() -> RGBAImage {
        let values = series.flatMap(\.values).filter(\.isFinite)
        let range = valueRange.map { [$0.lowerBound, $0.upperBound] } ?? []
        let frame = ChartFrame(width: width, height: height, textScale: textScale, title: title, xLabel: xLabel,
                               yLabel: yLabel, xValues: [], yValues: values + range + [0], categories: categories)
        var canvas = RGBAImage(width: width, height: height, fill: .white)
        frame.drawAxes(on: &canvas, title: title, xLabel: xLabel, yLabel: yLabel)
        let groupWidth = max(Int(frame.slotWidth * 0.8), series.count)
        let barWidth = max(groupWidth / max(series.count, 1), 1)
        let zero = frame.pixelY(0)
        for (s, one) in series.enumerated() {
            let color = one.color ?? RGBA.tableau10[s % RGBA.tableau10.count]
            for (index, value) in one.values.enumerated() where index < categories.count && value.isFinite {
                let x = frame.slotCenter(index) - series.count * barWidth / 2 + s * barWidth
                let y = frame.pixelY(value)
                let gap = barWidth > 4 ? 1 : 0                  // a white line between neighbouring bars
                canvas.fillRectangle(x: x + gap, y: min(y, zero), width: barWidth - gap, height: max(abs(zero - y), 1), color: color)
                guard valueLabels else { continue }
                let text = String(format: valueFormat, value)
                guard BitmapFont.width(of: text, scale: textScale) <= barWidth + 4 else { continue }
                // Above a positive bar (below a negative one); inside it, in white, where the
                // plot's edge leaves no room.
                let line = BitmapFont.lineHeight * textScale
                let outside = value >= 0 ? y - line : y + 3
                let fits = value >= 0 ? outside >= frame.top : outside + line <= frame.bottom
                let inside = value >= 0 ? y + 3 : y - line
                canvas.drawText(text, centeredAt: x + barWidth / 2, y: fits ? outside : inside,
                                color: fits ? .black : .white, scale: textScale)
            }
        }
        // The zero line over the bars' feet.
        canvas.fillRectangle(x: frame.left, y: zero, width: frame.right - frame.left + 1, height: 1, color: .black)
        if series.count > 1 {
            frame.drawLegend(on: &canvas, entries: series.enumerated().map { s, one in
                (one.name, one.color ?? RGBA.tableau10[s % RGBA.tableau10.count])
            })
        }
        return canvas
    }
}
