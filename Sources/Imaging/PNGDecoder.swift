import Codecs
import Foundation

extension PNG {
    /// Bounds that keep a hostile or corrupt file from making the decoder allocate gigabytes.
    ///
    /// The decoder holds the inflated scanlines (`maxDataBytes` at most) and the RGBA8 result
    /// (4 bytes per pixel, `4 × maxPixels` at most) at the same time; with the standard limits
    /// that is at most 520 MiB + 256 MiB. A 13 KB file can declare either, so both are checked
    /// before anything is inflated, and inflating stops at the declared size.
    public struct Limits: Sendable {
        public var maxWidth: Int
        public var maxHeight: Int
        /// width × height
        public var maxPixels: Int
        /// Bytes of inflated image data (filter bytes and scanlines of every Adam7 pass).
        public var maxDataBytes: Int

        public init(maxWidth: Int = 16384, maxHeight: Int = 16384, maxPixels: Int = 64 << 20,
                    maxDataBytes: Int = 520 << 20) {
            self.maxWidth = maxWidth
            self.maxHeight = maxHeight
            self.maxPixels = maxPixels
            self.maxDataBytes = maxDataBytes
        }

        /// 16384 × 16384 at most, no more than 64 Mi pixels in total and 520 MiB of inflated
        /// data (enough for 64 Mi pixels of 16-bit RGBA, 8 bytes each, plus the filter bytes).
        public static let standard = Limits()
    }

    /// Decodes any standard PNG (all colour types and bit depths, interlaced or not) to RGBA8.
    ///
    /// 16-bit samples keep their high byte; 1/2/4-bit gray is scaled to 0...255; palette and
    /// `tRNS` transparency are applied.
    /// - Throws: `ImagingError` (bad signature or CRC, truncation, invalid or unsupported data,
    ///   dimensions or image data beyond `limits`).
    public static func decodeRGBA(_ bytes: [UInt8], limits: Limits = .standard) throws -> RGBAImage {
        let file = try PNGFile(bytes, limits: limits)
        let width = file.header.width
        var pixels: [UInt8] = []
        // The output is allocated once the data has inflated to the size the header declares,
        // so a tiny file claiming a huge image costs nothing before it is rejected.
        try file.forEachRow(whenInflated: { pixels = [UInt8](repeating: 0, count: 4 * width * file.header.height) }) { pass, y, rgba in
            pixels.withUnsafeMutableBufferPointer { out in
                let target = out.baseAddress! + 4 * ((pass.yStart + y * pass.yStep) * width + pass.xStart)
                if pass.xStep == 1 {
                    target.update(from: rgba.baseAddress!, count: rgba.count)
                } else {
                    for x in 0..<pass.width {
                        (target + 4 * x * pass.xStep).update(from: rgba.baseAddress! + 4 * x, count: 4)
                    }
                }
            }
        }
        return RGBAImage(width: width, height: file.header.height, pixels: pixels)
    }

    /// Decodes any standard PNG to 8-bit gray. Colour is converted with PIL's luminance weights
    /// (see `RGBAImage.grayscale()`); alpha is ignored.
    public static func decodeGray(_ bytes: [UInt8], limits: Limits = .standard) throws -> GrayImage {
        let file = try PNGFile(bytes, limits: limits)
        let width = file.header.width
        var pixels: [UInt8] = []
        try file.forEachRow(whenInflated: { pixels = [UInt8](repeating: 0, count: width * file.header.height) }) { pass, y, rgba in
            pixels.withUnsafeMutableBufferPointer { out in
                let target = out.baseAddress! + (pass.yStart + y * pass.yStep) * width + pass.xStart
                for x in 0..<pass.width {
                    target[x * pass.xStep] = luminance(rgba[4 * x], rgba[4 * x + 1], rgba[4 * x + 2])
                }
            }
        }
        return GrayImage(width: width, height: file.header.height, pixels: pixels)
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

    /// Samples per pixel: gray 1, RGB 3, palette 1, gray+alpha 2, RGBA 4. A plain switch: this
    /// was once a dictionary literal, rebuilt on every call from the per-byte unfilter loop.
    var channels: Int {
        switch colorType {
        case 0, 3: return 1
        case 2: return 3
        case 4: return 2
        case 6: return 4
        default: return 0
        }
    }
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
    /// The concatenated IDAT data, inflated in `forEachRow` (and lent, not copied, to the rows).
    var compressed: [UInt8] = []
    /// Bytes of inflated data the header implies (filter bytes included, every pass).
    var expectedDataBytes = 0

    init(_ bytes: [UInt8], limits: PNG.Limits) throws {
        guard bytes.count >= 8 else { throw ImagingError.truncated(context: "signature") }
        guard bytes.starts(with: PNG.signature) else { throw ImagingError.badSignature }
        var position = 8
        var parsedHeader: PNGHeader? = nil
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
        guard expected <= limits.maxDataBytes else {
            throw ImagingError.dimensionsTooLarge(
                width: header.width, height: header.height,
                limit: "\(limits.maxDataBytes) bytes of image data, this image needs \(expected)")
        }
        expectedDataBytes = expected
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

    /// Unfilters every pass and calls `body` with each row converted to RGBA8 (`4 × pass.width`
    /// bytes, valid only during the call) and the row's index within its pass.
    ///
    /// Per-byte and per-pixel work is constant: the format is dispatched once per row, 1/2/4-bit
    /// values go through a precomputed scale table and the palette is a flat table. Rows are
    /// processed in file order and a row's pixels left to right, so the first invalid palette
    /// index or filter type is the one reported.
    /// `whenInflated` runs once the data has inflated to the declared size, before the first row.
    func forEachRow(whenInflated: () -> Void, _ body: (Adam7.Pass, Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let passes = Adam7.passes(width: header.width, height: header.height, interlaced: header.interlaced)
        let widest = passes.map(\.width).max() ?? 0
        let converter = RowConverter(file: self)
        var rgba = [UInt8](repeating: 0, count: 4 * widest)
        var rowStorage = [UInt8](repeating: 0, count: header.rowBytes(width: widest))
        var previousStorage = rowStorage
        let stride = header.filterStride
        try inflated { data in
            whenInflated()
            return try rgba.withUnsafeMutableBufferPointer { rgba in
                try rowStorage.withUnsafeMutableBufferPointer { rowBuffer in
                    try previousStorage.withUnsafeMutableBufferPointer { previousBuffer in
                        var row = rowBuffer.baseAddress!, previous = previousBuffer.baseAddress!
                        var offset = 0
                        for pass in passes where pass.width > 0 {
                            let rowBytes = header.rowBytes(width: pass.width)
                            previous.update(repeating: 0, count: rowBytes)
                            for y in 0..<pass.height {
                                let filterType = Int(data[offset])
                                guard filterType <= 4 else { throw ImagingError.invalidFormat("filter type \(filterType)") }
                                unfilter(type: filterType, source: data.baseAddress! + offset + 1, row: row,
                                         previous: previous, count: rowBytes, stride: stride)
                                offset += 1 + rowBytes
                                try converter.convert(row, width: pass.width, into: rgba.baseAddress!)
                                try body(pass, y, UnsafeBufferPointer(start: rgba.baseAddress!, count: 4 * pass.width))
                                swap(&row, &previous)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Inflates the image data (no more than the header implies) and lends it to `body`.
    func inflated(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let expected = expectedDataBytes
        do {
            try Zlib.decompress(compressed, maxOutputSize: expected) { data in
                guard data.count == expected else {
                    throw ImagingError.invalidFormat("image data has \(data.count) bytes, expected \(expected)")
                }
                try body(data)
            }
        } catch let error as CodecError {
            throw ImagingError.compression(error.description)
        }
    }

    /// Undoes one row's filter: `row[i] = source[i] + predictor(a = row[i - stride], b = previous[i],
    /// c = previous[i - stride])`, with a and c zero in the first `stride` bytes.
    @inline(__always)
    func unfilter(type: Int, source: UnsafePointer<UInt8>, row: UnsafeMutablePointer<UInt8>,
                  previous: UnsafePointer<UInt8>, count: Int, stride: Int) {
        let lead = min(stride, count)
        switch type {
        case 0:
            row.update(from: source, count: count)
        case 1:
            row.update(from: source, count: lead)
            for i in lead..<max(lead, count) { row[i] = source[i] &+ row[i - stride] }
        case 2:
            for i in 0..<count { row[i] = source[i] &+ previous[i] }
        case 3:
            for i in 0..<lead { row[i] = source[i] &+ previous[i] >> 1 }
            for i in lead..<max(lead, count) {
                row[i] = source[i] &+ UInt8((UInt16(row[i - stride]) + UInt16(previous[i])) >> 1)
            }
        default:
            for i in 0..<lead { row[i] = source[i] &+ paeth(0, previous[i], 0) }
            for i in lead..<max(lead, count) {
                row[i] = source[i] &+ paeth(row[i - stride], previous[i], previous[i - stride])
            }
        }
    }
}

/// Converts unfiltered rows of one file's format to RGBA8, with everything that depends only on
/// the header (scale table, palette, transparency key) computed once.
struct RowConverter {
    let colorType: Int
    let bitDepth: Int
    /// 1/2/4-bit value → 8 bits (bit replication: value × 255 / (2^depth − 1)).
    let scale: [UInt8]
    /// The tRNS key at full sample precision, -1 for none (never equal to a sample).
    let keyGray: Int
    let keyRed: Int, keyGreen: Int, keyBlue: Int
    /// RGBA bytes of every palette entry.
    let palette: [UInt8]
    let paletteCount: Int

    init(file: PNGFile) {
        colorType = file.header.colorType
        bitDepth = file.header.bitDepth
        let maximum = bitDepth < 8 ? (1 << bitDepth) - 1 : 1
        scale = bitDepth < 8 ? (0...maximum).map { UInt8($0 * 255 / maximum) } : []
        let key = file.transparentKey ?? []
        keyGray = colorType == 0 && key.count == 1 ? key[0] : -1
        (keyRed, keyGreen, keyBlue) = colorType == 2 && key.count == 3 ? (key[0], key[1], key[2]) : (-1, -1, -1)
        palette = file.palette.flatMap { [$0.r, $0.g, $0.b, $0.a] }
        paletteCount = file.palette.count
    }

    /// Sample `index` of a row packed at 1, 2 or 4 bits, from the high bit down.
    @inline(__always)
    func packedSample(_ row: UnsafePointer<UInt8>, _ index: Int) -> Int {
        let bitOffset = index &* bitDepth
        let shift = 8 &- bitDepth &- (bitOffset & 7)
        return (Int(row[bitOffset >> 3]) >> shift) & ((1 << bitDepth) - 1)
    }

    @inline(__always)
    func sample16(_ row: UnsafePointer<UInt8>, _ index: Int) -> Int {
        Int(row[2 &* index]) << 8 | Int(row[2 &* index &+ 1])
    }

    func convert(_ row: UnsafePointer<UInt8>, width: Int, into out: UnsafeMutablePointer<UInt8>) throws {
        switch (colorType, bitDepth) {
        case (0, 16):
            for x in 0..<width {
                let value = row[2 * x]
                out[4 * x] = value; out[4 * x + 1] = value; out[4 * x + 2] = value
                out[4 * x + 3] = sample16(row, x) == keyGray ? 0 : 255
            }
        case (0, 8):
            for x in 0..<width {
                let value = row[x]
                out[4 * x] = value; out[4 * x + 1] = value; out[4 * x + 2] = value
                out[4 * x + 3] = Int(value) == keyGray ? 0 : 255
            }
        case (0, _):
            scale.withUnsafeBufferPointer { scale in
                for x in 0..<width {
                    let sample = packedSample(row, x)
                    let value = scale[sample]
                    out[4 * x] = value; out[4 * x + 1] = value; out[4 * x + 2] = value
                    out[4 * x + 3] = sample == keyGray ? 0 : 255
                }
            }
        case (2, 16):
            for x in 0..<width {
                let isKey = sample16(row, 3 * x) == keyRed && sample16(row, 3 * x + 1) == keyGreen
                    && sample16(row, 3 * x + 2) == keyBlue
                out[4 * x] = row[6 * x]; out[4 * x + 1] = row[6 * x + 2]; out[4 * x + 2] = row[6 * x + 4]
                out[4 * x + 3] = isKey ? 0 : 255
            }
        case (2, _):
            for x in 0..<width {
                let (r, g, b) = (row[3 * x], row[3 * x + 1], row[3 * x + 2])
                out[4 * x] = r; out[4 * x + 1] = g; out[4 * x + 2] = b
                out[4 * x + 3] = Int(r) == keyRed && Int(g) == keyGreen && Int(b) == keyBlue ? 0 : 255
            }
        case (3, _):
            try palette.withUnsafeBufferPointer { palette in
                for x in 0..<width {
                    let index = bitDepth == 8 ? Int(row[x]) : packedSample(row, x)
                    guard index < paletteCount else {
                        throw ImagingError.invalidFormat("palette index \(index) beyond \(paletteCount) entries")
                    }
                    (out + 4 * x).update(from: palette.baseAddress! + 4 * index, count: 4)
                }
            }
        case (4, 16):
            for x in 0..<width {
                let value = row[4 * x]
                out[4 * x] = value; out[4 * x + 1] = value; out[4 * x + 2] = value; out[4 * x + 3] = row[4 * x + 2]
            }
        case (4, _):
            for x in 0..<width {
                let value = row[2 * x]
                out[4 * x] = value; out[4 * x + 1] = value; out[4 * x + 2] = value; out[4 * x + 3] = row[2 * x + 1]
            }
        case (_, 16):
            for x in 0..<width {
                out[4 * x] = row[8 * x]; out[4 * x + 1] = row[8 * x + 2]
                out[4 * x + 2] = row[8 * x + 4]; out[4 * x + 3] = row[8 * x + 6]
            }
        default:
            out.update(from: row, count: 4 * width)
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
