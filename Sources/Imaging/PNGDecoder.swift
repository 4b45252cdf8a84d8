import Codecs
import Foundation

extension PNG {
    /// Bounds that keep a hostile or corrupt file from making the decoder allocate gigabytes.
    public struct Limits: Sendable {
        public var maxWidth: Int
        public var maxHeight: Int
        /// width × height
        public var maxPixels: Int

        public init(maxWidth: Int = 16384, maxHeight: Int = 16384, maxPixels: Int = 64 << 20) {
            self.maxWidth = maxWidth
            self.maxHeight = maxHeight
            self.maxPixels = maxPixels
        }

        /// 16384 × 16384 at most, and no more than 64 Mi pixels in total.
        public static let standard = Limits()
    }

    /// Decodes any standard PNG (all colour types and bit depths, interlaced or not) to RGBA8.
    ///
    /// 16-bit samples keep their high byte; 1/2/4-bit gray is scaled to 0...255; palette and
    /// `tRNS` transparency are applied.
    /// - Throws: `ImagingError` (bad signature or CRC, truncation, invalid or unsupported data,
    ///   dimensions beyond `limits`).
    public static func decodeRGBA(_ bytes: [UInt8], limits: Limits = .standard) throws -> RGBAImage {
        let file = try PNGFile(bytes, limits: limits)
        var image = RGBAImage(width: file.header.width, height: file.header.height, fill: .transparent)
        try file.forEachPixel { x, y, color in
            image[x: x, y: y] = color
        }
        return image
    }

    /// Decodes any standard PNG to 8-bit gray. Colour is converted with PIL's luminance weights
    /// (see `RGBAImage.grayscale()`); alpha is ignored.
    public static func decodeGray(_ bytes: [UInt8], limits: Limits = .standard) throws -> GrayImage {
        let file = try PNGFile(bytes, limits: limits)
        var image = GrayImage(width: file.header.width, height: file.header.height)
        try file.forEachPixel { x, y, color in
            image[x: x, y: y] = luminance(color.r, color.g, color.b)
        }
        return image
    }

    /// Reads and decodes a PNG file to RGBA8.
    public static func readRGBA(from url: URL, limits: Limits = .standard) throws -> RGBAImage {
        try decodeRGBA([UInt8](Data(contentsOf: url)), limits: limits)
    }

    /// Reads and decodes a PNG file to gray.
    public static func readGray(from url: URL, limits: Limits = .standard) throws -> GrayImage {
        try decodeGray([UInt8](Data(contentsOf: url)), limits: limits)
    }
}

/// The IHDR fields.
struct PNGHeader {
    var width: Int
    var height: Int
    var bitDepth: Int
    var colorType: Int
    var interlaced: Bool

    /// Samples per pixel: gray 1, RGB 3, palette 1, gray+alpha 2, RGBA 4.
    var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType] ?? 0 }
    var bitsPerPixel: Int { channels * bitDepth }
    /// The filter's notion of "the previous pixel": bytes per pixel, at least 1.
    var filterStride: Int { max(1, bitsPerPixel / 8) }
    func rowBytes(width: Int) -> Int { (width * bitsPerPixel + 7) / 8 }
}

/// A parsed PNG: header, palette, transparency and the decompressed (still filtered) data.
struct PNGFile {
    var header: PNGHeader
    var palette: [RGBA] = []
    /// tRNS for gray/RGB: the one colour (in full sample precision) that is transparent.
    var transparentKey: [Int]? = nil
    var filteredData: [UInt8] = []

    init(_ bytes: [UInt8], limits: PNG.Limits) throws {
        guard bytes.count >= 8 else { throw ImagingError.truncated(context: "signature") }
        guard bytes.starts(with: PNG.signature) else { throw ImagingError.badSignature }
        var position = 8
        var parsedHeader: PNGHeader? = nil
        var compressed: [UInt8] = []
        var sawEnd = false
        var paletteAlpha: [UInt8] = []
        while !sawEnd {
            guard bytes.count - position >= 12 else { throw ImagingError.truncated(context: "chunk header") }
            let length = Int(readUInt32(bytes, position))
            let typeBytes = Array(bytes[(position + 4)..<(position + 8)])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= Int(Int32.max) else { throw ImagingError.invalidFormat("chunk length \(length)") }
            guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
                throw ImagingError.invalidFormat("chunk type is not four letters")
            }
            guard bytes.count - position - 12 >= length else { throw ImagingError.truncated(context: "\(type) chunk") }
            let data = Array(bytes[(position + 8)..<(position + 8 + length)])
            let declared = readUInt32(bytes, position + 8 + length)
            var crc = CRC32()
            crc.update(typeBytes)
            crc.update(data)
            guard declared == crc.value else {
                throw ImagingError.badChunkCRC(chunk: type, declared: declared, computed: crc.value)
            }
            position += 12 + length

            if parsedHeader == nil && type != "IHDR" {
                throw ImagingError.invalidFormat("the first chunk is \(type), expected IHDR")
            }
            switch type {
            case "IHDR":
                guard parsedHeader == nil else { throw ImagingError.invalidFormat("two IHDR chunks") }
                parsedHeader = try Self.parseHeader(data, limits: limits)
            case "PLTE":
                guard length % 3 == 0, (3...768).contains(length) else {
                    throw ImagingError.invalidFormat("PLTE length \(length) is not 3 × 1...256")
                }
                palette = stride(from: 0, to: length, by: 3).map { RGBA(data[$0], data[$0 + 1], data[$0 + 2]) }
            case "tRNS":
                switch parsedHeader!.colorType {
                case 0 where length == 2: transparentKey = [Int(data[0]) << 8 | Int(data[1])]
                case 2 where length == 6:
                    transparentKey = (0..<3).map { Int(data[2 * $0]) << 8 | Int(data[2 * $0 + 1]) }
                case 3: paletteAlpha = data
                default: throw ImagingError.invalidFormat("tRNS chunk of length \(length) for colour type \(parsedHeader!.colorType)")
                }
            case "IDAT":
                compressed += data
            case "IEND":
                sawEnd = true
            default:
                // Bit 5 of the first letter (lower case) marks an ancillary chunk, safe to skip.
                if typeBytes[0] & 0x20 == 0 {
                    throw ImagingError.unsupported("critical chunk \(type)")
                }
            }
        }
        header = parsedHeader!
        if header.colorType == 3 {
            guard !palette.isEmpty else { throw ImagingError.invalidFormat("palette image without PLTE") }
            guard paletteAlpha.count <= palette.count else {
                throw ImagingError.invalidFormat("tRNS has more entries than the palette")
            }
            for (index, alpha) in paletteAlpha.enumerated() { palette[index].a = alpha }
        }
        guard !compressed.isEmpty else { throw ImagingError.invalidFormat("no IDAT chunk") }

        let expected = Adam7.passes(width: header.width, height: header.height, interlaced: header.interlaced)
            .reduce(0) { total, pass in
                total + (pass.width == 0 ? 0 : pass.height * (1 + header.rowBytes(width: pass.width)))
            }
        do {
            filteredData = try Zlib.decompress(compressed, maxOutputSize: expected)
        } catch let error as CodecError {
            throw ImagingError.compression(error.description)
        }
        guard filteredData.count == expected else {
            throw ImagingError.invalidFormat("image data has \(filteredData.count) bytes, expected \(expected)")
        }
    }

    static func parseHeader(_ data: [UInt8], limits: PNG.Limits) throws -> PNGHeader {
        guard data.count == 13 else { throw ImagingError.invalidFormat("IHDR length \(data.count), expected 13") }
        let width = Int(readUInt32(data, 0)), height = Int(readUInt32(data, 4))
        guard width > 0, height > 0 else { throw ImagingError.invalidFormat("zero width or height") }
        guard width <= limits.maxWidth, height <= limits.maxHeight, width * height <= limits.maxPixels else {
            throw ImagingError.dimensionsTooLarge(
                width: width, height: height,
                limit: "\(limits.maxWidth)x\(limits.maxHeight), \(limits.maxPixels) pixels")
        }
        let bitDepth = Int(data[8]), colorType = Int(data[9])
        let allowedDepths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowedDepths[colorType] else {
            throw ImagingError.invalidFormat("colour type \(colorType)")
        }
        guard depths.contains(bitDepth) else {
            throw ImagingError.invalidFormat("bit depth \(bitDepth) is not allowed for colour type \(colorType)")
        }
        guard data[10] == 0, data[11] == 0 else {
            throw ImagingError.unsupported("compression method \(data[10]) / filter method \(data[11])")
        }
        guard data[12] <= 1 else { throw ImagingError.invalidFormat("interlace method \(data[12])") }
        return PNGHeader(width: width, height: height, bitDepth: bitDepth, colorType: colorType, interlaced: data[12] == 1)
    }

    /// Unfilters every pass and calls `body` with each pixel's position and colour.
    func forEachPixel(_ body: (Int, Int, RGBA) -> Void) throws {
        var offset = 0
        for pass in Adam7.passes(width: header.width, height: header.height, interlaced: header.interlaced)
        where pass.width > 0 {
            let rowBytes = header.rowBytes(width: pass.width)
            var previous = [UInt8](repeating: 0, count: rowBytes)
            var row = [UInt8](repeating: 0, count: rowBytes)
            for y in 0..<pass.height {
                let filterType = Int(filteredData[offset])
                guard filterType <= 4 else { throw ImagingError.invalidFormat("filter type \(filterType)") }
                for i in 0..<rowBytes {
                    let a = i >= header.filterStride ? row[i - header.filterStride] : 0
                    let c = i >= header.filterStride ? previous[i - header.filterStride] : 0
                    row[i] = filteredData[offset + 1 + i] &+ filterPredictor(type: filterType, a: a, b: previous[i], c: c)
                }
                offset += 1 + rowBytes
                for x in 0..<pass.width {
                    body(pass.xStart + x * pass.xStep, pass.yStart + y * pass.yStep, try color(ofPixel: x, in: row))
                }
                swap(&row, &previous)
            }
        }
    }

    /// Sample `index` of a row, at full precision (1...16 bits).
    @inline(__always)
    func sample(_ index: Int, in row: [UInt8]) -> Int {
        switch header.bitDepth {
        case 8: return Int(row[index])
        case 16: return Int(row[2 * index]) << 8 | Int(row[2 * index + 1])
        default:
            let bitOffset = index * header.bitDepth
            let byte = Int(row[bitOffset / 8])
            let shift = 8 - header.bitDepth - bitOffset % 8      // samples are packed from the high bit
            return (byte >> shift) & ((1 << header.bitDepth) - 1)
        }
    }

    /// A sample scaled to 8 bits: high byte of 16-bit values, bit replication below 8 bits.
    @inline(__always)
    func to8Bit(_ value: Int) -> UInt8 {
        switch header.bitDepth {
        case 16: return UInt8(value >> 8)
        case 8: return UInt8(value)
        default: return UInt8(value * 255 / ((1 << header.bitDepth) - 1))
        }
    }

    func color(ofPixel x: Int, in row: [UInt8]) throws -> RGBA {
        let first = x * header.channels
        switch header.colorType {
        case 0:
            let gray = sample(first, in: row)
            let value = to8Bit(gray)
            return RGBA(value, value, value, transparentKey?.first == gray ? 0 : 255)
        case 2:
            let (r, g, b) = (sample(first, in: row), sample(first + 1, in: row), sample(first + 2, in: row))
            let isKey = transparentKey.map { $0 == [r, g, b] } ?? false
            return RGBA(to8Bit(r), to8Bit(g), to8Bit(b), isKey ? 0 : 255)
        case 3:
            let index = sample(first, in: row)
            guard index < palette.count else {
                throw ImagingError.invalidFormat("palette index \(index) beyond \(palette.count) entries")
            }
            return palette[index]
        case 4:
            let value = to8Bit(sample(first, in: row))
            return RGBA(value, value, value, to8Bit(sample(first + 1, in: row)))
        default:
            return RGBA(to8Bit(sample(first, in: row)), to8Bit(sample(first + 1, in: row)),
                        to8Bit(sample(first + 2, in: row)), to8Bit(sample(first + 3, in: row)))
        }
    }
}

/// Adam7 interlacing: seven passes over 8×8 tiles, each a sub-image that is filtered on its own.
enum Adam7 {
    struct Pass {
        var xStart: Int, yStart: Int, xStep: Int, yStep: Int
        var width: Int, height: Int
    }

    /// The passes of an image; a non-interlaced image is one pass covering every pixel.
    static func passes(width: Int, height: Int, interlaced: Bool) -> [Pass] {
        guard interlaced else {
            return [Pass(xStart: 0, yStart: 0, xStep: 1, yStep: 1, width: width, height: height)]
        }
        let layout = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        return layout.map { xStart, yStart, xStep, yStep in
            let passWidth = width > xStart ? (width - xStart + xStep - 1) / xStep : 0
            let passHeight = height > yStart ? (height - yStart + yStep - 1) / yStep : 0
            // A pass with no columns or no rows contributes no scanlines at all.
            return Pass(xStart: xStart, yStart: yStart, xStep: xStep, yStep: yStep,
                        width: passHeight == 0 ? 0 : passWidth, height: passWidth == 0 ? 0 : passHeight)
        }
    }
}

func readUInt32(_ bytes: [UInt8], _ index: Int) -> UInt32 {
    UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
}
