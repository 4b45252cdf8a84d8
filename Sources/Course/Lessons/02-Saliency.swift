// Lesson 02 — Saliency: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/02-Saliency/Exercises.swift.

import LessonSupport
import TensorEngine

public enum SaliencyCourse {
    public static let saliency = ExerciseDeclaration<@Sendable (Module, Tensor, [Int]) throws -> Tensor, Saliency>(
        "2.1", "Vanilla saliency", stub: "saliency(of:images:targets:)")

    public static let saliencyMagnitude = ExerciseDeclaration<@Sendable (Tensor) throws -> Tensor, SaliencyMagnitude>(
        "2.2", "The saliency map as Simonyan et al. draw it", stub: "saliencyMagnitude(_:)")

    public static let gradientTimesInput = ExerciseDeclaration<@Sendable (Module, Tensor, [Int]) throws -> Tensor, GradientTimesInput>(
        "2.3", "Gradient × input", stub: "gradientTimesInput(of:images:targets:)")

    public static let smoothGrad = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], Int, Float, UInt64) throws -> Tensor, SmoothGrad>(
        "2.4", "SmoothGrad", stub: "smoothGrad(of:images:targets:samples:noiseLevel:seed:)")

    public static let integrationPoints = ExerciseDeclaration<@Sendable (IntegrationMethod, Int) throws -> (alphas: [Double], weights: [Double]), IntegrationPoints>(
        "2.5a", "Integration points and weights along the path", stub: "integrationPoints(_:steps:)")

    public static let integratedGradients = ExerciseDeclaration<
        @Sendable (Module, Tensor, [Int], Tensor?, Int, IntegrationMethod) throws -> (attributions: Tensor, delta: [Float])
    , IntegratedGradients>(
        "2.5", "Integrated Gradients", stub: "integratedGradients(of:images:targets:baseline:steps:method:)")

    public static let lesson = LessonDeclaration(
        number: 2, folder: "02-Saliency", title: "Saliency",
        exercises: [saliency.summary, saliencyMagnitude.summary, gradientTimesInput.summary, smoothGrad.summary, integrationPoints.summary, integratedGradients.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/02-Saliency/Mistakes.swift)

    public enum Saliency: String, MistakeKind {
        case softmaxProbability = "softmax-probability", lossGradient = "loss-gradient"
        public var summary: String {
            switch self {
            case .softmaxProbability: "differentiates the softmax probability instead of the raw logit"
            case .lossGradient: "differentiates the cross-entropy loss of the target (sign flipped, scaled by 1 − p)"
            }
        }
    }

    public enum SaliencyMagnitude: String, MistakeKind {
        case forgetsAbs = "forgets-abs", absAfterMax = "abs-after-max", batchAxis = "batch-axis"
        case sumOverChannels = "sum-over-channels"
        public var summary: String {
            switch self {
            case .forgetsAbs: "takes the max over channels of the signed gradient"
            case .absAfterMax: "takes |max_c g| instead of max_c |g|"
            case .batchAxis: "takes the max over axis 0 (the batch) instead of axis 1 (the channels)"
            case .sumOverChannels: "sums |∂y/∂x| over the channels instead of taking the largest (right for gray images only)"
            }
        }
    }

    public enum GradientTimesInput: String, MistakeKind {
        case normalisedInput = "normalised-input", absGradient = "abs-gradient"
        public var summary: String {
            switch self {
            case .normalisedInput: "multiplies by the normalised input (x − μ)/σ instead of the pixels"
            case .absGradient: "multiplies the input by |∂y/∂x|"
            }
        }
    }

    public enum SmoothGrad: String, MistakeKind {
        case unscaledSigma = "unscaled-sigma", meanOfMagnitude = "mean-of-magnitude", imageMajorNoise = "image-major-noise"
        public var summary: String {
            switch self {
            case .unscaledSigma: "uses σ = noiseLevel, not noiseLevel · (max − min) of each image"
            case .meanOfMagnitude: "averages |∂y/∂x| instead of the signed gradient"
            case .imageMajorNoise: "gives copy s of image n noise row n·samples + s instead of s·N + n"
            }
        }
    }

    public enum IntegrationPoints: String, MistakeKind {
        case trapezoid1OverN = "trapezoid-1-over-n", leftIncludesOne = "left-includes-one", unhalvedGaussWeights = "unhalved-gauss-weights"
        public var summary: String {
            switch self {
            case .trapezoid1OverN: "trapezoid weights 1/n halved at the ends (sum (n−1)/n), as captum 0.9 does"
            case .leftIncludesOne: "Riemann left with α = i/(n − 1), i.e. up to and including 1"
            case .unhalvedGaussWeights: "maps the Gauss–Legendre nodes to [0, 1] but keeps the weights (they sum to 2)"
            }
        }
    }

    public enum IntegratedGradients: String, MistakeKind {
        case forgetsInputDifference = "forgets-input-difference", unweightedMean = "unweighted-mean", deltaSign = "delta-sign"
        public var summary: String {
            switch self {
            case .forgetsInputDifference: "returns the averaged gradient without the factor (x − x′)"
            case .unweightedMean: "averages the path gradients with 1/n, ignoring the method's weights"
            case .deltaSign: "reports (F(x) − F(x′)) − Σ attributions as the delta"
            }
        }
    }
}
