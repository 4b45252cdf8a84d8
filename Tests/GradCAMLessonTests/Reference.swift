// The reference's answers for lesson 05's graders: computed live by Solutions/05-GradCAM in the
// full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(GradCAMSolutions)
#if canImport(GradCAMSolutions)
import GradCAMSolutions
#endif
#endif
import DataFormats
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "05-GradCAM")

    /// The model's predicted classes (arg-max of the logits), recorded so that a test that explains
    /// the predicted class asks every later question with the same targets on every machine.
    static func predictions(of model: Module, images: Tensor) throws -> [Int] {
        try book.answer("predicted classes", [model, images], live: { try withNoGrad { try model(images) }.argmax() })
    }

    static func activationsAndGradients(of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
        let label = "5.1 activationsAndGradients(of:at:images:targets:)"
        let inputs: [any ReferenceInput] = [model, layer, images, targets]
        let decode: (RecordedValue) throws -> (activations: Tensor, gradients: Tensor) = { try RecordedPairs.pair($0) }
        let encode: ((activations: Tensor, gradients: Tensor)) -> RecordedValue = { .list([$0.activations.recorded, $0.gradients.recorded]) }
        #if canImport(GradCAMSolutions)
        return try book.answer(label, inputs, decode: decode, encode: encode) {
            try GradCAMSolutions.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
        }
        #else
        return try book.answer(label, inputs, decode: decode, encode: encode)
        #endif
    }

    static func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        let label = "5.2 gradCAM(of:images:targets:layer:)"
        #if canImport(GradCAMSolutions)
        return try book.answer(label, [model, images, targets, layer]) { try GradCAMSolutions.gradCAM(of: model, images: images, targets: targets, layer: layer) }
        #else
        return try book.answer(label, [model, images, targets, layer])
        #endif
    }

    static func upsampledAndNormalized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        let label = "5.3 upsampledAndNormalized(_:height:width:)"
        #if canImport(GradCAMSolutions)
        return try book.answer(label, [maps, height, width]) { try GradCAMSolutions.upsampledAndNormalized(maps, height: height, width: width) }
        #else
        return try book.answer(label, [maps, height, width])
        #endif
    }

    static func gradCAMPlusPlus(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        let label = "5.4 gradCAMPlusPlus(of:images:targets:layer:)"
        #if canImport(GradCAMSolutions)
        return try book.answer(label, [model, images, targets, layer]) {
            try GradCAMSolutions.gradCAMPlusPlus(of: model, images: images, targets: targets, layer: layer)
        }
        #else
        return try book.answer(label, [model, images, targets, layer])
        #endif
    }

    /// The wrong maps 5.2's hints recognise, with their hints (see `gradCAMHintVariants`).
    static func gradCAMHintVariants(of model: Module, images: Tensor, targets: [Int], layer: String) throws -> [(values: [Float], hint: String)] {
        let label = "5.2 hints: the usual wrong Grad-CAM maps"
        let (decode, encode) = (RecordedHintVariants.decode, RecordedHintVariants.encode)
        #if canImport(GradCAMSolutions)
        return try book.answer(label, [model, images, targets, layer], decode: decode, encode: encode) {
            try GradCAMSolutions.gradCAMHintVariants(of: model, images: images, targets: targets, layer: layer)
        }
        #else
        return try book.answer(label, [model, images, targets, layer], decode: decode, encode: encode)
        #endif
    }
}
