// Lesson 11 — Autoencoders: each exercise's declaration (Sources/Course/Lessons/11-Autoencoders.swift)
// bound to its reference, its mistakes' code and its correct variants. The graders, `workbook
// verify`, `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum AutoencodersExercises {
    public static let reconstructionError = AutoencodersCourse.reconstructionError.bound(
        reference: { try AutoencodersSolutions.reconstructionError(of: $0, encoder: $1, decoder: $2) },
        wrong: { id in { try AutoencodersMistakes.reconstructionError(id, of: $0, encoder: $1, decoder: $2) } })
        .with(variants: AutoencodersVariants.reconstructionError)

    public static let trainLinearAutoencoder = AutoencodersCourse.trainLinearAutoencoder.bound(
        reference: { try AutoencodersSolutions.trainLinearAutoencoder($0, components: $1, settings: $2) },
        wrong: { id in { try AutoencodersMistakes.trainLinearAutoencoder(id, $0, components: $1, settings: $2) } })
        .with(variants: AutoencodersVariants.trainLinearAutoencoder)

    public static let principalAngles = AutoencodersCourse.principalAngles.bound(
        reference: { try AutoencodersSolutions.principalAngles(between: $0, and: $1) },
        wrong: { id in { try AutoencodersMistakes.principalAngles(id, between: $0, and: $1) } })
        .with(variants: AutoencodersVariants.principalAngles)

    public static let convolutionalAutoencoder = AutoencodersCourse.convolutionalAutoencoder.bound(
        reference: { try AutoencodersSolutions.convolutionalAutoencoder(code: $0, seed: $1) },
        wrong: { id in { try AutoencodersMistakes.convolutionalAutoencoder(id, code: $0, seed: $1) } })
        .with(variants: AutoencodersVariants.convolutionalAutoencoder)

    public static let encode = AutoencodersCourse.encode.bound(
        reference: { try AutoencodersSolutions.encode($0, with: $1, batchSize: $2) },
        wrong: { id in { try AutoencodersMistakes.encode(id, $0, with: $1, batchSize: $2) } })
        .with(variants: AutoencodersVariants.encode)

    public static let mapComparison = AutoencodersCourse.mapComparison.bound(
        reference: { try AutoencodersSolutions.mapComparison(of: $0, fitted: $1, heldOut: $2, tsneMap: $3, neighbours: $4) },
        wrong: { id in { try AutoencodersMistakes.mapComparison(id, of: $0, fitted: $1, heldOut: $2, tsneMap: $3, neighbours: $4) } })
        .with(variants: AutoencodersVariants.mapComparison)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = AutoencodersCourse.lesson.with(exercises: [
        reconstructionError.summary, trainLinearAutoencoder.summary, principalAngles.summary, convolutionalAutoencoder.summary, encode.summary,
        mapComparison.summary,
    ])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = AutoencodersFigures.self
}
