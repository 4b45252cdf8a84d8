// The mistake catalogue of Lesson 04: plausible wrong answers, each of which must fail at least
// one test of its exercise (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum CAMMistakes {
    public static let catalogue = [
        Mistake(exercise: "4.1", id: "adds-bias", summary: "adds the class bias b_c to every position of the map"),
        Mistake(exercise: "4.1", id: "transposed-weight", summary: "reads w_ck as weight.data[k · classes + c] (the transposed matrix)"),
        Mistake(exercise: "4.1", id: "predicted-class", summary: "uses the predicted class's weight row instead of the target's"),
        Mistake(exercise: "4.1", id: "no-architecture-check", summary: "never checks for the global average pooling: mnist-fc fails with an unhelpful error"),
        Mistake(exercise: "4.2", id: "align-corners", summary: "maps output o to input o · (in − 1)/(out − 1) (align_corners=True)"),
        Mistake(exercise: "4.2", id: "no-clamp", summary: "does not clamp the source coordinate at 0: the border is extrapolated"),
        Mistake(exercise: "4.3", id: "batch-min-max", summary: "normalises with the min and max of the whole batch"),
        Mistake(exercise: "4.3", id: "no-epsilon", summary: "divides by max − min without the 1e-7: a constant map becomes NaN"),
    ]

    // MARK: 4.1

    public static func classActivationMap(_ id: String, of model: Module, images: Tensor, targets: [Int],
                                          featureLayer: String = "relu3", classifier: String = "fc") throws -> Tensor {
        let fc: Linear
        if id == "no-architecture-check" {
            let head = try model.module(named: classifier)
            guard let linear = head as? Linear else {
                throw TensorError.invalidArgument(operation: "CAM", message: "'\(classifier)' is not a Linear layer")
            }
            fc = linear
        } else {
            fc = try camClassifier(of: model, featureLayer: featureLayer, classifier: classifier)
        }
        let features = try capturedFeatures(of: model, at: featureLayer, images: images)
        var variant = CAMVariant()
        switch id {
        case "adds-bias": variant.bias = fc.bias
        case "transposed-weight": variant.transposedWeight = true
        case "predicted-class": variant.classes = try withNoGrad { try model(images) }.argmax()
        default: break
        }
        return try camFromFeatures(features, weight: fc.weight, targets: targets, variant: variant)
    }

    // MARK: 4.2

    public static func upsampleBilinear(_ id: String, _ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        try bilinear(maps, height: height, width: width) { o, input, output in
            switch id {
            case "align-corners":
                return output > 1 ? Float(o) * Float(input - 1) / Float(output - 1) : 0
            case "no-clamp":
                return (Float(o) + 0.5) * Float(input) / Float(output) - 0.5
            default:
                return max((Float(o) + 0.5) * Float(input) / Float(output) - 0.5, 0)
            }
        }
    }

    // MARK: 4.3

    public static func normalizedMaps(_ id: String, _ maps: Tensor) throws -> Tensor {
        switch id {
        case "batch-min-max": return try minMax(maps, epsilon: camEpsilon, perMap: false)
        case "no-epsilon": return try minMax(maps, epsilon: 0, perMap: true)
        default: return try CAMSolutions.normalizedMaps(maps)
        }
    }
}
