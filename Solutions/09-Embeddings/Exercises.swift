// Lesson 09 — embeddings: each exercise declared once (number, title, stub, reference, mistakes).
// The graders, `workbook verify`, `workbook grade` and the scoreboard read these.

import LessonSupport
import TensorEngine

public typealias KLAndGradient = (kl: Double, gradient: Matrix)

public enum EmbeddingsExercises {
    public static let features = Exercise<@Sendable (Module, String, Tensor, Int) throws -> Tensor>(
        "9.1", "A layer's activations as feature vectors", stub: "features(of:at:for:batchSize:)",
        reference: { try EmbeddingsSolutions.features(of: $0, at: $1, for: $2, batchSize: $3) },
        mistakes: EmbeddingsMistakes.Features.allCases,
        wrong: { id in { try EmbeddingsMistakes.features(id, of: $0, at: $1, for: $2, batchSize: $3) } })

    public static let pca = Exercise<@Sendable (Matrix, Int) throws -> PCAResult>(
        "9.2", "Principal component analysis", stub: "pca(_:components:)",
        reference: { try EmbeddingsSolutions.pca($0, components: $1) },
        mistakes: EmbeddingsMistakes.PCA.allCases,
        wrong: { id in { try EmbeddingsMistakes.pca(id, $0, components: $1) } })

    public static let tsneAffinities = Exercise<@Sendable (Matrix, Double) throws -> Affinities>(
        "9.3", "t-SNE's affinities P", stub: "tsneAffinities(_:perplexity:)",
        reference: { try EmbeddingsSolutions.tsneAffinities($0, perplexity: $1) },
        mistakes: EmbeddingsMistakes.Affinities.allCases,
        wrong: { id in { try EmbeddingsMistakes.tsneAffinities(id, $0, perplexity: $1) } })

    public static let tsneGradient = Exercise<@Sendable (Matrix, Matrix) throws -> KLAndGradient>(
        "9.4", "KL(P‖Q) and its gradient", stub: "tsneGradient(_:_:)",
        reference: { try EmbeddingsSolutions.tsneGradient($0, $1) },
        mistakes: EmbeddingsMistakes.Gradient.allCases,
        wrong: { id in { try EmbeddingsMistakes.tsneGradient(id, $0, $1) } })

    public static let tsne = Exercise<@Sendable (Matrix, TSNESettings) throws -> TSNEResult>(
        "9.5", "The exact t-SNE optimiser", stub: "tsne(_:settings:)",
        reference: { try EmbeddingsSolutions.tsne($0, settings: $1) },
        mistakes: EmbeddingsMistakes.Optimiser.allCases,
        wrong: { id in { try EmbeddingsMistakes.tsne(id, $0, settings: $1) } })

    public static let trustworthiness = Exercise<@Sendable (Matrix, Matrix, Int) throws -> Double>(
        "9.6", "Trustworthiness", stub: "trustworthiness(high:low:neighbours:)",
        reference: { try EmbeddingsSolutions.trustworthiness(high: $0, low: $1, neighbours: $2) },
        mistakes: EmbeddingsMistakes.Trustworthiness.allCases,
        wrong: { id in { try EmbeddingsMistakes.trustworthiness(id, high: $0, low: $1, neighbours: $2) } })

    public static let knnAccuracy = Exercise<@Sendable (Matrix, [Int], Int) throws -> Double>(
        "9.7", "Leave-one-out kNN accuracy", stub: "knnAccuracy(_:labels:neighbours:)",
        reference: { try EmbeddingsSolutions.knnAccuracy($0, labels: $1, neighbours: $2) },
        mistakes: EmbeddingsMistakes.KNN.allCases,
        wrong: { id in { try EmbeddingsMistakes.knnAccuracy(id, $0, labels: $1, neighbours: $2) } })

    public static let lesson = LessonDeclaration(
        number: 9, folder: "09-Embeddings", title: "Embeddings: PCA and t-SNE",
        exercises: [features.summary, pca.summary, tsneAffinities.summary, tsneGradient.summary, tsne.summary,
                    trustworthiness.summary, knnAccuracy.summary],
        figures: EmbeddingsFigures.self)
}
