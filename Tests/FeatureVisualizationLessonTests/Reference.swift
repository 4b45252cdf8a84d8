// The reference's answers for lesson 08's graders: computed live by Solutions/08-FeatureVisualization
// in the full edition, read from Recorded/references.wbref where there is no Solutions/ (the
// student edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(FeatureVisualizationSolutions)
#if canImport(FeatureVisualizationSolutions)
import FeatureVisualizationSolutions
#endif
#endif
import DataFormats
import LessonSupport
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "08-FeatureVisualization")

    typealias Ascent = (image: Tensor, objectives: [Float])
    static let decodeAscent: @Sendable (RecordedValue) throws -> Ascent = { try RecordedPairs.pair($0) }
    static let encodeAscent: @Sendable (Ascent) -> RecordedValue = { .list([$0.image.recorded, $0.objectives.recorded]) }

    static func classImage(of model: Module, target: Int, start: Tensor, steps: Int, learningRate: Float, l2: Float) throws -> Ascent {
        let label = "8.1 classImage(of:target:start:steps:learningRate:l2:)"
        let inputs: [any ReferenceInput] = [model, target, start, steps, learningRate, l2]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs, decode: decodeAscent, encode: encodeAscent) {
            try FeatureVisualizationSolutions.classImage(of: model, target: target, start: start, steps: steps, learningRate: learningRate, l2: l2)
        }
        #else
        return try book.answer(label, inputs, decode: decodeAscent, encode: encodeAscent)
        #endif
    }

    static func totalVariation(_ images: Tensor) throws -> Tensor {
        let label = "8.2 totalVariation(_:)"
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, [images]) { try FeatureVisualizationSolutions.totalVariation(images) }
        #else
        return try book.answer(label, [images])
        #endif
    }

    static func gaussianKernel(sigma: Float) throws -> [Float] {
        let label = "8.3 gaussianKernel(sigma:)"
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, [sigma], decode: { guard case let .floats(v) = $0 else { throw RecordedFormMismatch(expected: "floats") }; return v },
                               encode: { .floats($0) }) { FeatureVisualizationSolutions.gaussianKernel(sigma: sigma) }
        #else
        return try book.answer(label, [sigma], decode: { guard case let .floats(v) = $0 else { throw RecordedFormMismatch(expected: "floats") }; return v },
                               encode: { .floats($0) })
        #endif
    }

    static func gaussianBlur(_ images: Tensor, sigma: Float) throws -> Tensor {
        let label = "8.3 gaussianBlur(_:sigma:)"
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, [images, sigma]) { try FeatureVisualizationSolutions.gaussianBlur(images, sigma: sigma) }
        #else
        return try book.answer(label, [images, sigma])
        #endif
    }

    /// 8.5's optimiser on the objective Σ of `model`'s logits at `classes` (one per image):
    /// `ascend({ try model($0).gathered(indices: classes) }, from:settings:seed:)`.
    static func ascendLogits(of model: Module, classes: [Int], from start: Tensor, settings: AscentSettings, seed: UInt64) throws -> Ascent {
        let label = "8.5 ascend(_:from:settings:seed:) on the logits at the given classes"
        let inputs: [any ReferenceInput] = [model, classes, start, settings, seed]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs, decode: decodeAscent, encode: encodeAscent) {
            try FeatureVisualizationSolutions.ascend({ try model($0).gathered(indices: classes) }, from: start, settings: settings, seed: seed)
        }
        #else
        return try book.answer(label, inputs, decode: decodeAscent, encode: encodeAscent)
        #endif
    }

    /// 8.5's optimiser on the linear objective Σ w·x̃ (every step adds lr · roll(w, −dy, −dx)).
    static func ascendLinear(weights w: Tensor, from start: Tensor, settings: AscentSettings, seed: UInt64) throws -> Ascent {
        let label = "8.5 ascend(_:from:settings:seed:) on the linear objective sum(w * x)"
        let inputs: [any ReferenceInput] = [w, start, settings, seed]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs, decode: decodeAscent, encode: encodeAscent) {
            try FeatureVisualizationSolutions.ascend({ try ($0 * w).sum() }, from: start, settings: settings, seed: seed)
        }
        #else
        return try book.answer(label, inputs, decode: decodeAscent, encode: encodeAscent)
        #endif
    }

    static func meanActivation(of model: Module, at layer: String, channel: Int, for images: Tensor) throws -> Tensor {
        let label = "8.6 meanActivation(of:at:channel:for:)"
        let inputs: [any ReferenceInput] = [model, layer, channel, images]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs) { try FeatureVisualizationSolutions.meanActivation(of: model, at: layer, channel: channel, for: images) }
        #else
        return try book.answer(label, inputs)
        #endif
    }

    static func deepDream(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> Tensor {
        let label = "8.7 deepDream(of:image:layer:settings:seed:)"
        let inputs: [any ReferenceInput] = [model, image, layer, settings, seed]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs) {
            try FeatureVisualizationSolutions.deepDream(of: model, image: image, layer: layer, settings: settings, seed: seed)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }

    /// The catalogued 8.5 mistake that keeps the jitter, on Σ w·x̃ (see `ascendLinearHintVariants`).
    static func ascendLinearHintVariants(weights w: Tensor, from start: Tensor, settings: AscentSettings, seed: UInt64) throws -> RecordedHintVariants.Variants {
        let label = "8.5 hints: the jitter kept, on the linear objective"
        let (decode, encode) = (RecordedHintVariants.decode, RecordedHintVariants.encode)
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, [w, start, settings, seed], decode: decode, encode: encode) {
            try FeatureVisualizationSolutions.ascendLinearHintVariants(weights: w, from: start, settings: settings, seed: seed)
        }
        #else
        return try book.answer(label, [w, start, settings, seed], decode: decode, encode: encode)
        #endif
    }

    /// The catalogued 8.7 mistakes' dreams with their hints (see `deepDreamHintVariants`).
    static func deepDreamHintVariants(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> RecordedHintVariants.Variants {
        let label = "8.7 hints: the catalogued mistakes' dreams"
        let (decode, encode) = (RecordedHintVariants.decode, RecordedHintVariants.encode)
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, [model, image, layer, settings, seed], decode: decode, encode: encode) {
            try FeatureVisualizationSolutions.deepDreamHintVariants(of: model, image: image, layer: layer, settings: settings, seed: seed)
        }
        #else
        return try book.answer(label, [model, image, layer, settings, seed], decode: decode, encode: encode)
        #endif
    }

    static func channelGuidedBackprop(of model: Module, images: Tensor, layer: String, channel: Int) throws -> Tensor {
        let label = "8.8 channelGuidedBackprop(of:images:layer:channel:)"
        let inputs: [any ReferenceInput] = [model, images, layer, channel]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs) {
            try FeatureVisualizationSolutions.channelGuidedBackprop(of: model, images: images, layer: layer, channel: channel)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }

    static func topChannels(of model: Module, image: Tensor, layer: String, count: Int) throws -> [Int] {
        let label = "topChannels(of:image:layer:count:)"
        let inputs: [any ReferenceInput] = [model, image, layer, count]
        #if canImport(FeatureVisualizationSolutions)
        return try book.answer(label, inputs) { try FeatureVisualizationSolutions.topChannels(of: model, image: image, layer: layer, count: count) }
        #else
        return try book.answer(label, inputs)
        #endif
    }
}
