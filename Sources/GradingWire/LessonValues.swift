import LessonSupport
import TensorEngine

// The lessons' own argument and result types on the wire: each as its fields, in declaration
// order, after a struct tag. (A field added to one of these types must be added here too; the
// graders' round trip through the runner in `verify --runner` fails until it is.)

extension Range: WireCodable where Bound == Int {
    public func encode(into writer: inout WireWriter) throws { try WirePair(lowerBound, upperBound).encode(into: &writer) }
    public static func decode(from reader: inout WireReader) throws -> Range<Int> {
        let pair = try WirePair<Int, Int>.decode(from: &reader)
        guard pair.first <= pair.second else { throw WireError("a range \(pair.first)..<\(pair.second)") }
        return pair.first..<pair.second
    }
}

extension RemovalOrder: WireEnum {}
extension TSNEInitialisation: WireEnum {}

extension WireWriter {
    mutating func record(_ name: String) { write(WireTag.record.rawValue); write(name) }
}

extension WireReader {
    mutating func record(_ name: String) throws {
        try expect(.record, name)
        let found = try readString("a record's name")
        guard found == name else { throw WireError("expected a \(name), found a \(found)") }
    }
}

extension AscentSettings: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("AscentSettings")
        for value in [steps, blurEvery, jitter] { value.encode(into: &writer) }
        for value in [learningRate, l2, tv, blurSigma] { value.encode(into: &writer) }
    }
    public static func decode(from reader: inout WireReader) throws -> AscentSettings {
        try reader.record("AscentSettings")
        let (steps, blurEvery, jitter) = (try Int.decode(from: &reader), try Int.decode(from: &reader), try Int.decode(from: &reader))
        let (rate, l2, tv, sigma) = (try Float.decode(from: &reader), try Float.decode(from: &reader), try Float.decode(from: &reader), try Float.decode(from: &reader))
        return AscentSettings(steps: steps, learningRate: rate, l2: l2, tv: tv, blurEvery: blurEvery, blurSigma: sigma, jitter: jitter)
    }
}

extension DreamSettings: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("DreamSettings")
        for value in [octaves, steps, jitter] { value.encode(into: &writer) }
        for value in [octaveScale, stepSize] { value.encode(into: &writer) }
    }
    public static func decode(from reader: inout WireReader) throws -> DreamSettings {
        try reader.record("DreamSettings")
        let (octaves, steps, jitter) = (try Int.decode(from: &reader), try Int.decode(from: &reader), try Int.decode(from: &reader))
        let (scale, size) = (try Float.decode(from: &reader), try Float.decode(from: &reader))
        return DreamSettings(octaves: octaves, octaveScale: scale, steps: steps, stepSize: size, jitter: jitter)
    }
}

extension TSNESettings: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("TSNESettings")
        perplexity.encode(into: &writer); iterations.encode(into: &writer); earlyExaggeration.encode(into: &writer)
        exaggerationIterations.encode(into: &writer); initialisation.encode(into: &writer); seed.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> TSNESettings {
        try reader.record("TSNESettings")
        return TSNESettings(perplexity: try Double.decode(from: &reader), iterations: try Int.decode(from: &reader),
                            earlyExaggeration: try Double.decode(from: &reader), exaggerationIterations: try Int.decode(from: &reader),
                            initialisation: try TSNEInitialisation.decode(from: &reader), seed: try UInt64.decode(from: &reader))
    }
}

extension LinearAutoencoderSettings: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("LinearAutoencoderSettings")
        steps.encode(into: &writer); learningRate.encode(into: &writer); initialScale.encode(into: &writer); seed.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> LinearAutoencoderSettings {
        try reader.record("LinearAutoencoderSettings")
        return LinearAutoencoderSettings(steps: try Int.decode(from: &reader), learningRate: try Float.decode(from: &reader),
                                         initialScale: try Float.decode(from: &reader), seed: try UInt64.decode(from: &reader))
    }
}

extension PCAResult: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("PCAResult")
        components.encode(into: &writer); try explainedVarianceRatio.encode(into: &writer); projection.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> PCAResult {
        try reader.record("PCAResult")
        return PCAResult(components: try Matrix.decode(from: &reader), explainedVarianceRatio: try [Double].decode(from: &reader),
                         projection: try Matrix.decode(from: &reader))
    }
}

extension Affinities: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("Affinities")
        conditional.encode(into: &writer); joint.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> Affinities {
        try reader.record("Affinities")
        return Affinities(conditional: try Matrix.decode(from: &reader), joint: try Matrix.decode(from: &reader))
    }
}

extension TSNEResult: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("TSNEResult")
        embedding.encode(into: &writer)
        try kl.map { WirePair($0.iteration, $0.value) }.encode(into: &writer)
        iterations.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> TSNEResult {
        try reader.record("TSNEResult")
        let embedding = try Matrix.decode(from: &reader)
        let kl = try [WirePair<Int, Double>].decode(from: &reader).map { (iteration: $0.first, value: $0.second) }
        return TSNEResult(embedding: embedding, kl: kl, iterations: try Int.decode(from: &reader))
    }
}

extension LinearAutoencoder: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("LinearAutoencoder")
        encoder.encode(into: &writer); decoder.encode(into: &writer); mean.encode(into: &writer); try losses.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> LinearAutoencoder {
        try reader.record("LinearAutoencoder")
        return LinearAutoencoder(encoder: try Tensor.decode(from: &reader), decoder: try Tensor.decode(from: &reader),
                                 mean: try Tensor.decode(from: &reader), losses: try [Float].decode(from: &reader))
    }
}

extension MapComparison: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.record("MapComparison")
        tsne.encode(into: &writer); codes.encode(into: &writer); newCodes.encode(into: &writer)
    }
    public static func decode(from reader: inout WireReader) throws -> MapComparison {
        try reader.record("MapComparison")
        return MapComparison(tsne: try Double.decode(from: &reader), codes: try Double.decode(from: &reader), newCodes: try Double.decode(from: &reader))
    }
}
