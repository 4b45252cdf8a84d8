// The reference's answers for lesson 06's graders: computed live by Solutions/06-GuidedBackprop in
// the full edition, read from Recorded/references.wbref where there is no Solutions/ (the student
// edition) or with WORKBOOK_REFERENCES=recorded. See `ReferenceBook`.

#if canImport(GuidedBackpropSolutions)
#if canImport(GuidedBackpropSolutions)
import GuidedBackpropSolutions
#endif
#endif
import DataFormats
import TensorEngine
import TestSupport

enum Reference {
    static let book = ReferenceBook(lesson: "06-GuidedBackprop")

    /// The plain input gradient of the target logits (backpropagation's own ReLU rule).
    static func plainGradient(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        let label = "plain gradient (modifiedGradient rule .gradient)"
        #if canImport(GuidedBackpropSolutions)
        return try book.answer(label, [model, images, targets]) {
            try GuidedBackpropSolutions.modifiedGradient(of: model, images: images, targets: targets, rule: .gradient)
        }
        #else
        return try book.answer(label, [model, images, targets])
        #endif
    }

    static func guidedBackprop(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        let label = "6.1 guidedBackprop(of:images:targets:)"
        #if canImport(GuidedBackpropSolutions)
        return try book.answer(label, [model, images, targets]) { try GuidedBackpropSolutions.guidedBackprop(of: model, images: images, targets: targets) }
        #else
        return try book.answer(label, [model, images, targets])
        #endif
    }

    /// The raw Grad-CAM map at `layer` (`[N, 1, h, w]`), the CAM factor of guided Grad-CAM.
    static func gradCAMMap(of model: Module, images: Tensor, targets: [Int], layer: String) throws -> Tensor {
        let label = "gradCAMMap(of:images:targets:layer:)"
        #if canImport(GuidedBackpropSolutions)
        return try book.answer(label, [model, images, targets, layer]) {
            try GuidedBackpropSolutions.gradCAMMap(of: model, images: images, targets: targets, layer: layer)
        }
        #else
        return try book.answer(label, [model, images, targets, layer])
        #endif
    }

    static func guidedGradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        let label = "6.3 guidedGradCAM(of:images:targets:layer:)"
        #if canImport(GuidedBackpropSolutions)
        return try book.answer(label, [model, images, targets, layer]) {
            try GuidedBackpropSolutions.guidedGradCAM(of: model, images: images, targets: targets, layer: layer)
        }
        #else
        return try book.answer(label, [model, images, targets, layer])
        #endif
    }

    /// The usual wrong guided Grad-CAMs with their hints, and the right answer's CAM factor (see
    /// `guidedGradCAMHintData`).
    static func guidedGradCAMHintData(of model: Module, images: Tensor, targets: [Int], layer: String)
        throws -> (variants: RecordedHintVariants.Variants, camFactor: [Float]) {
        let label = "6.3 hints: the usual wrong guided Grad-CAMs and the CAM factor"
        let decode: (RecordedValue) throws -> (variants: RecordedHintVariants.Variants, camFactor: [Float]) = { value in
            guard case let .list(parts) = value, parts.count == 2, case let .floats(factor) = parts[1]
            else { throw RecordedFormMismatch(expected: "6.3 hint data") }
            return (try RecordedHintVariants.decode(parts[0]), factor)
        }
        let encode: ((variants: RecordedHintVariants.Variants, camFactor: [Float])) -> RecordedValue = {
            .list([RecordedHintVariants.encode($0.variants), .floats($0.camFactor)])
        }
        #if canImport(GuidedBackpropSolutions)
        return try book.answer(label, [model, images, targets, layer], decode: decode, encode: encode) {
            try GuidedBackpropSolutions.guidedGradCAMHintData(of: model, images: images, targets: targets, layer: layer)
        }
        #else
        return try book.answer(label, [model, images, targets, layer], decode: decode, encode: encode)
        #endif
    }

    /// One comparison of the cascading randomisation check: after randomising `layer` (and every
    /// layer above it), the |map| of `method` on the trained model and on the randomised one.
    struct RandomizationPair {
        let layer: String, method: String, original: [Float], randomised: [Float]
    }

    /// The pairs of maps the cascading randomisation check correlates (seed 1; layers from the top,
    /// methods gradient, guided backprop, Grad-CAM at relu3), in order: the student's Spearman
    /// correlation (6.4) is then applied to each. `model` is randomised by the call, as by the check.
    static func randomizationPairs(of model: Module, images: Tensor, targets: [Int]) throws -> [RandomizationPair] {
        let label = "cascading randomisation pairs (gradient, guided backprop, Grad-CAM relu3; seed 1)"
        let decode: (RecordedValue) throws -> [RandomizationPair] = { value in
            guard case let .list(items) = value else { throw RecordedFormMismatch(expected: "list of randomisation pairs") }
            return try items.map { item in
                guard case let .list(parts) = item, parts.count == 4, case let .text(layer) = parts[0], case let .text(method) = parts[1],
                      case let .floats(original) = parts[2], case let .floats(randomised) = parts[3]
                else { throw RecordedFormMismatch(expected: "randomisation pair") }
                return RandomizationPair(layer: layer, method: method, original: original, randomised: randomised)
            }
        }
        let encode: ([RandomizationPair]) -> RecordedValue = { pairs in
            .list(pairs.map { .list([.text($0.layer), .text($0.method), .floats($0.original), .floats($0.randomised)]) })
        }
        #if canImport(GuidedBackpropSolutions)
        return try book.answer(label, [model, images, targets], decode: decode, encode: encode) {
            let methods: [(name: String, map: (Module) throws -> Tensor)] = [
                ("gradient", { try GuidedBackpropSolutions.modifiedGradient(of: $0, images: images, targets: targets, rule: .gradient) }),
                ("guided backprop", { try GuidedBackpropSolutions.guidedBackprop(of: $0, images: images, targets: targets) }),
                ("Grad-CAM", { try GuidedBackpropSolutions.gradCAMMap(of: $0, images: images, targets: targets, layer: "relu3") }),
            ]
            var compared: [([Float], [Float])] = []
            let steps = try GuidedBackpropSolutions.cascadingRandomization(of: model, images: images, targets: targets, methods: methods,
                                                                           correlation: { compared.append(($0, $1)); return 0 })
            // The check compares the methods in order after each step.
            return steps.enumerated().flatMap { s, step in
                methods.enumerated().map { m, method in
                    RandomizationPair(layer: step.layer, method: method.name, original: compared[s * methods.count + m].0,
                                      randomised: compared[s * methods.count + m].1)
                }
            }
        }
        #else
        return try book.answer(label, [model, images, targets], decode: decode, encode: encode)
        #endif
    }
}
