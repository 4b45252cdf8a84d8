// The mistake catalogue of Lesson 04: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise (`swift run workbook verify` checks it). Never shown
// to students.

import Course
import LessonSupport
import TensorEngine

public enum CAMMistakes {
    // MARK: 4.1

    public typealias ClassActivationMap = CAMCourse.ClassActivationMap

    public static func classActivationMap(_ id: ClassActivationMap, of model: Module, images: Tensor, targets: [Int],
                                          featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
        let fc: Linear
        switch id {
        case .noArchitectureCheck:
            let head = try model.module(named: classifier)
            guard let linear = head as? Linear else {
                throw TensorError.invalidArgument(operation: "CAM", message: "'\(classifier)' is not a Linear layer")
            }
            fc = linear
        case .addsBias, .transposedWeight, .predictedClass:
            fc = try camClassifier(of: model, featureLayer: featureLayer, classifier: classifier)
        }
        let features = try capturedFeatures(of: model, at: featureLayer, images: images)
        var variant = CAMVariant()
        switch id {
        case .addsBias: variant.bias = fc.bias
        case .transposedWeight: variant.transposedWeight = true
        case .predictedClass: variant.classes = try withNoGrad { try model(images) }.argmax()
        case .noArchitectureCheck: break
        }
        return try camFromFeatures(features, weight: fc.weight, targets: targets, variant: variant)
    }

    // MARK: 4.2

    public typealias UpsampleBilinear = CAMCourse.UpsampleBilinear

    public static func upsampleBilinear(_ id: UpsampleBilinear, _ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        try bilinear(maps, height: height, width: width) { o, input, output in
            switch id {
            case .alignCorners:
                return output > 1 ? Float(o) * Float(input - 1) / Float(output - 1) : 0
            case .noClamp:
                return (Float(o) + 0.5) * Float(input) / Float(output) - 0.5
            }
        }
    }

    // MARK: 4.3

    public typealias NormalizedMaps = CAMCourse.NormalizedMaps

    public static func normalizedMaps(_ id: NormalizedMaps, _ maps: Tensor) throws -> Tensor {
        switch id {
        case .batchMinMax: return try minMax(maps, epsilon: camEpsilon, perMap: false)
        case .noEpsilon: return try minMax(maps, epsilon: 0, perMap: true)
        }
    }
}
