// The reference's answers for lesson 10's graders: computed live by Solutions/10-Evaluation in the
// full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(EvaluationSolutions)
#if canImport(EvaluationSolutions)
import EvaluationSolutions
#endif
#endif
import DataFormats
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "10-Evaluation")

    static func perturbationCurve(of model: Module, from start: Tensor, to end: Tensor, attributions: Tensor, targets: [Int],
                                  pixelsPerStep: Int) throws -> Tensor {
        let label = "10.1a perturbationCurve(of:from:to:attributions:targets:pixelsPerStep:)"
        let inputs: [any ReferenceInput] = [model, start, end, attributions, targets, pixelsPerStep]
        #if canImport(EvaluationSolutions)
        return try book.answer(label, inputs) {
            try EvaluationSolutions.perturbationCurve(of: model, from: start, to: end, attributions: attributions, targets: targets,
                                                      pixelsPerStep: pixelsPerStep)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }

    /// The catalogued 10.5 mistakes' maps with their hints (see `scoreCAMHintVariants`).
    static func scoreCAMHintVariants(of model: Module, images: Tensor, targets: [Int], layer: String) throws -> RecordedHintVariants.Variants {
        let label = "10.5 hints: the catalogued mistakes' Score-CAM maps"
        let (decode, encode) = (RecordedHintVariants.decode, RecordedHintVariants.encode)
        #if canImport(EvaluationSolutions)
        return try book.answer(label, [model, images, targets, layer], decode: decode, encode: encode) {
            try EvaluationSolutions.scoreCAMHintVariants(of: model, images: images, targets: targets, layer: layer)
        }
        #else
        return try book.answer(label, [model, images, targets, layer], decode: decode, encode: encode)
        #endif
    }
}
