// The implementation each test grades: the student's (Lessons/09-Embeddings), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/09-Embeddings/Exercises.swift decides.

import Course
import GradingWire
import EmbeddingsLesson
#if canImport(EmbeddingsSolutions)
import EmbeddingsSolutions
#endif
import LessonSupport
import TensorEngine

#if canImport(EmbeddingsSolutions)
typealias Exercises = EmbeddingsExercises
#else
typealias Exercises = EmbeddingsCourse
#endif

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Embeddings.swift`,
// the same selection) under the key "09/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func features(of model: Module, at layer: String, for images: Tensor, batchSize: Int) throws -> Tensor {
        if let runner {
            return try runner.call("09/\(#function)", model, layer, images, batchSize)
        }
        return try Exercises.features.graded(student: EmbeddingsLesson.features)(model, layer, images, batchSize)
    }
    static func pca(_ data: Matrix, components k: Int) throws -> PCAResult {
        if let runner {
            return try runner.call("09/\(#function)", data, k)
        }
        return try Exercises.pca.graded(student: EmbeddingsLesson.pca)(data, k)
    }
    static func tsneAffinities(_ data: Matrix, perplexity: Double) throws -> Affinities {
        if let runner {
            return try runner.call("09/\(#function)", data, perplexity)
        }
        return try Exercises.tsneAffinities.graded(student: EmbeddingsLesson.tsneAffinities)(data, perplexity)
    }
    static func tsneGradient(_ p: Matrix, _ y: Matrix) throws -> KLAndGradient {
        if let runner {
            let pair: WirePair<Double, Matrix> = try runner.call("09/\(#function)", p, y)
            return (pair.first, pair.second)
        }
        return try Exercises.tsneGradient.graded(student: EmbeddingsLesson.tsneGradient)(p, y)
    }
    static func tsne(_ data: Matrix, settings: TSNESettings) throws -> TSNEResult {
        if let runner {
            return try runner.call("09/\(#function)", data, settings)
        }
        return try Exercises.tsne.graded(student: { try EmbeddingsLesson.tsne($0, settings: $1) })(data, settings)
    }
    static func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
        if let runner {
            return try runner.call("09/\(#function)", high, low, k)
        }
        return try Exercises.trustworthiness.graded(student: EmbeddingsLesson.trustworthiness)(high, low, k)
    }
    static func knnAccuracy(_ points: Matrix, labels: [Int], neighbours k: Int) throws -> Double {
        if let runner {
            return try runner.call("09/\(#function)", points, labels, k)
        }
        return try Exercises.knnAccuracy.graded(student: EmbeddingsLesson.knnAccuracy)(points, labels, k)
    }
}
