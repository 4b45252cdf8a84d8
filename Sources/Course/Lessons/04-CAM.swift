// Lesson 04 — CAM: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/04-CAM/Exercises.swift.

import LessonSupport
import TensorEngine

public enum CAMCourse {
    public static let classActivationMap = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], String, String) throws -> Tensor, ClassActivationMap>(
        "4.1", "The class activation map", stub: "classActivationMap(of:images:targets:featureLayer:classifier:)")

    public static let upsampleBilinear = ExerciseDeclaration<@Sendable (Tensor, Int, Int) throws -> Tensor, UpsampleBilinear>(
        "4.2", "Bilinear upsampling, like F.interpolate", stub: "upsampleBilinear(_:height:width:)")

    public static let normalizedMaps = ExerciseDeclaration<@Sendable (Tensor) throws -> Tensor, NormalizedMaps>(
        "4.3", "Min-max normalisation of each map", stub: "normalizedMaps(_:)")

    public static let lesson = LessonDeclaration(
        number: 4, folder: "04-CAM", title: "CAM",
        exercises: [classActivationMap.summary, upsampleBilinear.summary, normalizedMaps.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/04-CAM/Mistakes.swift)

    public enum ClassActivationMap: String, MistakeKind {
        case addsBias = "adds-bias", transposedWeight = "transposed-weight", predictedClass = "predicted-class"
        case noArchitectureCheck = "no-architecture-check"
        public var summary: String {
            switch self {
            case .addsBias: "adds the class bias b_c to every position of the map"
            case .transposedWeight: "reads w_ck as weight.data[k · classes + c] (the transposed matrix)"
            case .predictedClass: "uses the predicted class's weight row instead of the target's"
            case .noArchitectureCheck: "never checks for the global average pooling: mnist-fc fails with an unhelpful error"
            }
        }
    }

    public enum UpsampleBilinear: String, MistakeKind {
        case alignCorners = "align-corners", noClamp = "no-clamp"
        public var summary: String {
            switch self {
            case .alignCorners: "maps output o to input o · (in − 1)/(out − 1) (align_corners=True)"
            case .noClamp: "does not clamp the source coordinate at 0: the border is extrapolated"
            }
        }
    }

    public enum NormalizedMaps: String, MistakeKind {
        case batchMinMax = "batch-min-max", noEpsilon = "no-epsilon"
        public var summary: String {
            switch self {
            case .batchMinMax: "normalises with the min and max of the whole batch"
            case .noEpsilon: "divides by max − min without the 1e-7: a constant map becomes NaN"
            }
        }
    }
}
