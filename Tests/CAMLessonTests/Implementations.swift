// Which implementation each test grades: the student's (Lessons/04-CAM), the reference
// (Solutions/04-CAM, with WORKBOOK_SOLUTIONS=1), or a catalogued mistake (WORKBOOK_MISTAKE).

import CAMLesson
import CAMSolutions
import LessonSupport
import TensorEngine

let readme = "Lessons/04-CAM/README.md"

/// The implementation under test.
enum Graded {
    static func classActivationMap(of model: Module, images: Tensor, targets: [Int],
                                   featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
        switch WorkbookMode.implementation(for: "4.1") {
        case .student:
            return try CAMLesson.classActivationMap(of: model, images: images, targets: targets, featureLayer: featureLayer, classifier: classifier)
        case .reference:
            return try CAMSolutions.classActivationMap(of: model, images: images, targets: targets, featureLayer: featureLayer, classifier: classifier)
        case .mistake(let id):
            return try CAMMistakes.classActivationMap(id, of: model, images: images, targets: targets, featureLayer: featureLayer, classifier: classifier)
        }
    }

    static func upsampleBilinear(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        switch WorkbookMode.implementation(for: "4.2") {
        case .student: return try CAMLesson.upsampleBilinear(maps, height: height, width: width)
        case .reference: return try CAMSolutions.upsampleBilinear(maps, height: height, width: width)
        case .mistake(let id): return try CAMMistakes.upsampleBilinear(id, maps, height: height, width: width)
        }
    }

    static func normalizedMaps(_ maps: Tensor) throws -> Tensor {
        switch WorkbookMode.implementation(for: "4.3") {
        case .student: return try CAMLesson.normalizedMaps(maps)
        case .reference: return try CAMSolutions.normalizedMaps(maps)
        case .mistake(let id): return try CAMMistakes.normalizedMaps(id, maps)
        }
    }
}

/// The reference, for comparison.
typealias Reference = CAMSolutions.CAMReference
