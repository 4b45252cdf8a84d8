/// 8-bit images: the pixel containers every other part of `Imaging` reads and writes.
///
/// Pixels are stored row by row from the top-left corner, with no padding between rows, so
/// pixel (x, y) of a `GrayImage` is `pixels[y * width + x]` and its four RGBA bytes in an
/// `RGBAImage` start at `4 * (y * width + x)`.

/// An 8-bit colour with straight (not premultiplied) alpha.
public struct RGBA: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    /// A colour from components in [0, 1] (clamped, rounded to the nearest 8-bit value).
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.init(unitToByte(red), unitToByte(green), unitToByte(blue), unitToByte(alpha))
    }

    public static let black = RGBA(0, 0, 0)
    public static let white = RGBA(255, 255, 255)
    public static let transparent = RGBA(0, 0, 0, 0)
    public static let red = RGBA(214, 39, 40)
    public static let lightGray = RGBA(220, 220, 220)
    public static let darkGray = RGBA(90, 90, 90)

    /// Matplotlib's default colour cycle ("tab10"), used for chart series and scatter classes.
    public static let tableau10: [RGBA] = [
        RGBA(31, 119, 180), RGBA(255, 127, 14), RGBA(44, 160, 44), RGBA(214, 39, 40),
        RGBA(148, 103, 189), RGBA(140, 86, 75), RGBA(227, 119, 194), RGBA(127, 127, 127),
        RGBA(188, 189, 34), RGBA(23, 190, 207),
    ]

    public var description: String { "RGBA(\(r), \(g), \(b), \(a))" }
}

/// Rounds a value in [0, 1] to 0...255 (out-of-range values are clamped, NaN becomes 0).
@inline(__always)
func unitToByte(_ value: Double) -> UInt8 {
    guard value > 0 else { return 0 }
    guard value < 1 else { return 255 }
    return UInt8((value * 255).rounded())
}

/// A single-channel 8-bit image (0 = black, 255 = white).
public struct GrayImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes, row-major.
    public var pixels: [UInt8]

    /// Wraps existing pixels; `pixels.count` must equal `width * height`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "GrayImage: \(pixels.count) pixels do not fill \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one value.
    public init(width: Int, height: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    /// An image from values in [0, 1] (clamped; NaN becomes black).
    public init(width: Int, height: Int, unitValues: [Float]) {
        self.init(width: width, height: height, pixels: unitValues.map { unitToByte(Double($0)) })
    }

    public subscript(x x: Int, y y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Nearest-neighbour enlargement: every pixel becomes a `factor`×`factor` block, which keeps
    /// small images such as 28×28 digits crisp on screen.
    public func upscaled(by factor: Int) -> GrayImage {
        precondition(factor >= 1, "scale factor must be at least 1")
        var result = GrayImage(width: width * factor, height: height * factor)
        for y in 0..<result.height {
            let sourceRow = (y / factor) * width
            for x in 0..<result.width {
                result.pixels[y * result.width + x] = pixels[sourceRow + x / factor]
            }
        }
        return result
    }
}

/// A four-channel 8-bit image with straight alpha (R, G, B, A bytes per pixel).
public struct RGBAImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `4 * width * height` bytes, row-major, in R, G, B, A order.
    public var pixels: [UInt8]

    /// Wraps existing pixels; `pixels.count` must equal `4 * width * height`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == 4 * width * height,
                     "RGBAImage: \(pixels.count) bytes do not fill \(width)x\(height)x4")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: RGBA = .white) {
        var pixels = [UInt8](repeating: 0, count: 4 * width * height)
        for index in stride(from: 0, to: pixels.count, by: 4) {
            pixels[index] = fill.r; pixels[index + 1] = fill.g
            pixels[index + 2] = fill.b; pixels[index + 3] = fill.a
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The gray image as opaque RGBA.
    public init(_ gray: GrayImage) {
        var pixels = [UInt8](repeating: 255, count: 4 * gray.pixels.count)
        for (index, value) in gray.pixels.enumerated() {
            pixels[4 * index] = value; pixels[4 * index + 1] = value; pixels[4 * index + 2] = value
        }
        self.init(width: gray.width, height: gray.height, pixels: pixels)
    }

    public subscript(x x: Int, y y: Int) -> RGBA {
        get {
            let i = 4 * (y * width + x)
            return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
        }
        set {
            let i = 4 * (y * width + x)
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b; pixels[i + 3] = newValue.a
        }
    }

    /// True when every pixel has alpha 255.
    public var isOpaque: Bool {
        stride(from: 3, to: pixels.count, by: 4).allSatisfy { pixels[$0] == 255 }
    }

    /// Luminance with the ITU-R 601 weights PIL uses for `convert("L")`
    /// (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16); alpha is ignored.
    public func grayscale() -> GrayImage {
        var gray = GrayImage(width: width, height: height)
        for index in 0..<(width * height) {
            gray.pixels[index] = luminance(pixels[4 * index], pixels[4 * index + 1], pixels[4 * index + 2])
        }
        return gray
    }

    /// Nearest-neighbour enlargement by an integer factor.
    public func upscaled(by factor: Int) -> RGBAImage {
        precondition(factor >= 1, "scale factor must be at least 1")
        var result = RGBAImage(width: width * factor, height: height * factor, fill: .transparent)
        for y in 0..<result.height {
            for x in 0..<result.width {
                let source = 4 * ((y / factor) * width + x / factor)
                let target = 4 * (y * result.width + x)
                for channel in 0..<4 { result.pixels[target + channel] = pixels[source + channel] }
            }
        }
        return result
    }
}

@inline(__always)
func luminance(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    let weighted: Int = 19595 * Int(r) + 38470 * Int(g) + 7471 * Int(b)
    return UInt8((weighted + 0x8000) >> 16)
}
