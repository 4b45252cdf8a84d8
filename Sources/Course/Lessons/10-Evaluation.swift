// Lesson 10 — Evaluation: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/10-Evaluation/Exercises.swift.

import LessonSupport
import TensorEngine

public enum EvaluationCourse {
    public static let perturbationCurve = ExerciseDeclaration<@Sendable (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor, PerturbationCurve>(
        "10.1a", "Deletion and insertion: the perturbation curve", stub: "perturbationCurve(of:from:to:attributions:targets:pixelsPerStep:)")

    public static let areaUnderCurve = ExerciseDeclaration<@Sendable (Tensor) throws -> [Float], AreaUnderCurve>(
        "10.1b", "The area under a curve by the trapezoid rule", stub: "areaUnderCurve(_:)")

    public static let pointingGame = ExerciseDeclaration<@Sendable (Tensor, Tensor, Int) throws -> [Float], PointingGame>(
        "10.2a", "The pointing game, ties shared", stub: "pointingGame(attributions:masks:tolerance:)")

    public static let relevanceMass = ExerciseDeclaration<@Sendable (Tensor, Tensor) throws -> [Float], RelevanceMass>(
        "10.2b", "Relevance mass accuracy", stub: "relevanceMass(attributions:masks:)")

    public static let relevanceRankAccuracy = ExerciseDeclaration<@Sendable (Tensor, Tensor) throws -> [Float], RelevanceRankAccuracy>(
        "10.2c", "Relevance rank accuracy", stub: "relevanceRankAccuracy(attributions:masks:)")

    public static let decoyShare = ExerciseDeclaration<@Sendable (Tensor, [Int]) throws -> [Float], DecoyShare>(
        "10.3", "The decoy share: attribution in the shortcut's swatch", stub: "decoyShare(attributions:corners:)")

    public static let ablationCAM = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], String) throws -> Tensor, AblationCAM>(
        "10.4", "Ablation-CAM", stub: "ablationCAM(of:images:targets:layer:)")

    public static let scoreCAM = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], String) throws -> Tensor, ScoreCAM>(
        "10.5", "Score-CAM", stub: "scoreCAM(of:images:targets:layer:)")

    public static let linearImputation = ExerciseDeclaration<@Sendable (Tensor, Tensor) throws -> Tensor, LinearImputation>(
        "10.6a", "ROAD's linear imputation: removed pixels filled from their neighbours", stub: "linearImputation(of:keeping:)")

    public static let roadScores = ExerciseDeclaration<@Sendable (Module, Tensor, Tensor, [Int], Int, RemovalOrder, Tensor) throws -> [Float], ROADScores>(
        "10.6b", "ROAD: remove and debias, most and least relevant first", stub: "roadScores(of:images:attributions:targets:percentile:order:noise:)")

    public static let lesson = LessonDeclaration(
        number: 10, folder: "10-Evaluation", title: "Are the explanations right?",
        exercises: [perturbationCurve.summary, areaUnderCurve.summary, pointingGame.summary, relevanceMass.summary, relevanceRankAccuracy.summary, decoyShare.summary, ablationCAM.summary, scoreCAM.summary, linearImputation.summary, roadScores.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/10-Evaluation/Mistakes.swift)

    public enum PerturbationCurve: String, MistakeKind {
        case leastRelevantFirst = "least-relevant-first", logitScore = "logit-score"
        public var summary: String {
            switch self {
            case .leastRelevantFirst: "deletion order reversed: replaces the least relevant pixels first"
            case .logitScore: "records the raw logit instead of the softmax probability"
            }
        }
    }

    public enum AreaUnderCurve: String, MistakeKind {
        case noStepWidth = "no-step-width", leftRiemann = "left-riemann"
        public var summary: String {
            switch self {
            case .noStepWidth: "sums the trapezoids without the step width 1/S"
            case .leftRiemann: "left Riemann sum Σ y_k / S (k < S) instead of the trapezoid rule"
            }
        }
    }

    public enum PointingGame: String, MistakeKind {
        case firstMaximum = "first-maximum", absoluteMaximum = "absolute-maximum"
        public var summary: String {
            switch self {
            case .firstMaximum: "ties not handled: scores only the first maximum in row-major order (an upsampled map's plateau points top-left)"
            case .absoluteMaximum: "points at the largest |a| instead of the largest a"
            }
        }
    }

    public enum RelevanceMass: String, MistakeKind {
        case countsNegative = "counts-negative", absoluteValues = "absolute-values"
        public var summary: String {
            switch self {
            case .countsNegative: "counts negative attribution: Σ_mask a / Σ a with the signs kept"
            case .absoluteValues: "counts |a|: negative evidence outside the mask lowers the score, inside raises it"
            }
        }
    }

    public enum RelevanceRankAccuracy: String, MistakeKind {
        case dividesByArea = "divides-by-area", leastRelevant = "least-relevant"
        public var summary: String {
            switch self {
            case .dividesByArea: "divides the hits among the top K by the image's pixel count instead of K"
            case .leastRelevant: "takes the K lowest-attributed pixels"
            }
        }
    }

    public enum DecoyShare: String, MistakeKind {
        case fixedCorner = "fixed-corner", signed = "signed"
        public var summary: String {
            switch self {
            case .fixedCorner: "always measures the top-left swatch, whatever the image's corner"
            case .signed: "sums the signed attribution: positive and negative evidence cancel"
            }
        }
    }

    public enum AblationCAM: String, MistakeKind {
        case dividesByAblated = "divides-by-ablated", softmaxScore = "softmax-score"
        public var summary: String {
            switch self {
            case .dividesByAblated: "wₖ = (yᶜ − yᶜₖ) / yᶜₖ: divides by the ablated score instead of the original"
            case .softmaxScore: "scores with the softmax probability instead of the raw logit"
            }
        }
    }

    public enum ScoreCAM: String, MistakeKind {
        case unnormalisedMasks = "unnormalised-masks", halfPixelUpsampling = "half-pixel-upsampling", noSoftmax = "no-softmax"
        case onePassPerChannel = "one-pass-per-channel"
        public var summary: String {
            switch self {
            case .unnormalisedMasks: "masks the input with the raw upsampled activations, not min-max scaled to [0, 1]"
            case .halfPixelUpsampling: "upsamples with align_corners=False (F.interpolate's default) instead of UpsamplingBilinear2d's True"
            case .noSoftmax: "uses the masked inputs' logits as weights without the softmax over channels"
            case .onePassPerChannel: "right values, but one forward pass per masked copy instead of one batch of K per image"
            }
        }
    }

    public enum LinearImputation: String, MistakeKind {
        case equalWeights = "equal-weights", noBorderRenormalisation = "no-border-renormalisation"
        case edgeNeighboursOnly = "edge-neighbours-only", keptNeighboursOnly = "kept-neighbours-only"
        public var summary: String {
            switch self {
            case .equalWeights: "all eight neighbours weighted 1/8 (the library: 1/6 edge, 1/12 diagonal)"
            case .noBorderRenormalisation: "divides by the full weight 1 at the border too: pixels outside the image count as 0"
            case .edgeNeighboursOnly: "uses the four edge neighbours only (1/4 each)"
            case .keptNeighboursOnly: "no system solved: removed neighbours count as 0, only kept ones are averaged"
            }
        }
    }

    public enum ROADScores: String, MistakeKind {
        case tiesKept = "ties-kept", ordersSwapped = "orders-swapped", probabilityAfter = "probability-after", noiseEverywhere = "noise-everywhere"
        public var summary: String {
            switch self {
            case .tiesKept: "keeps the pixels equal to the threshold (≤ instead of <): a plateau at the threshold survives"
            case .ordersSwapped: "MoRF and LeRF swapped: thresholds 1 − a for most relevant first"
            case .probabilityAfter: "returns the probability after imputation, not its change (return_diff)"
            case .noiseEverywhere: "adds the noise to every pixel, not only the imputed ones"
            }
        }
    }
}
