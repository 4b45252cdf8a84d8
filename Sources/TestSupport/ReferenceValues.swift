import Codecs
import DataFormats
import LessonSupport
import TensorEngine

/// SHA-256 over typed, length-prefixed parts: `text("ab") + text("c")` and `text("a") + text("bc")`
/// hash differently, and so do a Float 1 and an Int 1.
public struct ReferenceHasher {
    private var sha = SHA256()

    public init() {}

    public mutating func tag(_ t: UInt8) { sha.update([t]) }
    public mutating func integer(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { sha.update($0) } }
    public mutating func text(_ s: String) { tag(1); integer(s.utf8.count); sha.update(Array(s.utf8)) }
    public mutating func floats(_ values: [Float]) {
        tag(2); integer(values.count)
        values.withUnsafeBufferPointer { buffer in
            // The bit patterns, little-endian (every platform the course builds on is).
            UnsafeRawBufferPointer(buffer).withMemoryRebound(to: UInt8.self) { sha.update($0) }
        }
    }
    public mutating func shape(_ dims: [Int]) { tag(3); integer(dims.count); dims.forEach { integer($0) } }
    public mutating func finalize() -> [UInt8] { let copy = sha; return copy.finalize().bytes }
}

/// An input a reference answer depends on, fed into its key by its exact bits.
public protocol ReferenceInput {
    func feed(_ hasher: inout ReferenceHasher)
}

extension Tensor: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(10); hasher.shape(shape); hasher.floats(data)
    }
}

extension Module: ReferenceInput {
    /// The architecture (each submodule's name and type, training or evaluation mode), every
    /// parameter and buffer, and how many hooks it carries: two models with the same weights and
    /// layers give the same key, and a model with a hook someone left on it (which changes what it
    /// computes) another one.
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(11)
        hasher.integer(liveHookCount)
        for (name, module) in namedModules() {
            hasher.text(name); hasher.text(String(describing: type(of: module))); hasher.integer(module.isTraining ? 1 : 0)
        }
        for (name, tensor) in namedParameters() + namedBuffers() {
            hasher.text(name); tensor.feed(&hasher)
        }
    }
}

extension String: ReferenceInput { public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(12); hasher.text(self) } }
extension Int: ReferenceInput { public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(13); hasher.integer(self) } }
extension Float: ReferenceInput { public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(14); hasher.floats([self]) } }
extension Double: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(15); hasher.integer(Int(Int64(bitPattern: bitPattern))) }
}
extension UInt64: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(16); hasher.integer(Int(Int64(bitPattern: self))) }
}
extension Bool: ReferenceInput { public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(17); hasher.integer(self ? 1 : 0) } }
extension Array: ReferenceInput where Element: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) { hasher.tag(18); hasher.integer(count); forEach { $0.feed(&hasher) } }
}
extension Optional: ReferenceInput where Wrapped: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) {
        switch self {
        case .none: hasher.tag(19)
        case let .some(value): hasher.tag(20); value.feed(&hasher)
        }
    }
}

/// A value a reference answer can be recorded as and read back from.
public protocol Recordable {
    var recorded: RecordedValue { get }
    init(recorded: RecordedValue) throws
}

/// A recorded value of another form than the one asked for.
public struct RecordedFormMismatch: Error, CustomStringConvertible, Sendable {
    public let expected: String
    public init(expected: String) { self.expected = expected }
    public var description: String { "expected a recorded \(expected)" }
}

extension Tensor: Recordable {
    public var recorded: RecordedValue { .tensor(shape: shape, data: data) }
    public convenience init(recorded: RecordedValue) throws {
        guard case let .tensor(shape, data) = recorded else { throw RecordedFormMismatch(expected: "tensor") }
        try self.init(shape: shape, data: data)
    }
}

extension Array: Recordable where Element: Recordable {
    public var recorded: RecordedValue { .list(map(\.recorded)) }
    public init(recorded: RecordedValue) throws {
        guard case let .list(values) = recorded else { throw RecordedFormMismatch(expected: "list") }
        self = try values.map(Element.init(recorded:))
    }
}

extension Float: Recordable {
    public var recorded: RecordedValue { .floats([self]) }
    public init(recorded: RecordedValue) throws {
        guard case let .floats(v) = recorded, v.count == 1 else { throw RecordedFormMismatch(expected: "Float") }
        self = v[0]
    }
}

extension Double: Recordable {
    public var recorded: RecordedValue { .doubles([self]) }
    public init(recorded: RecordedValue) throws {
        guard case let .doubles(v) = recorded, v.count == 1 else { throw RecordedFormMismatch(expected: "Double") }
        self = v[0]
    }
}

extension Int: Recordable {
    public var recorded: RecordedValue { .integers([self]) }
    public init(recorded: RecordedValue) throws {
        guard case let .integers(v) = recorded, v.count == 1 else { throw RecordedFormMismatch(expected: "Int") }
        self = v[0]
    }
}

extension String: Recordable {
    public var recorded: RecordedValue { .text(self) }
    public init(recorded: RecordedValue) throws {
        guard case let .text(s) = recorded else { throw RecordedFormMismatch(expected: "text") }
        self = s
    }
}

/// Pairs, recorded as two-element lists: `(layer: String, activations: Tensor)`,
/// `(predicted: Int, probability: Float)`, `(activations: Tensor, gradients: Tensor)`.
public enum RecordedPairs {
    public static func encode<A: Recordable, B: Recordable>(_ pairs: [(A, B)]) -> RecordedValue {
        .list(pairs.map { .list([$0.0.recorded, $0.1.recorded]) })
    }
    public static func decode<A: Recordable, B: Recordable>(_ value: RecordedValue) throws -> [(A, B)] {
        guard case let .list(items) = value else { throw RecordedFormMismatch(expected: "list of pairs") }
        return try items.map { try pair($0) }
    }
    public static func pair<A: Recordable, B: Recordable>(_ value: RecordedValue) throws -> (A, B) {
        guard case let .list(parts) = value, parts.count == 2 else { throw RecordedFormMismatch(expected: "pair") }
        return (try A(recorded: parts[0]), try B(recorded: parts[1]))
    }
}

extension AscentSettings: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(21)
        [steps, blurEvery, jitter].forEach { hasher.integer($0) }
        hasher.floats([learningRate, l2, tv, blurSigma])
    }
}

extension DreamSettings: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(22)
        [octaves, steps, jitter].forEach { hasher.integer($0) }
        hasher.floats([octaveScale, stepSize])
    }
}

extension Matrix: ReferenceInput, Recordable {
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(23); hasher.shape([rows, columns])
        values.forEach { hasher.integer(Int(Int64(bitPattern: $0.bitPattern))) }
    }
    public var recorded: RecordedValue { .list([.integers([rows, columns]), .doubles(values)]) }
    public init(recorded: RecordedValue) throws {
        guard case let .list(parts) = recorded, parts.count == 2, case let .integers(size) = parts[0], size.count == 2,
              case let .doubles(values) = parts[1] else { throw RecordedFormMismatch(expected: "matrix") }
        try self.init(rows: size[0], columns: size[1], values: values)
    }
}

extension TSNESettings: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(24)
        [iterations, exaggerationIterations, Int(Int64(bitPattern: seed))].forEach { hasher.integer($0) }
        [perplexity, earlyExaggeration].forEach { hasher.integer(Int(Int64(bitPattern: $0.bitPattern))) }
        hasher.text(initialisation.rawValue)
    }
}

extension TSNEResult: Recordable {
    public var recorded: RecordedValue {
        .list([embedding.recorded, .integers(kl.map(\.iteration)), .doubles(kl.map(\.value)), .integers([iterations])])
    }
    public init(recorded: RecordedValue) throws {
        guard case let .list(parts) = recorded, parts.count == 4, case let .integers(at) = parts[1], case let .doubles(kl) = parts[2],
              at.count == kl.count, case let .integers(count) = parts[3], count.count == 1 else { throw RecordedFormMismatch(expected: "t-SNE result") }
        self.init(embedding: try Matrix(recorded: parts[0]), kl: Array(zip(at, kl)), iterations: count[0])
    }
}

/// Wrong answers a grader's hint recognises, each with its hint: computed by a lesson's
/// `Solutions/…/Hints.swift` (they spell out the method, so they are no test's code) and recorded
/// for the student edition as a list of `[values, hint]` pairs.
public enum RecordedHintVariants {
    public typealias Variants = [(values: [Float], hint: String)]
    public static func encode(_ variants: Variants) -> RecordedValue { .list(variants.map { .list([.floats($0.values), .text($0.hint)]) }) }
    public static func decode(_ value: RecordedValue) throws -> Variants {
        guard case let .list(items) = value else { throw RecordedFormMismatch(expected: "hint variants") }
        return try items.map {
            guard case let .list(parts) = $0, parts.count == 2, case let .floats(values) = parts[0], case let .text(hint) = parts[1]
            else { throw RecordedFormMismatch(expected: "hint variant") }
            return (values, hint)
        }
    }
}

extension LinearAutoencoderSettings: ReferenceInput {
    public func feed(_ hasher: inout ReferenceHasher) {
        hasher.tag(25)
        hasher.integer(steps)
        hasher.floats([learningRate, initialScale])
        hasher.integer(Int(Int64(bitPattern: seed)))
    }
}

extension LinearAutoencoder: Recordable {
    public var recorded: RecordedValue { .list([encoder.recorded, decoder.recorded, mean.recorded, .floats(losses)]) }
    public init(recorded: RecordedValue) throws {
        guard case let .list(parts) = recorded, parts.count == 4, case let .floats(losses) = parts[3] else {
            throw RecordedFormMismatch(expected: "linear autoencoder")
        }
        self.init(encoder: try Tensor(recorded: parts[0]), decoder: try Tensor(recorded: parts[1]), mean: try Tensor(recorded: parts[2]), losses: losses)
    }
}
