@testable import Codecs
import Testing

@Suite struct HuffmanEncoderTests {
    /// Kraft sum in units of 2^-15: a complete prefix code sums to exactly 2^15.
    static func kraftSum(_ lengths: [UInt8]) -> Int {
        lengths.filter { $0 > 0 }.reduce(0) { $0 + (1 << (15 - Int($1))) }
    }

    @Test func fibonacciFrequenciesAreLimitedTo15BitsAndStayComplete() {
        // Fibonacci weights give the deepest possible Huffman tree: 29 symbols want 28 bits.
        var frequencies = [1, 1]
        while frequencies.count < 29 { frequencies.append(frequencies[frequencies.count - 1] + frequencies[frequencies.count - 2]) }
        let lengths = HuffmanEncoder.codeLengths(for: frequencies, maxLength: 15)
        #expect(lengths.allSatisfy { $0 >= 1 && $0 <= 15 })
        #expect(Self.kraftSum(lengths) == 1 << 15)
        // More frequent symbols never get longer codes.
        for index in 1..<lengths.count { #expect(lengths[index] <= lengths[index - 1]) }
    }

    @Test func randomFrequenciesGiveCompleteLimitedCodes() {
        var random = SplitMix64(seed: 77)
        for _ in 0..<500 {
            // Limits as DEFLATE uses them: 15 bits for up to 288 symbols, 7 bits for the 19 code-length symbols.
            let limit = random.next() % 2 == 0 ? 15 : 7
            let count = 2 + Int(random.next() % (limit == 15 ? 287 : 18))
            let frequencies = (0..<count).map { _ in random.next() % 3 == 0 ? 0 : Int(1 << (random.next() % 20)) }
            let lengths = HuffmanEncoder.codeLengths(for: frequencies, maxLength: limit)
            #expect(lengths.allSatisfy { $0 <= limit })
            let used = lengths.filter { $0 > 0 }.count
            #expect(used >= 2)
            if frequencies.filter({ $0 > 0 }).count >= 2 { #expect(Self.kraftSum(lengths) == 1 << 15) }
            for (frequency, length) in zip(frequencies, lengths) where frequency > 0 { #expect(length > 0) }
        }
    }
}
