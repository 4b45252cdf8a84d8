/// Errors from reading a JPEG file: each is one line that says what is wrong with the file.
public enum JPEGError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The data does not start with the JPEG start-of-image marker (FF D8).
    case notJPEG
    /// The data ended in the middle of `context`.
    case truncated(String)
    /// A structurally invalid file (bad segment length, undefined table, corrupt entropy data, ...).
    case invalid(String)
    /// A valid JPEG feature this decoder does not implement (arithmetic coding, CMYK, 12-bit, ...).
    case unsupported(String)
    /// The image is larger than the caller's limits allow, or claims more pixels than its bytes can code.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .notJPEG: return "JPEG: not a JPEG file (no FF D8 start-of-image marker)"
        case .truncated(let context): return "JPEG: truncated: \(context)"
        case .invalid(let message): return "JPEG: invalid file: \(message)"
        case .unsupported(let message): return "JPEG: unsupported: \(message)"
        case .tooLarge(let message): return "JPEG: refused: \(message)"
        }
    }
}
