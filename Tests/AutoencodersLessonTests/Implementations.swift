// The implementation each test grades: the student's (Lessons/11-Autoencoders), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/11-Autoencoders/Exercises.swift decides.

import AutoencodersLesson
#if canImport(AutoencodersSolutions)
import AutoencodersSolutions
import EmbeddingsSolutions
#endif
import Course
import EmbeddingsLesson
import LessonSupport
import TensorEngine

#if canImport(AutoencodersSolutions)
typealias Exercises = AutoencodersExercises
typealias EmbeddingsGraded = EmbeddingsExercises
#else
typealias Exercises = AutoencodersCourse
typealias EmbeddingsGraded = EmbeddingsCourse
#endif

enum Graded {
    static func reconstructionError(of data: Tensor, encoder: Tensor, decoder: Tensor) throws -> Tensor {
        try Exercises.reconstructionError.graded(student: AutoencodersLesson.reconstructionError)(data, encoder, decoder)
    }
    static func trainLinearAutoencoder(_ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws -> LinearAutoencoder {
        try Exercises.trainLinearAutoencoder.graded(student: AutoencodersLesson.trainLinearAutoencoder)(data, k, settings)
    }
    static func principalAngles(between a: Matrix, and b: Matrix) throws -> [Double] {
        try Exercises.principalAngles.graded(student: AutoencodersLesson.principalAngles)(a, b)
    }
    static func convolutionalAutoencoder(code: Int, seed: UInt64) throws -> Sequential {
        try Exercises.convolutionalAutoencoder.graded(student: AutoencodersLesson.convolutionalAutoencoder)(code, seed)
    }
    static func encode(_ images: Tensor, with autoencoder: Module, batchSize: Int) throws -> Matrix {
        try Exercises.encode.graded(student: AutoencodersLesson.encode)(images, autoencoder, batchSize)
    }
    static func mapComparison(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> MapComparison {
        try Exercises.mapComparison.graded(student: AutoencodersLesson.mapComparison)(autoencoder, fitted, heldOut, tsneMap, k)
    }
    /// Lesson 09's 9.6 as its own grader sees it: the student's (which 11.6 calls), or in the
    /// instructors' modes the reference's.
    static func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
        try EmbeddingsGraded.trustworthiness.graded(student: EmbeddingsLesson.trustworthiness)(high, low, k)
    }
}
