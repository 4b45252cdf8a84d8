import Foundation
import LessonSupport
import TensorEngine
import Testing

/// Held-out inputs: drawn when the graders run, so an answer that only works on the visible tests'
/// fixed inputs (one hard-coded from the fixtures, or from the recorded references) fails.
///
/// Each lesson has one held-out test per graded exercise (`Tests/<Topic>LessonTests/HeldOutTests.swift`):
/// it draws a few inputs — MNIST test images, classes, layers, sizes, seeded weights — calls the
/// student's exercise and the reference on them, and compares. They need the reference *live*, so
/// they exist only where `Solutions/` is compiled in: the full edition, and the Gradescope judge,
/// which `setup.sh` builds from the full course while the student's code runs in a lesson runner
/// built from the student edition (it cannot read the reference). The student edition, which grades
/// from recorded answers for fixed inputs, has none.
///
/// The draw is seeded by `WORKBOOK_HELD_OUT_SEED` (a decimal `UInt64`): `workbook grade` draws a
/// new one for every grading and prints it, so an instructor can replay a student's grade exactly
/// (`workbook grade --held-out-seed S`). Without it (`swift test`, `verify`) the seed is
/// `defaultSeed`, so those runs are reproducible. Each exercise mixes its number into the seed, so
/// its draw does not depend on which other tests run.
public enum HeldOut {
    /// The seed of runs that set none.
    public static let defaultSeed: UInt64 = 20_261_205

    /// `WORKBOOK_HELD_OUT_SEED`, or `defaultSeed` (an unreadable value is reported by the first
    /// held-out test rather than silently replaced).
    public static let seed: Result<UInt64, HeldOutSeedError> = {
        guard let text = ProcessInfo.processInfo.environment["WORKBOOK_HELD_OUT_SEED"], !text.isEmpty else { return .success(defaultSeed) }
        guard let value = UInt64(text) else { return .failure(HeldOutSeedError(text: text)) }
        return .success(value)
    }()
}

/// `WORKBOOK_HELD_OUT_SEED` is not a decimal `UInt64`.
public struct HeldOutSeedError: Error, CustomStringConvertible, Sendable {
    public let text: String
    public var description: String { "WORKBOOK_HELD_OUT_SEED=\(text) is not a whole number in 0…\(UInt64.max)" }
}

/// One exercise's held-out draw and its checks. Every draw is noted, so a failure says exactly
/// which inputs it was ("MNIST test images 812, 77; classes 3, 1; layer relu2").
public final class HeldOutInputs {
    /// `5.2`.
    public let exercise: String
    public let seed: UInt64
    private var generator: SeededGenerator
    private var notes: [String] = []

    /// The draw for `exercise` (its number, e.g. "5.2"). Throws when `WORKBOOK_HELD_OUT_SEED` is unreadable.
    public init(_ exercise: String) throws {
        self.exercise = exercise
        seed = try HeldOut.seed.get()
        // FNV-1a of the exercise number, mixed into the seed: a different draw for each exercise.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in exercise.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        generator = SeededGenerator(seed: seed ^ hash)
    }

    // MARK: Drawing

    /// A whole number in `range`, noted as `what` when given.
    public func int(in range: ClosedRange<Int>, _ what: String? = nil) -> Int {
        let value = range.lowerBound + Int(generator.next() % UInt64(range.count))
        if let what { notes.append("\(what) \(value)") }
        return value
    }

    /// A number in [low, high), noted as `what` when given.
    public func float(in low: Float, _ high: Float, _ what: String? = nil) -> Float {
        let value = low + (high - low) * generator.nextFloat()
        if let what { notes.append("\(what) \(value)") }
        return value
    }

    /// One of `options`, noted as `what` when given.
    public func pick<T>(_ options: [T], _ what: String? = nil) -> T {
        let value = options[Int(generator.next() % UInt64(options.count))]
        if let what { notes.append("\(what) \(value)") }
        return value
    }

    /// `count` classes in `0..<classes` (repeats allowed).
    public func classes(_ count: Int, of classes: Int = 10) -> [Int] {
        let values = (0..<count).map { _ in Int(generator.next() % UInt64(classes)) }
        notes.append("classes " + values.map(String.init).joined(separator: ", "))
        return values
    }

    /// A fresh seed for a seeded exercise (SmoothGrad's noise, an autoencoder's weights).
    public func seed(_ what: String = "the exercise's seed") -> UInt64 {
        let value = generator.next() % 1_000_000
        notes.append("\(what) \(value)")
        return value
    }

    /// `count` distinct MNIST test images, `[count, 1, 28, 28]`, with their labels: any of the
    /// test set, or of `pool` (indices) when given.
    public func mnistImages(_ count: Int, among pool: [Int]? = nil) throws -> (images: Tensor, labels: [Int]) {
        let total = try pool?.count ?? Fixtures.mnistTest().count
        var chosen: [Int] = []
        while chosen.count < min(count, total) {
            let index = pool.map { $0[Int(generator.next() % UInt64(total))] } ?? Int(generator.next() % UInt64(total))
            if !chosen.contains(index) { chosen.append(index) }
        }
        notes.append("MNIST test images " + chosen.map(String.init).joined(separator: ", "))
        return try Fixtures.mnistImages(chosen)
    }

    /// Uniform values in [low, high) of `shape`, noted as `what`.
    public func uniform(_ shape: [Int], low: Float = -1, high: Float = 1, _ what: String) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { _ in low + (high - low) * generator.nextFloat() }
        notes.append("\(what) (\(shape.map(String.init).joined(separator: "×")), uniform in [\(low), \(high)))")
        return tensor(values, shape)
    }

    /// A matrix of normal values, noted as `what`.
    public func normalMatrix(rows: Int, columns: Int, _ what: String) throws -> Matrix {
        let values = (0..<(rows * columns)).map { _ in Double(generator.nextNormal()) }
        notes.append("\(what) (\(rows)×\(columns), standard normal)")
        return try Matrix(rows: rows, columns: columns, values: values)
    }

    /// Notes something drawn another way (a model's seeded weights).
    public func note(_ text: String) { notes.append(text) }

    /// What was drawn, for messages.
    public var drawn: String { (notes + ["held-out seed \(seed)"]).joined(separator: "; ") }

    // MARK: Checking

    /// Records a failure: the message says these are held-out inputs, which ones, and how to rerun them.
    public func fail(_ problem: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Issue.record(Comment(rawValue: "on held-out inputs drawn at grading time (\(drawn)): \(problem)\n"
                                  + "  your code must work for any input, not only the visible tests' "
                                  + "(the same inputs again, in the full edition: WORKBOOK_HELD_OUT_SEED=\(seed) swift test --filter HeldOut)"),
                     sourceLocation: sourceLocation)
    }

    /// Compares a tensor with the reference's (shape, then values within `tolerance` of the
    /// reference's largest magnitude, as `MapDiagnosis.compare`). Returns whether they agree.
    @discardableResult
    public func check(_ received: Tensor, _ expected: Tensor, _ what: String, tolerance: Float = 1e-4,
                      sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        check(received.data, expected.data, what, shape: expected.shape, receivedShape: received.shape, tolerance: tolerance, sourceLocation: sourceLocation)
    }

    /// Compares numbers with the reference's, within `tolerance` of their largest magnitude (at least 1).
    @discardableResult
    public func check(_ received: [Float], _ expected: [Float], _ what: String, shape: [Int]? = nil, receivedShape: [Int]? = nil,
                      tolerance: Float = 1e-4, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let problem = MapDiagnosis.compare(received: received, expected: expected, shape: shape ?? [expected.count],
                                                 receivedShape: receivedShape, tolerance: tolerance, what: what) else { return true }
        fail(problem, sourceLocation: sourceLocation)
        return false
    }

    /// Compares a tensor made of sign steps (FGSM, PGD) with the reference's. Where the gradient is
    /// within rounding of zero, its sign is noise: a correct implementation written differently (a
    /// summed loss, Double arithmetic) may step the other way there. So values must agree within
    /// 1e-5 wherever `gradient` (the loss's, by the engine, at the point stepped from) is above
    /// 1e-3 of its largest magnitude, and elsewhere within one sign flip (`step`).
    @discardableResult
    public func checkSteps(_ received: Tensor, _ expected: Tensor, _ what: String, gradient: [Float], step: Float,
                           sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard received.shape == expected.shape, gradient.count == expected.count else {
            return check(received, expected, what, sourceLocation: sourceLocation)
        }
        let threshold = 1e-3 * (gradient.map { Swift.abs($0) }.max() ?? 0)
        var clear = 0, loose = 0
        for i in 0..<expected.count {
            let difference = Swift.abs(received.data[i] - expected.data[i])
            if Swift.abs(gradient[i]) > threshold { if !(difference <= 1e-5) { clear += 1 } }
            else if !(difference <= step + 1e-5) { loose += 1 }
        }
        if clear == 0 && loose == 0 { return true }
        return check(received, expected, "\(what) (\(clear) values differ where the gradient is clearly not 0"
                     + (loose > 0 ? ", \(loose) by more than one step elsewhere" : "") + ")",
                     tolerance: 1e-5, sourceLocation: sourceLocation)
    }

    /// Compares doubles with the reference's, within `tolerance` of their largest magnitude (at least 1).
    @discardableResult
    public func check(_ received: [Double], _ expected: [Double], _ what: String, tolerance: Double = 1e-6,
                      sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard received.count == expected.count else {
            fail("\(what): your result has \(received.count) values, the reference \(expected.count)", sourceLocation: sourceLocation)
            return false
        }
        let scale = max(expected.map { Swift.abs($0) }.max() ?? 0, 1)
        if let index = received.indices.first(where: { !(Swift.abs(received[$0] - expected[$0]) <= tolerance * scale) }) {
            fail("\(what) differs from the reference: first at index \(index), received \(received[index]), expected \(expected[index]) "
                 + "(\(zip(received, expected).filter { !(Swift.abs($0 - $1) <= tolerance * scale) }.count) of \(expected.count) differ)",
                 sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// Compares a matrix with the reference's, within `tolerance` of its largest magnitude.
    @discardableResult
    public func check(_ received: Matrix, _ expected: Matrix, _ what: String, tolerance: Double = 1e-6,
                      sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard received.rows == expected.rows, received.columns == expected.columns else {
            fail("\(what): your result is \(received.rows)×\(received.columns), the reference \(expected.rows)×\(expected.columns)", sourceLocation: sourceLocation)
            return false
        }
        return check(received.values, expected.values, what, tolerance: tolerance, sourceLocation: sourceLocation)
    }

    /// Compares exactly (integers, shapes, windows, classes).
    @discardableResult
    public func checkEqual<T: Equatable>(_ received: T, _ expected: T, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if received == expected { return true }
        fail("\(what): received \(received), the reference \(expected)", sourceLocation: sourceLocation)
        return false
    }
}
