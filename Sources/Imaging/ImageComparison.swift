/// Measuring how different two images are, for tests with tolerances.
///
/// Differences are in [0, 1] units: an 8-bit difference of 255 is 1.0. `rms` is the root mean
/// square over all channels of all pixels, `maxAbsolute` the largest single channel difference.
public struct ImageDifference: Equatable, Sendable, CustomStringConvertible {
    public var rms: Double
    public var maxAbsolute: Double

    public var description: String {
        "rms \(formatted(rms)), max \(formatted(maxAbsolute)) (in 0...1 units; 1/255 = 0.0039)"
    }

    private func formatted(_ value: Double) -> String {
        String(Double((value * 1e5).rounded()) / 1e5)
    }
}

public enum ImageComparison {
    /// The difference of two equally sized gray images, or nil when their sizes differ.
    public static func difference(_ a: GrayImage, _ b: GrayImage) -> ImageDifference? {
        guard a.width == b.width, a.height == b.height else { return nil }
        return difference(bytes: a.pixels, b.pixels)
    }

    /// The difference of two equally sized RGBA images (alpha included), or nil when sizes differ.
    public static func difference(_ a: RGBAImage, _ b: RGBAImage) -> ImageDifference? {
        guard a.width == b.width, a.height == b.height else { return nil }
        return difference(bytes: a.pixels, b.pixels)
    }

    /// The difference of two float arrays of equal length, in their own units (nil if the lengths
    /// differ). NaN compares as infinitely different unless both sides are NaN.
    public static func difference(_ a: [Float], _ b: [Float]) -> ImageDifference? {
        guard a.count == b.count else { return nil }
        var sumOfSquares = 0.0, largest = 0.0
        for (x, y) in zip(a, b) {
            if x.isNaN && y.isNaN { continue }
            let delta = x.isNaN || y.isNaN ? Double.infinity : abs(Double(x) - Double(y))
            sumOfSquares += delta * delta
            largest = max(largest, delta)
        }
        return ImageDifference(rms: a.isEmpty ? 0 : (sumOfSquares / Double(a.count)).squareRoot(), maxAbsolute: largest)
    }

    private static func difference(bytes a: [UInt8], _ b: [UInt8]) -> ImageDifference {
        var sumOfSquares = 0, largest = 0
        for (x, y) in zip(a, b) {
            let delta = abs(Int(x) - Int(y))
            sumOfSquares += delta * delta
            largest = max(largest, delta)
        }
        let rms = a.isEmpty ? 0 : (Double(sumOfSquares) / Double(a.count)).squareRoot() / 255
        return ImageDifference(rms: rms, maxAbsolute: Double(largest) / 255)
    }

    /// A picture of where two images differ: each channel is |a − b| × `gain` (clamped), on an
    /// opaque black background, so small differences become visible. Images of different sizes
    /// are compared over the larger canvas, with pixels that exist in only one image in magenta.
    public static func amplifiedDifference(_ a: RGBAImage, _ b: RGBAImage, gain: Double = 10) -> RGBAImage {
        let width = max(a.width, b.width), height = max(a.height, b.height)
        var result = RGBAImage(width: width, height: height, fill: .black)
        for y in 0..<height {
            for x in 0..<width {
                guard x < a.width, y < a.height, x < b.width, y < b.height else {
                    result[x: x, y: y] = RGBA(255, 0, 255)
                    continue
                }
                let p = a[x: x, y: y], q = b[x: x, y: y]
                func amplify(_ u: UInt8, _ v: UInt8) -> UInt8 {
                    UInt8(min(255, (Double(abs(Int(u) - Int(v))) * gain).rounded()))
                }
                // Alpha differences show up in all three channels, so they are not invisible.
                let alpha = amplify(p.a, q.a)
                result[x: x, y: y] = RGBA(max(amplify(p.r, q.r), alpha), max(amplify(p.g, q.g), alpha),
                                          max(amplify(p.b, q.b), alpha))
            }
        }
        return result
    }
}
