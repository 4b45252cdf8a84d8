// The reference's answers for lesson 02's graders: computed live by Solutions/02-Saliency in the
// full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(SaliencySolutions)
#if canImport(SaliencySolutions)
import SaliencySolutions
#endif
#endif
import DataFormats
import LessonSupport
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "02-Saliency")

    static func saliency(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        let label = "2.1 saliency(of:images:targets:)"
        #if canImport(SaliencySolutions)
        return try book.answer(label, [model, images, targets]) { try SaliencySolutions.saliency(of: model, images: images, targets: targets) }
        #else
        return try book.answer(label, [model, images, targets])
        #endif
    }

    static func saliencyMagnitude(_ gradient: Tensor) throws -> Tensor {
        let label = "2.2 saliencyMagnitude(_:)"
        #if canImport(SaliencySolutions)
        return try book.answer(label, [gradient]) { try SaliencySolutions.saliencyMagnitude(gradient) }
        #else
        return try book.answer(label, [gradient])
        #endif
    }

    static func gradientTimesInput(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        let label = "2.3 gradientTimesInput(of:images:targets:)"
        #if canImport(SaliencySolutions)
        return try book.answer(label, [model, images, targets]) { try SaliencySolutions.gradientTimesInput(of: model, images: images, targets: targets) }
        #else
        return try book.answer(label, [model, images, targets])
        #endif
    }

    static func smoothGrad(of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
        let label = "2.4 smoothGrad(of:images:targets:samples:noiseLevel:seed:)"
        let inputs: [any ReferenceInput] = [model, images, targets, samples, noiseLevel, seed]
        #if canImport(SaliencySolutions)
        return try book.answer(label, inputs) {
            try SaliencySolutions.smoothGrad(of: model, images: images, targets: targets, samples: samples, noiseLevel: noiseLevel, seed: seed)
        }
        #else
        return try book.answer(label, inputs)
        #endif
    }

    static func integratedGradients(of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                    steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
        let label = "2.5 integratedGradients(of:images:targets:baseline:steps:method:)"
        let inputs: [any ReferenceInput] = [model, images, targets, baseline, steps, "\(method)"]
        let decode: (RecordedValue) throws -> (attributions: Tensor, delta: [Float]) = { try RecordedPairs.pair($0) }
        let encode: ((attributions: Tensor, delta: [Float])) -> RecordedValue = { .list([$0.attributions.recorded, $0.delta.recorded]) }
        #if canImport(SaliencySolutions)
        return try book.answer(label, inputs, decode: decode, encode: encode) {
            try SaliencySolutions.integratedGradients(of: model, images: images, targets: targets, baseline: baseline, steps: steps, method: method)
        }
        #else
        return try book.answer(label, inputs, decode: decode, encode: encode)
        #endif
    }
}
