import Foundation

/// Resizing images as Pillow's `Image.resize(size, BILINEAR)` and torchvision's `Resize` on a PIL
/// image do: a triangle filter whose support grows with the reduction, so a 4000-pixel photo
/// brought to 28 pixels averages every pixel instead of sampling a few (plain bilinear
/// interpolation would alias). Enlarging is ordinary bilinear interpolation (pixel centres aligned,
/// edges clamped).
///
/// Pillow computes in 8-bit for 8-bit images, rounding between the horizontal and the vertical
/// pass; this works in single precision throughout (Pillow's "F" mode), so it is within one grey
/// level of Pillow's 8-bit result and equal to its "F" result to float rounding (tested with
/// `Fixtures/resize/make_resize_fixture.py`).
public enum Resampling {
    /// Each output position's first input index and normalised weights, for one axis.
    /// Cost: O(output × input / output) = O(input) weights.
    static func weights(from input: Int, to output: Int) -> [(first: Int, weights: [Float])] {
        let scale = Double(input) / Double(output)
        let filterScale = max(scale, 1)
        let support = filterScale          // the triangle's support is 1, stretched when reducing
        return (0..<output).map { o in
            let centre = (Double(o) + 0.5) * scale
            let first = max(Int(centre - support + 0.5), 0)
            let last = min(Int(centre + support + 0.5), input)
            var weights = (first..<last).map { i in max(0, 1 - abs((Double(i) - centre + 0.5) / filterScale)) }
            let total = weights.reduce(0, +)
            if total > 0 { weights = weights.map { $0 / total } }
            return (first, weights.map(Float.init))
        }
    }

    /// `pixels`: `channels` planes of `height × width`; the result: `channels` planes of
    /// `toHeight × toWidth`, horizontal pass first (as Pillow).
    public static func resized(_ pixels: [Float], channels: Int, width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        precondition(pixels.count == channels * width * height && toWidth > 0 && toHeight > 0, "resized: \(pixels.count) values for \(channels)×\(height)×\(width)")
        let across = weights(from: width, to: toWidth), down = weights(from: height, to: toHeight)
        var horizontal = [Float](repeating: 0, count: channels * height * toWidth)
        for c in 0..<channels {
            for y in 0..<height {
                let row = (c * height + y) * width
                for (x, tap) in across.enumerated() {
                    var sum: Float = 0
                    for (k, w) in tap.weights.enumerated() { sum += w * pixels[row + tap.first + k] }
                    horizontal[(c * height + y) * toWidth + x] = sum
                }
            }
        }
        var output = [Float](repeating: 0, count: channels * toHeight * toWidth)
        for c in 0..<channels {
            for (y, tap) in down.enumerated() {
                for x in 0..<toWidth {
                    var sum: Float = 0
                    for (k, w) in tap.weights.enumerated() { sum += w * horizontal[(c * height + tap.first + k) * toWidth + x] }
                    output[(c * toHeight + y) * toWidth + x] = sum
                }
            }
        }
        return output
    }

    /// The size torchvision's `Resize(size)` gives: the shorter side becomes `size`, the longer
    /// `Int(size × longer / shorter)` (truncated, as torchvision).
    public static func shortSideSize(width: Int, height: Int, to size: Int) -> (width: Int, height: Int) {
        width <= height ? (size, Int(Double(size) * Double(height) / Double(width))) : (Int(Double(size) * Double(width) / Double(height)), size)
    }

    /// torchvision's `CenterCrop`: the crop's top-left corner, rounded as it rounds.
    public static func centreCropOrigin(width: Int, height: Int, cropWidth: Int, cropHeight: Int) -> (x: Int, y: Int) {
        (Int((Double(width - cropWidth) / 2).rounded(.toNearestOrEven)), Int((Double(height - cropHeight) / 2).rounded(.toNearestOrEven)))
    }

    /// `channels` planes cropped to the `cropWidth × cropHeight` window at (x, y).
    public static func cropped(_ pixels: [Float], channels: Int, width: Int, height: Int, x: Int, y: Int, cropWidth: Int, cropHeight: Int) -> [Float] {
        precondition(x >= 0 && y >= 0 && x + cropWidth <= width && y + cropHeight <= height, "cropped: window outside the image")
        var output = [Float]()
        output.reserveCapacity(channels * cropWidth * cropHeight)
        for c in 0..<channels {
            for row in y..<(y + cropHeight) {
                let start = (c * height + row) * width + x
                output.append(contentsOf: pixels[start..<(start + cropWidth)])
            }
        }
        return output
    }
}

/// Reading an image file whatever its format.
public enum ImageFile {
    /// Reads `url` (see `decodeRGBA`).
    public static func readRGBA(from url: URL) throws -> (image: RGBAImage, format: String) {
        try decodeRGBA([UInt8](try Data(contentsOf: url)))
    }

    /// A PNG or a JPEG (told apart by their first bytes), as RGBA8 with any EXIF orientation applied.
    /// - Returns: the image and its format, "PNG" or "JPEG".
    /// - Throws: `ImagingError` or `JPEGError` from the decoder; `ImagingError.unknownImageFormat`
    ///   naming the first bytes when the file is neither.
    public static func decodeRGBA(_ bytes: [UInt8]) throws -> (image: RGBAImage, format: String) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return (try PNG.decodeRGBA(bytes), "PNG") }
        if JPEG.isJPEG(bytes) { return (try JPEG.decodeRGBA(bytes), "JPEG") }
        let start = bytes.prefix(4).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
        throw ImagingError.unknownImageFormat(firstBytes: start.isEmpty ? "nothing: it is empty" : start)
    }
}
