// Which implementation each test grades: the student's (Lessons/01-Hooks), the reference
// (Solutions/01-Hooks, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import HooksLesson
import HooksSolutions
import LessonSupport
import TensorEngine

let readme = "Lessons/01-Hooks/README.md"

/// The implementation under test.
enum Graded {
    static func activations(of model: Module, at layer: String, for images: Tensor) throws -> Tensor {
        switch WorkbookMode.implementation(for: "1.1") {
        case .student: return try HooksLesson.activations(of: model, at: layer, for: images)
        case .reference: return try HooksSolutions.activations(of: model, at: layer, for: images)
        case .mistake(let id): return try HooksMistakes.activations(id, of: model, at: layer, for: images)
        }
    }

    static func gradient(of model: Module, at layer: String, for images: Tensor, targets: [Int]) throws -> Tensor {
        switch WorkbookMode.implementation(for: "1.2") {
        case .student: return try HooksLesson.gradient(of: model, at: layer, for: images, targets: targets)
        case .reference: return try HooksSolutions.gradient(of: model, at: layer, for: images, targets: targets)
        case .mistake(let id): return try HooksMistakes.gradient(id, of: model, at: layer, for: images, targets: targets)
        }
    }

    static func convolutionActivations(of model: Module, for images: Tensor) throws -> [(layer: String, activations: Tensor)] {
        switch WorkbookMode.implementation(for: "1.3") {
        case .student: return try HooksLesson.convolutionActivations(of: model, for: images)
        case .reference: return try HooksSolutions.convolutionActivations(of: model, for: images)
        case .mistake(let id): return try HooksMistakes.convolutionActivations(id, of: model, for: images)
        }
    }

    static func confidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)] {
        switch WorkbookMode.implementation(for: "1.4") {
        case .student: return try HooksLesson.confidence(of: model, for: images)
        case .reference: return try HooksSolutions.confidence(of: model, for: images)
        case .mistake(let id): return try HooksMistakes.confidence(id, of: model, for: images)
        }
    }
}

/// The reference, for comparison.
typealias Reference = HooksSolutions.HooksReference
