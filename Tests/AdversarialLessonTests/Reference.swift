// The reference's answers for lesson 07's graders: computed live by Solutions/07-Adversarial in
// the full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(AdversarialSolutions)
#if canImport(AdversarialSolutions)
import AdversarialSolutions
#endif
#endif
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "07-Adversarial")

    static func fgsm(of model: Module, images: Tensor, labels: [Int], epsilon: Float) throws -> Tensor {
        let label = "7.1 fgsm(of:images:labels:epsilon:)"
        let inputs: [any ReferenceInput] = [model, images, labels, epsilon]
        #if canImport(AdversarialSolutions)
        return try book.answer(label, inputs) { try AdversarialSolutions.fgsm(of: model, images: images, labels: labels, epsilon: epsilon) }
        #else
        return try book.answer(label, inputs)
        #endif
    }

    static func accuracyUnderFGSM(of model: Module, images: Tensor, labels: [Int], epsilons: [Float], batchSize: Int = 250) throws -> [Double] {
        let label = "7.4 accuracyUnderFGSM(of:images:labels:epsilons:batchSize:)"
        let inputs: [any ReferenceInput] = [model, images, labels, epsilons, batchSize]
        #if canImport(AdversarialSolutions)
        return try book.answer(label, inputs) {
            try AdversarialSolutions.accuracyUnderFGSM(of: model, images: images, labels: labels, epsilons: epsilons, batchSize: batchSize)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }
}
