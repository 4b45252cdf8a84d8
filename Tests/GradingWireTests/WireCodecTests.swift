import Codecs
import Foundation
@testable import GradingWire
import LessonSupport
import TensorEngine
import TestSupport
import Testing

/// The grading wire's values: every type arrives as sent (floats bit for bit), and a damaged or
/// hostile message is an error, never a trap or a large allocation.
@Suite("Grading wire: values", .maintainers)
struct WireCodecTests {
    func roundTrip<T: WireCodable>(_ value: T) throws -> T {
        var writer = WireWriter()
        try value.encode(into: &writer)
        var reader = WireReader(writer.bytes)
        let decoded = try T.decode(from: &reader)
        #expect(reader.isAtEnd)
        return decoded
    }

    @Test("scalars, strings, arrays, optionals, pairs and enums arrive as sent")
    func scalars() throws {
        #expect(try roundTrip(-42) == -42)
        #expect(try roundTrip(Int.min) == Int.min)
        #expect(try roundTrip(UInt64.max) == UInt64.max)
        #expect(try roundTrip(true) == true)
        #expect(try roundTrip("grad-cam ✓ αₖ") == "grad-cam ✓ αₖ")
        #expect(try roundTrip([3, 1, 2]) == [3, 1, 2])
        #expect(try roundTrip([[1.5], [], [2.5, -0.0]] as [[Double]]) == [[1.5], [], [2.5, -0.0]])
        #expect(try roundTrip(Optional<Int>.none) == nil)
        #expect(try roundTrip(Optional(7)) == 7)
        let pair = try roundTrip(WirePair("conv1", Float(0.25)))
        #expect(pair.first == "conv1" && pair.second == 0.25)
        #expect(try roundTrip(IntegrationMethod.riemannTrapezoid) == .riemannTrapezoid)
    }

    @Test("floats keep their bits: NaN payloads, signed zeros, infinities, subnormals")
    func floatBits() throws {
        let specials: [Float] = [.nan, -.nan, Float(bitPattern: 0x7fc0_1234), -0.0, 0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let tensor = try Tensor(shape: [3, 3], data: specials)
        let back = try roundTrip(tensor)
        #expect(back.shape == [3, 3])
        #expect(back.data.map(\.bitPattern) == specials.map(\.bitPattern))
        for value in specials { #expect(try roundTrip(value).bitPattern == value.bitPattern) }
        let doubles: [Double] = [.nan, -0.0, .infinity, .leastNonzeroMagnitude]
        let matrix = try roundTrip(try Matrix(rows: 2, columns: 2, values: doubles))
        #expect(matrix.rows == 2 && matrix.columns == 2)
        #expect(matrix.values.map(\.bitPattern) == doubles.map(\.bitPattern))
    }

    @Test("a tensor keeps its shape and gradient flag; a non-leaf arrives as a leaf")
    func tensorFlags() throws {
        let x = try Tensor(shape: [1, 2, 1, 2], data: [1, 2, 3, 4], requiresGrad: true)
        let back = try roundTrip(x)
        #expect(back.shape == [1, 2, 1, 2] && back.requiresGrad && back.isLeaf)
        let y = try roundTrip(x * x)
        #expect(y.data == [1, 4, 9, 16] && !y.requiresGrad)
        #expect(try roundTrip(Tensor.zeros([0, 3])).shape == [0, 3])
    }

    @Test("a value of another type than expected is named")
    func wrongType() throws {
        var writer = WireWriter()
        "conv1".encode(into: &writer)
        var reader = WireReader(writer.bytes)
        #expect(throws: WireError.self) { try Int.decode(from: &reader) }
        do { var r = WireReader(writer.bytes); _ = try Tensor.decode(from: &r) } catch let error as WireError {
            #expect(error.message.hasPrefix("expected a Tensor"), "\(error)")
        }
    }

    @Test("inconsistent tensors and matrices are refused")
    func inconsistent() throws {
        var writer = WireWriter()
        writer.write(WireTag.tensor.rawValue); writer.write(2); writer.write(2); writer.write(3); writer.write(UInt8(0)); writer.write([Float](repeating: 1, count: 5))
        var reader = WireReader(writer.bytes)
        #expect(throws: WireError.self) { try Tensor.decode(from: &reader) }
        var overflow = WireWriter()
        overflow.write(WireTag.tensor.rawValue); overflow.write(3); for _ in 0..<3 { overflow.write(1 << 30) }; overflow.write(UInt8(0)); overflow.write([Float]())
        var r2 = WireReader(overflow.bytes)
        #expect(throws: WireError.self) { try Tensor.decode(from: &r2) }
        var matrix = WireWriter()
        matrix.write(WireTag.matrix.rawValue); matrix.write(2); matrix.write(2); matrix.write([1.0, 2, 3])
        var r3 = WireReader(matrix.bytes)
        #expect(throws: WireError.self) { try Matrix.decode(from: &r3) }
    }

    @Test("a count larger than the bytes left is refused before anything is allocated")
    func hugeCounts() throws {
        for tag in [WireTag.array, .string] {
            var writer = WireWriter()
            writer.write(tag.rawValue); writer.write(Int.max / 2)
            var reader = WireReader(writer.bytes)
            if tag == .array {
                #expect(throws: WireError.self) { try [Tensor].decode(from: &reader) }
            } else {
                #expect(throws: WireError.self) { try String.decode(from: &reader) }
            }
        }
        var floats = WireWriter()
        floats.write(WireTag.tensor.rawValue); floats.write(1); floats.write(1 << 40); floats.write(UInt8(0)); floats.write(1 << 40)
        var reader = WireReader(floats.bytes)
        #expect(throws: WireError.self) { try Tensor.decode(from: &reader) }
    }

    @Test("frames: the magic and a length within the limit")
    func frames() throws {
        #expect(try WireFrame.length(ofHeader: WireFrame.header(length: 1234)) == 1234)
        #expect(throws: WireError.self) { try WireFrame.length(ofHeader: Array("XXXX".utf8) + [UInt8](repeating: 0, count: 8)) }
        #expect(throws: WireError.self) { try WireFrame.length(ofHeader: WireFrame.header(length: WireFrame.maximumBytes + 1)) }
        #expect(throws: WireError.self) { try WireFrame.length(ofHeader: Array(WireFrame.header(length: 3).prefix(11))) }
    }

    @Test("non-UTF-8 strings are refused")
    func invalidText() throws {
        var writer = WireWriter()
        writer.write(WireTag.string.rawValue); writer.write(2); writer.write(UInt8(0xff)); writer.write(UInt8(0xfe))
        var reader = WireReader(writer.bytes)
        #expect(throws: WireError.self) { try String.decode(from: &reader) }
    }
}
