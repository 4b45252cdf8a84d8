// Which implementation each test grades: the student's (Lessons/05-GradCAM), the reference
// (Solutions/05-GradCAM, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import GradCAMLesson
import GradCAMSolutions
import LessonSupport
import TensorEngine

let readme = "Lessons/05-GradCAM/README.md"

/// The implementation under test.
enum Graded {
    static func activationsAndGradients(of model: Module, at layer: String, images: Tensor, targets: [Int]) throws -> (activations: Tensor, gradients: Tensor) {
        switch WorkbookMode.implementation(for: "5.1") {
        case .student: return try GradCAMLesson.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
        case .reference: return try GradCAMSolutions.activationsAndGradients(of: model, at: layer, images: images, targets: targets)
        case .mistake(let id): return try GradCAMMistakes.activationsAndGradients(id, of: model, at: layer, images: images, targets: targets)
        }
    }

    static func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        switch WorkbookMode.implementation(for: "5.2") {
        case .student: return try GradCAMLesson.gradCAM(of: model, images: images, targets: targets, layer: layer)
        case .reference: return try GradCAMSolutions.gradCAM(of: model, images: images, targets: targets, layer: layer)
        case .mistake(let id): return try GradCAMMistakes.gradCAM(id, of: model, images: images, targets: targets, layer: layer)
        }
    }

    static func upsampledAndNormalized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        switch WorkbookMode.implementation(for: "5.3") {
        case .student: return try GradCAMLesson.upsampledAndNormalized(maps, height: height, width: width)
        case .reference: return try GradCAMSolutions.upsampledAndNormalized(maps, height: height, width: width)
        case .mistake(let id): return try GradCAMMistakes.upsampledAndNormalized(id, maps, height: height, width: width)
        }
    }

    static func gradCAMPlusPlus(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
        switch WorkbookMode.implementation(for: "5.4") {
        case .student: return try GradCAMLesson.gradCAMPlusPlus(of: model, images: images, targets: targets, layer: layer)
        case .reference: return try GradCAMSolutions.gradCAMPlusPlus(of: model, images: images, targets: targets, layer: layer)
        case .mistake(let id): return try GradCAMMistakes.gradCAMPlusPlus(id, of: model, images: images, targets: targets, layer: layer)
        }
    }
}

/// The reference, for comparison.
typealias Reference = GradCAMSolutions.GradCAMReference
