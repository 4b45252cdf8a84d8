// The reference's answers for lesson 09's graders: computed live by Solutions/09-Embeddings in the
// full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(EmbeddingsSolutions)
#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions
#endif
#endif
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
