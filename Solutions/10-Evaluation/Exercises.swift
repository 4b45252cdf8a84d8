// Lesson 10 — Are the explanations right? Each exercise declared once (number, title, stub,
// reference, mistakes). The graders, `workbook verify`, `workbook grade` and the scoreboard read these.

import LessonSupport
import TensorEngine

public enum EvaluationExercises {
    public static let perturbationCurve = Exercise<@Sendable (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor>(
        "10.1a", "Deletion and insertion: the perturbation curve", stub: "perturbationCurve(of:from:to:attributions:targets:pixelsPerStep:)",
        reference: { try EvaluationSolutions.perturbationCurve(of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5) },
        mistakes: EvaluationMistakes.PerturbationCurve.allCases,
        wrong: { id in { try EvaluationMistakes.perturbationCurve(id, of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5) } })

    public static let areaUnderCurve = Exercise<@Sendable (Tensor) throws -> [Float]>(
        "10.1b", "The area under a curve by the trapezoid rule", stub: "areaUnderCurve(_:)",
        reference: { try EvaluationSolutions.areaUnderCurve($0) },
        mistakes: EvaluationMistakes.AreaUnderCurve.allCases,
        wrong: { id in { try EvaluationMistakes.areaUnderCurve(id, $0) } })

    public static let pointingGame = Exercise<@Sendable (Tensor, Tensor, Int) throws -> [Float]>(
        "10.2a", "The pointing game, ties shared", stub: "pointingGame(attributions:masks:tolerance:)",
        reference: { try EvaluationSolutions.pointingGame(attributions: $0, masks: $1, tolerance: $2) },
        mistakes: EvaluationMistakes.PointingGame.allCases,
        wrong: { id in { try EvaluationMistakes.pointingGame(id, attributions: $0, masks: $1, tolerance: $2) } })

    public static let relevanceMass = Exercise<@Sendable (Tensor, Tensor) throws -> [Float]>(
        "10.2b", "Relevance mass accuracy", stub: "relevanceMass(attributions:masks:)",
        reference: { try EvaluationSolutions.relevanceMass(attributions: $0, masks: $1) },
        mistakes: EvaluationMistakes.RelevanceMass.allCases,
        wrong: { id in { try EvaluationMistakes.relevanceMass(id, attributions: $0, masks: $1) } })

    public static let relevanceRankAccuracy = Exercise<@Sendable (Tensor, Tensor) throws -> [Float]>(
        "10.2c", "Relevance rank accuracy", stub: "relevanceRankAccuracy(attributions:masks:)",
        reference: { try EvaluationSolutions.relevanceRankAccuracy(attributions: $0, masks: $1) },
        mistakes: EvaluationMistakes.RelevanceRankAccuracy.allCases,
        wrong: { id in { try EvaluationMistakes.relevanceRankAccuracy(id, attributions: $0, masks: $1) } })

    public static let decoyShare = Exercise<@Sendable (Tensor, [Int]) throws -> [Float]>(
        "10.3", "The decoy share: attribution in the shortcut's swatch", stub: "decoyShare(attributions:corners:)",
        reference: { try EvaluationSolutions.decoyShare(attributions: $0, corners: $1) },
        mistakes: EvaluationMistakes.DecoyShare.allCases,
        wrong: { id in { try EvaluationMistakes.decoyShare(id, attributions: $0, corners: $1) } })

    public static let ablationCAM = Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>(
        "10.4", "Ablation-CAM", stub: "ablationCAM(of:images:targets:layer:)",
        reference: { try EvaluationSolutions.ablationCAM(of: $0, images: $1, targets: $2, layer: $3) },
        mistakes: EvaluationMistakes.AblationCAM.allCases,
        wrong: { id in { try EvaluationMistakes.ablationCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })

    public static let scoreCAM = Exercise<@Sendable (Module, Tensor, [Int], String) throws -> Tensor>(
        "10.5", "Score-CAM", stub: "scoreCAM(of:images:targets:layer:)",
        reference: { try EvaluationSolutions.scoreCAM(of: $0, images: $1, targets: $2, layer: $3) },
        mistakes: EvaluationMistakes.ScoreCAM.allCases,
        wrong: { id in { try EvaluationMistakes.scoreCAM(id, of: $0, images: $1, targets: $2, layer: $3) } })

    public static let linearImputation = Exercise<@Sendable (Tensor, Tensor) throws -> Tensor>(
        "10.6a", "ROAD's linear imputation: removed pixels filled from their neighbours", stub: "linearImputation(of:keeping:)",
        reference: { try EvaluationSolutions.linearImputation(of: $0, keeping: $1) },
        mistakes: EvaluationMistakes.LinearImputation.allCases,
        wrong: { id in { try EvaluationMistakes.linearImputation(id, of: $0, keeping: $1) } })

    public static let roadScores = Exercise<@Sendable (Module, Tensor, Tensor, [Int], Int, RemovalOrder, Tensor) throws -> [Float]>(
        "10.6b", "ROAD: remove and debias, most and least relevant first", stub: "roadScores(of:images:attributions:targets:percentile:order:noise:)",
        reference: { try EvaluationSolutions.roadScores(of: $0, images: $1, attributions: $2, targets: $3, percentile: $4, order: $5, noise: $6) },
        mistakes: EvaluationMistakes.ROADScores.allCases,
        wrong: { id in { try EvaluationMistakes.roadScores(id, of: $0, images: $1, attributions: $2, targets: $3, percentile: $4, order: $5, noise: $6) } })

    public static let lesson = LessonDeclaration(
        number: 10, folder: "10-Evaluation", title: "Are the explanations right?",
        exercises: [perturbationCurve.summary, areaUnderCurve.summary, pointingGame.summary, relevanceMass.summary,
                    relevanceRankAccuracy.summary, decoyShare.summary, ablationCAM.summary, scoreCAM.summary,
                    linearImputation.summary, roadScores.summary],
        figures: EvaluationFigures.self)
}
