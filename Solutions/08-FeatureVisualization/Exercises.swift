// Lesson 08 — what a network has learned: each exercise declared once (number, title, stub,
// reference, mistakes). The graders, `workbook verify`, `workbook grade` and the scoreboard read these.

import LessonSupport
import TensorEngine

public typealias Ascent = (image: Tensor, objectives: [Float])

public enum FeatureVisualizationExercises {
    public static let classImage = Exercise<@Sendable (Module, Int, Tensor, Int, Float, Float) throws -> Ascent>(
        "8.1", "A class image by gradient ascent", stub: "classImage(of:target:start:steps:learningRate:l2:)",
        reference: { try FeatureVisualizationSolutions.classImage(of: $0, target: $1, start: $2, steps: $3, learningRate: $4, l2: $5) },
        mistakes: FeatureVisualizationMistakes.ClassImage.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.classImage(id, of: $0, target: $1, start: $2, steps: $3, learningRate: $4, l2: $5) } })

    public static let totalVariation = Exercise<@Sendable (Tensor) throws -> Tensor>(
        "8.2", "Total variation", stub: "totalVariation(_:)",
        reference: { try FeatureVisualizationSolutions.totalVariation($0) },
        mistakes: FeatureVisualizationMistakes.TotalVariation.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.totalVariation(id, $0) } })

    public static let gaussianBlur = Exercise<@Sendable (Tensor, Float) throws -> Tensor>(
        "8.3", "Gaussian blur", stub: "gaussianBlur(_:sigma:)",
        reference: { try FeatureVisualizationSolutions.gaussianBlur($0, sigma: $1) },
        mistakes: FeatureVisualizationMistakes.GaussianBlur.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.gaussianBlur(id, $0, sigma: $1) } })

    public static let jittered = Exercise<@Sendable (Tensor, Int, Int) throws -> Tensor>(
        "8.4", "Jitter: a circular shift", stub: "jittered(_:dy:dx:)",
        reference: { try FeatureVisualizationSolutions.jittered($0, dy: $1, dx: $2) },
        mistakes: FeatureVisualizationMistakes.Jittered.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.jittered(id, $0, dy: $1, dx: $2) } })

    public static let ascend = Exercise<@Sendable ((Tensor) throws -> Tensor, Tensor, AscentSettings, UInt64) throws -> Ascent>(
        "8.5", "The regularised optimiser", stub: "ascend(_:from:settings:seed:)",
        reference: { try FeatureVisualizationSolutions.ascend($0, from: $1, settings: $2, seed: $3) },
        mistakes: FeatureVisualizationMistakes.Ascend.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.ascend(id, $0, from: $1, settings: $2, seed: $3) } })

    public static let meanActivation = Exercise<@Sendable (Module, String, Int, Tensor) throws -> Tensor>(
        "8.6", "A unit's mean activation", stub: "meanActivation(of:at:channel:for:)",
        reference: { try FeatureVisualizationSolutions.meanActivation(of: $0, at: $1, channel: $2, for: $3) },
        mistakes: FeatureVisualizationMistakes.MeanActivation.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.meanActivation(id, of: $0, at: $1, channel: $2, for: $3) } })

    public static let deepDream = Exercise<@Sendable (Module, Tensor, String, DreamSettings, UInt64) throws -> Tensor>(
        "8.7", "DeepDream over octaves", stub: "deepDream(of:image:layer:settings:seed:)",
        reference: { try FeatureVisualizationSolutions.deepDream(of: $0, image: $1, layer: $2, settings: $3, seed: $4) },
        mistakes: FeatureVisualizationMistakes.DeepDream.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.deepDream(id, of: $0, image: $1, layer: $2, settings: $3, seed: $4) } })

    public static let channelGuidedBackprop = Exercise<@Sendable (Module, Tensor, String, Int) throws -> Tensor>(
        "8.8", "Guided backprop of one channel", stub: "channelGuidedBackprop(of:images:layer:channel:)",
        reference: { try FeatureVisualizationSolutions.channelGuidedBackprop(of: $0, images: $1, layer: $2, channel: $3) },
        mistakes: FeatureVisualizationMistakes.ChannelGuidedBackprop.allCases,
        wrong: { id in { try FeatureVisualizationMistakes.channelGuidedBackprop(id, of: $0, images: $1, layer: $2, channel: $3) } })

    public static let lesson = LessonDeclaration(
        number: 8, folder: "08-FeatureVisualization", title: "What a network has learned",
        exercises: [classImage.summary, totalVariation.summary, gaussianBlur.summary, jittered.summary, ascend.summary,
                    meanActivation.summary, deepDream.summary, channelGuidedBackprop.summary],
        figures: FeatureVisualizationFigures.self)
}
