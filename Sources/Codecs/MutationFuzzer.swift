import Foundation

/// SplitMix64: a tiny, fast, seedable pseudo-random generator (Steele, Lea & Flood, 2014).
///
/// Tests and fuzzers use it instead of the system generator so that every run sees the same
/// sequence and a failure can be reproduced from its seed and iteration number.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A seeded mutation fuzzer for parsers: it takes valid inputs and damages them the way real
/// corruption and hostile files do (bit flips, truncation, inserted and deleted bytes, length
/// fields overwritten with extreme values, pieces of other inputs spliced in).
///
/// A parser passes when every mutant either decodes or throws; a crash or a hang fails the test
/// run. Free of any test framework, so XCTest and Swift Testing suites can both use it.
///
///     var fuzzer = MutationFuzzer(seed: 42)
///     let report = fuzzer.run(seeds: [validFile], iterations: MutationFuzzer.iterations(default: 2000)) {
///         _ = try Gzip.decompress($0, maxOutputSize: 1 << 20)
///     }
public struct MutationFuzzer {
    /// What a fuzz run did: how many mutants were decoded and how many were rejected.
    public struct Report: Sendable, CustomStringConvertible {
        public var iterations = 0
        public var accepted = 0
        public var rejected = 0
        public var seconds = 0.0
        public var description: String {
            "\(iterations) inputs: \(accepted) decoded, \(rejected) rejected, in \(String(format: "%.2f", seconds)) s"
        }
    }

    private var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The iteration count for a fuzz test: `WORKBOOK_FUZZ_ITERATIONS` from the environment when
    /// set (the long mode, e.g. 1000000), otherwise `defaultCount` (the quick normal-run mode).
    public static func iterations(default defaultCount: Int) -> Int {
        if let text = ProcessInfo.processInfo.environment["WORKBOOK_FUZZ_ITERATIONS"],
           let count = Int(text), count > 0 {
            return count
        }
        return defaultCount
    }

    /// Feeds `iterations` mutants of `seeds` to `body`, counting successes and thrown errors.
    public mutating func run(seeds: [[UInt8]], iterations: Int, _ body: ([UInt8]) throws -> Void) -> Report {
        precondition(!seeds.isEmpty, "the fuzzer needs at least one valid input to mutate")
        var report = Report()
        let start = Date()
        for _ in 0..<iterations {
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            let mutant = mutate(seed, donors: seeds)
            do {
                try body(mutant)
                report.accepted += 1
            } catch {
                report.rejected += 1
            }
            report.iterations += 1
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Applies one to four random mutations to `input`.
    public mutating func mutate(_ input: [UInt8], donors: [[UInt8]] = []) -> [UInt8] {
        var bytes = input
        let count = 1 + Int(random.next() % 4)
        for _ in 0..<count {
            applyOneMutation(to: &bytes, donors: donors)
        }
        return bytes
    }

    private mutating func index(below bound: Int) -> Int {
        bound <= 0 ? 0 : Int(random.next() % UInt64(bound))
    }

    private mutating func applyOneMutation(to bytes: inout [UInt8], donors: [[UInt8]]) {
        let interesting: [UInt64] = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x7FFF_FFFF,
                                     0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF_FFFF_FFFF, UInt64.max]
        switch random.next() % 9 {
        case 0 where !bytes.isEmpty:                                      // flip one bit
            bytes[index(below: bytes.count)] ^= UInt8(1 << (random.next() % 8))
        case 1 where !bytes.isEmpty:                                      // random byte
            bytes[index(below: bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        case 2:                                                           // truncate
            bytes.removeLast(bytes.count - index(below: bytes.count + 1))
        case 3:                                                           // insert random bytes
            let position = index(below: bytes.count + 1)
            let inserted = (0..<(1 + index(below: 16))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            bytes.insert(contentsOf: inserted, at: position)
        case 4 where !bytes.isEmpty:                                      // delete a range
            let position = index(below: bytes.count)
            let length = 1 + index(below: min(32, bytes.count - position))
            bytes.removeSubrange(position..<(position + length))
        case 5 where bytes.count >= 2:                                    // duplicate a range
            let position = index(below: bytes.count)
            let length = 1 + index(below: min(64, bytes.count - position))
            bytes.insert(contentsOf: bytes[position..<(position + length)], at: index(below: bytes.count + 1))
        case 6 where !bytes.isEmpty, 7 where !bytes.isEmpty:              // overwrite a length field
            let width = [1, 2, 4, 8][index(below: 4)]
            let value = interesting[index(below: interesting.count)] &+ UInt64(index(below: 3)) &- 1
            let position = index(below: bytes.count)
            let bigEndian = random.next() % 2 == 0
            for byteIndex in 0..<width where position + byteIndex < bytes.count {
                let shift = UInt64(8 * (bigEndian ? width - 1 - byteIndex : byteIndex))
                bytes[position + byteIndex] = UInt8(truncatingIfNeeded: value >> shift)
            }
        case 8 where !donors.isEmpty:                                     // splice in another input
            let donor = donors[index(below: donors.count)]
            guard !donor.isEmpty else { return }
            let from = index(below: donor.count)
            let length = 1 + index(below: min(64, donor.count - from))
            let position = index(below: bytes.count + 1)
            let end = min(bytes.count, position + length)
            bytes.replaceSubrange(position..<end, with: donor[from..<(from + length)])
        default:
            if !bytes.isEmpty { bytes[index(below: bytes.count)] &+= 1 }
        }
    }
}
