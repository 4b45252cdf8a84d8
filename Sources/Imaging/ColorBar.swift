import Foundation

/// A colour bar: the colormap from 0 (left) to 1 (right) with the values its two ends stand for
/// written under them, so a heatmap can be read without its code ("red is +0.031, blue −0.031").
/// Drawn under each map by `RGBAImage.withColorBar`, as wide as the map.
///
/// Layout (text scale s): 2 px gap, a bar 6·s tall outlined in dark gray, 2 px gap, then the low
/// value left-aligned and the high value right-aligned on one text line — or, when both do not
/// fit the width with 4 px between them, on two lines (low, then high).
public enum ColorBar {
    public static let barHeight = 6

    /// The bar alone, `width × barHeight·scale` pixels.
    public static func bar(_ colormap: Colormap, width: Int, scale: Int = 1) -> RGBAImage {
        let ramp = (0..<width).map { Float(width == 1 ? 0.5 : Double($0) / Double(width - 1)) }
        var image = colormap.image(of: ramp, width: width, height: 1).upscaledVertically(to: barHeight * scale)
        image.strokeRectangle(x: 0, y: 0, width: width, height: image.height, color: .darkGray)
        return image
    }

    /// Short text for an end value: 3 significant digits ("0.0312", "-12.5", "1.2e-05"), "0" for 0.
    public static func label(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        if value == 0 { return "0" }
        var text = String(format: "%.3g", value)
        if let e = text.range(of: "e") {                         // 1.2e-05 → 1.2e-5, 1e+04 → 1e4
            var exponent = String(text[e.upperBound...])
            let sign = exponent.hasPrefix("-") ? "-" : ""
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" })
            text = String(text[..<e.lowerBound]) + "e" + sign + (exponent.isEmpty ? "0" : exponent)
        }
        return text
    }

    /// Height of the strip `withColorBar` adds under a `width`-pixel map whose ends read `low`, `high`.
    static func stripHeight(width: Int, low: String, high: String, scale: Int) -> Int {
        let line = BitmapFont.lineHeight * scale
        return 2 + barHeight * scale + 2 + (fitsOneLine(width: width, low: low, high: high, scale: scale) ? line : 2 * line)
    }

    static func fitsOneLine(width: Int, low: String, high: String, scale: Int) -> Bool {
        BitmapFont.width(of: low, scale: scale) + 4 + BitmapFont.width(of: high, scale: scale) <= width
    }
}

extension RGBAImage {
    /// This image with a colour bar of `colormap` under it, as wide as the image, its ends labelled
    /// `low` and `high` (the raw values that map to colormap positions 0 and 1). The background of
    /// the added strip is `background`.
    public func withColorBar(_ colormap: Colormap, low: Double, high: Double, textScale: Int = 1,
                             background: RGBA = .white) -> RGBAImage {
        let lowText = ColorBar.label(low), highText = ColorBar.label(high)
        let strip = ColorBar.stripHeight(width: width, low: lowText, high: highText, scale: textScale)
        var result = RGBAImage(width: width, height: height + strip, fill: background)
        result.draw(self, x: 0, y: 0)
        let barTop = height + 2
        result.draw(ColorBar.bar(colormap, width: width, scale: textScale), x: 0, y: barTop)
        let textTop = barTop + ColorBar.barHeight * textScale + 2
        let highWidth = BitmapFont.width(of: highText, scale: textScale)
        result.drawText(lowText, x: 0, y: textTop, scale: textScale)
        let oneLine = ColorBar.fitsOneLine(width: width, low: lowText, high: highText, scale: textScale)
        result.drawText(highText, x: max(width - highWidth, 0),
                        y: textTop + (oneLine ? 0 : BitmapFont.lineHeight * textScale), scale: textScale)
        return result
    }

    /// The image stretched (nearest row) to `newHeight` rows; used for a 1-row ramp.
    func upscaledVertically(to newHeight: Int) -> RGBAImage {
        var result = RGBAImage(width: width, height: newHeight, fill: .white)
        for y in 0..<newHeight {
            for x in 0..<width { result[x: x, y: y] = self[x: x, y: y * height / newHeight] }
        }
        return result
    }
}
