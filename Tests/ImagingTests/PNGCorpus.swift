import Codecs
import Imaging

/// A seeded corpus of small PNGs in every colour type, bit depth and interlacing, with `tRNS`
/// keys that actually occur, random row filters and some palette indices beyond the palette.
///
/// Used to pin the decoder's exact output (pixels, and the error for invalid files): the digest
/// in `PNGTests.corpusDecodesAsBefore` was computed with the decoder before the constant-time
/// rewrite of issue 16, so any change of output shows up as a different digest.
enum PNGCorpus {
    static let formats: [(colorType: Int, bitDepth: Int)] = [
        (0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8),
        (4, 8), (4, 16), (6, 8), (6, 16),
    ]

    /// `count` files, cycling through the formats, interlaced every other round.
    static func files(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let format = formats[index % formats.count]
            return file(colorType: format.colorType, bitDepth: format.bitDepth,
                        interlaced: (index / formats.count) % 2 == 1, random: &random)
        }
    }

    static func file(colorType: Int, bitDepth: Int, interlaced: Bool, random: inout SplitMix64) -> [UInt8] {
        let width = 1 + Int(random.next() % 37), height = 1 + Int(random.next() % 19)
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]!
        let bitsPerPixel = channels * bitDepth
        // A small alphabet of sample bytes, so that unfiltered rows hit the tRNS key often.
        let alphabet: [UInt8] = [0, 1, 0x55, 0xAA, 0xFF, UInt8(truncatingIfNeeded: random.next())]
        var chunks: [(String, [UInt8])] = []
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [UInt8(bitDepth), UInt8(colorType), 0, 0, interlaced ? 1 : 0]
        chunks.append(("IHDR", header))
        if colorType == 3 {
            // Usually a full palette; sometimes a short one, so that an index can fall beyond it.
            let entries = random.next() % 3 == 0 ? 1 + Int(random.next() % 4) : 1 << bitDepth
            chunks.append(("PLTE", (0..<(3 * entries)).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
            if random.next() % 2 == 0 {
                chunks.append(("tRNS", (0..<(1 + Int(random.next() % UInt64(entries)))).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
            }
        } else if colorType == 0 || colorType == 2, random.next() % 3 != 0 {
            let keyByte = alphabet[Int(random.next() % UInt64(alphabet.count))]
            let sample = bitDepth == 16 ? UInt16(keyByte) << 8 | UInt16(keyByte)
                : UInt16(keyByte) & UInt16((1 << bitDepth) - 1)
            let samples = colorType == 0 ? 1 : 3
            chunks.append(("tRNS", (0..<samples).flatMap { _ in [UInt8(sample >> 8), UInt8(truncatingIfNeeded: sample)] }))
        }
        var scanlines: [UInt8] = []
        let passes: [(Int, Int, Int, Int)] = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        for (xStart, yStart, xStep, yStep) in passes {
            let passWidth = width > xStart ? (width - xStart + xStep - 1) / xStep : 0
            let passHeight = height > yStart ? (height - yStart + yStep - 1) / yStep : 0
            guard passWidth > 0, passHeight > 0 else { continue }
            let rowBytes = (passWidth * bitsPerPixel + 7) / 8
            for _ in 0..<passHeight {
                let filter = random.next() % 2 == 0 ? 0 : UInt8(random.next() % 5)
                scanlines.append(filter)
                for _ in 0..<rowBytes {
                    scanlines.append(filter == 0 ? alphabet[Int(random.next() % UInt64(alphabet.count))]
                                                 : UInt8(truncatingIfNeeded: random.next()))
                }
            }
        }
        chunks.append(("IDAT", Zlib.compress(scanlines)))
        chunks.append(("IEND", []))
        return assemble(chunks)
    }

    /// A large image that compresses to almost nothing: `firstRow` unfiltered, then every row the
    /// same with the Up filter (how `Fixtures/make_large_pngs.py` makes the issue-16 timing files).
    static func repeatedRows(width: Int, height: Int, bitDepth: Int, colorType: Int, firstRow: [UInt8]) -> [UInt8] {
        var scanlines = [0] + firstRow
        scanlines.reserveCapacity(height * (firstRow.count + 1))
        let up = [2] + [UInt8](repeating: 0, count: firstRow.count)
        for _ in 1..<height { scanlines += up }
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [UInt8(bitDepth), UInt8(colorType), 0, 0, 0]
        return assemble([("IHDR", header), ("IDAT", Zlib.compress(scanlines, level: 1)), ("IEND", [])])
    }

    static func assemble(_ chunks: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for (type, data) in chunks {
            var crc = CRC32()
            crc.update(Array(type.utf8))
            crc.update(data)
            bytes += bigEndian(UInt32(data.count)) + Array(type.utf8) + data + bigEndian(crc.value)
        }
        return bytes
    }

    /// One line per file: the RGBA and gray decodings' SHA-256 (or the error's text).
    static func decodings(of files: [[UInt8]]) -> [String] {
        files.map { file in
            var line = ""
            do {
                let image = try PNG.decodeRGBA(file)
                line += "\(image.width)x\(image.height) \(SHA256.hash(of: image.pixels).hexString)"
            } catch { line += "error \(error)" }
            do {
                let image = try PNG.decodeGray(file)
                line += " \(SHA256.hash(of: image.pixels).hexString)"
            } catch { line += " error \(error)" }
            return line
        }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
