// The reference's answers for lesson 01's graders: computed live by Solutions/01-Hooks in the full
// edition, read from Recorded/references.wbref where there is no Solutions/ (the student edition)
// or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(HooksSolutions)
#if canImport(HooksSolutions)
import HooksSolutions
#endif
#endif
import DataFormats
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "01-Hooks")

    static func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        #if canImport(HooksSolutions)
        try book.answer("1.1 activations(of:at:for:)", [model, layer, images]) { try HooksSolutions.activations(of: model, at: layer, for: images) }
        #else
        try book.answer("1.1 activations(of:at:for:)", [model, layer, images])
        #endif
    }

    static func gradient(of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
        #if canImport(HooksSolutions)
        try book.answer("1.2 gradient(of:at:for:targets:)", [model, layer, images, targets]) {
            try HooksSolutions.gradient(of: model, at: layer, for: images, targets: targets)
        }
        #else
        try book.answer("1.2 gradient(of:at:for:targets:)", [model, layer, images, targets])
        #endif
    }

    static func convolutionActivations(of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
        let label = "1.3 convolutionActivations(of:for:)"
        let decode: (RecordedValue) throws -> [(layer: String, activations: Tensor)] = { try RecordedPairs.decode($0).map { ($0, $1) } }
        let encode: ([(layer: String, activations: Tensor)]) -> RecordedValue = { RecordedPairs.encode($0.map { ($0.layer, $0.activations) }) }
        #if canImport(HooksSolutions)
        return try book.answer(label, [model, images], decode: decode, encode: encode) { try HooksSolutions.convolutionActivations(of: model, for: images) }
        #else
        return try book.answer(label, [model, images], decode: decode, encode: encode)
        #endif
    }

    static func confidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        let label = "1.4 confidence(of:for:)"
        let decode: (RecordedValue) throws -> [(predicted: Int, probability: Float)] = { try RecordedPairs.decode($0).map { ($0, $1) } }
        let encode: ([(predicted: Int, probability: Float)]) -> RecordedValue = { RecordedPairs.encode($0.map { ($0.predicted, $0.probability) }) }
        #if canImport(HooksSolutions)
        return try book.answer(label, [model, images], decode: decode, encode: encode) { try HooksSolutions.confidence(of: model, for: images) }
        #else
        return try book.answer(label, [model, images], decode: decode, encode: encode)
        #endif
    }
}
