// Lesson 09 — Embeddings: each exercise's declaration (Sources/Course/Lessons/09-Embeddings.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum EmbeddingsExercises {
    public static let features = EmbeddingsCourse.features.bound(
        reference: { try EmbeddingsSolutions.features(of: $0, at: $1, for: $2, batchSize: $3) },
        wrong: { id in { try EmbeddingsMistakes.features(id, of: $0, at: $1, for: $2, batchSize: $3) } })
        .with(variants: EmbeddingsVariants.features)

    public static let pca = EmbeddingsCourse.pca.bound(
        reference: { try EmbeddingsSolutions.pca($0, components: $1) },
        wrong: { id in { try EmbeddingsMistakes.pca(id, $0, components: $1) } })
        .with(variants: EmbeddingsVariants.pca)

    public static let tsneAffinities = EmbeddingsCourse.tsneAffinities.bound(
        reference: { try EmbeddingsSolutions.tsneAffinities($0, perplexity: $1) },
        wrong: { id in { try EmbeddingsMistakes.tsneAffinities(id, $0, perplexity: $1) } })
        .with(variants: EmbeddingsVariants.tsneAffinities)

    public static let tsneGradient = EmbeddingsCourse.tsneGradient.bound(
        reference: { try EmbeddingsSolutions.tsneGradient($0, $1) },
        wrong: { id in { try EmbeddingsMistakes.tsneGradient(id, $0, $1) } })
        .with(variants: EmbeddingsVariants.tsneGradient)

    public static let tsne = EmbeddingsCourse.tsne.bound(
        reference: { try EmbeddingsSolutions.tsne($0, settings: $1) },
        wrong: { id in { try EmbeddingsMistakes.tsne(id, $0, settings: $1) } })
        .with(variants: EmbeddingsVariants.tsne)

    public static let trustworthiness = EmbeddingsCourse.trustworthiness.bound(
        reference: { try EmbeddingsSolutions.trustworthiness(high: $0, low: $1, neighbours: $2) },
        wrong: { id in { try EmbeddingsMistakes.trustworthiness(id, high: $0, low: $1, neighbours: $2) } })
        .with(variants: EmbeddingsVariants.trustworthiness)

    public static let knnAccuracy = EmbeddingsCourse.knnAccuracy.bound(
        reference: { try EmbeddingsSolutions.knnAccuracy($0, labels: $1, neighbours: $2) },
        wrong: { id in { try EmbeddingsMistakes.knnAccuracy(id, $0, labels: $1, neighbours: $2) } })
        .with(variants: EmbeddingsVariants.knnAccuracy)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = EmbeddingsCourse.lesson.with(exercises: [features.summary, pca.summary, tsneAffinities.summary, tsneGradient.summary, tsne.summary, trustworthiness.summary, knnAccuracy.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = EmbeddingsFigures.self
}
