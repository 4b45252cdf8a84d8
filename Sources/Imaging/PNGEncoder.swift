import Codecs
import Foundation

/// PNG reading and writing (ISO/IEC 15948, the PNG specification).
///
/// A PNG file is the 8-byte signature followed by chunks, each `length (4, BE) | type (4 ASCII) |
/// data | CRC-32 of type and data`. `IHDR` gives size and pixel format, `IDAT` chunks hold the
/// zlib-compressed, *filtered* scanlines, and `IEND` closes the file.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes a gray image as an 8-bit grayscale PNG.
    public static func encode(_ image: GrayImage) -> [UInt8] {
        encode(width: image.width, height: image.height, colorType: 0, channels: 1, samples: image.pixels)
    }

    /// Encodes an RGBA image: as 8-bit RGB when every pixel is opaque (smaller, same pixels when
    /// decoded), otherwise as 8-bit RGBA.
    public static func encode(_ image: RGBAImage) -> [UInt8] {
        guard image.isOpaque else {
            return encode(width: image.width, height: image.height, colorType: 6, channels: 4, samples: image.pixels)
        }
        var rgb = [UInt8]()
        rgb.reserveCapacity(3 * image.width * image.height)
        for index in stride(from: 0, to: image.pixels.count, by: 4) {
            rgb += image.pixels[index..<(index + 3)]
        }
        return encode(width: image.width, height: image.height, colorType: 2, channels: 3, samples: rgb)
    }

    /// Writes `image` to `url` as PNG.
    public static func write(_ image: GrayImage, to url: URL) throws {
        try Data(encode(image)).write(to: url)
    }

    /// Writes `image` to `url` as PNG.
    public static func write(_ image: RGBAImage, to url: URL) throws {
        try Data(encode(image)).write(to: url)
    }

    /// Builds IHDR, the filtered and compressed IDAT, and IEND. No other chunks (no timestamps),
    /// so the same pixels always give the same bytes: useful for golden files.
    static func encode(width: Int, height: Int, colorType: UInt8, channels: Int, samples: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0, "PNG images must have at least one pixel")
        var header: [UInt8] = []
        appendUInt32(UInt32(width), to: &header)
        appendUInt32(UInt32(height), to: &header)
        header += [8, colorType, 0, 0, 0]          // bit depth 8, deflate, adaptive filtering, no interlace

        let filtered = filterScanlines(samples, rowLength: width * channels, height: height, bytesPerPixel: channels)
        let compressed = Zlib.compress(filtered, level: 9)

        var file = signature
        appendChunk("IHDR", header, to: &file)
        var start = 0
        repeat {                                    // IDAT chunks of at most 1 MiB
            let end = min(start + (1 << 20), compressed.count)
            appendChunk("IDAT", compressed[start..<end], to: &file)
            start = end
        } while start < compressed.count
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Chooses a filter for each row by the standard heuristic: the one whose output, read as
    /// signed bytes, has the smallest sum of absolute values (small residuals compress well).
    static func filterScanlines(_ samples: [UInt8], rowLength: Int, height: Int, bytesPerPixel: Int) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity((rowLength + 1) * height)
        let zeroRow = [UInt8](repeating: 0, count: rowLength)
        var candidate = [UInt8](repeating: 0, count: rowLength)
        var best = [UInt8](repeating: 0, count: rowLength)
        for y in 0..<height {
            let row = samples[(y * rowLength)..<((y + 1) * rowLength)]
            let above = y == 0 ? zeroRow[...] : samples[((y - 1) * rowLength)..<(y * rowLength)]
            var bestType = 0
            var bestCost = Int.max
            for type in 0...4 {
                var cost = 0
                for i in 0..<rowLength {
                    let x = row[row.startIndex + i]
                    let a = i >= bytesPerPixel ? row[row.startIndex + i - bytesPerPixel] : 0
                    let b = above[above.startIndex + i]
                    let c = i >= bytesPerPixel ? above[above.startIndex + i - bytesPerPixel] : 0
                    let value = x &- filterPredictor(type: type, a: a, b: b, c: c)
                    candidate[i] = value
                    cost += value < 128 ? Int(value) : 256 - Int(value)
                }
                if cost < bestCost {
                    bestCost = cost
                    bestType = type
                    swap(&best, &candidate)
                }
            }
            output.append(UInt8(bestType))
            output += best
        }
        return output
    }

    static func appendChunk(_ type: String, _ data: some Collection<UInt8>, to file: inout [UInt8]) {
        appendUInt32(UInt32(data.count), to: &file)
        let typeBytes = Array(type.utf8)
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        file += typeBytes
        file += data
        appendUInt32(crc.value, to: &file)
    }

    static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                  UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

/// The value a PNG filter predicts for a byte from its left (`a`), upper (`b`) and upper-left
/// (`c`) neighbours: 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth.
@inline(__always)
func filterPredictor(type: Int, a: UInt8, b: UInt8, c: UInt8) -> UInt8 {
    switch type {
    case 1: return a
    case 2: return b
    case 3: return UInt8((Int(a) + Int(b)) / 2)
    case 4: return paeth(a, b, c)
    default: return 0
    }
}

/// The Paeth predictor: whichever of a, b, c is closest to a + b − c (ties prefer a, then b).
@inline(__always)
func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
    let estimate = Int(a) + Int(b) - Int(c)
    let distanceA = abs(estimate - Int(a))
    let distanceB = abs(estimate - Int(b))
    let distanceC = abs(estimate - Int(c))
    if distanceA <= distanceB && distanceA <= distanceC { return a }
    if distanceB <= distanceC { return b }
    return c
}
