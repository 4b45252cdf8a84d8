// Which implementation each test grades: the student's (Lessons/06-GuidedBackprop), the reference
// (Solutions/06-GuidedBackprop, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import GuidedBackpropLesson
import GuidedBackpropSolutions
import LessonSupport
import TensorEngine

let readme = "Lessons/06-GuidedBackprop/README.md"

/// The implementation under test.
enum Graded {
    static func guidedBackprop(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        switch WorkbookMode.implementation(for: "6.1") {
        case .student: return try GuidedBackpropLesson.guidedBackprop(of: model, images: images, targets: targets)
        case .reference: return try GuidedBackpropSolutions.guidedBackprop(of: model, images: images, targets: targets)
        case .mistake(let id): return try GuidedBackpropMistakes.guidedBackprop(id, of: model, images: images, targets: targets)
        }
    }

    static func deconvnet(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        switch WorkbookMode.implementation(for: "6.2") {
        case .student: return try GuidedBackpropLesson.deconvnet(of: model, images: images, targets: targets)
        case .reference: return try GuidedBackpropSolutions.deconvnet(of: model, images: images, targets: targets)
        case .mistake(let id): return try GuidedBackpropMistakes.deconvnet(id, of: model, images: images, targets: targets)
        }
    }

    static func guidedGradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        switch WorkbookMode.implementation(for: "6.3") {
        case .student: return try GuidedBackpropLesson.guidedGradCAM(of: model, images: images, targets: targets, layer: layer)
        case .reference: return try GuidedBackpropSolutions.guidedGradCAM(of: model, images: images, targets: targets, layer: layer)
        case .mistake(let id): return try GuidedBackpropMistakes.guidedGradCAM(id, of: model, images: images, targets: targets, layer: layer)
        }
    }

    static func rankCorrelation(_ a: [Float], _ b: [Float]) throws -> Double {
        switch WorkbookMode.implementation(for: "6.4") {
        case .student: return try GuidedBackpropLesson.rankCorrelation(a, b)
        case .reference: return try GuidedBackpropSolutions.rankCorrelation(a, b)
        case .mistake(let id): return try GuidedBackpropMistakes.rankCorrelation(id, a, b)
        }
    }
}

/// The reference, for comparison.
typealias Reference = GuidedBackpropSolutions.GuidedBackpropReference
