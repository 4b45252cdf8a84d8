/// Building length-limited Huffman codes for the compressor.
///
/// DEFLATE limits code lengths (15 bits for literals/lengths and distances, 7 for the code-length
/// code), but an optimal Huffman code for skewed frequencies can be deeper. We therefore
/// 1. build an ordinary Huffman tree with the two-queue method and read off leaf depths;
/// 2. count how many codes have each length, folding over-long codes into the limit and then
///    repairing the Kraft sum (each repair step moves one leaf down a level and splits a shallower
///    leaf, which lowers the sum by exactly one unit, so the code ends up complete);
/// 3. hand the shortest lengths to the most frequent symbols.
enum HuffmanEncoder {
    /// Code lengths for `frequencies` (0 = symbol unused), none longer than `maxLength`.
    /// The result is a complete prefix code whenever at least two symbols are used; with a single
    /// used symbol, a second one is given length 1 too, because decoders (zlib's and ours) reject
    /// incomplete literal codes.
    static func codeLengths(for frequencies: [Int], maxLength: Int) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: frequencies.count)
        var leaves = frequencies.indices.filter { frequencies[$0] > 0 }
        if leaves.count < 2 {
            // Pad to two symbols: the used one (if any) plus the lowest unused indices.
            for candidate in frequencies.indices where leaves.count < 2 && !leaves.contains(candidate) {
                leaves.append(candidate)
            }
            for symbol in leaves { lengths[symbol] = 1 }
            return lengths
        }
        leaves.sort { (frequencies[$0], $0) < (frequencies[$1], $1) }

        // Two-queue Huffman: leaves in ascending weight, internal nodes in creation order (which
        // is also ascending). Node i < leaves.count is a leaf; parents are recorded to get depths.
        let leafCount = leaves.count
        var weight = leaves.map { frequencies[$0] }
        var parent = [Int](repeating: -1, count: 2 * leafCount - 1)
        var nextLeaf = 0
        var nextInternal = leafCount
        func takeLightest() -> Int {
            if nextLeaf < leafCount && (nextInternal >= weight.count || weight[nextLeaf] <= weight[nextInternal]) {
                nextLeaf += 1
                return nextLeaf - 1
            }
            nextInternal += 1
            return nextInternal - 1
        }
        while weight.count < 2 * leafCount - 1 {
            let first = takeLightest()
            let second = takeLightest()
            let node = weight.count
            weight.append(weight[first] + weight[second])
            parent[first] = node
            parent[second] = node
        }
        var depth = [Int](repeating: 0, count: weight.count)
        for node in stride(from: weight.count - 2, through: 0, by: -1) {
            depth[node] = depth[parent[node]] + 1
        }

        // Count codes per length, folding everything deeper than the limit into it.
        var countPerLength = [Int](repeating: 0, count: maxLength + 1)
        for leaf in 0..<leafCount {
            countPerLength[min(depth[leaf], maxLength)] += 1
        }
        // Kraft sum in units of 2^-maxLength; a complete code sums to exactly 2^maxLength.
        var kraft = 0
        for length in 1...maxLength { kraft += countPerLength[length] << (maxLength - length) }
        while kraft > 1 << maxLength {
            countPerLength[maxLength] -= 1
            for length in stride(from: maxLength - 1, through: 1, by: -1) where countPerLength[length] > 0 {
                countPerLength[length] -= 1
                countPerLength[length + 1] += 2
                break
            }
            kraft -= 1
        }

        // Most frequent symbols (end of `leaves`) get the shortest codes.
        var leafIndex = leafCount - 1
        for length in 1...maxLength {
            for _ in 0..<countPerLength[length] {
                lengths[leaves[leafIndex]] = UInt8(length)
                leafIndex -= 1
            }
        }
        return lengths
    }

    /// Canonical codes for `lengths`, already bit-reversed so they can be written LSB-first.
    static func reversedCodes(for lengths: [UInt8]) -> [Int] {
        var countPerLength = [Int](repeating: 0, count: 16)
        for length in lengths where length > 0 { countPerLength[Int(length)] += 1 }
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1..<16 {
            code = (code + countPerLength[length - 1]) << 1
            nextCode[length] = code
        }
        return lengths.map { length in
            guard length > 0 else { return 0 }
            let code = nextCode[Int(length)]
            nextCode[Int(length)] += 1
            return reverseBits(code, count: Int(length))
        }
    }
}

/// Accumulates bits least-significant first, as DEFLATE packs them.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var bitCount = 0

    /// Appends the low `count` bits of `value` (`value` must fit in `count` bits, `count` ≤ 32).
    @inline(__always)
    mutating func write(_ value: Int, bits count: Int) {
        buffer |= UInt64(value) << UInt64(bitCount)
        bitCount += count
        while bitCount >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            bitCount -= 8
        }
    }

    /// Pads with zero bits to the next byte boundary.
    mutating func alignToByte() {
        if bitCount > 0 { write(0, bits: 8 - bitCount) }
    }

    mutating func writeBytes(_ more: ArraySlice<UInt8>) {
        alignToByte()
        bytes.append(contentsOf: more)
    }
}
