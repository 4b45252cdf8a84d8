import Foundation

/// Reading JPEG files (ITU-T T.81 | ISO/IEC 10918-1, with JFIF, Adobe and EXIF metadata): the
/// photos people have, decoded to RGBA8 as libjpeg-turbo decodes them (within ±1–2 grey levels;
/// see `JPEGPixels` for the IDCT, upsampling and colour conversion chosen).
///
/// Decodes baseline and extended sequential (8-bit) and progressive JPEGs with Huffman coding, one
/// component (grey) or three (YCbCr, or RGB when the Adobe marker or the component ids say so),
/// any integral subsampling (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, ...), restart markers, and the EXIF
/// orientation. Refuses, with one line saying so: arithmetic coding, lossless and hierarchical
/// JPEG, 12-bit samples, CMYK/YCCK (four components), and images larger than `Limits`.
public enum JPEG {
    /// Bounds that keep a hostile or corrupt file from making the decoder allocate or work without end.
    ///
    /// The decoder holds every component's coefficients (2 bytes a sample, 6 bytes a pixel for
    /// 4:4:4 colour) and the RGBA result (4 bytes a pixel): with the standard 64 Mi pixels at most
    /// ~640 MiB. Besides the limits, a file must have enough bytes for the pixels it declares: every
    /// 8×8 block of a scan costs at least one bit, so no valid file codes more than 512 pixels per
    /// byte, and a file declaring more than 1,024 is refused before anything is allocated (a
    /// decompression bomb).
    public struct Limits: Sendable {
        public var maxWidth: Int
        public var maxHeight: Int
        /// width × height
        public var maxPixels: Int
        /// Scans of a progressive image (normal encoders write 6–12): each pass over the
        /// coefficients costs time, so a file of many tiny scans cannot run for minutes.
        public var maxScans: Int

        public init(maxWidth: Int = 65_535, maxHeight: Int = 65_535, maxPixels: Int = 64 << 20, maxScans: Int = 1000) {
            self.maxWidth = maxWidth
            self.maxHeight = maxHeight
            self.maxPixels = maxPixels
            self.maxScans = maxScans
        }

        public static let standard = Limits()
    }

    /// What the headers say, without decoding the pixels.
    public struct Info: Equatable, Sendable {
        public let width: Int
        public let height: Int
        /// 1 (grey) or 3 (colour).
        public let components: Int
        public let progressive: Bool
        /// The sampling factors of each component, e.g. [(2, 2), (1, 1), (1, 1)] for 4:2:0.
        public let samplingFactors: [[Int]]
        /// The EXIF orientation (1...8; 1 when there is none).
        public let orientation: Int
        /// "4:4:4", "4:2:2", "4:2:0", "4:4:0", "4:1:1", or "h×v, ..." for other layouts; "grey".
        public var subsampling: String {
            guard components == 3 else { return "grey" }
            let luma = samplingFactors[0]
            guard samplingFactors[1] == [1, 1], samplingFactors[2] == [1, 1] else {
                return samplingFactors.map { "\($0[0])×\($0[1])" }.joined(separator: ", ")
            }
            switch (luma[0], luma[1]) {
            case (1, 1): return "4:4:4"
            case (2, 1): return "4:2:2"
            case (2, 2): return "4:2:0"
            case (1, 2): return "4:4:0"
            case (4, 1): return "4:1:1"
            default: return "\(luma[0])×\(luma[1]), 1×1, 1×1"
            }
        }
    }

    /// Whether `bytes` start like a JPEG (FF D8 FF).
    public static func isJPEG<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.starts(with: [0xFF, 0xD8, 0xFF])
    }

    /// Decodes a JPEG to RGBA8 (alpha 255), turned as its EXIF orientation says unless
    /// `applyingOrientation` is false.
    /// - Throws: `JPEGError`: not a JPEG, truncated, invalid, unsupported, or beyond `limits`.
    public static func decodeRGBA(_ bytes: [UInt8], limits: Limits = .standard, applyingOrientation: Bool = true) throws -> RGBAImage {
        var decoder = JPEGDecoder(limits: limits)
        let image = try bytes.withUnsafeBufferPointer { try decoder.decode($0) }
        return applyingOrientation ? JPEGPixels.oriented(image, orientation: decoder.orientation) : image
    }

    /// Decodes a JPEG to 8-bit grey: grey files as they are, colour through PIL's luminance
    /// weights (`RGBAImage.grayscale()`), as `PNG.decodeGray` does.
    public static func decodeGray(_ bytes: [UInt8], limits: Limits = .standard, applyingOrientation: Bool = true) throws -> GrayImage {
        try decodeRGBA(bytes, limits: limits, applyingOrientation: applyingOrientation).grayscale()
    }

    /// The headers up to the first scan: size, components, sampling, orientation.
    public static func info(_ bytes: [UInt8], limits: Limits = .standard) throws -> Info {
        var decoder = JPEGDecoder(limits: limits)
        return try bytes.withUnsafeBufferPointer { try decoder.readInfo($0) }
    }

    /// Reads and decodes a JPEG file to RGBA8.
    public static func readRGBA(from url: URL, limits: Limits = .standard, applyingOrientation: Bool = true) throws -> RGBAImage {
        try decodeRGBA([UInt8](Data(contentsOf: url)), limits: limits, applyingOrientation: applyingOrientation)
    }
}

/// One frame component (T.81 B.2.2) and, once the frame is known, its coefficients.
struct JPEGComponent {
    let id: UInt8
    let horizontal: Int, vertical: Int
    let quantisationTable: Int
    /// ⌈image size × factor / maximum factor⌉: the real samples (libjpeg's downsampled size).
    var width = 0, height = 0
    /// Blocks per line and per column, padded to whole MCUs.
    var blocksPerLine = 0, blocksPerColumn = 0
    /// Where the component's coefficients start in the decoder's `coefficients`: 64 per block,
    /// natural order, blocks row-major over the padded grid.
    var coefficientOffset = 0
    /// The quantisation table in force at the component's first scan (natural order).
    var quantisation: [UInt16]? = nil
    var scanned = false
}

/// The decoder's state across the marker segments of one file.
struct JPEGDecoder {
    let limits: JPEG.Limits
    var orientation = 1
    private var quantisationTables = [[UInt16]?](repeating: nil, count: 4)
    private var dcTables = [JPEGHuffmanTable?](repeating: nil, count: 4)
    private var acTables = [JPEGHuffmanTable?](repeating: nil, count: 4)
    private var restartInterval = 0
    private var adobeTransform: Int? = nil
    private var sawJFIF = false
    private var frame: (width: Int, height: Int, progressive: Bool)? = nil
    private var components: [JPEGComponent] = []
    /// Every component's coefficients, one after the other (allocated at the first scan).
    private var coefficients: [Int16] = []
    private var maxHorizontal = 1, maxVertical = 1
    private var mcusPerLine = 0, mcusPerColumn = 0
    private var scans = 0

    init(limits: JPEG.Limits) { self.limits = limits }

    // MARK: Markers

    /// Reads the segments up to the first SOS (or EOI) and returns what they say.
    mutating func readInfo(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JPEG.Info {
        try walk(bytes, decodingScans: false)
        guard let frame else { throw JPEGError.invalid("no frame header (SOF) before the image data") }
        return JPEG.Info(width: frame.width, height: frame.height, components: components.count, progressive: frame.progressive,
                         samplingFactors: components.map { [$0.horizontal, $0.vertical] }, orientation: orientation)
    }

    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> RGBAImage {
        try walk(bytes, decodingScans: true)
        return try pixels()
    }

    /// Reads marker segments in order; with `decodingScans`, decodes each scan's entropy-coded data.
    private mutating func walk(_ bytes: UnsafeBufferPointer<UInt8>, decodingScans: Bool) throws {
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw JPEGError.notJPEG }
        var position = 2
        while true {
            // A marker: 0xFF, any number of fill bytes 0xFF, the code (T.81 B.1.1.2).
            guard position < bytes.count else {
                if scans > 0 { return }      // no EOI after complete scans: what libjpeg accepts too
                throw JPEGError.truncated(frame == nil ? "the file ends before its frame header" : "the file ends before its image data")
            }
            guard bytes[position] == 0xFF else {
                throw JPEGError.invalid("expected a marker at byte \(position), found 0x\(String(bytes[position], radix: 16))")
            }
            while position < bytes.count && bytes[position] == 0xFF { position += 1 }
            guard position < bytes.count else { throw JPEGError.truncated("the file ends inside a marker") }
            let marker = bytes[position]
            position += 1
            switch marker {
            case 0xD9: return                                   // EOI
            case 0xD0...0xD7, 0x01: continue                   // RSTn outside a scan, TEM: no segment
            case 0xD8: throw JPEGError.invalid("a second start-of-image marker at byte \(position - 2)")
            default: break
            }
            guard position + 2 <= bytes.count else { throw JPEGError.truncated("the file ends inside the length of marker 0xFF\(Self.hex(marker))") }
            let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            guard length >= 2 else { throw JPEGError.invalid("marker 0xFF\(Self.hex(marker)) declares a segment of \(length) bytes (at least 2)") }
            guard position + length <= bytes.count else {
                throw JPEGError.truncated("segment 0xFF\(Self.hex(marker)) declares \(length) bytes, \(bytes.count - position) remain")
            }
            let segment = UnsafeBufferPointer(rebasing: bytes[(position + 2)..<(position + length)])
            position += length
            switch marker {
            case 0xC0, 0xC1, 0xC2: try readFrame(segment, progressive: marker == 0xC2, fileBytes: bytes.count)
            case 0xC3, 0xC5, 0xC6, 0xC7: throw JPEGError.unsupported(marker == 0xC3 ? "lossless JPEG (SOF3)" : "hierarchical JPEG (SOF\(marker - 0xC0))")
            case 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xCC: throw JPEGError.unsupported("arithmetic coding (only Huffman-coded JPEGs are decoded)")
            case 0xC4: try readHuffmanTables(segment)
            case 0xDB: try readQuantisationTables(segment)
            case 0xDD:
                guard segment.count == 2 else { throw JPEGError.invalid("DRI segment of \(segment.count + 2) bytes (4 expected)") }
                restartInterval = Int(segment[0]) << 8 | Int(segment[1])
            case 0xDC: throw JPEGError.unsupported("a DNL marker (the image height defined after the first scan)")
            case 0xE0: if segment.starts(with: Array("JFIF\0".utf8)) { sawJFIF = true }
            case 0xE1: if let value = Self.exifOrientation(segment) { orientation = value }
            case 0xEE:
                if segment.count >= 12 && segment.starts(with: Array("Adobe".utf8)) { adobeTransform = Int(segment[11]) }
            case 0xDA:
                guard decodingScans else { return }
                position = try readScan(segment, bytes: bytes, dataStart: position)
            default: break                                        // APPn, COM and the rest: skipped
            }
        }
    }

    private static func hex(_ byte: UInt8) -> String { (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }

    private mutating func readFrame(_ s: UnsafeBufferPointer<UInt8>, progressive: Bool, fileBytes: Int) throws {
        guard frame == nil else { throw JPEGError.invalid("a second frame header (SOF)") }
        guard s.count >= 6 else { throw JPEGError.invalid("SOF segment of \(s.count + 2) bytes") }
        guard s[0] == 8 else { throw JPEGError.unsupported("\(s[0])-bit samples (only 8-bit JPEGs are decoded)") }
        let height = Int(s[1]) << 8 | Int(s[2]), width = Int(s[3]) << 8 | Int(s[4]), count = Int(s[5])
        guard height > 0 else { throw JPEGError.unsupported("a frame of height 0 (the height defined by a DNL marker)") }
        guard width > 0 else { throw JPEGError.invalid("a frame of width 0") }
        guard s.count == 6 + 3 * count else { throw JPEGError.invalid("SOF segment of \(s.count + 2) bytes for \(count) components") }
        switch count {
        case 1, 3: break
        case 4: throw JPEGError.unsupported("four components (CMYK or YCCK): only grey and colour (YCbCr, RGB) JPEGs are decoded")
        default: throw JPEGError.unsupported("\(count) components (only 1, grey, or 3, colour)")
        }
        guard width <= limits.maxWidth, height <= limits.maxHeight, width * height <= limits.maxPixels else {
            throw JPEGError.tooLarge("\(width)×\(height) pixels exceed the limit (\(limits.maxWidth)×\(limits.maxHeight), \(limits.maxPixels) pixels)")
        }
        guard width * height <= 1024 * fileBytes else {
            throw JPEGError.tooLarge("\(width)×\(height) pixels declared in a file of \(fileBytes) bytes: a decompression bomb (no JPEG codes more than 512 pixels a byte)")
        }
        var parsed: [JPEGComponent] = []
        for i in 0..<count {
            let id = s[6 + 3 * i], factors = s[7 + 3 * i], table = Int(s[8 + 3 * i])
            let h = Int(factors >> 4), v = Int(factors & 15)
            guard (1...4).contains(h), (1...4).contains(v) else { throw JPEGError.invalid("component \(id) has sampling factors \(h)×\(v) (1...4 each)") }
            guard table < 4 else { throw JPEGError.invalid("component \(id) uses quantisation table \(table) (0...3)") }
            guard !parsed.contains(where: { $0.id == id }) else { throw JPEGError.invalid("two components with the id \(id)") }
            parsed.append(JPEGComponent(id: id, horizontal: h, vertical: v, quantisationTable: table))
        }
        maxHorizontal = parsed.map(\.horizontal).max()!
        maxVertical = parsed.map(\.vertical).max()!
        for c in parsed where maxHorizontal % c.horizontal != 0 || maxVertical % c.vertical != 0 {
            throw JPEGError.unsupported("fractional subsampling (component \(c.id): \(c.horizontal)×\(c.vertical) of \(maxHorizontal)×\(maxVertical))")
        }
        mcusPerLine = (width + 8 * maxHorizontal - 1) / (8 * maxHorizontal)
        mcusPerColumn = (height + 8 * maxVertical - 1) / (8 * maxVertical)
        for i in parsed.indices {
            parsed[i].width = (width * parsed[i].horizontal + maxHorizontal - 1) / maxHorizontal
            parsed[i].height = (height * parsed[i].vertical + maxVertical - 1) / maxVertical
            parsed[i].blocksPerLine = mcusPerLine * parsed[i].horizontal
            parsed[i].blocksPerColumn = mcusPerColumn * parsed[i].vertical
        }
        components = parsed
        frame = (width, height, progressive)
    }

    private mutating func readHuffmanTables(_ s: UnsafeBufferPointer<UInt8>) throws {
        var at = 0
        while at < s.count {
            guard at + 17 <= s.count else { throw JPEGError.invalid("DHT segment ends inside a table's code counts") }
            let kind = Int(s[at] >> 4), slot = Int(s[at] & 15)
            guard kind <= 1, slot < 4 else { throw JPEGError.invalid("DHT names table class \(kind), slot \(slot) (class 0 or 1, slot 0...3)") }
            let counts = (1...16).map { Int(s[at + $0]) }
            let total = counts.reduce(0, +)
            guard at + 17 + total <= s.count else { throw JPEGError.invalid("DHT segment ends inside a table's \(total) symbols") }
            let table = try JPEGHuffmanTable(counts: counts, values: Array(s[(at + 17)..<(at + 17 + total)]), isDC: kind == 0)
            if kind == 0 { dcTables[slot] = table } else { acTables[slot] = table }
            at += 17 + total
        }
    }

    private mutating func readQuantisationTables(_ s: UnsafeBufferPointer<UInt8>) throws {
        var at = 0
        while at < s.count {
            let precision = Int(s[at] >> 4), slot = Int(s[at] & 15)
            guard precision <= 1, slot < 4 else { throw JPEGError.invalid("DQT names precision \(precision), slot \(slot) (0 or 1, 0...3)") }
            let size = precision == 0 ? 64 : 128
            guard at + 1 + size <= s.count else { throw JPEGError.invalid("DQT segment ends inside table \(slot)") }
            var table = [UInt16](repeating: 0, count: 64)
            for k in 0..<64 {
                let value = precision == 0 ? UInt16(s[at + 1 + k]) : UInt16(s[at + 1 + 2 * k]) << 8 | UInt16(s[at + 2 + 2 * k])
                table[JPEGPixels.zigZag[k]] = value
            }
            quantisationTables[slot] = table
            at += 1 + size
        }
    }

    /// The orientation tag (274) of IFD0 in an APP1 "Exif" segment, if it is there and 1...8.
    static func exifOrientation(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        guard s.count >= 14, s.starts(with: Array("Exif\0\0".utf8)) else { return nil }
        let tiff = 6
        let little: Bool
        switch (s[tiff], s[tiff + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= s.count else { return nil }
            return little ? Int(s[at]) | Int(s[at + 1]) << 8 : Int(s[at]) << 8 | Int(s[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(tiff + 2) == 42, let ifd = u32(tiff + 4), let entries = u16(tiff + ifd) else { return nil }
        for i in 0..<min(entries, 1000) {
            let entry = tiff + ifd + 2 + 12 * i
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 {
                guard u16(entry + 2) == 3, let value = u16(entry + 8), (1...8).contains(value) else { return nil }
                return value
            }
        }
        return nil
    }

    // MARK: Scans

    /// Decodes one scan (its header in `s`, its entropy-coded data from `dataStart`); returns the
    /// position of the marker that ends it.
    private mutating func readScan(_ s: UnsafeBufferPointer<UInt8>, bytes: UnsafeBufferPointer<UInt8>, dataStart: Int) throws -> Int {
        guard let frame else { throw JPEGError.invalid("a scan (SOS) before the frame header (SOF)") }
        scans += 1
        guard scans <= limits.maxScans else { throw JPEGError.tooLarge("more than \(limits.maxScans) scans") }
        guard s.count >= 1 else { throw JPEGError.invalid("empty SOS segment") }
        let count = Int(s[0])
        guard (1...4).contains(count), s.count == 4 + 2 * count else { throw JPEGError.invalid("SOS segment of \(s.count + 2) bytes for \(count) components") }
        var members: [(index: Int, dc: Int, ac: Int)] = []
        for i in 0..<count {
            let id = s[1 + 2 * i], tables = s[2 + 2 * i]
            guard let index = components.firstIndex(where: { $0.id == id }) else { throw JPEGError.invalid("a scan names component \(id), which the frame does not have") }
            guard !members.contains(where: { $0.index == index }) else { throw JPEGError.invalid("a scan names component \(id) twice") }
            guard tables >> 4 < 4, tables & 15 < 4 else { throw JPEGError.invalid("a scan names Huffman tables \(tables >> 4) and \(tables & 15) (0...3)") }
            members.append((index, Int(tables >> 4), Int(tables & 15)))
        }
        let start = Int(s[1 + 2 * count]), end = Int(s[2 + 2 * count])
        let high = Int(s[3 + 2 * count] >> 4), low = Int(s[3 + 2 * count] & 15)
        if frame.progressive {
            guard start <= end, end <= 63, (start == 0) == (end == 0) else { throw JPEGError.invalid("progressive scan with spectral selection \(start)...\(end)") }
            guard start == 0 || count == 1 else { throw JPEGError.invalid("an AC scan of a progressive JPEG holds \(count) components (one only)") }
            guard low <= 13, high == 0 || high == low + 1 else { throw JPEGError.invalid("successive approximation \(high)/\(low)") }
        } else {
            guard start == 0, end == 63, high == 0, low == 0 else { throw JPEGError.invalid("a sequential scan with spectral selection \(start)...\(end), approximation \(high)/\(low)") }
        }
        let blocksPerMCU = members.reduce(0) { $0 + components[$1.index].horizontal * components[$1.index].vertical }
        guard count == 1 || blocksPerMCU <= 10 else { throw JPEGError.invalid("\(blocksPerMCU) blocks in an MCU (at most 10)") }
        // Tables the scan uses must be defined now.
        for member in members {
            if start == 0 && high == 0 && dcTables[member.dc] == nil { throw JPEGError.invalid("the scan uses DC Huffman table \(member.dc), which is not defined") }
            if end > 0 && acTables[member.ac] == nil { throw JPEGError.invalid("the scan uses AC Huffman table \(member.ac), which is not defined") }
            let c = components[member.index]
            if c.quantisation == nil {
                guard let table = quantisationTables[c.quantisationTable] else {
                    throw JPEGError.invalid("component \(c.id) uses quantisation table \(c.quantisationTable), which is not defined")
                }
                components[member.index].quantisation = table
            }
            components[member.index].scanned = true
        }
        if coefficients.isEmpty {
            var total = 0
            for i in components.indices {
                components[i].coefficientOffset = total
                total += 64 * components[i].blocksPerLine * components[i].blocksPerColumn
            }
            coefficients = [Int16](repeating: 0, count: total)
        }

        var reader = JPEGBitReader(bytes: bytes, position: dataStart)
        let single = count == 1
        // A one-component scan covers the component's own blocks, not the padded MCU grid (A.2.2).
        let first = components[members[0].index]     // geometry only: no storage in it
        let columns = single ? (first.width + 7) / 8 : mcusPerLine
        let rows = single ? (first.height + 7) / 8 : mcusPerColumn
        let total = columns * rows
        let dc = members.map { dcTables[$0.dc] }, ac = members.map { acTables[$0.ac] }
        let kind: ScanKind = !frame.progressive ? .sequential : start == 0 ? (high == 0 ? .dcFirst : .dcRefine) : (high == 0 ? .acFirst : .acRefine)
        let geometry = members.map { components[$0.index] }
        var predictions = [Int](repeating: 0, count: members.count)
        var run = 0
        try coefficients.withUnsafeMutableBufferPointer { all in
            var mcu = 0
            while mcu < total {
                if restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0 {
                    try Self.expectRestart(&reader, number: mcu / restartInterval - 1)
                    for m in predictions.indices { predictions[m] = 0 }
                    run = 0
                }
                let mcuRow = mcu / columns, mcuColumn = mcu % columns
                for (m, c) in geometry.enumerated() {
                    let (across, down) = single ? (1, 1) : (c.horizontal, c.vertical)
                    for v in 0..<down {
                        for h in 0..<across {
                            let blockRow = mcuRow * down + v, blockColumn = mcuColumn * across + h
                            let block = all.baseAddress! + c.coefficientOffset + 64 * (blockRow * c.blocksPerLine + blockColumn)
                            try Self.decodeBlock(block, reader: &reader, kind: kind, dc: dc[m], ac: ac[m], start: start, end: end, low: low,
                                                 prediction: &predictions[m], run: &run)
                        }
                    }
                }
                mcu += 1
                if reader.ranPastData { throw JPEGError.truncated("the image data of scan \(scans) ends before its last block (MCU \(mcu) of \(total))") }
            }
        }
        // The scan's data ends at the next marker: skip its padding (and any stray bytes).
        var position = reader.position
        while position + 1 < bytes.count && !(bytes[position] == 0xFF && bytes[position + 1] != 0x00 && !(0xD0...0xD7).contains(bytes[position + 1])) {
            position += 1
        }
        return position + 1 < bytes.count ? position : bytes.count
    }

    private enum ScanKind { case sequential, dcFirst, dcRefine, acFirst, acRefine }

    private static func expectRestart(_ reader: inout JPEGBitReader, number: Int) throws {
        reader.reset()
        var position = reader.position
        let bytes = reader.bytes
        // Skip what is left of the byte-aligned data to the marker; it must be RSTn with n = number mod 8.
        while position < bytes.count && bytes[position] != 0xFF { position += 1 }
        while position + 1 < bytes.count && bytes[position + 1] == 0xFF { position += 1 }
        guard position + 1 < bytes.count else { throw JPEGError.truncated("the file ends where restart marker \(number % 8) is expected") }
        let marker = bytes[position + 1]
        guard marker == 0xD0 + UInt8(number % 8) else {
            throw JPEGError.invalid("expected restart marker RST\(number % 8), found 0xFF\(Self.hex(marker))")
        }
        reader.restart(at: position + 2)
    }

    @inline(__always)
    private static func decodeBlock(_ block: UnsafeMutablePointer<Int16>, reader: inout JPEGBitReader, kind: ScanKind,
                                    dc: JPEGHuffmanTable?, ac: JPEGHuffmanTable?, start: Int, end: Int, low: Int,
                                    prediction: inout Int, run: inout Int) throws {
        let zigZag = JPEGPixels.zigZag
        switch kind {
        case .sequential:
            let category = Int(try dc!.decode(&reader))
            prediction &+= reader.signed(category)
            block[0] = Int16(truncatingIfNeeded: prediction)
            var k = 1
            while k < 64 {
                let symbol = Int(try ac!.decode(&reader))
                let zeros = symbol >> 4, size = symbol & 15
                if size == 0 {
                    if zeros != 15 { break }
                    k += 16
                    continue
                }
                k += zeros
                guard k < 64 else { throw JPEGError.invalid("corrupt entropy-coded data: a coefficient past the 64th of its block") }
                block[zigZag[k]] = Int16(truncatingIfNeeded: reader.signed(size))
                k += 1
            }
        case .dcFirst:
            let category = Int(try dc!.decode(&reader))
            prediction &+= reader.signed(category)
            block[0] = Int16(truncatingIfNeeded: prediction &<< low)
        case .dcRefine:
            if reader.bit() { block[0] |= Int16(truncatingIfNeeded: 1 << low) }
        case .acFirst:
            if run > 0 { run -= 1; return }
            var k = start
            while k <= end {
                let symbol = Int(try ac!.decode(&reader))
                let zeros = symbol >> 4, size = symbol & 15
                if size == 0 {
                    if zeros < 15 {
                        run = (1 << zeros) - 1 + reader.bits(zeros)
                        break
                    }
                    k += 16
                    continue
                }
                k += zeros
                guard k <= end else { throw JPEGError.invalid("corrupt entropy-coded data: a coefficient past the scan's band") }
                block[zigZag[k]] = Int16(truncatingIfNeeded: reader.signed(size) &<< low)
                k += 1
            }
        case .acRefine:
            try Self.refineAC(block, reader: &reader, table: ac!, start: start, end: end, low: low, run: &run)
        }
    }

    /// A progressive AC refinement scan's work on one block (T.81 G.1.2.3): new coefficients of
    /// magnitude 1 << low in zero-history positions, one correction bit for every coefficient that
    /// is already non-zero, an end-of-band run covering whole blocks.
    private static func refineAC(_ block: UnsafeMutablePointer<Int16>, reader: inout JPEGBitReader, table: JPEGHuffmanTable,
                                 start: Int, end: Int, low: Int, run: inout Int) throws {
        let zigZag = JPEGPixels.zigZag
        let plus = Int16(truncatingIfNeeded: 1 << low), minus = Int16(truncatingIfNeeded: -1 << low)
        @inline(__always) func refine(_ k: Int, _ reader: inout JPEGBitReader) {
            let z = zigZag[k]
            if reader.bit() && block[z] & plus == 0 { block[z] &+= block[z] >= 0 ? plus : minus }
        }
        var k = start
        if run == 0 {
            while k <= end {
                let symbol = Int(try table.decode(&reader))
                var zeros = symbol >> 4
                let size = symbol & 15
                var value: Int16 = 0
                if size != 0 {
                    guard size == 1 else { throw JPEGError.invalid("corrupt entropy-coded data: a refinement coefficient of size \(size) (1 expected)") }
                    value = reader.bit() ? plus : minus
                } else if zeros != 15 {
                    run = (1 << zeros) + reader.bits(zeros)
                    break
                }
                // Skip `zeros` zero-history coefficients, refining the non-zero ones on the way.
                while k <= end {
                    let z = zigZag[k]
                    if block[z] != 0 {
                        refine(k, &reader)
                    } else {
                        if zeros == 0 { break }
                        zeros -= 1
                    }
                    k += 1
                }
                if value != 0 && k <= end { block[zigZag[k]] = value }
                k += 1
            }
        }
        if run > 0 {
            // The rest of the band is in an end-of-band run: only correction bits.
            while k <= end {
                if block[zigZag[k]] != 0 { refine(k, &reader) }
                k += 1
            }
            run -= 1
        }
    }

    // MARK: Pixels

    private func pixels() throws -> RGBAImage {
        guard let frame else { throw JPEGError.invalid("no frame header (SOF)") }
        guard scans > 0 else { throw JPEGError.truncated("no image data (no scan) before the end") }
        if let missing = components.first(where: { !$0.scanned }) {
            throw JPEGError.truncated("component \(missing.id) has no scan")
        }
        // Every component's samples at its own resolution, then at the image's.
        let planes: [[UInt8]] = components.map { c in
            let stride = c.blocksPerLine * 8
            var plane = [UInt8](repeating: 0, count: stride * c.blocksPerColumn * 8)
            let usedRows = (c.height + 7) / 8, usedColumns = (c.width + 7) / 8
            coefficients.withUnsafeBufferPointer { all in
                let coefficients = UnsafeBufferPointer(rebasing: all[c.coefficientOffset...])
                c.quantisation!.withUnsafeBufferPointer { q in
                    plane.withUnsafeMutableBufferPointer { out in
                        for row in 0..<usedRows {
                            for column in 0..<usedColumns {
                                JPEGPixels.inverseDCT(coefficients.baseAddress! + 64 * (row * c.blocksPerLine + column), quantisation: q.baseAddress!,
                                                      into: out.baseAddress! + row * 8 * stride + column * 8, stride: stride)
                            }
                        }
                    }
                }
            }
            return JPEGPixels.upsampled(plane, stride: stride, width: c.width, height: c.height,
                                        horizontalFactor: maxHorizontal / c.horizontal, verticalFactor: maxVertical / c.vertical,
                                        outputWidth: frame.width, outputHeight: frame.height)
        }
        var rgba = [UInt8](repeating: 255, count: 4 * frame.width * frame.height)
        if planes.count == 1 {
            rgba.withUnsafeMutableBufferPointer { out in
                for (i, value) in planes[0].enumerated() { out[4 * i] = value; out[4 * i + 1] = value; out[4 * i + 2] = value }
            }
        } else if isRGB {
            rgba.withUnsafeMutableBufferPointer { out in
                for i in 0..<planes[0].count { out[4 * i] = planes[0][i]; out[4 * i + 1] = planes[1][i]; out[4 * i + 2] = planes[2][i] }
            }
        } else {
            JPEGPixels.rgbaFromYCbCr(planes[0], planes[1], planes[2], into: &rgba)
        }
        return RGBAImage(width: frame.width, height: frame.height, pixels: rgba)
    }

    /// Three components stored as RGB rather than YCbCr: the Adobe marker's transform 0, or (with
    /// neither JFIF nor Adobe marker) the component ids 'R', 'G', 'B' — libjpeg's rules.
    private var isRGB: Bool {
        if let adobeTransform { return adobeTransform == 0 }
        if sawJFIF { return false }
        return components.map(\.id) == [0x52, 0x47, 0x42]
    }
}
