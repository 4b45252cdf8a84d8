// Lesson 08 — FeatureVisualization: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/08-FeatureVisualization/Exercises.swift.

import LessonSupport
import TensorEngine

/// What the exercise returns.
public typealias Ascent = (image: Tensor, objectives: [Float])

public enum FeatureVisualizationCourse {
    public static let classImage = ExerciseDeclaration<@Sendable (Module, Int, Tensor, Int, Float, Float) throws -> Ascent, ClassImage>(
        "8.1", "A class image by gradient ascent", stub: "classImage(of:target:start:steps:learningRate:l2:)")

    public static let totalVariation = ExerciseDeclaration<@Sendable (Tensor) throws -> Tensor, TotalVariation>(
        "8.2", "Total variation", stub: "totalVariation(_:)")

    public static let gaussianBlur = ExerciseDeclaration<@Sendable (Tensor, Float) throws -> Tensor, GaussianBlur>(
        "8.3", "Gaussian blur", stub: "gaussianBlur(_:sigma:)")

    public static let jittered = ExerciseDeclaration<@Sendable (Tensor, Int, Int) throws -> Tensor, Jittered>(
        "8.4", "Jitter: a circular shift", stub: "jittered(_:dy:dx:)")

    public static let ascend = ExerciseDeclaration<@Sendable ((Tensor) throws -> Tensor, Tensor, AscentSettings, UInt64) throws -> Ascent, Ascend>(
        "8.5", "The regularised optimiser", stub: "ascend(_:from:settings:seed:)")

    public static let meanActivation = ExerciseDeclaration<@Sendable (Module, String, Int, Tensor) throws -> Tensor, MeanActivation>(
        "8.6", "A unit's mean activation", stub: "meanActivation(of:at:channel:for:)")

    public static let deepDream = ExerciseDeclaration<@Sendable (Module, Tensor, String, DreamSettings, UInt64) throws -> Tensor, DeepDream>(
        "8.7", "DeepDream over octaves", stub: "deepDream(of:image:layer:settings:seed:)")

    public static let channelGuidedBackprop = ExerciseDeclaration<@Sendable (Module, Tensor, String, Int) throws -> Tensor, ChannelGuidedBackprop>(
        "8.8", "Guided backprop of one channel", stub: "channelGuidedBackprop(of:images:layer:channel:)")

    public static let lesson = LessonDeclaration(
        number: 8, folder: "08-FeatureVisualization", title: "What a network has learned",
        exercises: [classImage.summary, totalVariation.summary, gaussianBlur.summary, jittered.summary, ascend.summary, meanActivation.summary, deepDream.summary, channelGuidedBackprop.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/08-FeatureVisualization/Mistakes.swift)

    public enum ClassImage: String, MistakeKind {
        case descent, softmaxProbability = "softmax-probability", noClamp = "no-clamp", objectiveAfterStep = "objective-after-step"
        case clampOnlyAtEnd = "clamp-only-at-end"
        public var summary: String {
            switch self {
            case .descent: "steps down the gradient (x − lr·g): the class score falls"
            case .softmaxProbability: "ascends the softmax probability instead of the raw logit"
            case .noClamp: "never clamps the image to [0, 1]"
            case .clampOnlyAtEnd: "clamps the image to [0, 1] once, after the last step, instead of after every step"
            case .objectiveAfterStep: "records the objective after each step instead of before it"
            }
        }
    }

    public enum TotalVariation: String, MistakeKind {
        case oneDirection = "one-direction", absoluteDifferences = "absolute-differences"
        public var summary: String {
            switch self {
            case .oneDirection: "sums the vertical differences only"
            case .absoluteDifferences: "sums |differences| (β = 1) instead of their squares"
            }
        }
    }

    public enum GaussianBlur: String, MistakeKind {
        case unnormalisedKernel = "unnormalised-kernel", rowsOnly = "rows-only"
        public var summary: String {
            switch self {
            case .unnormalisedKernel: "uses exp(−k²/2σ²) without dividing by the sum (the image brightens)"
            case .rowsOnly: "blurs along the rows only"
            }
        }
    }

    public enum Jittered: String, MistakeKind {
        case shiftSign = "shift-sign", axesSwapped = "axes-swapped"
        public var summary: String {
            switch self {
            case .shiftSign: "rolls the other way: out[i] = in[i + dy]"
            case .axesSwapped: "shifts the rows by dx and the columns by dy"
            }
        }
    }

    public enum Ascend: String, MistakeKind {
        case jitterNotUndone = "jitter-not-undone", tvRewarded = "tv-rewarded", blursGradient = "blurs-gradient"
        case clampOnlyAtEnd = "clamp-only-at-end"
        public var summary: String {
            switch self {
            case .jitterNotUndone: "keeps the jittered image (never rolls it back)"
            case .tvRewarded: "adds the total-variation penalty instead of subtracting it"
            case .blursGradient: "blurs the gradient of every k-th step instead of the image"
            case .clampOnlyAtEnd: "clamps the image to [0, 1] once, after the last step, instead of after every step"
            }
        }
    }

    public enum MeanActivation: String, MistakeKind {
        case sumNotMean = "sum-not-mean", keepsHook = "keeps-hook"
        public var summary: String {
            switch self {
            case .sumNotMean: "sums the channel's activations instead of averaging them"
            case .keepsHook: "never removes the forward hook"
            }
        }
    }

    public enum DeepDream: String, MistakeKind {
        case unnormalisedStep = "unnormalised-step", largestOctaveFirst = "largest-octave-first"
        public var summary: String {
            switch self {
            case .unnormalisedStep: "steps by stepSize · g, without dividing by mean |g|"
            case .largestOctaveFirst: "runs the octaves from the largest down (detail carried to the wrong scale)"
            }
        }
    }

    public enum ChannelGuidedBackprop: String, MistakeKind {
        case seededAtLogit = "seeded-at-logit", plainGradient = "plain-gradient"
        public var summary: String {
            switch self {
            case .seededAtLogit: "seeds guided backprop at the predicted logit instead of the channel"
            case .plainGradient: "backpropagates the channel without the guided rule at the ReLUs"
            }
        }
    }
}
