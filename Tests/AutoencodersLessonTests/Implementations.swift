// The implementation each test grades: the student's (Lessons/11-Autoencoders), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/11-Autoencoders/Exercises.swift decides.

import AutoencodersLesson
#if canImport(AutoencodersSolutions)
import AutoencodersSolutions
#endif
import Course
import LessonSupport
import TensorEngine

#if canImport(AutoencodersSolutions)
typealias Exercises = AutoencodersExercises
#else
typealias Exercises = AutoencodersCourse
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
}
