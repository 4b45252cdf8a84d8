// Lesson 11's exercises as the runner serves them: the same selection as the graders'
// `Tests/AutoencodersLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

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
private typealias Exercises = AutoencodersExercises
private typealias EmbeddingsGraded = EmbeddingsExercises
#else
private typealias Exercises = AutoencodersCourse
private typealias EmbeddingsGraded = EmbeddingsCourse
#endif

extension RunnerTable {
    static let autoencoders: [String: RunnerEntry] = [
        "11/reconstructionError(of:encoder:decoder:)": RunnerEntry { (data: Tensor, encoder: Tensor, decoder: Tensor) in
            try DifferentiableResult(try Exercises.reconstructionError.graded(student: AutoencodersLesson.reconstructionError)(data, encoder, decoder),
                                     inputs: [data, encoder, decoder])
        },
        "11/trainLinearAutoencoder(_:components:settings:)": RunnerEntry(selecting: { try Exercises.trainLinearAutoencoder.graded(student: AutoencodersLesson.trainLinearAutoencoder) }),
        "11/principalAngles(between:and:)": RunnerEntry(selecting: { try Exercises.principalAngles.graded(student: AutoencodersLesson.principalAngles) }),
        "11/convolutionalAutoencoder(code:seed:)": RunnerEntry(selecting: { try Exercises.convolutionalAutoencoder.graded(student: AutoencodersLesson.convolutionalAutoencoder) }),
        "11/encode(_:with:batchSize:)": RunnerEntry(selecting: { try Exercises.encode.graded(student: AutoencodersLesson.encode) }),
        "11/mapComparison(of:fitted:heldOut:tsneMap:neighbours:)": RunnerEntry(selecting: { try Exercises.mapComparison.graded(student: AutoencodersLesson.mapComparison) }),
        "11/trustworthiness(high:low:neighbours:)": RunnerEntry(selecting: { try EmbeddingsGraded.trustworthiness.graded(student: EmbeddingsLesson.trustworthiness) }),
    ]
}
