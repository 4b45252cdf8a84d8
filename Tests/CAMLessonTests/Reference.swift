// The reference's answers for lesson 04's graders: computed live by Solutions/04-CAM in the full
// edition, read from Recorded/references.wbref where there is no Solutions/ (the student edition)
// or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(CAMSolutions)
#if canImport(CAMSolutions)
import CAMSolutions
#endif
#endif
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "04-CAM")

    static func classActivationMap(of model: Module, images: Tensor, targets: [Int],
                                   featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
        let label = "4.1 classActivationMap(of:images:targets:featureLayer:classifier:)"
        let inputs: [any ReferenceInput] = [model, images, targets, featureLayer, classifier]
        #if canImport(CAMSolutions)
        return try book.answer(label, inputs) {
            try CAMSolutions.classActivationMap(of: model, images: images, targets: targets, featureLayer: featureLayer, classifier: classifier)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }
}
