// The reference's answers for lesson 03's graders: computed live by Solutions/03-Occlusion in the
// full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(OcclusionSolutions)
#if canImport(OcclusionSolutions)
import OcclusionSolutions
#endif
#endif
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "03-Occlusion")

    static func occlusion(of model: Module, images: Tensor, targets: [Int], window: Int, stride: Int,
                          baseline: Float = 0, batchSize: Int = 64) throws -> Tensor {
        let label = "3.2 occlusion(of:images:targets:window:stride:baseline:batchSize:)"
        let inputs: [any ReferenceInput] = [model, images, targets, window, stride, baseline, batchSize]
        #if canImport(OcclusionSolutions)
        return try book.answer(label, inputs) {
            try OcclusionSolutions.occlusion(of: model, images: images, targets: targets, window: window, stride: stride,
                                             baseline: baseline, batchSize: batchSize)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }
}
