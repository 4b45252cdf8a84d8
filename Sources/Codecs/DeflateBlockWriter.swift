/// Writing one DEFLATE block in its cheapest form (stored, fixed Huffman or dynamic Huffman).

/// Writes `tokens` (which encode exactly `raw`) as one block, or several stored blocks when
/// storing is cheapest and `raw` exceeds the 65535-byte stored-block limit.
func writeBlock(tokens: [Token], raw: ArraySlice<UInt8>, isLast: Bool, storedOnly: Bool,
                into writer: inout BitWriter) {
    if storedOnly {
        writeStoredBlocks(raw, isLast: isLast, into: &writer)
        return
    }
    var literalFrequencies = [Int](repeating: 0, count: 286)
    var distanceFrequencies = [Int](repeating: 0, count: 30)
    for token in tokens {
        if token.distance == 0 {
            literalFrequencies[Int(token.literalOrLength)] += 1
        } else {
            literalFrequencies[257 + lengthCode[Int(token.literalOrLength)]] += 1
            distanceFrequencies[distanceCode(Int(token.distance))] += 1
        }
    }
    literalFrequencies[256] = 1

    let dynamic = DynamicCodes(literalFrequencies: literalFrequencies, distanceFrequencies: distanceFrequencies)
    let dynamicBits = 3 + dynamic.headerBits
        + tokenBits(tokens, literalLengths: dynamic.literalLengths, distanceLengths: dynamic.distanceLengths)
    let fixedBits = 3 + tokenBits(tokens, literalLengths: fixedLiteralLengths, distanceLengths: fixedDistanceLengths)
    let storedChunks = max(1, (raw.count + 65534) / 65535)
    let storedBits = storedChunks * (3 + 7 + 32) + raw.count * 8   // header, worst-case padding, LEN/NLEN

    if storedBits <= dynamicBits && storedBits <= fixedBits {
        writeStoredBlocks(raw, isLast: isLast, into: &writer)
    } else if fixedBits <= dynamicBits {
        writer.write(isLast ? 1 : 0, bits: 1)
        writer.write(1, bits: 2)
        writeTokens(tokens, literalLengths: fixedLiteralLengths, distanceLengths: fixedDistanceLengths, into: &writer)
    } else {
        writer.write(isLast ? 1 : 0, bits: 1)
        writer.write(2, bits: 2)
        dynamic.writeHeader(into: &writer)
        writeTokens(tokens, literalLengths: dynamic.literalLengths, distanceLengths: dynamic.distanceLengths,
                    into: &writer)
    }
}

private func writeStoredBlocks(_ raw: ArraySlice<UInt8>, isLast: Bool, into writer: inout BitWriter) {
    var start = raw.startIndex
    repeat {
        let end = min(start + 65535, raw.endIndex)
        writer.write(isLast && end == raw.endIndex ? 1 : 0, bits: 1)
        writer.write(0, bits: 2)
        writer.alignToByte()
        let length = end - start
        writer.write(length, bits: 16)
        writer.write(length ^ 0xFFFF, bits: 16)
        writer.writeBytes(raw[start..<end])
        start = end
    } while start < raw.endIndex
}

/// The bits `tokens` take with the given code lengths, including extra bits and end-of-block.
private func tokenBits(_ tokens: [Token], literalLengths: [UInt8], distanceLengths: [UInt8]) -> Int {
    var bits = Int(literalLengths[256])
    for token in tokens {
        if token.distance == 0 {
            bits += Int(literalLengths[Int(token.literalOrLength)])
        } else {
            let lengthSymbol = lengthCode[Int(token.literalOrLength)]
            let distanceSymbol = distanceCode(Int(token.distance))
            bits += Int(literalLengths[257 + lengthSymbol]) + lengthExtraBits[lengthSymbol]
            bits += Int(distanceLengths[distanceSymbol]) + distanceExtraBits[distanceSymbol]
        }
    }
    return bits
}

private func writeTokens(_ tokens: [Token], literalLengths: [UInt8], distanceLengths: [UInt8],
                         into writer: inout BitWriter) {
    let literalCodes = HuffmanEncoder.reversedCodes(for: literalLengths)
    let distanceCodes = HuffmanEncoder.reversedCodes(for: distanceLengths)
    for token in tokens {
        if token.distance == 0 {
            let symbol = Int(token.literalOrLength)
            writer.write(literalCodes[symbol], bits: Int(literalLengths[symbol]))
        } else {
            let length = Int(token.literalOrLength)
            let lengthSymbol = lengthCode[length]
            writer.write(literalCodes[257 + lengthSymbol], bits: Int(literalLengths[257 + lengthSymbol]))
            writer.write(length - lengthBases[lengthSymbol], bits: lengthExtraBits[lengthSymbol])
            let distance = Int(token.distance)
            let distanceSymbol = distanceCode(distance)
            writer.write(distanceCodes[distanceSymbol], bits: Int(distanceLengths[distanceSymbol]))
            writer.write(distance - distanceBases[distanceSymbol], bits: distanceExtraBits[distanceSymbol])
        }
    }
    writer.write(literalCodes[256], bits: Int(literalLengths[256]))
}

/// The codes of a dynamic block and their run-length coded description (RFC 1951, 3.2.7).
private struct DynamicCodes {
    let literalLengths: [UInt8]
    let distanceLengths: [UInt8]
    /// Code-length symbols (0...18) with the value of their extra bits.
    let runs: [(symbol: Int, extra: Int)]
    let codeLengthLengths: [UInt8]
    let literalCount: Int
    let distanceCount: Int
    let codeLengthCount: Int

    init(literalFrequencies: [Int], distanceFrequencies: [Int]) {
        literalLengths = HuffmanEncoder.codeLengths(for: literalFrequencies, maxLength: 15)
        distanceLengths = HuffmanEncoder.codeLengths(for: distanceFrequencies, maxLength: 15)
        literalCount = max(257, (literalLengths.lastIndex { $0 != 0 } ?? 0) + 1)
        distanceCount = max(1, (distanceLengths.lastIndex { $0 != 0 } ?? 0) + 1)
        runs = runLengthEncode(Array(literalLengths[..<literalCount]) + Array(distanceLengths[..<distanceCount]))
        var frequencies = [Int](repeating: 0, count: 19)
        for run in runs { frequencies[run.symbol] += 1 }
        codeLengthLengths = HuffmanEncoder.codeLengths(for: frequencies, maxLength: 7)
        var count = 19
        while count > 4 && codeLengthLengths[codeLengthOrder[count - 1]] == 0 { count -= 1 }
        codeLengthCount = count
    }

    var headerBits: Int {
        var bits = 5 + 5 + 4 + 3 * codeLengthCount
        for run in runs { bits += Int(codeLengthLengths[run.symbol]) + extraBitsOfRunSymbol(run.symbol) }
        return bits
    }

    func writeHeader(into writer: inout BitWriter) {
        writer.write(literalCount - 257, bits: 5)
        writer.write(distanceCount - 1, bits: 5)
        writer.write(codeLengthCount - 4, bits: 4)
        for index in 0..<codeLengthCount {
            writer.write(Int(codeLengthLengths[codeLengthOrder[index]]), bits: 3)
        }
        let codes = HuffmanEncoder.reversedCodes(for: codeLengthLengths)
        for run in runs {
            writer.write(codes[run.symbol], bits: Int(codeLengthLengths[run.symbol]))
            writer.write(run.extra, bits: extraBitsOfRunSymbol(run.symbol))
        }
    }
}

private func extraBitsOfRunSymbol(_ symbol: Int) -> Int {
    switch symbol {
    case 16: return 2
    case 17: return 3
    case 18: return 7
    default: return 0
    }
}

/// Run-length codes a code-length sequence: 16 repeats the previous length 3–6 times, 17 and 18
/// encode runs of 3–10 and 11–138 zeros.
private func runLengthEncode(_ lengths: [UInt8]) -> [(symbol: Int, extra: Int)] {
    var runs: [(symbol: Int, extra: Int)] = []
    var index = 0
    while index < lengths.count {
        let value = lengths[index]
        var runLength = 1
        while index + runLength < lengths.count && lengths[index + runLength] == value { runLength += 1 }
        index += runLength
        if value == 0 {
            while runLength >= 11 {
                let take = min(runLength, 138)
                runs.append((18, take - 11))
                runLength -= take
            }
            if runLength >= 3 {
                runs.append((17, runLength - 3))
                runLength = 0
            }
        } else {
            runs.append((Int(value), 0))
            runLength -= 1
            while runLength >= 3 {
                let take = min(runLength, 6)
                runs.append((16, take - 3))
                runLength -= take
            }
        }
        for _ in 0..<runLength { runs.append((Int(value), 0)) }
    }
    return runs
}

/// `lengthCode[length]`: the length symbol minus 257 for match lengths 3...258.
let lengthCode: [Int] = {
    var table = [Int](repeating: 0, count: 259)
    for symbol in 0..<29 {
        let end = symbol == 28 ? 259 : lengthBases[symbol + 1]
        for length in lengthBases[symbol]..<end { table[length] = symbol }
    }
    return table
}()

/// The distance symbol (0...29) for a distance 1...32768.
@inline(__always)
func distanceCode(_ distance: Int) -> Int {
    Int(distanceCodeTable[distance])
}

private let distanceCodeTable: [UInt8] = {
    var table = [UInt8](repeating: 0, count: 32769)
    for symbol in 0..<30 {
        let end = symbol == 29 ? 32769 : distanceBases[symbol + 1]
        for distance in distanceBases[symbol]..<end { table[distance] = UInt8(symbol) }
    }
    return table
}()
