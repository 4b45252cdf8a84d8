/// Every failure the engine reports. Shape errors name the operation (or the layer) and both shapes,
/// because "shape mismatch" alone sends a student hunting; "conv2 (Conv2d): input [1, 8, 14, 14]
/// does not match weight [32, 16, 3, 3] (channels 8 vs 16)" does not.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two shapes that should agree (or broadcast) do not.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int], detail: String = "")
    /// An argument is out of range or inconsistent (axis, kernel size, stride …).
    case invalidArgument(operation: String, message: String)
    /// `backward()` was asked for something the graph cannot give.
    case gradient(message: String)
    /// A value was NaN or infinite where a finite one is required.
    case nonFinite(operation: String, message: String)
    /// A module or parameter was looked up by a name that does not exist.
    case notFound(kind: String, name: String, available: [String])

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, lhs, rhs, detail):
            return "\(operation): shape \(lhs) does not match \(rhs)" + (detail.isEmpty ? "" : " (\(detail))")
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        case let .gradient(message):
            return "backward: \(message)"
        case let .nonFinite(operation, message):
            return "\(operation): \(message)"
        case let .notFound(kind, name, available):
            let list = available.prefix(20).joined(separator: ", ")
            return "no \(kind) named '\(name)'" + (available.isEmpty ? "" : "; available: \(list)")
        }
    }

    /// The same error with `context` (usually a layer name) put in front of the operation, so an
    /// error raised deep inside a model says which layer it came from.
    public func within(_ context: String) -> TensorError {
        switch self {
        case let .shapeMismatch(operation, lhs, rhs, detail):
            return .shapeMismatch(operation: "\(context) (\(operation))", lhs: lhs, rhs: rhs, detail: detail)
        case let .invalidArgument(operation, message):
            return .invalidArgument(operation: "\(context) (\(operation))", message: message)
        case let .nonFinite(operation, message):
            return .nonFinite(operation: "\(context) (\(operation))", message: message)
        default:
            return self
        }
    }
}
