// Lesson 08 — FeatureVisualization: each exercise's declaration (Sources/Course/Lessons/08-FeatureVisualization.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum FeatureVisualizationExercises {
    public static let classImage = FeatureVisualizationCourse.classImage.bound(
        reference: { try FeatureVisualizationSolutions.classImage(of: $0, target: $1, start: $2, steps: $3, learningRate: $4, l2: $5) },
        wrong: { id in { try FeatureVisualizationMistakes.classImage(id, of: $0, target: $1, start: $2, steps: $3, learningRate: $4, l2: $5) } })
        .with(variants: FeatureVisualizationVariants.classImage)

    public static let totalVariation = FeatureVisualizationCourse.totalVariation.bound(
        reference: { try FeatureVisualizationSolutions.totalVariation($0) },
        wrong: { id in { try FeatureVisualizationMistakes.totalVariation(id, $0) } })
        .with(variants: FeatureVisualizationVariants.totalVariation)

    public static let gaussianBlur = FeatureVisualizationCourse.gaussianBlur.bound(
        reference: { try FeatureVisualizationSolutions.gaussianBlur($0, sigma: $1) },
        wrong: { id in { try FeatureVisualizationMistakes.gaussianBlur(id, $0, sigma: $1) } })
        .with(variants: FeatureVisualizationVariants.gaussianBlur)

    public static let jittered = FeatureVisualizationCourse.jittered.bound(
        reference: { try FeatureVisualizationSolutions.jittered($0, dy: $1, dx: $2) },
        wrong: { id in { try FeatureVisualizationMistakes.jittered(id, $0, dy: $1, dx: $2) } })
        .with(variants: FeatureVisualizationVariants.jittered)

    public static let ascend = FeatureVisualizationCourse.ascend.bound(
        reference: { try FeatureVisualizationSolutions.ascend($0, from: $1, settings: $2, seed: $3) },
        wrong: { id in { try FeatureVisualizationMistakes.ascend(id, $0, from: $1, settings: $2, seed: $3) } })
        .with(variants: FeatureVisualizationVariants.ascend)

    public static let meanActivation = FeatureVisualizationCourse.meanActivation.bound(
        reference: { try FeatureVisualizationSolutions.meanActivation(of: $0, at: $1, channel: $2, for: $3) },
        wrong: { id in { try FeatureVisualizationMistakes.meanActivation(id, of: $0, at: $1, channel: $2, for: $3) } })
        .with(variants: FeatureVisualizationVariants.meanActivation)

    public static let deepDream = FeatureVisualizationCourse.deepDream.bound(
        reference: { try FeatureVisualizationSolutions.deepDream(of: $0, image: $1, layer: $2, settings: $3, seed: $4) },
        wrong: { id in { try FeatureVisualizationMistakes.deepDream(id, of: $0, image: $1, layer: $2, settings: $3, seed: $4) } })
        .with(variants: FeatureVisualizationVariants.deepDream)

    public static let channelGuidedBackprop = FeatureVisualizationCourse.channelGuidedBackprop.bound(
        reference: { try FeatureVisualizationSolutions.channelGuidedBackprop(of: $0, images: $1, layer: $2, channel: $3) },
        wrong: { id in { try FeatureVisualizationMistakes.channelGuidedBackprop(id, of: $0, images: $1, layer: $2, channel: $3) } })
        .with(variants: FeatureVisualizationVariants.channelGuidedBackprop)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = FeatureVisualizationCourse.lesson.with(exercises: [classImage.summary, totalVariation.summary, gaussianBlur.summary, jittered.summary, ascend.summary, meanActivation.summary, deepDream.summary, channelGuidedBackprop.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = FeatureVisualizationFigures.self
}
