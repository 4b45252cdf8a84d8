/// DEFLATE compression (RFC 1951): LZ77 matching with hash chains, then Huffman coding.
///
/// **LZ77.** For every position we hash the next three bytes. `head[hash]` is the most recent
/// position with that hash and `previous[position % 32768]` the one before it, so following the
/// chain visits earlier candidates newest first. The longest match (3...258 bytes, at most 32768
/// bytes back) becomes a back-reference; otherwise the byte is emitted as a literal. With *lazy
/// matching* (levels 4 and up), a match is held back one byte to see whether the next position
/// starts a longer one, as zlib does.
///
/// **Blocks.** Tokens are collected into blocks of up to `tokensPerBlock`. Each block is written
/// in whichever form is smallest: stored (raw bytes), fixed Huffman codes, or dynamic Huffman
/// codes built from the block's own symbol frequencies.
public enum Deflate {
    /// Compresses `bytes` into a raw DEFLATE stream.
    ///
    /// - Parameter level: 0 stores the data uncompressed; 1 (fastest) ... 9 (smallest output).
    ///   The default 6 matches zlib's default trade-off.
    public static func compress(_ bytes: [UInt8], level: Int = 6) -> [UInt8] {
        var writer = BitWriter()
        let settings = MatchSettings(level: level)
        guard !bytes.isEmpty else {
            writeBlock(tokens: [], raw: bytes[...], isLast: true, storedOnly: settings.storedOnly, into: &writer)
            writer.alignToByte()
            return writer.bytes
        }
        var matcher = Matcher(input: bytes, settings: settings)
        var blockStart = 0
        var tokens: [Token] = []
        tokens.reserveCapacity(tokensPerBlock)
        while true {
            let blockEnd = matcher.collectTokens(into: &tokens, limit: tokensPerBlock)
            let isLast = blockEnd == bytes.count
            writeBlock(tokens: tokens, raw: bytes[blockStart..<blockEnd], isLast: isLast,
                       storedOnly: settings.storedOnly, into: &writer)
            tokens.removeAll(keepingCapacity: true)
            blockStart = blockEnd
            if isLast { break }
        }
        writer.alignToByte()
        return writer.bytes
    }
}

/// Tokens per block: large enough to amortise the code description, small enough that the codes
/// adapt when the data changes character.
let tokensPerBlock = 1 << 15

/// One LZ77 item: a literal byte (`distance == 0`) or a back-reference.
struct Token {
    var literalOrLength: UInt16
    var distance: UInt16
}

/// Effort settings per level, in the spirit of zlib's configuration table.
struct MatchSettings {
    var storedOnly = false
    var maxChainLength = 0       // candidates examined per position
    var niceLength = 258         // stop searching once a match is this long
    var lazy = false             // defer a match by one byte to look for a longer one

    init(level: Int) {
        switch level {
        case ...0: storedOnly = true
        case 1: maxChainLength = 4; niceLength = 8
        case 2: maxChainLength = 8; niceLength = 16
        case 3: maxChainLength = 16; niceLength = 32
        case 4: maxChainLength = 16; niceLength = 16; lazy = true
        case 5: maxChainLength = 32; niceLength = 32; lazy = true
        case 6: maxChainLength = 128; niceLength = 128; lazy = true
        case 7: maxChainLength = 256; niceLength = 128; lazy = true
        case 8: maxChainLength = 1024; niceLength = 258; lazy = true
        default: maxChainLength = 4096; niceLength = 258; lazy = true
        }
    }
}

/// The LZ77 matcher: walks the input once, producing tokens block by block.
struct Matcher {
    static let windowSize = 32768
    static let hashBits = 15
    static let minMatch = 3
    static let maxMatch = 258
    /// Length-3 matches further back than this cost more bits than three literals (zlib's TOO_FAR).
    static let tooFarForShortMatch = 4096

    let input: [UInt8]
    let settings: MatchSettings
    var head = [Int32](repeating: -1, count: 1 << hashBits)
    var previous = [Int32](repeating: -1, count: windowSize)
    var position = 0
    /// Next position whose hash is not yet inserted.
    var insertedUpTo = 0
    /// A match found at `position - 1` and held back (lazy matching).
    var pending: (length: Int, distance: Int)? = nil

    init(input: [UInt8], settings: MatchSettings) {
        self.input = input
        self.settings = settings
    }

    @inline(__always)
    func hash(at index: Int) -> Int {
        let key = UInt32(input[index]) | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2]) << 16
        return Int((key &* 2_654_435_761) >> UInt32(32 - Self.hashBits))
    }

    /// Adds positions up to (not including) `end` to the hash chains.
    mutating func insertPositions(upTo end: Int) {
        let last = min(end, input.count - Self.minMatch + 1)
        while insertedUpTo < last {
            let bucket = hash(at: insertedUpTo)
            previous[insertedUpTo & (Self.windowSize - 1)] = head[bucket]
            head[bucket] = Int32(insertedUpTo)
            insertedUpTo += 1
        }
        insertedUpTo = max(insertedUpTo, end)
    }

    /// The longest earlier match for the bytes at `position` (length 0 if none is worth using).
    func longestMatch(at position: Int, longerThan minimum: Int) -> (length: Int, distance: Int) {
        let available = min(Self.maxMatch, input.count - position)
        guard available >= Self.minMatch else { return (0, 0) }
        var bestLength = minimum
        var bestDistance = 0
        var candidate = Int(head[hash(at: position)])
        var chain = settings.maxChainLength
        while candidate >= 0 && chain > 0 {
            let distance = position - candidate
            guard distance > 0 && distance <= Self.windowSize else { break }
            // Cheap rejection: a longer match must agree at the current best length.
            if bestLength < available && input[candidate + bestLength] == input[position + bestLength] {
                var length = 0
                while length < available && input[candidate + length] == input[position + length] {
                    length += 1
                }
                if length > bestLength {
                    bestLength = length
                    bestDistance = distance
                    if length >= settings.niceLength || length == available { break }
                }
            }
            let next = Int(previous[candidate & (Self.windowSize - 1)])
            guard next < candidate else { break }   // the slot was reused by a newer position
            candidate = next
            chain -= 1
        }
        if bestDistance == 0 || (bestLength == Self.minMatch && bestDistance > Self.tooFarForShortMatch) {
            return (0, 0)
        }
        return (bestLength, bestDistance)
    }

    /// Appends tokens until `limit` is reached or the input ends; returns the input position the
    /// tokens cover up to. Never stops with a lazy match pending, so blocks cover whole tokens.
    mutating func collectTokens(into tokens: inout [Token], limit: Int) -> Int {
        while position < input.count || pending != nil {
            if pending == nil && tokens.count >= limit { break }
            guard position < input.count else {
                emitPending(into: &tokens)
                break
            }
            insertPositions(upTo: position)
            let minimum = pending?.length ?? (Self.minMatch - 1)
            let match = longestMatch(at: position, longerThan: minimum)
            if let held = pending {
                if match.length > held.length {
                    // The match one byte later is better: the held byte becomes a literal.
                    tokens.append(Token(literalOrLength: UInt16(input[position - 1]), distance: 0))
                    pending = match
                    position += 1
                } else {
                    emitPending(into: &tokens)
                }
            } else if match.length >= Self.minMatch {
                if settings.lazy && match.length < settings.niceLength {
                    pending = match
                    position += 1
                } else {
                    tokens.append(Token(literalOrLength: UInt16(match.length), distance: UInt16(match.distance)))
                    position += match.length
                }
            } else {
                tokens.append(Token(literalOrLength: UInt16(input[position]), distance: 0))
                position += 1
            }
        }
        return position
    }

    /// Emits the held match, which started at `position - 1`.
    private mutating func emitPending(into tokens: inout [Token]) {
        guard let held = pending else { return }
        tokens.append(Token(literalOrLength: UInt16(held.length), distance: UInt16(held.distance)))
        position = position - 1 + held.length
        pending = nil
    }
}
