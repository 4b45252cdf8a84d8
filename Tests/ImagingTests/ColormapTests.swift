import Imaging
import Testing

@Suite struct ColormapTests {
    /// Reference values from matplotlib 3.11.2, each printed by
    ///     import matplotlib; r, g, b, a = matplotlib.colormaps[name](x)
    /// e.g. `matplotlib.colormaps['jet'](0.3)` -> (0.0, 0.692157, 1.0, 1.0).
    static let samples: [(String, Double, Double, Double, Double)] = [
        ("jet", 0.0, 0.000000, 0.000000, 0.500000),
        ("jet", 0.3, 0.000000, 0.692157, 1.000000),
        ("jet", 0.5, 0.490196, 1.000000, 0.477546),
        ("jet", 0.77, 1.000000, 0.509078, 0.000000),
        ("jet", 1.0, 0.500000, 0.000000, 0.000000),
        ("viridis", 0.0, 0.267004, 0.004874, 0.329415),
        ("viridis", 0.3, 0.206756, 0.371758, 0.553117),
        ("viridis", 0.5, 0.127568, 0.566949, 0.550556),
        ("viridis", 0.77, 0.412913, 0.803041, 0.357269),
        ("viridis", 1.0, 0.993248, 0.906157, 0.143936),
        ("inferno", 0.0, 0.001462, 0.000466, 0.013866),
        ("inferno", 0.3, 0.416331, 0.090203, 0.432943),
        ("inferno", 0.5, 0.735683, 0.215906, 0.330245),
        ("inferno", 0.77, 0.983779, 0.593849, 0.023770),
        ("inferno", 1.0, 0.988362, 0.998364, 0.644924),
        ("gray", 0.0, 0.000000, 0.000000, 0.000000),
        ("gray", 0.3, 0.298039, 0.298039, 0.298039),
        ("gray", 0.5, 0.501961, 0.501961, 0.501961),
        ("gray", 0.77, 0.772549, 0.772549, 0.772549),
        ("gray", 1.0, 1.000000, 1.000000, 1.000000),
        ("bwr", 0.0, 0.000000, 0.000000, 1.000000),
        ("bwr", 0.3, 0.596078, 0.596078, 1.000000),
        ("bwr", 0.5, 1.000000, 0.996078, 0.996078),
        ("bwr", 0.77, 1.000000, 0.454902, 0.454902),
        ("bwr", 1.0, 1.000000, 0.000000, 0.000000),
        ("seismic", 0.0, 0.000000, 0.000000, 0.300000),
        ("seismic", 0.3, 0.192157, 0.192157, 1.000000),
        ("seismic", 0.5, 1.000000, 0.992157, 0.992157),
        ("seismic", 0.77, 0.954902, 0.000000, 0.000000),
        ("seismic", 1.0, 0.500000, 0.000000, 0.000000),
    ]

    @Test func matchesMatplotlibWithinOneLevel() throws {
        for (name, x, red, green, blue) in Self.samples {
            let colormap = try #require(Colormap.named(name))
            let (r, g, b) = colormap.components(at: x)
            let tolerance = 1.0 / 255
            #expect(abs(r - red) <= tolerance && abs(g - green) <= tolerance && abs(b - blue) <= tolerance,
                    "\(name)(\(x)) = (\(r), \(g), \(b)), matplotlib (\(red), \(green), \(blue))")
        }
    }

    @Test func handlesOutOfRangeAndNaN() {
        #expect(Colormap.jet.color(at: -3) == Colormap.jet.color(at: 0))
        #expect(Colormap.jet.color(at: 7) == Colormap.jet.color(at: 1))
        #expect(Colormap.viridis.color(at: .nan) == .transparent)
        #expect(Colormap.gray.color(at: 1) == RGBA(255, 255, 255))
    }
}

@Suite struct HeatmapTests {
    @Test func minMaxScalesToUnitRange() throws {
        let map = try Heatmap(width: 2, height: 2, values: [2, 4, 6, 10]).normalized(.minMax)
        #expect(map.values[0] == 0 && abs(map.values[3] - 1) < 1e-6 && abs(map.values[1] - 0.25) < 1e-6)
    }

    @Test func constantMapGivesZerosNotNaN() throws {
        let map = try Heatmap(width: 3, height: 1, values: [5, 5, 5]).normalized(.minMax)
        #expect(map.values == [0, 0, 0])
        let zeros = try Heatmap(width: 2, height: 1, values: [0, 0]).normalized(.symmetric)
        #expect(zeros.values == [0.5, 0.5])
    }

    @Test func nonFiniteValuesAreATypedError() {
        #expect(throws: ImagingError.nonFiniteValues(count: 2)) {
            try Heatmap(width: 3, height: 1, values: [1, .nan, .infinity]).normalized(.minMax)
        }
    }

    @Test func percentileClippingIgnoresOutliers() throws {
        // numpy: np.percentile([1, 2, 3, 4, 100], [10, 90]) -> [1.4, 61.6]
        let map = try Heatmap(width: 5, height: 1, values: [1, 2, 3, 4, 100]).normalized(.percentile(lower: 10, upper: 90))
        #expect(map.values[0] == 0 && abs(map.values[4] - 1) < 1e-6)
        #expect(abs(map.values[1] - (2 - 1.4) / (61.6 - 1.4)) < 1e-5)
    }

    @Test func symmetricScalingKeepsZeroInTheMiddle() throws {
        let map = try Heatmap(width: 3, height: 1, values: [-2, 0, 1]).normalized(.symmetric)
        #expect(abs(map.values[0]) < 1e-6 && map.values[1] == 0.5 && abs(map.values[2] - 0.75) < 1e-6)
    }

    @Test func overlayBlendsAndResizes() throws {
        let base = GrayImage(width: 4, height: 4, fill: 100)
        let heat = Heatmap(width: 2, height: 2, values: [0, 1, 1, 0])
        let blended = base.overlaying(heat, colormap: .gray, alpha: 0.5)
        #expect(blended.width == 4 && blended[x: 0, y: 0] == RGBA(50, 50, 50) && blended[x: 3, y: 0] == RGBA(178, 178, 178))
        #expect(blended[x: 1, y: 1] == RGBA(50, 50, 50) && blended[x: 2, y: 1] == RGBA(178, 178, 178))
        #expect(base.overlaying(heat, colormap: .jet, alpha: 0) == RGBAImage(base))
    }
}
