/// Plain, readable charts rendered straight to an `RGBAImage` (no anti-aliasing, so output is
/// exact and golden-testable): training curves as a `LineChart`, embeddings as a `ScatterPlot`.
///
///     var chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss")
///     chart.series.append(.init(name: "train", values: trainLoss))
///     chart.series.append(.init(name: "test", values: testLoss))
///     try PNG.write(chart.render(), to: url)
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        /// nil picks the next colour of matplotlib's default cycle (`RGBA.tableau10`).
        public var color: RGBA?

        public struct Point: Sendable {
            public var x: Double, y: Double
            public init(x: Double, y: Double) { self.x = x; self.y = y }
        }

        public init(name: String, points: [Point], color: RGBA? = nil) {
            self.name = name
            self.points = points
            self.color = color
        }

        /// A series whose x values are 0, 1, 2, ... (e.g. one value per epoch).
        public init(name: String, values: [Double], color: RGBA? = nil) {
            self.init(name: name, points: values.enumerated().map { Point(x: Double($0), y: $1) }, color: color)
        }
    }

    public var title: String?
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width: Int
    public var height: Int
    public var textScale: Int
    public var lineThickness: Int

    public init(title: String? = nil, xLabel: String = "", yLabel: String = "", series: [Series] = [],
                width: Int = 640, height: Int = 400, textScale: Int = 1, lineThickness: Int = 2) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.width = width
        self.height = height
        self.textScale = textScale
        self.lineThickness = lineThickness
    }

    /// Draws the chart. Non-finite points are skipped (the line breaks there).
    public func render() -> RGBAImage {
        let points = series.flatMap(\.points)
        let frame = ChartFrame(width: width, height: height, textScale: textScale, title: title, xLabel: xLabel,
                               yLabel: yLabel, xValues: points.map(\.x), yValues: points.map(\.y))
        var canvas = RGBAImage(width: width, height: height, fill: .white)
        frame.drawAxes(on: &canvas, title: title, xLabel: xLabel, yLabel: yLabel)
        var legend: [(name: String, color: RGBA)] = []
        for (index, line) in series.enumerated() {
            let color = line.color ?? RGBA.tableau10[index % RGBA.tableau10.count]
            var previous: (x: Int, y: Int)?
            for point in line.points {
                guard point.x.isFinite, point.y.isFinite else { previous = nil; continue }
                let pixel = (x: frame.pixelX(point.x), y: frame.pixelY(point.y))
                if let previous {
                    canvas.drawLine(from: previous, to: pixel, color: color, thickness: lineThickness)
                } else {
                    canvas.fillCircle(centerX: pixel.x, centerY: pixel.y, radius: lineThickness / 2, color: color)
                }
                previous = pixel
            }
            legend.append((line.name, color))
        }
        frame.drawLegend(on: &canvas, entries: legend.filter { !$0.name.isEmpty })
        return canvas
    }
}

/// Points coloured by class, e.g. a 2-D projection of learned features, with a legend.
public struct ScatterPlot: Sendable {
    public struct Point: Sendable {
        public var x: Double, y: Double
        /// Index into `classNames` (and into the colour cycle).
        public var classIndex: Int
        public init(x: Double, y: Double, classIndex: Int) { self.x = x; self.y = y; self.classIndex = classIndex }
    }

    public var title: String?
    public var xLabel: String
    public var yLabel: String
    public var points: [Point]
    /// Legend names per class; classes without a name are labelled by their index.
    public var classNames: [String]
    public var width: Int
    public var height: Int
    public var textScale: Int
    public var pointRadius: Int

    public init(title: String? = nil, xLabel: String = "", yLabel: String = "", points: [Point] = [],
                classNames: [String] = [], width: Int = 640, height: Int = 480, textScale: Int = 1, pointRadius: Int = 2) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.classNames = classNames
        self.width = width
        self.height = height
        self.textScale = textScale
        self.pointRadius = pointRadius
    }

    /// Colour of class `index` (matplotlib's tab10 cycle).
    public static func color(ofClass index: Int) -> RGBA {
        RGBA.tableau10[((index % 10) + 10) % 10]
    }

    /// Draws the plot; points with non-finite coordinates are skipped.
    public func render() -> RGBAImage {
        let visible = points.filter { $0.x.isFinite && $0.y.isFinite }
        let frame = ChartFrame(width: width, height: height, textScale: textScale, title: title, xLabel: xLabel,
                               yLabel: yLabel, xValues: visible.map(\.x), yValues: visible.map(\.y))
        var canvas = RGBAImage(width: width, height: height, fill: .white)
        frame.drawAxes(on: &canvas, title: title, xLabel: xLabel, yLabel: yLabel)
        for point in visible {
            canvas.fillCircle(centerX: frame.pixelX(point.x), centerY: frame.pixelY(point.y), radius: pointRadius,
                              color: Self.color(ofClass: point.classIndex))
        }
        let classes = Set(visible.map(\.classIndex)).sorted()
        frame.drawLegend(on: &canvas, entries: classes.map { index in
            (index >= 0 && index < classNames.count ? classNames[index] : String(index), Self.color(ofClass: index))
        })
        return canvas
    }
}
