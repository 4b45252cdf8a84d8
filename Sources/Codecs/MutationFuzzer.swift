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
/// A parser passes when every mutant either decodes or throws within the per-input time budget;
/// a crash fails the test run, an input over the budget is reported in `Report.slowInputs` (with
/// its iteration and size), and an input still running after `hangSeconds` stops the process
/// with a message naming it. Free of any test framework, so XCTest and Swift Testing suites can
/// both use it.
///
///     var fuzzer = MutationFuzzer(seed: 42)
///     let report = fuzzer.run(seeds: [validFile], iterations: MutationFuzzer.iterations(default: 2000)) {
///         _ = try Gzip.decompress($0, maxOutputSize: 1 << 20)
///     }
///     #expect(report.slowInputs.isEmpty, "\(report)")
public struct MutationFuzzer {
    /// One input that took longer than the budget.
    public struct SlowInput: Sendable, CustomStringConvertible {
        public var iteration: Int
        public var size: Int
        public var seconds: Double
        public var description: String {
            "input \(iteration) (\(size) bytes) took \(String(format: "%.2f", seconds)) s"
        }
    }

    /// What a fuzz run did: how many mutants were decoded and how many were rejected.
    public struct Report: Sendable, CustomStringConvertible {
        public var iterations = 0
        public var accepted = 0
        public var rejected = 0
        public var seconds = 0.0
        /// The per-input budget the run was held to, in seconds.
        public var budget = 0.0
        /// The slowest input and its time, whether or not it was over the budget.
        public var slowest: SlowInput? = nil
        /// Inputs over the budget (the first 20; `slowCount` counts all).
        public var slowInputs: [SlowInput] = []
        public var slowCount = 0
        public var description: String {
            var text = "\(iterations) inputs: \(accepted) decoded, \(rejected) rejected, in \(String(format: "%.2f", seconds)) s"
            if let slowest { text += "; slowest \(slowest)" }
            if slowCount > 0 {
                text += "; \(slowCount) over the \(budget) s budget: " + slowInputs.prefix(5).map(\.description).joined(separator: ", ")
            }
            return text
        }
    }

    private var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The long mode's input count (`WORKBOOK_FUZZ_LONG=1`).
    public static let longIterations = 1_000_000

    /// The iteration count for a fuzz test: `WORKBOOK_FUZZ_ITERATIONS` from the environment when
    /// set, otherwise at least `longIterations` when `WORKBOOK_FUZZ_LONG=1` (the long mode),
    /// otherwise `defaultCount` (the quick normal-run mode).
    public static func iterations(default defaultCount: Int) -> Int {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["WORKBOOK_FUZZ_ITERATIONS"], let count = Int(text), count > 0 {
            return count
        }
        if environment["WORKBOOK_FUZZ_LONG"] == "1" { return max(defaultCount, longIterations) }
        return defaultCount
    }

    /// The per-input time budget in seconds: `WORKBOOK_FUZZ_BUDGET` when set, otherwise 1.
    public static var perInputBudget: Double {
        if let text = ProcessInfo.processInfo.environment["WORKBOOK_FUZZ_BUDGET"], let value = Double(text), value > 0 {
            return value
        }
        return 1
    }

    /// An input still running after this many seconds is a hang: the process stops, naming it.
    public static func hangSeconds(budget: Double) -> Double { max(60, 30 * budget) }

    /// Feeds `iterations` mutants of `seeds` to `body`, counting successes and thrown errors and
    /// timing each input against `budget` seconds.
    public mutating func run(seeds: [[UInt8]], iterations: Int, budget: Double = perInputBudget,
                             _ body: ([UInt8]) throws -> Void) -> Report {
        precondition(!seeds.isEmpty, "the fuzzer needs at least one valid input to mutate")
        return Self.run(iterations: iterations, budget: budget, input: { _ in
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            return mutate(seed, donors: seeds)
        }, body)
    }

    /// Feeds `iterations` inputs made by `input` (given the iteration number) to `body`, counting
    /// successes and thrown errors and timing each input against `budget` seconds. For fuzzers
    /// whose inputs are built by structured mutation rather than `mutate`.
    public static func run(iterations: Int, budget: Double = perInputBudget,
                           input: (Int) -> [UInt8], _ body: ([UInt8]) throws -> Void) -> Report {
        var report = Report()
        report.budget = budget
        let clock = ContinuousClock()
        let start = clock.now
        let watchdog = Watchdog(hangSeconds: hangSeconds(budget: budget))
        defer { watchdog.stop() }
        for iteration in 0..<iterations {
            let mutant = input(iteration)
            watchdog.begin(iteration: iteration, size: mutant.count)
            let inputStart = clock.now
            do {
                try body(mutant)
                report.accepted += 1
            } catch {
                report.rejected += 1
            }
            let elapsed = clock.now - inputStart
            watchdog.end()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds > report.slowest?.seconds ?? -1 {
                report.slowest = SlowInput(iteration: iteration, size: mutant.count, seconds: seconds)
            }
            if seconds > budget {
                report.slowCount += 1
                if report.slowInputs.count < 20 {
                    report.slowInputs.append(SlowInput(iteration: iteration, size: mutant.count, seconds: seconds))
                }
            }
            report.iterations += 1
        }
        let total = clock.now - start
        report.seconds = Double(total.components.seconds) + Double(total.components.attoseconds) * 1e-18
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

/// Stops the process when one fuzz input runs far beyond its budget: a hang would otherwise
/// stall the test run forever without saying which input caused it.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: ContinuousClock.Instant? = nil
    private var iteration = 0, size = 0
    private var stopped = false

    init(hangSeconds: Double) {
        let limit = Duration.milliseconds(Int64(hangSeconds * 1000))
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                lock.lock()
                if stopped { lock.unlock(); return }
                if let started, ContinuousClock.now - started > limit {
                    let message = "fuzz: input \(iteration) (\(size) bytes) has run for more than \(limit): a hang; stopping\n"
                    lock.unlock()
                    FileHandle.standardError.write(Data(message.utf8))
                    fatalError(message)
                }
                lock.unlock()
            }
        }
        thread.start()
    }

    func begin(iteration: Int, size: Int) {
        lock.lock(); started = .now; self.iteration = iteration; self.size = size; lock.unlock()
    }

    func end() { lock.lock(); started = nil; lock.unlock() }

    func stop() { lock.lock(); stopped = true; lock.unlock() }
}
