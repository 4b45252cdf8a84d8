// The reference's answers for lesson 09's graders: computed live by Solutions/09-Embeddings in the
// full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(EmbeddingsSolutions)
#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions
#endif
#endif
import DataFormats
import LessonSupport
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "09-Embeddings")

    static func features(of model: Module, at layer: String, for images: Tensor, batchSize: Int) throws -> Tensor {
        let label = "9.1 features(of:at:for:batchSize:)"
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [model, layer, images, batchSize]) {
            try EmbeddingsSolutions.features(of: model, at: layer, for: images, batchSize: batchSize)
        }
        #else
        return try book.answer(label, [model, layer, images, batchSize])
        #endif
    }

    /// 9.2's projection onto the first `k` components (9.5's start).
    static func pcaProjection(_ data: Matrix, components k: Int) throws -> Matrix {
        let label = "9.2 pca(_:components:) projection"
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [data, k]) { try EmbeddingsSolutions.pca(data, components: k).projection }
        #else
        return try book.answer(label, [data, k])
        #endif
    }

    /// 9.3's joint affinities P.
    static func jointAffinities(_ data: Matrix, perplexity: Double) throws -> Matrix {
        let label = "9.3 tsneAffinities(_:perplexity:) joint"
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [data, perplexity]) { try EmbeddingsSolutions.tsneAffinities(data, perplexity: perplexity).joint }
        #else
        return try book.answer(label, [data, perplexity])
        #endif
    }

    /// 9.4's KL(P‖Q) and gradient at `y`.
    static func tsneGradient(_ p: Matrix, _ y: Matrix) throws -> (kl: Double, gradient: Matrix) {
        let label = "9.4 tsneGradient(_:_:)"
        let decode: (RecordedValue) throws -> (kl: Double, gradient: Matrix) = { try RecordedPairs.pair($0) }
        let encode: ((kl: Double, gradient: Matrix)) -> RecordedValue = { .list([$0.kl.recorded, $0.gradient.recorded]) }
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [p, y], decode: decode, encode: encode) { try EmbeddingsSolutions.tsneGradient(p, y) }
        #else
        return try book.answer(label, [p, y], decode: decode, encode: encode)
        #endif
    }

    /// The catalogued 9.6 mistakes' values with their hints (see `trustworthinessHintVariants`).
    static func trustworthinessHintVariants(high: Matrix, low: Matrix, neighbours k: Int) throws -> RecordedHintVariants.Variants {
        let label = "9.6 hints: the catalogued mistakes' trustworthiness"
        let (decode, encode) = (RecordedHintVariants.decode, RecordedHintVariants.encode)
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [high, low, k], decode: decode, encode: encode) {
            try EmbeddingsSolutions.trustworthinessHintVariants(high: high, low: low, neighbours: k)
        }
        #else
        return try book.answer(label, [high, low, k], decode: decode, encode: encode)
        #endif
    }

    static func tsne(_ data: Matrix, settings: TSNESettings) throws -> TSNEResult {
        let label = "9.5 tsne(_:settings:)"
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [data, settings]) { try EmbeddingsSolutions.tsne(data, settings: settings) }
        #else
        return try book.answer(label, [data, settings])
        #endif
    }

    static func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
        let label = "9.6 trustworthiness(high:low:neighbours:)"
        #if canImport(EmbeddingsSolutions)
        return try book.answer(label, [high, low, k]) { try EmbeddingsSolutions.trustworthiness(high: high, low: low, neighbours: k) }
        #else
        return try book.answer(label, [high, low, k])
        #endif
    }
}
