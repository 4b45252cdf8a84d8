import Codecs
import Foundation
@testable import Imaging
import Testing

/// The hand-written PDF 1.4 writer of the handouts: a valid file structure (every xref offset at
/// its object), the same bytes every time, text escaped and encoded as WinAnsi, PNGs embedded
/// as they are, and — where poppler's `pdftoppm` is installed — a page that renders with ink.
@Suite struct PDFDocumentTests {
    /// A small opaque picture: a red square on white with a black bar, RGB when encoded.
    static func picture() -> RGBAImage {
        var image = RGBAImage(width: 40, height: 30, fill: .white)
        image.fillRectangle(x: 5, y: 5, width: 20, height: 20, color: RGBA(214, 39, 40))
        image.fillRectangle(x: 30, y: 0, width: 4, height: 30, color: .black)
        return image
    }

    static func document() throws -> PDFDocument {
        var pdf = PDFDocument(title: "Lesson (test) \\ handout")
        pdf.heading("Saliency — what to notice")
        pdf.paragraph(String(repeating: "The gradient of the class score (a logit) with respect to the pixels. ", count: 30))
        try pdf.image(png: PNG.encode(picture()), caption: "reference: saliency.png")
        pdf.paragraph("café → 5 ≥ 4")
        return pdf
    }

    /// The ASCII text of a PDF (binary stream bytes become "?").
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes.map { $0 < 128 ? $0 : 63 }, as: UTF8.self) }

    @Test("structure: header, every xref offset points at its 'N 0 obj', trailer with /Size and /Root, startxref, %%EOF")
    func structure() throws {
        let bytes = try Self.document().bytes()
        let text = Self.text(bytes)
        #expect(text.hasPrefix("%PDF-1.4\n"))
        #expect(text.hasSuffix("%%EOF\n"))
        let startxref = try #require(text.range(of: "startxref\n", options: .backwards))
        let offset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        let xref = Array(bytes[offset...])
        #expect(Self.text(Array(xref.prefix(5))) == "xref\n")
        let lines = Self.text(xref).split(separator: "\n").map(String.init)
        let count = try #require(Int(lines[1].split(separator: " ")[1]))
        #expect(lines[2] == "0000000000 65535 f ")
        for k in 1..<count {
            let entry = lines[2 + k]
            #expect(entry.count == 19 && entry.hasSuffix(" 00000 n "), "xref line \(k): '\(entry)'")
            let at = try #require(Int(entry.prefix(10)))
            let head = "\(k) 0 obj\n"
            #expect(Self.text(Array(bytes[at..<(at + head.utf8.count)])) == head, "object \(k) is not at \(at)")
        }
        let trailer = try #require(text.range(of: "trailer\n"))
        #expect(text[trailer.upperBound...].hasPrefix("<< /Size \(count) /Root 1 0 R"))
        #expect(text.contains("/Type /Catalog /Pages 2 0 R"))
        #expect(text.contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding"))
    }

    @Test("the same content gives the same bytes (no date, no random id)")
    func deterministic() throws {
        #expect(try Self.document().bytes() == (try Self.document().bytes()))
        #expect(!Self.text(try Self.document().bytes()).contains("CreationDate"))
    }

    @Test("text: ( ) \\ escaped, WinAnsi bytes as octal escapes, characters WinAnsi lacks spelled out")
    func text() {
        #expect(String(decoding: PDFDocument.literal("a(b)c\\d"), as: UTF8.self) == "(a\\(b\\)c\\\\d)")
        #expect(PDFDocument.winAnsi("é–’→≥∂") == [0xE9, 0x96, 0x92] + Array("->>=d".utf8))
        #expect(String(decoding: PDFDocument.literal("é"), as: UTF8.self) == "(\\351)")
        #expect(PDFDocument.winAnsi("\u{1F600}") == [UInt8(ascii: "?")])
        #expect(PDFDocument.textString("A—é") == "<FEFF0041201400E9>")           // the title: UTF-16BE
    }

    @Test("wrapping: every line fits the width, no word lost, a word longer than a line is cut")
    func wrapping() {
        let words = (0..<200).map { "word\($0)" }
        let lines = PDFDocument.wrap(words.joined(separator: " "), font: .regular, size: 10, width: 200)
        #expect(lines.count > 10)
        for line in lines { #expect(PDFDocument.width(of: line, font: .regular, size: 10) <= 200) }
        #expect(lines.joined(separator: " ") == words.joined(separator: " "))
        // Helvetica's widths: "Hi" = H 722 + i 222 = 944/1000 em.
        #expect(abs(PDFDocument.width(of: "Hi", font: .regular, size: 10) - 9.44) < 1e-9)
        let long = String(repeating: "m", count: 100)                             // 100 × 8.33 pt
        let cut = PDFDocument.wrap(long, font: .regular, size: 10, width: 200)
        #expect(cut.count == 5 && cut.joined() == long)
    }

    @Test("wrapping is linear: a 20,000-character word is cut into lines that fit, the same lines as the naive greedy wrap gives")
    func wrappingLongWords() {
        let word = String(repeating: "m", count: 20_000)                          // 24 m = 199.92 pt per line
        let lines = PDFDocument.wrap("before " + word + " after", font: .regular, size: 10, width: 200)
        #expect(lines.first == "before" && lines.last == String(repeating: "m", count: 20_000 % 24) + " after")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.count == 24 } && lines.count == 2 + 20_000 / 24)
        // Against the naive greedy wrap (whole-string widths, one character removed at a time) on
        // texts mixing short words, long words and non-ASCII, where it is still fast enough.
        func naive(_ text: String, width: Double) -> [String] {
            var lines: [String] = [], current = ""
            for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init) {
                let candidate = current.isEmpty ? word : current + " " + word
                if PDFDocument.width(of: candidate, font: .bold, size: 11) <= width { current = candidate; continue }
                if !current.isEmpty { lines.append(current) }
                current = word
                while PDFDocument.width(of: current, font: .bold, size: 11) > width && current.count > 1 {
                    var head = current
                    while PDFDocument.width(of: head, font: .bold, size: 11) > width && head.count > 1 { head.removeLast() }
                    lines.append(head)
                    current = String(current.dropFirst(head.count))
                }
            }
            if !current.isEmpty { lines.append(current) }
            return lines
        }
        let pieces = ["a", "word", "é→", "Wmmm", String(repeating: "x", count: 90), "i", "—", "\n", "\t"]
        var seed: UInt64 = 7
        for trial in 0..<40 {
            var text = ""
            for _ in 0..<60 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                text += pieces[Int(seed >> 33) % pieces.count] + ((seed >> 20) % 3 == 0 ? "" : " ")
            }
            let width = Double(20 + trial * 7)
            #expect(PDFDocument.wrap(text, font: .bold, size: 11, width: width) == naive(text, width: width), "trial \(trial), width \(width)")
        }
    }

    @Test("an 8-bit RGB PNG is embedded as its own IDAT data with PNG predictors; RGBA is flattened; 16-bit is refused")
    func images() throws {
        let png = PNG.encode(Self.picture())
        #expect(png[25] == 2)                                                      // colour type RGB
        let embedded = try EmbeddedImage(png: png)
        #expect(embedded.width == 40 && embedded.height == 30 && embedded.colors == 3)
        // The stream is the IDAT payload: inflating it gives 30 rows of 1 filter byte + 40 × 3.
        #expect(try Zlib.decompress(embedded.data).count == 30 * (1 + 120))
        var pdf = PDFDocument(title: "t")
        try pdf.image(png: png)
        let text = Self.text(pdf.bytes())
        #expect(text.contains("/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns 40 >>"))

        var translucent = Self.picture()
        translucent[x: 0, y: 0] = RGBA(0, 0, 0, 0)
        let flattened = try EmbeddedImage(png: PNG.encode(translucent))
        #expect(flattened.colors == 3)
        #expect(try Zlib.decompress(flattened.data).count == 30 * 121)          // alpha dropped: RGB rows

        // A 16-bit gray PNG, built by hand: refused with a message that says what is wrong.
        var sixteen: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        var header: [UInt8] = []
        PNG.appendUInt32(2, to: &header); PNG.appendUInt32(2, to: &header)
        header += [16, 0, 0, 0, 0]
        PNG.appendChunk("IHDR", header, to: &sixteen)
        PNG.appendChunk("IDAT", Zlib.compress([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), to: &sixteen)
        PNG.appendChunk("IEND", [], to: &sixteen)
        #expect(throws: ImagingError.self) { try pdf.image(png: sixteen) }
        do { try pdf.image(png: sixteen) } catch { #expect("\(error)".contains("8-bit PNGs; this one has 16 bits")) }
        #expect(throws: ImagingError.badSignature) { try pdf.image(png: Array("not a png".utf8)) }
    }

    @Test("a long document flows onto more pages, each listed in the page tree")
    func pages() throws {
        var pdf = PDFDocument(title: "long")
        for _ in 0..<12 { try pdf.image(png: PNG.encode(RGBAImage(width: 400, height: 200, fill: .black))) }
        #expect(pdf.pageCount >= 3)
        #expect(Self.text(pdf.bytes()).contains("/Count \(pdf.pageCount)"))
    }

    /// poppler's pdftoppm, if installed.
    static let pdftoppm: String? = ["/usr/bin/pdftoppm", "/usr/local/bin/pdftoppm", "/opt/homebrew/bin/pdftoppm"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("pdftoppm renders page 1: the picture's red and the text's black are on it",
          .enabled(if: pdftoppm != nil, "no pdftoppm: apt-get install -y poppler-utils (or brew install poppler) to render the PDF in this test"))
    func renders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("doc.pdf")
        try Data(try Self.document().bytes()).write(to: pdf)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.pdftoppm!)
        process.arguments = ["-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf.path, folder.appendingPathComponent("page").path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0 && message.isEmpty, "pdftoppm: \(message)")
        let page = try PNG.readRGBA(from: folder.appendingPathComponent("page.png"))
        #expect(abs(page.width - 413) <= 1 && abs(page.height - 585) <= 1)     // A4 at 50 dpi
        var dark = 0, red = 0
        for y in 0..<page.height {
            for x in 0..<page.width {
                let p = page[x: x, y: y]
                if p.r < 100 && p.g < 100 && p.b < 100 { dark += 1 }
                if p.r > 180 && p.g < 90 && p.b < 90 { red += 1 }
            }
        }
        #expect(dark > 500, "\(dark) dark pixels: the text did not render")
        #expect(red > 50, "\(red) red pixels: the picture did not render")
    }
}
