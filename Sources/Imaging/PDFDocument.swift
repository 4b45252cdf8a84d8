import Codecs

/// A minimal PDF 1.4 writer for handouts: headings and paragraphs in the standard Helvetica fonts
/// (every PDF reader has them, so nothing is embedded) and PNG figures, flowed top to bottom onto
/// A4 pages. No dependency and no date: the same content gives the same bytes.
///
///     var pdf = PDFDocument(title: "Lesson 02")
///     pdf.heading("Saliency")
///     pdf.paragraph("What to notice: ...")
///     try pdf.image(png: bytes, caption: "reference: saliency.png")
///     let bytes = pdf.bytes()
///
/// Text is encoded as WinAnsi (Latin-1 plus typographic quotes and dashes); other characters are
/// spelled in ASCII where a reading exists ("→" as "->") and "?" otherwise. Lines are wrapped with
/// Helvetica's metrics. Images: an 8-bit gray or RGB, non-interlaced PNG is embedded as it is —
/// its IDAT data is a zlib stream of filtered rows, which PDF's `/FlateDecode` with PNG predictors
/// (`/Predictor 15`) reads directly; other 8-bit PNGs (palette, alpha, interlaced) are decoded,
/// put on white and re-encoded; PNGs of another bit depth are refused. Cost: linear in the text
/// and image bytes.
public struct PDFDocument: Sendable {
    /// A4 in points (1/72 inch), and the margin around the text block.
    public static let pageWidth = 595.0, pageHeight = 842.0, margin = 56.0

    public let title: String
    private var pages: [[Item]] = [[]]
    private var cursor = PDFDocument.pageHeight - PDFDocument.margin
    private var images: [EmbeddedImage] = []

    /// What a page draws: text lines and placed images, in PDF coordinates (origin bottom left).
    private enum Item: Sendable {
        case text(String, font: Font, size: Double, x: Double, y: Double)
        case image(index: Int, x: Double, y: Double, width: Double, height: Double)
    }

    enum Font: String, Sendable { case regular = "F1", bold = "F2" }

    public init(title: String) { self.title = title }

    /// The number of pages so far.
    public var pageCount: Int { pages.count }

    /// A bold heading (16 pt, or 13 pt for `level` 2), wrapped, kept on the page of what follows it
    /// when it can be.
    public mutating func heading(_ text: String, level: Int = 1) {
        let size = level <= 1 ? 16.0 : 13.0
        if cursor - 3 * size < Self.margin { newPage() }
        cursor -= size * 0.4
        lines(text, font: .bold, size: size)
        cursor -= size * 0.3
    }

    /// A paragraph in 10 pt Helvetica, wrapped to the text block, followed by half a line of space.
    public mutating func paragraph(_ text: String, size: Double = 10, bold: Bool = false) {
        lines(text, font: bold ? .bold : .regular, size: size)
        cursor -= size * 0.6
    }

    /// A PNG (its file bytes), scaled to at most `maxWidth` points wide (default: 1 point per pixel,
    /// never wider than the text block) and to fit a page, with an optional caption under it.
    /// - Throws: `ImagingError` for a file that is not a PNG, or not 8 bits per sample.
    public mutating func image(png: [UInt8], caption: String? = nil, maxWidth: Double? = nil) throws {
        let embedded = try EmbeddedImage(png: png)
        let block = Self.pageWidth - 2 * Self.margin
        var width = min(Double(embedded.width), maxWidth ?? block, block)
        var height = width * Double(embedded.height) / Double(embedded.width)
        let tallest = Self.pageHeight - 2 * Self.margin - 24
        if height > tallest { width *= tallest / height; height = tallest }
        let captionHeight = caption == nil ? 0 : 14.0
        if cursor - height - captionHeight < Self.margin { newPage() }
        images.append(embedded)
        cursor -= height
        pages[pages.count - 1].append(.image(index: images.count - 1, x: Self.margin, y: cursor, width: width, height: height))
        if let caption {
            cursor -= 2
            lines(caption, font: .regular, size: 9)
        }
        cursor -= 8
    }

    /// Starts a new page.
    public mutating func newPage() {
        pages.append([])
        cursor = Self.pageHeight - Self.margin
    }

    private mutating func lines(_ text: String, font: Font, size: Double) {
        for line in Self.wrap(text, font: font, size: size, width: Self.pageWidth - 2 * Self.margin) {
            if cursor - size * 1.25 < Self.margin { newPage() }
            cursor -= size * 1.25
            pages[pages.count - 1].append(.text(line, font: font, size: size, x: Self.margin, y: cursor + size * 0.25))
        }
    }

    // MARK: Writing

    /// The whole file. Objects: 1 catalog, 2 page tree, 3–4 the fonts, 5 the document info, then
    /// each image, then per page its page object and content stream. The xref table gives every
    /// object's byte offset, as PDF readers look them up.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        func object(_ body: [UInt8]) {
            offsets.append(out.count)
            out += Array("\(offsets.count) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        func stream(_ dictionary: String, _ data: [UInt8]) -> [UInt8] {
            Array("<< \(dictionary) /Length \(data.count) >>\nstream\n".utf8) + data + Array("\nendstream".utf8)
        }
        let firstImage = 6, firstPage = firstImage + images.count
        let kids = pages.indices.map { "\(firstPage + 2 * $0) 0 R" }.joined(separator: " ")
        object(Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        object(Array("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>".utf8))
        object(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))
        object(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8))
        object(Array("<< /Title \(Self.textString(title)) /Producer (workbook) >>".utf8))
        for image in images {
            object(stream("/Type /XObject /Subtype /Image /Width \(image.width) /Height \(image.height) /ColorSpace /\(image.colors == 1 ? "DeviceGray" : "DeviceRGB") /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors \(image.colors) /BitsPerComponent 8 /Columns \(image.width) >>", image.data))
        }
        for (p, items) in pages.enumerated() {
            var content: [UInt8] = []
            var used = Set<Int>()
            for item in items {
                switch item {
                case .text(let text, let font, let size, let x, let y):
                    content += Array("BT /\(font.rawValue) \(Self.number(size)) Tf \(Self.number(x)) \(Self.number(y)) Td ".utf8)
                        + Self.literal(text) + Array(" Tj ET\n".utf8)
                case .image(let index, let x, let y, let width, let height):
                    used.insert(index)
                    content += Array("q \(Self.number(width)) 0 0 \(Self.number(height)) \(Self.number(x)) \(Self.number(y)) cm /Im\(index) Do Q\n".utf8)
                }
            }
            let xobjects = used.sorted().map { "/Im\($0) \(firstImage + $0) 0 R" }.joined(separator: " ")
            object(Array(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(Self.pageWidth)) \(Self.number(Self.pageHeight))] "
                          + "/Resources << /Font << /F1 3 0 R /F2 4 0 R >>" + (xobjects.isEmpty ? "" : " /XObject << \(xobjects) >>")
                          + " >> /Contents \(firstPage + 2 * p + 1) 0 R >>").utf8))
            object(stream("", content))
        }
        let xref = out.count
        var table = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            table += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }

    /// A number as PDF writes it: at most two decimals, no exponent, no trailing zeros.
    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let whole = abs(hundredths) / 100, fraction = abs(hundredths) % 100
        if fraction == 0 { return sign + String(whole) }
        return sign + String(whole) + "." + (fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction))
    }

    // MARK: Text

    /// A "text string" of the document information (PDF 1.4 § 3.8.1): UTF-16BE with its byte-order
    /// mark, written in hex — WinAnsi is the fonts' encoding, not the info dictionary's.
    static func textString(_ text: String) -> String {
        "<FEFF" + text.utf16.map { unit in
            let hex = String(unit, radix: 16, uppercase: true)
            return String(repeating: "0", count: 4 - hex.count) + hex
        }.joined() + ">"
    }

    /// `text` as a PDF literal string in WinAnsi: `(`, `)` and `\` escaped, bytes above 126 written
    /// as octal escapes so the file's text parts stay ASCII.
    static func literal(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "(")]
        for byte in winAnsi(text) {
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 32...126: out.append(byte)
            default:
                let octal = String(byte, radix: 8)
                out += Array(("\\" + String(repeating: "0", count: 3 - octal.count) + octal).utf8)
            }
        }
        return out + [UInt8(ascii: ")")]
    }

    /// The WinAnsi bytes of `text`: ASCII and Latin-1 as they are, the typographic characters of
    /// 0x80–0x9F at their WinAnsi codes, a few others spelled in ASCII, the rest "?". Control
    /// characters (tabs, newlines) become spaces.
    static func winAnsi(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 32 { out.append(32) }
            else if v < 127 || (v >= 160 && v <= 255) { out.append(UInt8(v)) }
            else if let code = windows1252[v] { out.append(code) }
            else if let spelled = spelledOut[v] { out += Array(spelled.utf8) }
            else { out.append(UInt8(ascii: "?")) }
        }
        return out
    }

    /// WinAnsi's 0x80–0x9F: Unicode scalar → byte.
    static let windows1252: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// Characters the lessons' texts use that WinAnsi lacks, in ASCII.
    static let spelledOut: [UInt32: String] = [
        0x2192: "->", 0x2190: "<-", 0x2194: "<->", 0x2264: "<=", 0x2265: ">=", 0x2260: "!=", 0x2248: "~",
        0x2212: "-", 0x2032: "'", 0x2033: "''", 0x2211: "sum", 0x220F: "prod", 0x2202: "d", 0x2207: "grad",
        0x221E: "inf", 0x2208: " in ", 0x03B1: "alpha", 0x03B2: "beta", 0x03B5: "eps", 0x03C3: "sigma",
        0x03BB: "lambda", 0x03B4: "delta", 0x0394: "Delta", 0x03C0: "pi", 0x03B8: "theta", 0x03B7: "eta",
        0x03BC: "mu", 0x2099: "n", 0x2096: "k", 0x1D62: "i", 0x2080: "0", 0x2081: "1", 0x2082: "2", 0x2083: "3",
        0x221A: "sqrt", 0x2016: "||", 0x2225: "||", 0x22C5: "*", 0x2026: "...",
    ]

    /// Helvetica's advance widths (1/1000 em) for ASCII 32–126, from Adobe's AFM files; other
    /// WinAnsi bytes are taken as 556 (a digit's width), so wrapping errs a little short.
    static let helveticaWidths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]
    /// Helvetica-Bold's, the same way.
    static let helveticaBoldWidths: [Int] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ]

    /// Width of `text` in points at `size`.
    static func width(of text: String, font: Font, size: Double) -> Double {
        Double(units(of: text, font: font)) * size / 1000
    }

    /// Width of `text` in thousandths of the font size (integers: sums are exact).
    static func units(of text: String, font: Font) -> Int {
        let table = font == .bold ? helveticaBoldWidths : helveticaWidths
        return winAnsi(text).reduce(0) { sum, byte in sum + (byte >= 32 && byte <= 126 ? table[Int(byte) - 32] : 556) }
    }

    /// Greedy wrapping at spaces to `width` points; a word longer than a line is cut. Linear in the
    /// text's length: each character's width is measured once and lines grow by running sums (a
    /// 20,000-character word in a report once took over a minute).
    static func wrap(_ text: String, font: Font, size: Double, width: Double) -> [String] {
        func measure(_ character: Character) -> Int { Self.units(of: String(character), font: font) }
        func fits(_ units: Int) -> Bool { Double(units) * size / 1000 <= width }
        let space = Self.units(of: " ", font: font)
        var lines: [String] = [], current = "", currentWidth = 0
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            let widths = word.map(measure)
            let wordWidth = widths.reduce(0, +)
            if !current.isEmpty, fits(currentWidth + space + wordWidth) {
                current += " " + word
                currentWidth += space + wordWidth
                continue
            }
            if current.isEmpty, fits(wordWidth) {
                current = String(word); currentWidth = wordWidth
                continue
            }
            if !current.isEmpty { lines.append(current) }
            // The word alone: whole if it fits, else cut into the longest pieces that fit (at
            // least one character each).
            current = ""; currentWidth = 0
            for (character, w) in zip(word, widths) {
                if !current.isEmpty, !fits(currentWidth + w) {
                    lines.append(current)
                    current = ""; currentWidth = 0
                }
                current.append(character); currentWidth += w
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

/// A PNG ready to be a PDF image XObject: its zlib stream of PNG-filtered rows.
struct EmbeddedImage: Sendable {
    let width: Int, height: Int
    /// 1 (gray) or 3 (RGB).
    let colors: Int
    let data: [UInt8]

    private init(width: Int, height: Int, colors: Int, data: [UInt8]) {
        (self.width, self.height, self.colors, self.data) = (width, height, colors, data)
    }

    init(png: [UInt8]) throws {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard png.count >= 8, Array(png[0..<8]) == signature else { throw ImagingError.badSignature }
        var position = 8
        var header: [UInt8]?
        var idat: [UInt8] = []
        while position + 8 <= png.count {
            let length = Int(readUInt32(png, position))
            let type = String(decoding: png[(position + 4)..<(position + 8)], as: UTF8.self)
            guard length >= 0, position + 12 + length <= png.count else { throw ImagingError.truncated(context: "\(type) chunk") }
            let body = png[(position + 8)..<(position + 8 + length)]
            if type == "IHDR" { header = Array(body) }
            if type == "IDAT" { idat += body }
            position += 12 + length
            if type == "IEND" { break }
        }
        guard let header, header.count == 13 else { throw ImagingError.invalidFormat("no IHDR chunk") }
        let bitDepth = Int(header[8]), colorType = Int(header[9]), interlaced = header[12] != 0
        guard bitDepth == 8 else {
            throw ImagingError.unsupported("a PDF handout embeds 8-bit PNGs; this one has \(bitDepth) bits per sample (re-save it with 8)")
        }
        if (colorType == 0 || colorType == 2) && !interlaced && !idat.isEmpty {
            self.init(width: Int(readUInt32(header, 0)), height: Int(readUInt32(header, 4)), colors: colorType == 0 ? 1 : 3, data: idat)
            return
        }
        // Palette, alpha or interlaced: decode, put on white, re-encode as plain RGB rows.
        let decoded = try PNG.decodeRGBA(png)
        var flat = RGBAImage(width: decoded.width, height: decoded.height, fill: .white)
        for index in 0..<(decoded.width * decoded.height) {
            let alpha = Double(decoded.pixels[4 * index + 3]) / 255
            for channel in 0..<3 {
                let value = Double(decoded.pixels[4 * index + channel]) * alpha + 255 * (1 - alpha)
                flat.pixels[4 * index + channel] = UInt8(value.rounded())
            }
        }
        try self.init(png: PNG.encode(flat))
    }
}
