import Codecs
import DataFormats
import Foundation
import LessonSupport
import TensorEngine

/// Where a lesson's graders get the reference's answers: computed live from `Solutions/` (the full
/// edition), or read from the lesson's recorded references (the student edition, which has no
/// `Solutions/`; or the full edition with `WORKBOOK_REFERENCES=recorded`, to prove both agree).
///
/// Each lesson's tests call the reference through one small facade (`Tests/<Topic>LessonTests/
/// Reference.swift`) whose functions have the reference's signatures and end in `answer(…)`:
///
///     static func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
///         #if canImport(HooksSolutions)
///         try book.answer("1.1 activations(of:at:for:)", [model, layer, images]) {
///             try HooksSolutions.activations(of: model, at: layer, for: images)
///         }
///         #else
///         try book.answer("1.1 activations(of:at:for:)", [model, layer, images])
///         #endif
///     }
///
/// A call is found by its key: the SHA-256 of the label and of every input's exact bits (a model's
/// architecture and weights, a tensor's shape and values). The tests build those inputs from the
/// shipped fixtures, seeds and earlier recorded answers only — never from engine arithmetic in the
/// test or from the student's output — so the keys are the same on every machine.
///
/// Recording: `workbook record-references` runs the graders live with
/// `WORKBOOK_RECORD_REFERENCES=DIR`; every answer is appended to a journal there, and the command
/// merges the journals into `Tests/<Topic>LessonTests/Recorded/references.wbref` (sorted, so the
/// same calls give the same bytes).
public final class ReferenceBook: @unchecked Sendable {
    /// `01-Hooks`.
    public let lesson: String
    private let lock = NSLock()
    private var loaded: Result<[[UInt8]: RecordedValue], Error>?
    private var journal: FileHandle?
    private var journalOpened = false

    public init(lesson: String) { self.lesson = lesson }

    /// `Tests/<Topic>LessonTests/Recorded/references.wbref`.
    public static func file(for lesson: String) -> URL {
        let topic = String(lesson.drop { $0 != "-" }.dropFirst())
        return LessonPaths.root.appendingPathComponent("Tests/\(topic)LessonTests/Recorded/references.wbref")
    }

    /// Whether answers come from the recorded file even where the reference could run
    /// (`WORKBOOK_REFERENCES=recorded`).
    public static let replaysRecorded: Bool = ProcessInfo.processInfo.environment["WORKBOOK_REFERENCES"] == "recorded"

    /// The reference's answer for `inputs`: `live()` when there is a live reference (and replay is
    /// not asked for), else the recorded value. A recorded error is thrown again.
    public func answer<T: Recordable>(_ label: String, _ inputs: [any ReferenceInput], live: (() throws -> T)? = nil) throws -> T {
        try answer(label, inputs, decode: T.init(recorded:), encode: { $0.recorded }, live: live)
    }

    /// `answer` for values that are not `Recordable` (tuples): the caller says how to turn the value
    /// into a `RecordedValue` and back.
    public func answer<T>(_ label: String, _ inputs: [any ReferenceInput], decode: (RecordedValue) throws -> T,
                          encode: (T) -> RecordedValue, live: (() throws -> T)? = nil) throws -> T {
        let key = Self.key(label, inputs)
        if let live, !Self.replaysRecorded {
            do {
                let value = try live()
                record(key, label, encode(value))
                checkAgainstRecord(key, label, encode(value))
                return value
            } catch let error as ExerciseNotStarted {
                throw error
            } catch {
                record(key, label, .thrown("\(error)"))
                checkAgainstRecord(key, label, .thrown("\(error)"))
                throw error
            }
        }
        let table = try recorded()
        guard let value = table[key] else {
            throw ReferenceNotRecorded(label: label, file: Self.file(for: lesson).path)
        }
        if case let .thrown(message) = value { throw RecordedReferenceError(message: message) }
        do { return try decode(value) } catch {
            throw RecordedReferenceError(message: "the recorded answer of \(label) has the wrong form: \(error)")
        }
    }

    /// The key of a call: SHA-256 over a version tag, the label and each input's bits.
    public static func key(_ label: String, _ inputs: [any ReferenceInput]) -> [UInt8] {
        var hasher = ReferenceHasher()
        hasher.text("workbook recorded reference v1")
        hasher.text(label)
        for input in inputs { input.feed(&hasher) }
        return hasher.finalize()
    }

    private func recorded() throws -> [[UInt8]: RecordedValue] {
        try lock.withLock {
            if loaded == nil {
                loaded = Result {
                    let entries = try RecordedReferences.read(Self.file(for: lesson))
                    return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                }
            }
            return try loaded!.get()
        }
    }

    /// With `WORKBOOK_REFERENCE_MISMATCHES=FILE` (what `verify` sets), every live answer is also
    /// looked up in the recorded references, and each one missing there or different (beyond 1e-5
    /// of its scale: the engine's last bits may differ between machines) is appended to FILE as one
    /// line. No line for a whole run means the student edition's graders, which see the recorded
    /// answers, see the same answers as the live graders did: the same verdicts and messages.
    private func checkAgainstRecord(_ key: [UInt8], _ label: String, _ live: RecordedValue) {
        guard let path = ProcessInfo.processInfo.environment["WORKBOOK_REFERENCE_MISMATCHES"], !path.isEmpty else { return }
        let problem: String?
        switch Result(catching: { try recorded() }) {
        case let .failure(error): problem = "the recorded references cannot be read: \(error)"
        case let .success(table):
            if let stored = table[key] {
                problem = Self.agree(stored, live) ? nil : "the recorded answer differs from the live one"
            } else {
                problem = "no recorded answer for these inputs"
            }
        }
        guard let problem else { return }
        let line = Data("\(lesson) \(label): \(problem)\n".utf8)
        lock.withLock {
            if let handle = FileHandle(forWritingAtPath: path) ?? {
                FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
            }() {
                handle.seekToEndOfFile(); handle.write(line); try? handle.close()
            }
        }
    }

    /// Equal forms, texts and integers, and numbers within 1e-5 of the larger magnitude (NaN = NaN).
    static func agree(_ a: RecordedValue, _ b: RecordedValue) -> Bool {
        func close(_ x: [Double], _ y: [Double]) -> Bool {
            guard x.count == y.count else { return false }
            let scale = max(x.map { $0.isFinite ? abs($0) : 0 }.max() ?? 0, y.map { $0.isFinite ? abs($0) : 0 }.max() ?? 0, 1e-30)
            return zip(x, y).allSatisfy { p, q in (p.isNaN && q.isNaN) || p == q || abs(p - q) <= 1e-5 * scale }
        }
        switch (a, b) {
        case let (.tensor(s1, d1), .tensor(s2, d2)): return s1 == s2 && close(d1.map(Double.init), d2.map(Double.init))
        case let (.floats(x), .floats(y)): return close(x.map(Double.init), y.map(Double.init))
        case let (.doubles(x), .doubles(y)): return close(x, y)
        case let (.list(x), .list(y)): return x.count == y.count && zip(x, y).allSatisfy { agree($0, $1) }
        default: return a == b
        }
    }

    private func record(_ key: [UInt8], _ label: String, _ value: RecordedValue) {
        guard let folder = ProcessInfo.processInfo.environment["WORKBOOK_RECORD_REFERENCES"], !folder.isEmpty else { return }
        guard let bytes = try? RecordedReferences.journalRecord(RecordedEntry(key: key, label: label, value: value)) else { return }
        lock.withLock {
            if !journalOpened {
                journalOpened = true
                let url = URL(fileURLWithPath: folder).appendingPathComponent("\(lesson)-\(getpid())-\(UUID().uuidString).journal")
                if FileManager.default.createFile(atPath: url.path, contents: nil) { journal = FileHandle(forWritingAtPath: url.path) }
            }
            journal?.write(Data(bytes))
        }
    }
}

/// A grader asked for a reference answer that was never recorded.
public struct ReferenceNotRecorded: Error, CustomStringConvertible, Sendable {
    public let label: String, file: String
    public var description: String {
        "no recorded reference answer for \(label) with these inputs in \(file): if your code left a hook on the model, remove it; otherwise the recorded references are out of date (an instructor regenerates them with `swift run workbook record-references`)"
    }
}

/// A recorded answer that is an error, thrown again on replay (e.g. "unknown layer 'conv9'").
public struct RecordedReferenceError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
