/// One tensor of a safetensors file, independent of any tensor library: element type, shape and
/// the raw little-endian bytes. Conversions to Swift arrays are explicit and checked.
public struct SafeTensor: Equatable, Sendable {
    /// Element types of the safetensors format (the names used in the JSON header).
    public enum DType: String, CaseIterable, Sendable {
        case bool = "BOOL", uint8 = "U8", int8 = "I8", int16 = "I16", uint16 = "U16"
        case float16 = "F16", bfloat16 = "BF16", int32 = "I32", uint32 = "U32", float32 = "F32"
        case float64 = "F64", int64 = "I64", uint64 = "U64"

        public var byteCount: Int {
            switch self {
            case .bool, .uint8, .int8: return 1
            case .int16, .uint16, .float16, .bfloat16: return 2
            case .int32, .uint32, .float32: return 4
            case .float64, .int64, .uint64: return 8
            }
        }

        /// Position in the Rust library's `Dtype` enum. The Python writer lays tensors out by
        /// this rank, largest (most strictly aligned) first, then by name; we do the same so our
        /// files are byte-identical to Python's.
        var layoutRank: Int {
            switch self {
            case .bool: return 0
            case .uint8: return 1
            case .int8: return 2
            case .int16: return 5
            case .uint16: return 6
            case .float16: return 7
            case .bfloat16: return 8
            case .int32: return 9
            case .uint32: return 10
            case .float32: return 11
            case .float64: return 12
            case .int64: return 13
            case .uint64: return 14
            }
        }

        var isFloatingPoint: Bool { [.float16, .bfloat16, .float32, .float64].contains(self) }
    }

    public let dtype: DType
    public let shape: [Int]
    /// `elementCount * dtype.byteCount` bytes, little-endian.
    public let data: [UInt8]

    public var elementCount: Int { shape.reduce(1, *) }

    /// Wraps raw bytes, checking that they match the shape and type.
    public init(dtype: DType, shape: [Int], data: [UInt8]) throws {
        guard let count = checkedElementCount(shape),
              case let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount), !overflow
        else { throw DataFormatError.invalidHeader("shape \(shape) is invalid or too large") }
        guard bytes == data.count else {
            throw DataFormatError.sizeMismatch(context: "\(dtype.rawValue) tensor of shape \(shape)",
                                               expected: bytes, actual: data.count)
        }
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// A float tensor, stored as F32 (default), F16, BF16 or F64.
    /// F16/BF16 round to nearest, ties to even.
    public init(shape: [Int], floats: [Float], dtype: DType = .float32) throws {
        var data = [UInt8]()
        data.reserveCapacity(floats.count * dtype.byteCount)
        switch dtype {
        case .float32: for value in floats { appendLittleEndian(UInt64(value.bitPattern), bytes: 4, to: &data) }
        case .float64: for value in floats { appendLittleEndian(Double(value).bitPattern, bytes: 8, to: &data) }
        case .float16: for value in floats { appendLittleEndian(UInt64(HalfPrecision.f16(from: value)), bytes: 2, to: &data) }
        case .bfloat16: for value in floats { appendLittleEndian(UInt64(HalfPrecision.bf16(from: value)), bytes: 2, to: &data) }
        default: throw DataFormatError.invalidValue("\(dtype.rawValue) is not a floating-point type")
        }
        try self.init(dtype: dtype, shape: shape, data: data)
    }

    /// An I64 tensor (e.g. labels or indices).
    public init(shape: [Int], int64s: [Int64]) throws {
        var data = [UInt8]()
        data.reserveCapacity(int64s.count * 8)
        for value in int64s { appendLittleEndian(UInt64(bitPattern: value), bytes: 8, to: &data) }
        try self.init(dtype: .int64, shape: shape, data: data)
    }

    /// A U8 tensor (e.g. images).
    public init(shape: [Int], uint8s: [UInt8]) throws {
        try self.init(dtype: .uint8, shape: shape, data: uint8s)
    }

    /// The raw little-endian bits of element `index`.
    @inline(__always)
    private func bits(at index: Int) -> UInt64 {
        let size = dtype.byteCount
        var value: UInt64 = 0
        for offset in stride(from: size - 1, through: 0, by: -1) {
            value = value << 8 | UInt64(data[index * size + offset])
        }
        return value
    }

    /// The elements as `Float`: F32 exactly, F16/BF16 widened exactly, F64 rounded, integers
    /// and BOOL converted (large 64-bit integers lose precision).
    public func floats() -> [Float] {
        (0..<elementCount).map { index in
            let raw = bits(at: index)
            switch dtype {
            case .float32: return Float(bitPattern: UInt32(raw))
            case .float64: return Float(Double(bitPattern: raw))
            case .float16: return HalfPrecision.float(fromF16: UInt16(raw))
            case .bfloat16: return HalfPrecision.float(fromBF16: UInt16(raw))
            case .bool, .uint8, .uint16, .uint32, .uint64: return Float(raw)
            case .int8: return Float(Int8(truncatingIfNeeded: raw))
            case .int16: return Float(Int16(truncatingIfNeeded: raw))
            case .int32: return Float(Int32(truncatingIfNeeded: raw))
            case .int64: return Float(Int64(bitPattern: raw))
            }
        }
    }

    /// The elements of an integer or BOOL tensor as `Int64`.
    /// - Throws: `DataFormatError.invalidValue` for float tensors or U64 values above `Int64.max`.
    public func int64s() throws -> [Int64] {
        guard !dtype.isFloatingPoint else {
            throw DataFormatError.invalidValue("\(dtype.rawValue) tensor cannot be read as integers")
        }
        return try (0..<elementCount).map { index in
            let raw = bits(at: index)
            switch dtype {
            case .int8: return Int64(Int8(truncatingIfNeeded: raw))
            case .int16: return Int64(Int16(truncatingIfNeeded: raw))
            case .int32: return Int64(Int32(truncatingIfNeeded: raw))
            case .int64: return Int64(bitPattern: raw)
            default:
                guard raw <= UInt64(Int64.max) else { throw DataFormatError.invalidValue("U64 value \(raw) exceeds Int64") }
                return Int64(raw)
            }
        }
    }
}

func appendLittleEndian(_ value: UInt64, bytes count: Int, to data: inout [UInt8]) {
    for index in 0..<count { data.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index))) }
}
