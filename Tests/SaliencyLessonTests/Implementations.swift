// Which implementation each test grades: the student's (Lessons/02-Saliency), the reference
// (Solutions/02-Saliency, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import LessonSupport
import SaliencyLesson
import SaliencySolutions
import TensorEngine

let readme = "Lessons/02-Saliency/README.md"

/// The implementation under test.
enum Graded {
    static func saliency(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        switch WorkbookMode.implementation(for: "2.1") {
        case .student: return try SaliencyLesson.saliency(of: model, images: images, targets: targets)
        case .reference: return try SaliencySolutions.saliency(of: model, images: images, targets: targets)
        case .mistake(let id): return try SaliencyMistakes.saliency(id, of: model, images: images, targets: targets)
        }
    }

    static func saliencyMagnitude(_ gradient: Tensor) throws -> Tensor {
        switch WorkbookMode.implementation(for: "2.2") {
        case .student: return try SaliencyLesson.saliencyMagnitude(gradient)
        case .reference: return try SaliencySolutions.saliencyMagnitude(gradient)
        case .mistake(let id): return try SaliencyMistakes.saliencyMagnitude(id, gradient)
        }
    }

    static func gradientTimesInput(of model: Module, images: Tensor, targets: [Int]) throws -> Tensor {
        switch WorkbookMode.implementation(for: "2.3") {
        case .student: return try SaliencyLesson.gradientTimesInput(of: model, images: images, targets: targets)
        case .reference: return try SaliencySolutions.gradientTimesInput(of: model, images: images, targets: targets)
        case .mistake(let id): return try SaliencyMistakes.gradientTimesInput(id, of: model, images: images, targets: targets)
        }
    }

    static func smoothGrad(of model: Module, images: Tensor, targets: [Int], samples: Int, noiseLevel: Float, seed: UInt64) throws -> Tensor {
        switch WorkbookMode.implementation(for: "2.4") {
        case .student:
            return try SaliencyLesson.smoothGrad(of: model, images: images, targets: targets, samples: samples, noiseLevel: noiseLevel, seed: seed)
        case .reference:
            return try SaliencySolutions.smoothGrad(of: model, images: images, targets: targets, samples: samples, noiseLevel: noiseLevel, seed: seed)
        case .mistake(let id):
            return try SaliencyMistakes.smoothGrad(id, of: model, images: images, targets: targets, samples: samples, noiseLevel: noiseLevel, seed: seed)
        }
    }

    static func integrationPoints(_ method: IntegrationMethod, steps: Int) throws -> (alphas: [Double], weights: [Double]) {
        switch WorkbookMode.implementation(for: "2.5a") {
        case .student: return try SaliencyLesson.integrationPoints(method, steps: steps)
        case .reference: return try SaliencySolutions.integrationPoints(method, steps: steps)
        case .mistake(let id): return try SaliencyMistakes.integrationPoints(id, method, steps: steps)
        }
    }

    static func integratedGradients(of model: Module, images: Tensor, targets: [Int], baseline: Tensor? = nil,
                                    steps: Int = 50, method: IntegrationMethod = .gaussLegendre) throws -> (attributions: Tensor, delta: [Float]) {
        switch WorkbookMode.implementation(for: "2.5") {
        case .student:
            return try SaliencyLesson.integratedGradients(of: model, images: images, targets: targets, baseline: baseline, steps: steps, method: method)
        case .reference:
            return try SaliencySolutions.integratedGradients(of: model, images: images, targets: targets, baseline: baseline, steps: steps, method: method)
        case .mistake(let id):
            return try SaliencyMistakes.integratedGradients(id, of: model, images: images, targets: targets, baseline: baseline, steps: steps, method: method)
        }
    }
}

/// The reference, for comparison.
typealias Reference = SaliencySolutions.SaliencyReference
