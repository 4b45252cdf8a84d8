import Foundation
import Testing
import TestSupport

@Suite("WrittenByHand: the body of an exercise's function, without comments and strings")
struct WrittenByHandTests {
    let source = """
        /// Doc: calls resizedBilinear? No — a doc comment is no call.
        public func upsampleBilinear(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
            // resizedBilinear would be cheating
            let message = "not resizedBilinear { here"
            if height > 0 { for _ in 0..<2 { } }
            /* resizedNearest */ return try maps.resizedBilinear(height: height, width: width)
        }

        public func later() { _ = 1 }
        """

    @Test("the body ends at its own closing brace; nested braces and a brace in a string do not confuse it")
    func body() throws {
        let body = try #require(WrittenByHand.body(of: "upsampleBilinear(_:height:width:)", in: source))
        #expect(body.contains("maps.resizedBilinear(height: height"))
        #expect(!body.contains("later"))
        #expect(!body.contains("cheating") && !body.contains("not resizedBilinear") && !body.contains("resizedNearest"))
    }

    @Test("a call is found; a name only in a comment or a string is not")
    func calls() throws {
        let body = try #require(WrittenByHand.body(of: "upsampleBilinear(_:height:width:)", in: source))
        #expect(["resizedBilinear", "resizedNearest"].filter { body.contains($0) } == ["resizedBilinear"])
        let clean = source.replacingOccurrences(of: "return try maps.resizedBilinear(height: height, width: width)", with: "return maps")
        let cleanBody = try #require(WrittenByHand.body(of: "upsampleBilinear(_:height:width:)", in: clean))
        #expect(!cleanBody.contains("resizedBilinear"))
        #expect(WrittenByHand.body(of: "missing(_:)", in: source) == nil)
    }
}
