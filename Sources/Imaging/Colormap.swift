/// Colormaps that reproduce matplotlib's: `jet`, `viridis`, `inferno`, `gray`, and the diverging
/// `bwr` and `seismic`.
///
/// Like matplotlib, every colormap is a 256-entry lookup table and a value x in [0, 1] picks entry
/// `min(Int(x * 256), 255)`. Values below 0 get the first colour, above 1 the last, and NaN is
/// transparent (matplotlib's default "bad" colour). `viridis` and `inferno` are matplotlib's own
/// tables (ColormapTables.swift); the others are built from matplotlib's piecewise-linear segment
/// definitions (matplotlib/_cm.py), sampled at i/255 exactly as matplotlib samples them.
public struct Colormap: Sendable {
    public let name: String
    /// 256 RGB triples in [0, 1], flattened.
    private let table: [Double]

    private init(name: String, table: [Double]) {
        precondition(table.count == 3 * 256, "a colormap table has 256 RGB entries")
        self.name = name
        self.table = table
    }

    /// The colour for `value` as RGB components in [0, 1] (what `matplotlib.colormaps[name](value)`
    /// returns, minus alpha). NaN gives (0, 0, 0).
    public func components(at value: Double) -> (red: Double, green: Double, blue: Double) {
        guard !value.isNaN else { return (0, 0, 0) }
        let index = value <= 0 ? 0 : value >= 1 ? 255 : min(Int(value * 256), 255)
        return (table[3 * index], table[3 * index + 1], table[3 * index + 2])
    }

    /// The colour for `value` as an 8-bit RGBA colour; NaN is fully transparent.
    public func color(at value: Double) -> RGBA {
        guard !value.isNaN else { return .transparent }
        let (red, green, blue) = components(at: value)
        return RGBA(red: red, green: green, blue: blue)
    }

    /// Colours every value of a `width`×`height` grid of values in [0, 1].
    public func image(of values: [Float], width: Int, height: Int) -> RGBAImage {
        precondition(values.count == width * height, "\(values.count) values do not fill \(width)x\(height)")
        var image = RGBAImage(width: width, height: height, fill: .transparent)
        for (index, value) in values.enumerated() {
            image[x: index % width, y: index / width] = color(at: Double(value))
        }
        return image
    }

    /// A colormap running linearly from `low` (at 0) to `high` (at 1), RGB components in [0, 1]
    /// (matplotlib's `LinearSegmentedColormap.from_list(name, [low, high])`).
    public static func linear(name: String, from low: (Double, Double, Double), to high: (Double, Double, Double)) -> Colormap {
        Colormap(name: name, evenlySpaced: [low, high])
    }

    // MARK: The colormaps

    public static let viridis = Colormap(name: "viridis", table: viridisTable)
    public static let inferno = Colormap(name: "inferno", table: infernoTable)

    /// Rainbow-like; still the default of many saliency-map papers.
    public static let jet = Colormap(name: "jet", segments: (
        red: [(0, 0, 0), (0.35, 0, 0), (0.66, 1, 1), (0.89, 1, 1), (1, 0.5, 0.5)],
        green: [(0, 0, 0), (0.125, 0, 0), (0.375, 1, 1), (0.64, 1, 1), (0.91, 0, 0), (1, 0, 0)],
        blue: [(0, 0.5, 0.5), (0.11, 1, 1), (0.34, 1, 1), (0.65, 0, 0), (1, 0, 0)]))

    public static let gray = Colormap(name: "gray", segments: (
        red: [(0, 0, 0), (1, 1, 1)], green: [(0, 0, 0), (1, 1, 1)], blue: [(0, 0, 0), (1, 1, 1)]))

    /// Diverging blue–white–red: for signed attributions scaled so that 0.5 means zero.
    public static let bwr = Colormap(name: "bwr", evenlySpaced: [(0, 0, 1), (1, 1, 1), (1, 0, 0)])

    /// Diverging dark blue–blue–white–red–dark red.
    public static let seismic = Colormap(
        name: "seismic", evenlySpaced: [(0, 0, 0.3), (0, 0, 1), (1, 1, 1), (1, 0, 0), (0.5, 0, 0)])

    public static let all: [Colormap] = [.jet, .viridis, .inferno, .gray, .bwr, .seismic]

    /// The colormap with matplotlib's name `name`, if it is one of `all`.
    public static func named(_ name: String) -> Colormap? {
        all.first { $0.name == name }
    }

    // MARK: Building tables from segments

    /// One anchor of a channel: at position `x` the channel jumps from `below` to `above`
    /// (equal for continuous channels), matplotlib's `(x, y0, y1)` triples.
    typealias Anchor = (x: Double, below: Double, above: Double)

    private init(name: String, segments: (red: [Anchor], green: [Anchor], blue: [Anchor])) {
        let channels = [segments.red, segments.green, segments.blue].map(Self.sampleChannel)
        var table = [Double]()
        for index in 0..<256 {
            table += [channels[0][index], channels[1][index], channels[2][index]]
        }
        self.init(name: name, table: table)
    }

    /// `LinearSegmentedColormap.from_list`: colours at evenly spaced positions.
    private init(name: String, evenlySpaced colors: [(Double, Double, Double)]) {
        let positions = colors.indices.map { Double($0) / Double(colors.count - 1) }
        self.init(name: name, segments: (
            red: zip(positions, colors).map { ($0, $1.0, $1.0) },
            green: zip(positions, colors).map { ($0, $1.1, $1.1) },
            blue: zip(positions, colors).map { ($0, $1.2, $1.2) }))
    }

    /// Samples a channel at x = i/255 for i in 0...255 (matplotlib's `_create_lookup_table`):
    /// between anchors k−1 and k the value runs linearly from `above` of k−1 to `below` of k.
    private static func sampleChannel(_ anchors: [Anchor]) -> [Double] {
        (0..<256).map { index in
            if index == 0 { return anchors[0].above }
            if index == 255 { return anchors[anchors.count - 1].below }
            let x = Double(index) / 255
            let k = anchors.firstIndex { $0.x >= x } ?? anchors.count - 1     // numpy.searchsorted
            let (left, right) = (anchors[k - 1], anchors[k])
            let t = (x - left.x) / (right.x - left.x)
            return min(1, max(0, left.above + t * (right.below - left.above)))
        }
    }
}
