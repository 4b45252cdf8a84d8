/// Everything that can go wrong while decoding compressed or checksummed data.
///
/// Decoders in this module never trap on bad input: every malformed, truncated or hostile stream
/// ends in one of these cases. The `description` is written for a person reading a test failure,
/// so it names the format and, for checksums, both the declared and the computed value.
public enum CodecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input ended before the format said it would (`context` names what was being read).
    case truncated(context: String)
    /// A header field has an impossible or unsupported value.
    case badHeader(String)
    /// A DEFLATE block header or Huffman table is invalid (bad block type, over-subscribed or
    /// incomplete code lengths, a symbol that the code does not define, ...).
    case invalidData(String)
    /// A back-reference points before the start of the output.
    case distanceTooFarBack(distance: Int, available: Int)
    /// A stored checksum does not match the one computed over the decoded data.
    case checksumMismatch(kind: String, declared: UInt32, computed: UInt32)
    /// A length stored in a trailer (for example gzip's ISIZE) disagrees with the decoded data.
    case lengthMismatch(kind: String, declared: Int, actual: Int)
    /// Decoding would produce more bytes than the caller allowed (protects against "zip bombs").
    case outputLimitExceeded(limit: Int)
    /// Extra bytes follow a complete stream where none are allowed.
    case trailingData(count: Int)

    public var description: String {
        switch self {
        case .truncated(let context):
            return "truncated input: the data ended while reading \(context)"
        case .badHeader(let message):
            return "bad header: \(message)"
        case .invalidData(let message):
            return "invalid compressed data: \(message)"
        case .distanceTooFarBack(let distance, let available):
            return "invalid compressed data: distance \(distance) reaches back further than the \(available) bytes decoded so far"
        case .checksumMismatch(let kind, let declared, let computed):
            return "\(kind) checksum mismatch: declared \(hex(declared)), computed \(hex(computed))"
        case .lengthMismatch(let kind, let declared, let actual):
            return "\(kind) length mismatch: declared \(declared), actual \(actual)"
        case .outputLimitExceeded(let limit):
            return "output larger than the allowed limit of \(limit) bytes"
        case .trailingData(let count):
            return "\(count) unexpected bytes after the end of the stream"
        }
    }
}

/// `0x0000abcd`-style rendering used in checksum messages.
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// Limits shared by all decoders in this module.
public enum DecodeLimits {
    /// Default cap on decompressed output: 512 MiB. Big enough for every data set in the workbook
    /// (MNIST's training images are 47 MB, a CIFAR-10 batch 30 MB), small enough that a hostile
    /// stream cannot exhaust memory. Every decoder takes a `maxOutputSize` parameter to change it.
    public static let defaultMaxOutputSize = 512 << 20
}
