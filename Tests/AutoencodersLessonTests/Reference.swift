// The reference's answers for lesson 11's graders: computed live by Solutions/11-Autoencoders in
// the full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(AutoencodersSolutions)
import AutoencodersSolutions
import EmbeddingsSolutions
#endif
import DataFormats
import LessonSupport
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "11-Autoencoders")

    /// 11.1's loss and its gradients with respect to the encoder and the decoder: `[L, ∂L/∂E, ∂L/∂W]`.
    static func reconstructionError(of data: Tensor, encoder: Tensor, decoder: Tensor) throws -> [Tensor] {
        let label = "11.1 reconstructionError(of:encoder:decoder:) with gradients"
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [data, encoder, decoder]) {
            let (e, w) = (encoder.detached(), decoder.detached())
            e.requiresGrad = true; w.requiresGrad = true
            let loss = try AutoencodersSolutions.reconstructionError(of: data, encoder: e, decoder: w)
            try loss.backward()
            return [loss.detached(), try e.grad.orThrow("no encoder gradient"), try w.grad.orThrow("no decoder gradient")]
        }
        #else
        return try book.answer(label, [data, encoder, decoder])
        #endif
    }

    static func trainLinearAutoencoder(_ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws -> LinearAutoencoder {
        let label = "11.2 trainLinearAutoencoder(_:components:settings:)"
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [data, k, settings]) { try AutoencodersSolutions.trainLinearAutoencoder(data, components: k, settings: settings) }
        #else
        return try book.answer(label, [data, k, settings])
        #endif
    }

    static func encode(_ images: Tensor, with autoencoder: Module, batchSize: Int) throws -> Matrix {
        let label = "11.5 encode(_:with:batchSize:)"
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [images, autoencoder, batchSize]) { try AutoencodersSolutions.encode(images, with: autoencoder, batchSize: batchSize) }
        #else
        return try book.answer(label, [images, autoencoder, batchSize])
        #endif
    }

    /// Lesson 09's exact t-SNE of `data` (9.5's reference): the map 11.6 is given.
    static func tsneMap(_ data: Matrix, settings: TSNESettings) throws -> Matrix {
        let label = "11.6 input: 9.5 tsne(_:settings:) embedding"
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [data, settings]) { try EmbeddingsSolutions.tsne(data, settings: settings).embedding }
        #else
        return try book.answer(label, [data, settings])
        #endif
    }

    /// Lesson 09's 9.6 (the reference's), on 11.6's inputs.
    static func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
        let label = "11.6 input: 9.6 trustworthiness(high:low:neighbours:)"
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [high, low, k]) { try EmbeddingsSolutions.trustworthiness(high: high, low: low, neighbours: k) }
        #else
        return try book.answer(label, [high, low, k])
        #endif
    }

    static func mapComparison(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> [Double] {
        let label = "11.6 mapComparison(of:fitted:heldOut:tsneMap:neighbours:)"
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [autoencoder, fitted, heldOut, tsneMap, k]) {
            let r = try AutoencodersSolutions.mapComparison(of: autoencoder, fitted: fitted, heldOut: heldOut, tsneMap: tsneMap, neighbours: k)
            return [r.tsne, r.codes, r.newCodes]
        }
        #else
        return try book.answer(label, [autoencoder, fitted, heldOut, tsneMap, k])
        #endif
    }

    /// The catalogued 11.6 mistakes' scores with their hints (see `mapComparisonHintVariants`).
    static func mapComparisonHintVariants(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> RecordedHintVariants.Variants {
        let label = "11.6 hints: the catalogued mistakes' scores"
        let (decode, encode) = (RecordedHintVariants.decode, RecordedHintVariants.encode)
        #if canImport(AutoencodersSolutions)
        return try book.answer(label, [autoencoder, fitted, heldOut, tsneMap, k], decode: decode, encode: encode) {
            try AutoencodersSolutions.mapComparisonHintVariants(of: autoencoder, fitted: fitted, heldOut: heldOut, tsneMap: tsneMap, neighbours: k)
        }
        #else
        return try book.answer(label, [autoencoder, fitted, heldOut, tsneMap, k], decode: decode, encode: encode)
        #endif
    }
}
