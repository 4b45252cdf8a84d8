/// Everything that can go wrong while reading IDX, CIFAR-10, safetensors and NPY files.
/// Parsers never trap on bad input; they throw one of these with a message naming the problem.
public enum DataFormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The data ended before `context` was complete.
    case truncated(context: String)
    /// A magic number, header field or structure is invalid (message says which).
    case invalidHeader(String)
    /// The declared shape and element type do not match the number of data bytes.
    case sizeMismatch(context: String, expected: Int, actual: Int)
    /// A valid feature this reader does not implement (e.g. Fortran-order NPY arrays).
    case unsupported(String)
    /// A value is out of range (e.g. a CIFAR label above 9) or a conversion is impossible.
    case invalidValue(String)
    /// The gzip layer failed (wraps the `Codecs` message).
    case compression(String)

    public var description: String {
        switch self {
        case .truncated(let context): return "truncated data while reading \(context)"
        case .invalidHeader(let message): return "invalid header: \(message)"
        case .sizeMismatch(let context, let expected, let actual):
            return "\(context): expected \(expected) bytes of data, found \(actual)"
        case .unsupported(let message): return "unsupported: \(message)"
        case .invalidValue(let message): return "invalid value: \(message)"
        case .compression(let message): return "decompression failed: \(message)"
        }
    }
}

/// `product(shape)`, or nil when it overflows or a dimension is negative.
func checkedElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for dimension in shape {
        guard dimension >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
        guard !overflow else { return nil }
        count = product
    }
    return count
}
