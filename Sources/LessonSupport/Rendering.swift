import Imaging

/// Small helpers every lesson's figures use, so all figures look alike.
public enum Render {
    /// A `height × width` map as a coloured picture, enlarged `upscale` times.
    public static func map(_ values: [Float], width: Int, height: Int, colormap: Colormap = .viridis,
                           normalization: Heatmap.Normalization = .minMax, upscale: Int = 4) throws -> RGBAImage {
        guard values.count == width * height, width > 0, height > 0 else {
            throw ImagingError.invalidFormat("a \(width)×\(height) map needs \(width * height) values, got \(values.count)")
        }
        return try Heatmap(width: width, height: height, values: values).normalized(normalization)
            .colorized(colormap).upscaled(by: upscale)
    }

    /// A gray image from pixels in [0, 1].
    public static func grayImage(_ pixels: [Float], width: Int, height: Int, upscale: Int = 4) -> RGBAImage {
        RGBAImage(GrayImage(width: width, height: height, unitValues: pixels)).upscaled(by: upscale)
    }

    /// A heatmap over a gray image (both `height × width`), min-max normalised, with `alpha`.
    public static func overlay(_ values: [Float], on pixels: [Float], width: Int, height: Int,
                               colormap: Colormap = .jet, alpha: Double = 0.5, upscale: Int = 4) throws -> RGBAImage {
        let base = GrayImage(width: width, height: height, unitValues: pixels)
        let heat = try Heatmap(width: width, height: height, values: values).normalized(.minMax)
        return base.overlaying(heat, colormap: colormap, alpha: alpha).upscaled(by: upscale)
    }
}

extension Optional {
    /// The value, or an error saying that something expected never happened.
    public func orThrow(_ what: String = "a hook never fired") throws -> Wrapped {
        guard let self else { throw MissingValue(what: what) }
        return self
    }
}

/// Thrown by `orThrow`.
public struct MissingValue: Error, CustomStringConvertible {
    public let what: String
    public var description: String { what }
}
