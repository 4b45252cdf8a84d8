import Foundation

/// A safetensors file (https://huggingface.co/docs/safetensors, format by Hugging Face):
///
///     N (8 bytes, little-endian u64) | JSON header (N bytes, padded with spaces) | data
///
/// The header maps each tensor name to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`,
/// offsets relative to the start of the data section, plus an optional `"__metadata__"` object of
/// string → string. Reading is strict, as in the reference implementation: the tensors must cover
/// the data section exactly, without gaps or overlaps, and each byte range must match its shape.
///
/// Writing matches the Python library byte for byte: compact JSON, `__metadata__` first, tensors
/// ordered by element type (8-byte types first, as the Rust `Dtype` enum orders them) and then by
/// name, the header padded with spaces to a multiple of 8. Metadata keys are written sorted (the
/// Python library uses hash order, so only single-entry metadata is comparable byte for byte).
public struct SafeTensorsFile: Equatable, Sendable {
    public var tensors: [String: SafeTensor]
    public var metadata: [String: String]

    /// The largest header accepted: 100 MB, the reference implementation's limit.
    public static let maxHeaderLength = 100_000_000

    public init(tensors: [String: SafeTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Tensor names in file layout order.
    public var namesInLayoutOrder: [String] {
        tensors.keys.sorted { left, right in
            let (a, b) = (tensors[left]!.dtype.layoutRank, tensors[right]!.dtype.layoutRank)
            return a != b ? a > b : left < right
        }
    }

    // MARK: Reading

    /// Parses and validates a safetensors file.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 8 else { throw DataFormatError.truncated(context: "safetensors header length") }
        var headerLength: UInt64 = 0
        for index in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[index]) }
        guard headerLength <= UInt64(Self.maxHeaderLength) else {
            throw DataFormatError.invalidHeader("safetensors header length \(headerLength) exceeds \(Self.maxHeaderLength)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard bytes.count >= headerEnd else { throw DataFormatError.truncated(context: "safetensors JSON header") }
        guard headerLength > 0, bytes[8] == UInt8(ascii: "{") else {
            throw DataFormatError.invalidHeader("safetensors header must be a JSON object")
        }
        guard case .object(let members) = try JSON.parse(bytes[8..<headerEnd]) else {
            throw DataFormatError.invalidHeader("safetensors header must be a JSON object")
        }
        let dataLength = bytes.count - headerEnd
        var infos: [(name: String, info: TensorInfo)] = []
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let entries) = value else {
                    throw DataFormatError.invalidHeader("__metadata__ must be an object of strings")
                }
                for (key, entry) in entries {
                    guard case .string(let text) = entry else {
                        throw DataFormatError.invalidHeader("__metadata__ value for \"\(key)\" is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            let info = try TensorInfo(name: name, json: value)
            guard info.begin <= info.end, info.end <= dataLength else {
                throw DataFormatError.invalidHeader("tensor \"\(name)\" data_offsets [\(info.begin), \(info.end)] outside the \(dataLength)-byte data section")
            }
            infos.append((name, info))
        }
        // The byte ranges, in order, must tile the data section exactly.
        // Checked before any tensor is copied, so overlapping ranges cannot multiply memory use.
        var expectedBegin = 0
        for (name, info) in infos.sorted(by: { ($0.info.begin, $0.info.end) < ($1.info.begin, $1.info.end) }) {
            guard info.begin == expectedBegin else {
                throw DataFormatError.invalidHeader(info.begin < expectedBegin
                    ? "tensor \"\(name)\" overlaps the previous tensor"
                    : "gap in the data section before tensor \"\(name)\"")
            }
            expectedBegin = info.end
        }
        guard expectedBegin == dataLength else {
            throw DataFormatError.sizeMismatch(context: "safetensors data section", expected: expectedBegin, actual: dataLength)
        }
        var tensors: [String: SafeTensor] = [:]
        for (name, info) in infos {
            let slice = Array(bytes[(headerEnd + info.begin)..<(headerEnd + info.end)])
            tensors[name] = try SafeTensor(dtype: info.dtype, shape: info.shape, data: slice)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads a `.safetensors` file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: [UInt8](Data(contentsOf: url)))
    }

    // MARK: Writing

    /// The file bytes, identical to what the Python library writes for the same tensors.
    public func encoded() -> [UInt8] {
        var members: [(key: String, value: JSON)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.keys.sorted().map { ($0, .string(metadata[$0]!)) })))
        }
        var offset = 0
        let order = namesInLayoutOrder
        for name in order {
            let tensor = tensors[name]!
            members.append((name, .object([
                ("dtype", .string(tensor.dtype.rawValue)),
                ("shape", .array(tensor.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(offset), .integer(offset + tensor.data.count)])),
            ])))
            offset += tensor.data.count
        }
        var header = Array(JSON.object(members).serialized.utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        appendLittleEndian(UInt64(header.count), bytes: 8, to: &bytes)
        bytes += header
        for name in order { bytes += tensors[name]!.data }
        return bytes
    }

    /// Writes the file to `url`.
    public func write(to url: URL) throws {
        try Data(encoded()).write(to: url)
    }
}

/// One header entry, validated.
private struct TensorInfo {
    var dtype: SafeTensor.DType
    var shape: [Int]
    var begin: Int
    var end: Int

    init(name: String, json: JSON) throws {
        func fail(_ message: String) -> DataFormatError {
            DataFormatError.invalidHeader("tensor \"\(name)\": \(message)")
        }
        guard case .object(let fields) = json else { throw fail("entry is not an object") }
        var dtype: SafeTensor.DType?
        var shape: [Int]?
        var offsets: [Int]?
        for (key, value) in fields {
            switch (key, value) {
            case ("dtype", .string(let text)):
                guard let known = SafeTensor.DType(rawValue: text) else { throw fail("unsupported dtype \(text)") }
                dtype = known
            case ("shape", .array(let items)):
                shape = try items.map { item in
                    guard case .integer(let size) = item, size >= 0 else { throw fail("shape must be non-negative integers") }
                    return size
                }
            case ("data_offsets", .array(let items)):
                offsets = try items.map { item in
                    guard case .integer(let offset) = item, offset >= 0 else { throw fail("data_offsets must be non-negative integers") }
                    return offset
                }
            default:
                throw fail("unexpected field \"\(key)\"")
            }
        }
        guard let dtype, let shape, let offsets else { throw fail("needs dtype, shape and data_offsets") }
        guard offsets.count == 2 else { throw fail("data_offsets must have two entries") }
        self.dtype = dtype
        self.shape = shape
        self.begin = offsets[0]
        self.end = offsets[1]
    }
}
