// Lesson 09's exercises as the runner serves them: the same selection as the graders'
// `Tests/EmbeddingsLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import EmbeddingsLesson
#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions
#endif
import LessonSupport
import TensorEngine
#if canImport(EmbeddingsSolutions)
private typealias Exercises = EmbeddingsExercises
#else
private typealias Exercises = EmbeddingsCourse
#endif

extension RunnerTable {
    static let embeddings: [String: RunnerEntry] = [
        "09/features(of:at:for:batchSize:)": RunnerEntry(selecting: { try Exercises.features.graded(student: EmbeddingsLesson.features) }),
        "09/pca(_:components:)": RunnerEntry(selecting: { try Exercises.pca.graded(student: EmbeddingsLesson.pca) }),
        "09/tsneAffinities(_:perplexity:)": RunnerEntry(selecting: { try Exercises.tsneAffinities.graded(student: EmbeddingsLesson.tsneAffinities) }),
        "09/tsneGradient(_:_:)": RunnerEntry(selecting: { try Exercises.tsneGradient.graded(student: EmbeddingsLesson.tsneGradient) }, sending: { WirePair($0.kl, $0.gradient) }),
        "09/tsne(_:settings:)": RunnerEntry(selecting: { try Exercises.tsne.graded(student: { try EmbeddingsLesson.tsne($0, settings: $1) }) }),
        "09/trustworthiness(high:low:neighbours:)": RunnerEntry(selecting: { try Exercises.trustworthiness.graded(student: EmbeddingsLesson.trustworthiness) }),
        "09/knnAccuracy(_:labels:neighbours:)": RunnerEntry(selecting: { try Exercises.knnAccuracy.graded(student: EmbeddingsLesson.knnAccuracy) }),
    ]
}
