/// A grid of attribution values (saliency, Grad-CAM, ...) and the ways to scale it for display.
public struct Heatmap: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` values, row-major.
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(width > 0 && height > 0 && values.count == width * height,
                     "Heatmap: \(values.count) values do not fill \(width)x\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// How raw values are mapped to [0, 1] before colouring.
    public enum Normalization: Equatable, Sendable {
        /// (v − min) / (max − min + ε). A constant map becomes all zeros, never NaN.
        case minMax
        /// Clip to the `lower` and `upper` percentiles (0...100, numpy's default "linear"
        /// interpolation), then min-max. Keeps a few extreme pixels from washing out the rest.
        case percentile(lower: Double, upper: Double)
        /// v / max|v| gives [−1, 1], then (x + 1) / 2 gives [0, 1]: zero maps to 0.5, the neutral
        /// middle of a diverging colormap such as `bwr`. An all-zero map becomes all 0.5.
        case symmetric
    }

    /// Keeps min-max scaling of a constant map finite.
    public static let epsilon: Float = 1e-12

    /// The values scaled to [0, 1].
    /// - Throws: `ImagingError.nonFiniteValues` if any value is NaN or infinite (there is no
    ///   meaningful colour for them, and they would poison the scale of every other pixel).
    public func normalized(_ method: Normalization) throws -> Heatmap {
        let badCount = values.count { !$0.isFinite }
        guard badCount == 0 else { throw ImagingError.nonFiniteValues(count: badCount) }
        var result = self
        switch method {
        case .minMax:
            result.values = Self.minMax(values)
        case .percentile(let lower, let upper):
            precondition(0 <= lower && lower < upper && upper <= 100, "percentiles must satisfy 0 <= lower < upper <= 100")
            let sorted = values.sorted()
            let low = Self.percentile(sorted, lower), high = Self.percentile(sorted, upper)
            result.values = Self.minMax(values.map { min(max($0, low), high) })
        case .symmetric:
            let largest = values.reduce(0) { max($0, abs($1)) }
            result.values = values.map { ($0 / (largest + Self.epsilon) + 1) / 2 }
        }
        return result
    }

    /// The raw values that `normalized(method)` maps to 0 and 1: what the two ends of a colour bar
    /// stand for. minMax: (min, max); percentile: the two clipping values; symmetric: ±max|v|.
    /// A map with non-finite values gives (0, 0). Cost O(n), O(n log n) for percentiles.
    public func displayRange(_ method: Normalization) -> (low: Float, high: Float) {
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else { return (0, 0) }
        switch method {
        case .minMax:
            return (values.min() ?? 0, values.max() ?? 0)
        case .percentile(let lower, let upper):
            let sorted = values.sorted()
            return (Self.percentile(sorted, lower), Self.percentile(sorted, upper))
        case .symmetric:
            let largest = values.reduce(0) { max($0, abs($1)) }
            return (-largest, largest)
        }
    }

    private static func minMax(_ values: [Float]) -> [Float] {
        let low = values.min() ?? 0, high = values.max() ?? 0
        return values.map { ($0 - low) / (high - low + epsilon) }
    }

    /// numpy.percentile with linear interpolation between the two nearest ranks.
    static func percentile(_ sorted: [Float], _ percent: Double) -> Float {
        let rank = percent / 100 * Double(sorted.count - 1)
        let below = Int(rank.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = Float(rank - Double(below))
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }

    /// Nearest-neighbour resampling to another size (e.g. a 7×7 Grad-CAM map onto a 28×28 image):
    /// output pixel (x, y) takes the value at (x · width / newWidth, y · height / newHeight).
    public func resized(width newWidth: Int, height newHeight: Int) -> Heatmap {
        var resized = [Float]()
        resized.reserveCapacity(newWidth * newHeight)
        for y in 0..<newHeight {
            for x in 0..<newWidth {
                resized.append(values[(y * height / newHeight) * width + x * width / newWidth])
            }
        }
        return Heatmap(width: newWidth, height: newHeight, values: resized)
    }

    /// The (already normalised) values coloured with `colormap`.
    public func colorized(_ colormap: Colormap) -> RGBAImage {
        colormap.image(of: values, width: width, height: height)
    }
}

extension RGBAImage {
    /// This image with `heatmap` (values in [0, 1], resized to fit) coloured by `colormap` and
    /// blended on top: result = (1 − alpha) · image + alpha · colour. The result is opaque.
    public func overlaying(_ heatmap: Heatmap, colormap: Colormap, alpha: Double = 0.5) -> RGBAImage {
        let fitted = heatmap.width == width && heatmap.height == height ? heatmap : heatmap.resized(width: width, height: height)
        let weight = min(max(alpha, 0), 1)
        var result = self
        for index in 0..<(width * height) {
            let color = colormap.color(at: Double(fitted.values[index]))
            let overlay = [color.r, color.g, color.b]
            for channel in 0..<3 {
                let base = Double(pixels[4 * index + channel])
                result.pixels[4 * index + channel] = UInt8((base * (1 - weight) + Double(overlay[channel]) * weight).rounded())
            }
            result.pixels[4 * index + 3] = 255
        }
        return result
    }
}

extension GrayImage {
    /// The gray image as RGB with `heatmap` blended on top (see `RGBAImage.overlaying`).
    public func overlaying(_ heatmap: Heatmap, colormap: Colormap, alpha: Double = 0.5) -> RGBAImage {
        RGBAImage(self).overlaying(heatmap, colormap: colormap, alpha: alpha)
    }
}
