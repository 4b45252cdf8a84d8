import Codecs
import Foundation
import Testing

/// Seeded mutation fuzzing: every mutant must decode or throw, never crash or hang.
/// Set WORKBOOK_FUZZ_LONG=1 for a long run (1,000,000 inputs each) or WORKBOOK_FUZZ_ITERATIONS=N;
/// each input has a time budget (WORKBOOK_FUZZ_BUDGET, 1 s by default).
@Suite struct CodecsFuzzTests {
    static let sample = Array(String(repeating: "fuzzing finds the bugs that tests forget. ", count: 30).utf8)
        + (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }

    @Test func inflateSurvivesMutations() throws {
        let python = try ["sample-stored.deflate", "sample-fixed.deflate", "skewed-dynamic.deflate"].map(TestPaths.fixture)
        let seeds = [0, 1, 6, 9].map { Deflate.compress(Self.sample, level: $0) } + [Deflate.compress([])] + python
        var fuzzer = MutationFuzzer(seed: 1)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 20000)) {
            _ = try Deflate.decompress($0, maxOutputSize: 1 << 20)
        }
        #expect(report.iterations > 0)
        print("inflate fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    @Test func zlibSurvivesMutations() {
        let seeds = [1, 6].map { Zlib.compress(Self.sample, level: $0) }
        var fuzzer = MutationFuzzer(seed: 2)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try Zlib.decompress($0, maxOutputSize: 1 << 20)
        }
        print("zlib fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    @Test func gzipSurvivesMutations() throws {
        let seeds = [Gzip.compress(Self.sample, fileName: "x"),
                     try TestPaths.fixture("all-header-fields.gz"),
                     try TestPaths.fixture("two-members.gz")]
        var fuzzer = MutationFuzzer(seed: 3)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try Gzip.decompress($0, maxOutputSize: 1 << 20)
        }
        print("gzip fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    /// The time budget: an input over it is reported with its number and size.
    @Test func slowInputsAreReported() {
        let report = MutationFuzzer.run(iterations: 4, budget: 0.005, input: { [UInt8](repeating: 0, count: 10 * $0) }) { bytes in
            if bytes.count >= 20 { usleep(20_000) }
        }
        #expect(report.slowCount == 2)
        #expect(report.slowInputs.map(\.size) == [20, 30])
        #expect("\(report)".contains("input 2 (20 bytes) took"), "\(report)")
    }

    /// Mutating the *input* of the compressor: every output must inflate back to it exactly.
    @Test func compressorRoundTripsMutatedInputs() throws {
        var fuzzer = MutationFuzzer(seed: 4)
        var random = SplitMix64(seed: 5)
        for _ in 0..<200 {
            let input = fuzzer.mutate(Self.sample, donors: [Self.sample])
            let level = Int(random.next() % 10)
            #expect(try Deflate.decompress(Deflate.compress(input, level: level)) == input)
        }
    }
}
