import Foundation
import LessonSupport
import TensorEngine
import Testing
@testable import TestSupport
import DataFormats

/// The keys under which recorded reference answers are found: exact in every input's bits, blind
/// to everything else.
@Suite("Recorded references: keys")
struct ReferenceKeyTests {
    static func network(_ w: [Float]) throws -> Sequential {
        var g = SeededGenerator(seed: 0)
        let lin = Linear(2, 2, bias: false, generator: &g)
        try lin.weight.assign(w)
        return Sequential(named: [("lin", lin), ("relu", ReLU())])
    }

    @Test("the same model, layer and images give the same key; any one-bit change another")
    func exactKeys() throws {
        let x = try Tensor(shape: [1, 2], data: [0.25, -1])
        let base = ReferenceBook.key("1.1 activations", [try Self.network([1, 2, 3, 4]), "lin", x])
        #expect(base == ReferenceBook.key("1.1 activations", [try Self.network([1, 2, 3, 4]), "lin", x]))
        #expect(base.count == 32)
        let nudged = Float(4).nextUp
        let variants: [[UInt8]] = [
            ReferenceBook.key("1.1 activations", [try Self.network([1, 2, 3, nudged]), "lin", x]),
            ReferenceBook.key("1.1 activations", [try Self.network([1, 2, 3, 4]), "relu", x]),
            ReferenceBook.key("1.1 activations", [try Self.network([1, 2, 3, 4]), "lin", try Tensor(shape: [2, 1], data: [0.25, -1])]),
            ReferenceBook.key("1.2 gradient", [try Self.network([1, 2, 3, 4]), "lin", x]),
            ReferenceBook.key("1.1 activations", [try Self.network([1, 2, 3, 4]), "lin", x, [0]]),
        ]
        #expect(Set(variants + [base]).count == variants.count + 1, "two different calls share a key")
    }

    @Test("typed parts: Int 1, Float 1 and the text \"1\" differ; [\"ab\", \"c\"] and [\"a\", \"bc\"] differ")
    func typedParts() {
        #expect(Set([ReferenceBook.key("f", [1]), ReferenceBook.key("f", [Float(1)]), ReferenceBook.key("f", ["1"])]).count == 3)
        #expect(ReferenceBook.key("f", ["ab", "c"]) != ReferenceBook.key("f", ["a", "bc"]))
        #expect(ReferenceBook.key("f", [[1, 2] as [Int]]) != ReferenceBook.key("f", [1, 2]))
    }

    @Test("a model in training mode is another input than the same model in evaluation mode")
    func trainingMode() throws {
        let model = try Self.network([1, 2, 3, 4])
        model.eval()
        let evaluation = ReferenceBook.key("f", [model])
        model.train()
        #expect(ReferenceBook.key("f", [model]) != evaluation)
    }

    @Test("verify's comparison of live and recorded answers: equal forms, numbers within 1e-5 of their scale")
    func liveAgreesWithRecord() {
        let a = RecordedValue.tensor(shape: [2], data: [1, 100])
        #expect(ReferenceBook.agree(a, .tensor(shape: [2], data: [1.0001, 100])))            // 1e-4 ≤ 1e-5 · 100
        #expect(!ReferenceBook.agree(a, .tensor(shape: [2], data: [1.01, 100])))
        #expect(!ReferenceBook.agree(a, .tensor(shape: [1, 2], data: [1, 100])), "another shape")
        #expect(ReferenceBook.agree(.floats([.nan]), .floats([.nan])))
        #expect(!ReferenceBook.agree(.integers([3]), .integers([4])))
        #expect(!ReferenceBook.agree(.text("a"), .thrown("a")), "a value is not an error with the same text")
        #expect(ReferenceBook.agree(.list([.doubles([0.5]), .text("x")]), .list([.doubles([0.5]), .text("x")])))
        #expect(!ReferenceBook.agree(.list([.doubles([0.5])]), .list([.doubles([0.5]), .text("x")])))
    }
}
