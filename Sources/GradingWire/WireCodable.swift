import LessonSupport
import TensorEngine

/// A value the judge sends to the lesson runner (an exercise's argument) or receives back (its
/// result). Each type writes itself after a one-byte tag, so a message whose values arrive in
/// another order than the function's parameters is an error that names the type expected.
public protocol WireCodable: SendableMetatype {
    func encode(into writer: inout WireWriter) throws
    static func decode(from reader: inout WireReader) throws -> Self
}

/// The tags: one per type, checked on reading.
enum WireTag: UInt8 {
    case int = 1, uint64, float, double, bool, string, array, optionalNone, optionalSome, tensor, matrix, module, pair, triple, enumCase, record
}

extension WireReader {
    mutating func expect(_ tag: WireTag, _ what: String) throws {
        let found = try readUInt8("\(what)'s tag")
        guard found == tag.rawValue else {
            throw WireError("expected \(what) (tag \(tag.rawValue)), found tag \(found) at offset \(offset - 1)")
        }
    }
}

extension Int: WireCodable {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.int.rawValue); writer.write(self) }
    public static func decode(from reader: inout WireReader) throws -> Int {
        try reader.expect(.int, "an Int"); return try reader.readInt()
    }
}

extension UInt64: WireCodable {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.uint64.rawValue); writer.write(self) }
    public static func decode(from reader: inout WireReader) throws -> UInt64 {
        try reader.expect(.uint64, "a UInt64"); return try reader.readUInt64()
    }
}

extension Float: WireCodable {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.float.rawValue); writer.write(bitPattern) }
    public static func decode(from reader: inout WireReader) throws -> Float {
        try reader.expect(.float, "a Float"); return Float(bitPattern: try reader.readUInt32())
    }
}

extension Double: WireCodable {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.double.rawValue); writer.write(bitPattern) }
    public static func decode(from reader: inout WireReader) throws -> Double {
        try reader.expect(.double, "a Double"); return Double(bitPattern: try reader.readUInt64())
    }
}

extension Bool: WireCodable {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.bool.rawValue); writer.write(UInt8(self ? 1 : 0)) }
    public static func decode(from reader: inout WireReader) throws -> Bool {
        try reader.expect(.bool, "a Bool")
        switch try reader.readUInt8("a Bool") {
        case 0: return false
        case 1: return true
        case let other: throw WireError("a Bool is 0 or 1, not \(other)")
        }
    }
}

extension String: WireCodable {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.string.rawValue); writer.write(self) }
    public static func decode(from reader: inout WireReader) throws -> String {
        try reader.expect(.string, "a String"); return try reader.readString()
    }
}

extension Array: WireCodable where Element: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.write(WireTag.array.rawValue)
        writer.write(count)
        for element in self { try element.encode(into: &writer) }
    }
    public static func decode(from reader: inout WireReader) throws -> [Element] {
        try reader.expect(.array, "an array")
        // Every element takes at least its tag byte: a count past the bytes left is refused.
        let count = try reader.readCount("an array", elementSize: 1)
        var elements: [Element] = []
        elements.reserveCapacity(Swift.min(count, 1 << 12))     // grown as elements really arrive
        for _ in 0..<count { elements.append(try Element.decode(from: &reader)) }
        return elements
    }
}

extension Optional: WireCodable where Wrapped: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        switch self {
        case .none: writer.write(WireTag.optionalNone.rawValue)
        case let .some(value): writer.write(WireTag.optionalSome.rawValue); try value.encode(into: &writer)
        }
    }
    public static func decode(from reader: inout WireReader) throws -> Wrapped? {
        let tag = try reader.readUInt8("an optional's tag")
        switch tag {
        case WireTag.optionalNone.rawValue: return nil
        case WireTag.optionalSome.rawValue: return try Wrapped.decode(from: &reader)
        default: throw WireError("expected an optional, found tag \(tag) at offset \(reader.offset - 1)")
        }
    }
}

/// A tensor as values: its shape, its data and whether it asks for gradients. A graph does not
/// cross the wire (the result of a call is a leaf on the other side).
extension Tensor: WireCodable {
    public func encode(into writer: inout WireWriter) {
        writer.write(WireTag.tensor.rawValue)
        writer.write(shape.count)
        for side in shape { writer.write(side) }
        writer.write(UInt8(requiresGrad && isLeaf ? 1 : 0))
        writer.write(data)
    }
    public static func decode(from reader: inout WireReader) throws -> Tensor {
        try reader.expect(.tensor, "a Tensor")
        let rank = try reader.readCount("a tensor's shape", elementSize: 8)
        guard rank <= 8 else { throw WireError("a tensor of rank \(rank): at most 8") }
        let shape = try (0..<rank).map { _ in try reader.readInt("a tensor's side") }
        var elements = 1
        for side in shape {
            guard side >= 0 else { throw WireError("a tensor's side is \(side)") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: side)
            guard !overflow else { throw WireError("a tensor of shape \(shape) has too many elements") }
            elements = product
        }
        let requiresGrad = try reader.readUInt8("a tensor's gradient flag") == 1
        let data = try reader.readFloats("a tensor's data")
        guard data.count == elements else { throw WireError("a tensor of shape \(shape) with \(data.count) values") }
        return try Tensor(shape: shape, data: data, requiresGrad: requiresGrad)
    }
}

extension Matrix: WireCodable {
    public func encode(into writer: inout WireWriter) {
        writer.write(WireTag.matrix.rawValue)
        writer.write(rows); writer.write(columns); writer.write(values)
    }
    public static func decode(from reader: inout WireReader) throws -> Matrix {
        try reader.expect(.matrix, "a Matrix")
        let rows = try reader.readInt("a matrix's rows"), columns = try reader.readInt("a matrix's columns")
        let values = try reader.readDoubles("a matrix's values")
        let (product, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow, product == values.count else {
            throw WireError("a \(rows) × \(columns) matrix with \(values.count) values")
        }
        do { return try Matrix(rows: rows, columns: columns, values: values) } catch { throw WireError("\(error)") }
    }
}

/// Two values: what a function returns as a labelled tuple (tuples cannot conform to protocols).
public struct WirePair<First: WireCodable, Second: WireCodable>: WireCodable {
    public var first: First, second: Second
    public init(_ first: First, _ second: Second) { self.first = first; self.second = second }
    public func encode(into writer: inout WireWriter) throws {
        writer.write(WireTag.pair.rawValue)
        try first.encode(into: &writer); try second.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> WirePair {
        try reader.expect(.pair, "a pair")
        return WirePair(try First.decode(from: &reader), try Second.decode(from: &reader))
    }
}

/// An enum that is a string (a setting such as `IntegrationMethod`): sent by its raw value.
public protocol WireEnum: WireCodable, RawRepresentable<String> {}

extension WireEnum {
    public func encode(into writer: inout WireWriter) { writer.write(WireTag.enumCase.rawValue); writer.write(rawValue) }
    public static func decode(from reader: inout WireReader) throws -> Self {
        try reader.expect(.enumCase, "a \(Self.self)")
        let raw = try reader.readString()
        guard let value = Self(rawValue: raw) else { throw WireError("\(Self.self) has no case '\(raw)'") }
        return value
    }
}

extension IntegrationMethod: WireEnum {}

extension WirePair: Sendable where First: Sendable, Second: Sendable {}
