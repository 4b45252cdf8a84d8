// The implementation each test grades: the student's (Lessons/11-Autoencoders), the reference
// (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's one
// declaration in Solutions/11-Autoencoders/Exercises.swift decides.

import AutoencodersLesson
#if canImport(AutoencodersSolutions)
import AutoencodersSolutions
import EmbeddingsSolutions
#endif
import Course
import GradingWire
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

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/Autoencoders.swift`,
// the same selection) under the key "11/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    /// Through the runner, the loss comes back with the gradients of its arguments
    /// (`DifferentiableResult`): `backward()` here fills `encoder.grad` and `decoder.grad` as in-process.
    static func reconstructionError(of data: Tensor, encoder: Tensor, decoder: Tensor) throws -> Tensor {
        if let runner {
            let loss: DifferentiableResult = try runner.call("11/\(#function)", data, encoder, decoder)
            return try loss.rebuilt(on: [data, encoder, decoder])
        }
        return try Exercises.reconstructionError.graded(student: AutoencodersLesson.reconstructionError)(data, encoder, decoder)
    }
    static func trainLinearAutoencoder(_ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws -> LinearAutoencoder {
        if let runner {
            return try runner.call("11/\(#function)", data, k, settings)
        }
        return try Exercises.trainLinearAutoencoder.graded(student: AutoencodersLesson.trainLinearAutoencoder)(data, k, settings)
    }
    static func principalAngles(between a: Matrix, and b: Matrix) throws -> [Double] {
        if let runner {
            return try runner.call("11/\(#function)", a, b)
        }
        return try Exercises.principalAngles.graded(student: AutoencodersLesson.principalAngles)(a, b)
    }
    static func convolutionalAutoencoder(code: Int, seed: UInt64) throws -> Sequential {
        if let runner {
            return try runner.call("11/\(#function)", code, seed)
        }
        return try Exercises.convolutionalAutoencoder.graded(student: AutoencodersLesson.convolutionalAutoencoder)(code, seed)
    }
    static func encode(_ images: Tensor, with autoencoder: Module, batchSize: Int) throws -> Matrix {
        if let runner {
            return try runner.call("11/\(#function)", images, autoencoder, batchSize)
        }
        return try Exercises.encode.graded(student: AutoencodersLesson.encode)(images, autoencoder, batchSize)
    }
    static func mapComparison(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> MapComparison {
        if let runner {
            return try runner.call("11/\(#function)", autoencoder, fitted, heldOut, tsneMap, k)
        }
        return try Exercises.mapComparison.graded(student: AutoencodersLesson.mapComparison)(autoencoder, fitted, heldOut, tsneMap, k)
    }
    /// Lesson 09's 9.6 as its own grader sees it: the student's (which 11.6 calls), or in the
    /// instructors' modes the reference's.
    static func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
        if let runner {
            return try runner.call("11/\(#function)", high, low, k)
        }
        return try EmbeddingsGraded.trustworthiness.graded(student: EmbeddingsLesson.trustworthiness)(high, low, k)
    }
}
