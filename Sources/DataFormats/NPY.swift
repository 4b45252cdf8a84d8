import Foundation

/// NumPy's `.npy` format (numpy.lib.format, "NEP 1"):
///
///     \x93NUMPY | major | minor | header length (2 bytes LE in 1.0, 4 bytes LE in 2.0/3.0)
///     | header: a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
///       padded with spaces and a final newline so the data starts at a multiple of 64
///     | data, C order
///
/// Read: versions 1.0, 2.0 and 3.0; element types `<f4`, `<f8`, `|u1`, `<i8`, `<i4`; C order only.
/// Write: version 1.0, byte-identical to `numpy.save`.
public struct NPYArray: Equatable, Sendable {
    public enum ElementType: String, CaseIterable, Sendable {
        case float32 = "<f4", float64 = "<f8", uint8 = "|u1", int64 = "<i8", int32 = "<i4"

        public var byteCount: Int {
            switch self {
            case .uint8: return 1
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            }
        }
    }

    public let elementType: ElementType
    public let shape: [Int]
    /// Little-endian element bytes in C (row-major) order.
    public let data: [UInt8]

    public var elementCount: Int { shape.reduce(1, *) }

    public init(elementType: ElementType, shape: [Int], data: [UInt8]) throws {
        guard let count = checkedElementCount(shape),
              case let (bytes, overflow) = count.multipliedReportingOverflow(by: elementType.byteCount), !overflow
        else { throw DataFormatError.invalidHeader("NPY shape \(shape) is invalid or too large") }
        guard bytes == data.count else {
            throw DataFormatError.sizeMismatch(context: "NPY \(elementType.rawValue) array of shape \(shape)",
                                               expected: bytes, actual: data.count)
        }
        self.elementType = elementType
        self.shape = shape
        self.data = data
    }

    /// A float32 array.
    public init(shape: [Int], floats: [Float]) throws {
        var data = [UInt8]()
        data.reserveCapacity(floats.count * 4)
        for value in floats { appendLittleEndian(UInt64(value.bitPattern), bytes: 4, to: &data) }
        try self.init(elementType: .float32, shape: shape, data: data)
    }

    /// The elements as `Float` (float64 and integers converted, possibly losing precision).
    public func floats() -> [Float] {
        let size = elementType.byteCount
        return (0..<elementCount).map { index in
            var raw: UInt64 = 0
            for offset in stride(from: size - 1, through: 0, by: -1) { raw = raw << 8 | UInt64(data[index * size + offset]) }
            switch elementType {
            case .float32: return Float(bitPattern: UInt32(raw))
            case .float64: return Float(Double(bitPattern: raw))
            case .uint8: return Float(raw)
            case .int32: return Float(Int32(truncatingIfNeeded: raw))
            case .int64: return Float(Int64(bitPattern: raw))
            }
        }
    }
}

public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// Headers larger than this are refused (numpy itself refuses > 10000 bytes by default).
    public static let maxHeaderLength = 65536

    /// Parses a `.npy` file.
    public static func decode(_ bytes: [UInt8]) throws -> NPYArray {
        guard bytes.count >= 10 else { throw DataFormatError.truncated(context: "NPY preamble") }
        guard bytes.starts(with: magic) else { throw DataFormatError.invalidHeader("not an NPY file (bad magic)") }
        let major = bytes[6]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw DataFormatError.truncated(context: "NPY preamble") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw DataFormatError.unsupported("NPY format version \(major).\(bytes[7])")
        }
        guard headerLength <= maxHeaderLength else {
            throw DataFormatError.invalidHeader("NPY header length \(headerLength) exceeds \(maxHeaderLength)")
        }
        guard bytes.count - headerStart >= headerLength else { throw DataFormatError.truncated(context: "NPY header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let (descr, fortranOrder, shape) = try parseHeader(header)
        guard let elementType = NPYArray.ElementType(rawValue: descr) else {
            throw DataFormatError.unsupported("NPY dtype '\(descr)' (supported: \(NPYArray.ElementType.allCases.map(\.rawValue)))")
        }
        guard !fortranOrder else { throw DataFormatError.unsupported("Fortran-order NPY arrays") }
        return try NPYArray(elementType: elementType, shape: shape, data: Array(bytes[(headerStart + headerLength)...]))
    }

    /// Reads a `.npy` file.
    public static func read(contentsOf url: URL) throws -> NPYArray {
        try decode([UInt8](Data(contentsOf: url)))
    }

    /// Encodes `array` exactly as `numpy.save` (format 1.0) does.
    public static func encode(_ array: NPYArray) -> [UInt8] {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(array.elementType.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // numpy leaves room to grow the first dimension in place: 21 characters minus its digits.
        if let first = array.shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        // Pad with spaces and end with a newline so that the data starts at a multiple of 64.
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: 64 - unpadded % 64) + "\n"   // numpy pads 1...64
        let length = header.utf8.count
        return magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + array.data
    }

    /// Writes `array` to `url` as `.npy`.
    public static func write(_ array: NPYArray, to url: URL) throws {
        try Data(encode(array)).write(to: url)
    }

    /// Parses the dict literal: exactly the keys 'descr' (a string), 'fortran_order' (True or
    /// False) and 'shape' (a tuple of non-negative integers), in any order.
    static func parseHeader(_ text: String) throws -> (String, Bool, [Int]) {
        var scanner = HeaderScanner(characters: Array(text))
        func fail(_ message: String) -> DataFormatError { DataFormatError.invalidHeader("NPY header \(message): \(text)") }
        try scanner.expect("{")
        var descr: String?, fortranOrder: Bool?, shape: [Int]?
        while true {
            scanner.skipSpaces()
            if scanner.consume("}") { break }
            let key = try scanner.quoted()
            try scanner.expect(":")
            switch key {
            case "descr": descr = try scanner.quoted()
            case "fortran_order":
                scanner.skipSpaces()
                if scanner.consume("True") { fortranOrder = true }
                else if scanner.consume("False") { fortranOrder = false }
                else { throw fail("has a non-boolean fortran_order") }
            case "shape":
                try scanner.expect("(")
                var dimensions: [Int] = []
                while true {
                    scanner.skipSpaces()
                    if scanner.consume(")") { break }
                    guard let value = scanner.integer(), value >= 0 else { throw fail("has an invalid shape") }
                    dimensions.append(value)
                    scanner.skipSpaces()
                    if scanner.consume(",") { continue }
                    try scanner.expect(")")
                    break
                }
                shape = dimensions
            default:
                throw fail("has an unexpected key '\(key)'")
            }
            scanner.skipSpaces()
            if scanner.consume(",") { continue }
            try scanner.expect("}")
            break
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { throw fail("has text after the dictionary") }
        guard let descr, let fortranOrder, let shape else { throw fail("lacks descr, fortran_order or shape") }
        return (descr, fortranOrder, shape)
    }
}

/// A character scanner for the NPY header's Python literal.
private struct HeaderScanner {
    let characters: [Character]
    var position = 0

    var atEnd: Bool { position == characters.count }

    mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    mutating func consume(_ literal: String) -> Bool {
        let expected = Array(literal)
        guard characters.count - position >= expected.count,
              Array(characters[position..<(position + expected.count)]) == expected else { return false }
        position += expected.count
        return true
    }

    mutating func expect(_ literal: String) throws {
        skipSpaces()
        guard consume(literal) else {
            throw DataFormatError.invalidHeader("NPY header: expected \(literal) at character \(position)")
        }
    }

    /// A string in single or double quotes (no escapes: numpy's keys and dtypes never need them).
    mutating func quoted() throws -> String {
        skipSpaces()
        guard position < characters.count, characters[position] == "'" || characters[position] == "\"" else {
            throw DataFormatError.invalidHeader("NPY header: expected a quoted string at character \(position)")
        }
        let quote = characters[position]
        position += 1
        let start = position
        while position < characters.count, characters[position] != quote { position += 1 }
        guard position < characters.count else { throw DataFormatError.invalidHeader("NPY header: unterminated string") }
        position += 1
        return String(characters[start..<(position - 1)])
    }

    mutating func integer() -> Int? {
        let start = position
        while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
        guard position > start, position - start <= 18 else { return nil }
        let digits = String(characters[start..<position])
        // Python 2 era files may write long integers as 3L.
        if position < characters.count, characters[position] == "L" { position += 1 }
        return Int(digits)
    }
}
