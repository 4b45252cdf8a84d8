/// Errors from reading images and comparing them with goldens.
public enum ImagingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not start with the 8-byte PNG signature.
    case badSignature
    /// A chunk's stored CRC-32 disagrees with the one computed over its type and data.
    case badChunkCRC(chunk: String, declared: UInt32, computed: UInt32)
    /// The data ended in the middle of `context`.
    case truncated(context: String)
    /// A structurally invalid file (missing IHDR, bad filter type, wrong data length, ...).
    case invalidFormat(String)
    /// A valid PNG feature this decoder does not implement.
    case unsupported(String)
    /// The image is larger than the caller's limits allow.
    case dimensionsTooLarge(width: Int, height: Int, limit: String)
    /// The zlib layer failed (wraps the `Codecs` error message).
    case compression(String)
    /// Heatmap values contain NaN or infinity.
    case nonFiniteValues(count: Int)
    /// An image file in neither of the formats read here (PNG, JPEG).
    case unknownImageFormat(firstBytes: String)

    public var description: String {
        switch self {
        case .badSignature: return "PNG: bad signature (not a PNG file)"
        case .badChunkCRC(let chunk, let declared, let computed):
            return "PNG: CRC mismatch in \(chunk) chunk: declared \(hex8(declared)), computed \(hex8(computed))"
        case .truncated(let context): return "PNG: truncated while reading \(context)"
        case .invalidFormat(let message): return "PNG: invalid file: \(message)"
        case .unsupported(let message): return "PNG: unsupported: \(message)"
        case .dimensionsTooLarge(let width, let height, let limit):
            return "image dimensions \(width)x\(height) exceed the limit (\(limit))"
        case .compression(let message): return "PNG: image data: \(message)"
        case .nonFiniteValues(let count): return "heatmap contains \(count) NaN or infinite values"
        case .unknownImageFormat(let firstBytes): return "not a PNG or a JPEG image (the file starts with \(firstBytes))"
        }
    }
}

func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
