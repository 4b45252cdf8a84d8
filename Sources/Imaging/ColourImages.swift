/// Colour pictures from model inputs: planar `[3, H, W]` pixels (what a tensor holds) to RGBA,
/// the inverse of a per-channel normalisation for display, and a mask's outline drawn on top.
extension RGBAImage {
    /// An opaque image from planar values in [0, 1] (`channels · height · width`, channel-major
    /// like a `[C, H, W]` tensor): 3 channels are red, green, blue; 1 channel is gray. Values
    /// outside [0, 1] are clamped (NaN is black); each is rounded to the nearest of 256 levels,
    /// exactly as `GrayImage(width:height:unitValues:)` does.
    /// - Precondition: `planar.count == channels · width · height`, `channels` is 1 or 3.
    public init(planar: [Float], channels: Int, width: Int, height: Int) {
        precondition(channels == 1 || channels == 3, "RGBAImage(planar:): 1 or 3 channels, got \(channels)")
        precondition(planar.count == channels * width * height, "RGBAImage(planar:): \(planar.count) values do not fill \(channels)x\(height)x\(width)")
        let area = width * height
        var pixels = [UInt8](repeating: 255, count: 4 * area)
        for index in 0..<area {
            for channel in 0..<3 {
                let value = planar[(channels == 3 ? channel : 0) * area + index]
                pixels[4 * index + channel] = unitToByte(Double(value))
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// This image with the outline of `mask` (a `maskWidth × maskHeight` grid, true = inside)
    /// drawn in `color`: for every mask cell whose neighbour across an edge is outside the mask
    /// (or off the grid) the one-pixel line along that edge, inside the cell. The image must be
    /// the mask's size times a whole factor (an upscaled picture), so each cell is `factor²` pixels.
    /// Cost: O(width · height) at most. Used to show a ground-truth object region on an overlay.
    public func outliningMask(_ mask: [Bool], width maskWidth: Int, height maskHeight: Int, color: RGBA = .white) throws -> RGBAImage {
        guard maskWidth > 0, maskHeight > 0, mask.count == maskWidth * maskHeight else {
            throw ImagingError.invalidFormat("a \(maskWidth)×\(maskHeight) mask needs \(maskWidth * maskHeight) values, got \(mask.count)")
        }
        guard width % maskWidth == 0, height % maskHeight == 0, width / maskWidth == height / maskHeight else {
            throw ImagingError.invalidFormat("a \(maskWidth)×\(maskHeight) mask does not scale evenly to a \(width)×\(height) image")
        }
        let factor = width / maskWidth
        func inside(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < maskWidth && y < maskHeight && mask[y * maskWidth + x] }
        var result = self
        for y in 0..<maskHeight {
            for x in 0..<maskWidth where inside(x, y) {
                let (left, top) = (x * factor, y * factor)
                if !inside(x, y - 1) { result.fillRectangle(x: left, y: top, width: factor, height: 1, color: color) }
                if !inside(x, y + 1) { result.fillRectangle(x: left, y: top + factor - 1, width: factor, height: 1, color: color) }
                if !inside(x - 1, y) { result.fillRectangle(x: left, y: top, width: 1, height: factor, color: color) }
                if !inside(x + 1, y) { result.fillRectangle(x: left + factor - 1, y: top, width: 1, height: factor, color: color) }
            }
        }
        return result
    }
}

/// Undoing a per-channel normalisation for display.
public enum DisplayPixels {
    /// `x · std[c] + mean[c]` for planar values `[C, H, W]` (or a batch of them) normalised as
    /// `(x − mean[c]) / std[c]`: back to [0, 1] pixels that `RGBAImage(planar:)` can show.
    public static func unnormalized(_ planar: [Float], mean: [Float], std: [Float], area: Int) throws -> [Float] {
        guard mean.count == std.count, !mean.isEmpty, area > 0, planar.count % (mean.count * area) == 0 else {
            throw ImagingError.invalidFormat("\(planar.count) values are not whole [\(mean.count), \(area)] images")
        }
        return planar.enumerated().map { index, value in
            let channel = (index / area) % mean.count
            return value * std[channel] + mean[channel]
        }
    }
}
