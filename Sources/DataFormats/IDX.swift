import Codecs
import Foundation

/// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/, "file formats").
///
///     00 00 | type code | number of dimensions d | d sizes (4 bytes each, big-endian) | data
///
/// Type codes: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32,
/// 0x0E float64; multi-byte values are big-endian. MNIST images are `ubyte` [N, 28, 28], labels
/// `ubyte` [N].
public struct IDXArray: Equatable, Sendable {
    public enum ElementType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        public var byteCount: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    public let elementType: ElementType
    public let shape: [Int]
    /// The raw element bytes, big-endian as in the file.
    public let data: [UInt8]

    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements of a `ubyte` array (MNIST pixels and labels).
    public func uint8Values() throws -> [UInt8] {
        guard elementType == .uint8 else {
            throw DataFormatError.invalidValue("IDX array holds \(elementType), not uint8")
        }
        return data
    }

    /// Every element converted to `Float` (whatever the stored type).
    public func floatValues() -> [Float] {
        let size = elementType.byteCount
        return (0..<elementCount).map { index in
            var bits: UInt64 = 0
            for offset in 0..<size { bits = bits << 8 | UInt64(data[index * size + offset]) }
            switch elementType {
            case .uint8: return Float(bits)
            case .int8: return Float(Int8(truncatingIfNeeded: bits))
            case .int16: return Float(Int16(truncatingIfNeeded: bits))
            case .int32: return Float(Int32(truncatingIfNeeded: bits))
            case .float32: return Float(bitPattern: UInt32(bits))
            case .float64: return Float(Double(bitPattern: bits))
            }
        }
    }
}

public enum IDX {
    /// Parses an IDX file, gunzipping it first if it starts with the gzip magic number.
    ///
    /// - Parameter maxSize: limit on the decompressed size (defaults to Codecs' 512 MiB).
    /// - Throws: `DataFormatError` for a bad magic number, unknown type, or a data length that
    ///   disagrees with the dimensions (trailing bytes included).
    public static func parse(_ bytes: [UInt8], maxSize: Int = DecodeLimits.defaultMaxOutputSize) throws -> IDXArray {
        var bytes = bytes
        if Gzip.hasMagicNumber(bytes) {
            do {
                bytes = try Gzip.decompress(bytes, maxOutputSize: maxSize)
            } catch let error as CodecError {
                throw DataFormatError.compression(error.description)
            }
        }
        guard bytes.count >= 4 else { throw DataFormatError.truncated(context: "IDX magic number") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataFormatError.invalidHeader("IDX magic must start with two zero bytes, found \(bytes[0]) \(bytes[1])")
        }
        guard let elementType = IDXArray.ElementType(rawValue: bytes[2]) else {
            throw DataFormatError.invalidHeader("unknown IDX type code 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else { throw DataFormatError.truncated(context: "IDX dimensions") }
        let shape = (0..<rank).map { dimension in
            let i = 4 + 4 * dimension
            return Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        }
        guard let count = checkedElementCount(shape),
              case let (byteCount, overflow) = count.multipliedReportingOverflow(by: elementType.byteCount), !overflow
        else {
            throw DataFormatError.invalidHeader("IDX dimensions \(shape) are too large")
        }
        guard bytes.count - headerLength == byteCount else {
            throw DataFormatError.sizeMismatch(context: "IDX \(shape) of \(elementType)",
                                               expected: byteCount, actual: bytes.count - headerLength)
        }
        return IDXArray(elementType: elementType, shape: shape, data: Array(bytes[headerLength...]))
    }

    /// Reads an IDX file (`.gz` or not) from disk.
    public static func read(contentsOf url: URL, maxSize: Int = DecodeLimits.defaultMaxOutputSize) throws -> IDXArray {
        try parse([UInt8](Data(contentsOf: url)), maxSize: maxSize)
    }

    /// The uncompressed IDX bytes of a `ubyte` array (MNIST's layout: magic `00 00 08 rank`,
    /// big-endian sizes, the data). `shape` must describe `data.count` bytes, ≤ 255 dimensions
    /// of fewer than 2³² each.
    public static func encode(uint8 data: [UInt8], shape: [Int]) throws -> [UInt8] {
        guard shape.count <= 255, shape.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }),
              checkedElementCount(shape) == data.count else {
            throw DataFormatError.invalidValue("IDX shape \(shape) does not describe \(data.count) bytes")
        }
        var bytes: [UInt8] = [0, 0, IDXArray.ElementType.uint8.rawValue, UInt8(shape.count)]
        for size in shape { bytes += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] }
        return bytes + data
    }
}
