import Imaging

/// Small helpers every lesson's figures use, so all figures look alike.
public enum Render {
    /// A `height × width` map as a coloured picture, enlarged `upscale` times. With `colorBar`
    /// (the default) a colour bar as wide as the picture goes under it, its ends labelled with the
    /// raw values that map to them (`Heatmap.displayRange`): every heatmap a figure shows can be
    /// read without the code. `colorBar: false` where the page around the picture draws its own
    /// (the explorer page) or the "map" is a picture (a feature visualisation).
    public static func map(_ values: [Float], width: Int, height: Int, colormap: Colormap = .viridis,
                           normalization: Heatmap.Normalization = .minMax, upscale: Int = 4,
                           colorBar: Bool = true) throws -> RGBAImage {
        guard values.count == width * height, width > 0, height > 0 else {
            throw ImagingError.invalidFormat("a \(width)×\(height) map needs \(width * height) values, got \(values.count)")
        }
        let heatmap = Heatmap(width: width, height: height, values: values)
        let picture = try heatmap.normalized(normalization).colorized(colormap).upscaled(by: upscale)
        guard colorBar else { return picture }
        let range = heatmap.displayRange(normalization)
        return picture.withColorBar(colormap, low: Double(range.low), high: Double(range.high))
    }

    /// A gray image from pixels in [0, 1].
    public static func grayImage(_ pixels: [Float], width: Int, height: Int, upscale: Int = 4) -> RGBAImage {
        RGBAImage(GrayImage(width: width, height: height, unitValues: pixels)).upscaled(by: upscale)
    }

    /// An image from planar pixels in [0, 1]: `channels` = 1 (gray) or 3 (RGB, `[3, H, W]` order
    /// as in a tensor). Enlarged `upscale` times.
    public static func image(_ pixels: [Float], channels: Int, width: Int, height: Int, upscale: Int = 4) throws -> RGBAImage {
        guard channels == 1 || channels == 3, pixels.count == channels * width * height, width > 0, height > 0 else {
            throw ImagingError.invalidFormat("an image of \(channels) channels, \(width)×\(height), needs \(channels * width * height) values in 1 or 3 channels, got \(pixels.count)")
        }
        return RGBAImage(planar: pixels, channels: channels, width: width, height: height).upscaled(by: upscale)
    }

    /// A heatmap over an image (`values`: `height × width`; `pixels`: `channels` = 1 or 3 planes
    /// of `height × width` in [0, 1]), min-max normalised, blended with `alpha`. With a `mask`
    /// (`height × width`, true = the object), the mask's outline is drawn in white on top: the
    /// ground-truth region next to what the explanation highlights. With `colorBar` (the default)
    /// the colormap's bar goes under the picture, its ends labelled with the map's min and max.
    public static func overlay(_ values: [Float], on pixels: [Float], channels: Int = 1, width: Int, height: Int,
                               colormap: Colormap = .jet, alpha: Double = 0.5, upscale: Int = 4,
                               mask: [Bool]? = nil, colorBar: Bool = true) throws -> RGBAImage {
        guard channels == 1 || channels == 3, pixels.count == channels * width * height else {
            throw ImagingError.invalidFormat("an overlay on a \(width)×\(height) image of \(channels) channels needs \(channels * width * height) pixels, got \(pixels.count)")
        }
        let base = RGBAImage(planar: pixels, channels: channels, width: width, height: height)
        let heatmap = Heatmap(width: width, height: height, values: values)
        let heat = try heatmap.normalized(.minMax)
        var picture = base.overlaying(heat, colormap: colormap, alpha: alpha).upscaled(by: upscale)
        if let mask { picture = try picture.outliningMask(mask, width: width, height: height) }
        guard colorBar else { return picture }
        let range = heatmap.displayRange(.minMax)
        return picture.withColorBar(colormap, low: Double(range.low), high: Double(range.high))
    }

    /// One map per image from a `[C, H, W]` attribution (`values.count == channels · area`):
    /// `.maxAbsolute` is maxₖ |aₖ| (Simonyan et al. 2014, the saliency map of a colour image);
    /// `.sum` is Σₖ aₖ, signed (what captum's `visualize_image_attr` does before its `sign` option,
    /// used for gradient × input, Integrated Gradients and the other signed attributions).
    public static func reducedChannels(_ values: [Float], channels: Int, area: Int, _ reduction: ChannelReduction) -> [Float] {
        precondition(channels >= 1 && values.count == channels * area, "reducedChannels: \(values.count) values are not [\(channels), \(area)]")
        return (0..<area).map { p in
            switch reduction {
            case .maxAbsolute: (0..<channels).map { Swift.abs(values[$0 * area + p]) }.max() ?? 0
            case .sum: (0..<channels).reduce(Float(0)) { $0 + values[$1 * area + p] }
            }
        }
    }

    /// How a colour attribution becomes one map (see `reducedChannels`).
    public enum ChannelReduction: Sendable { case maxAbsolute, sum }
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
