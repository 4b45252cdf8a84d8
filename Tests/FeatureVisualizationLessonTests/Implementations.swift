// The implementation each test grades: the student's (Lessons/08-FeatureVisualization), the
// reference (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's
// one declaration in Solutions/08-FeatureVisualization/Exercises.swift decides.

import Course
import GradingWire
import FeatureVisualizationLesson
#if canImport(FeatureVisualizationSolutions)
import FeatureVisualizationSolutions
#endif
import LessonSupport
import TensorEngine

#if canImport(FeatureVisualizationSolutions)
typealias Exercises = FeatureVisualizationExercises
#else
typealias Exercises = FeatureVisualizationCourse
#endif

// With `WORKBOOK_RUNNER` set, each call goes to the lesson runner (`Sources/LessonRunner/FeatureVisualization.swift`,
// the same selection) under the key "08/<this function's name>", and this process runs no
// student code.
enum Graded {
    static let runner = LessonRunnerClient.configured

    static func classImage(of model: Module, target: Int, start: Tensor, steps: Int, learningRate: Float, l2: Float) throws -> Ascent {
        if let runner {
            let pair: WirePair<Tensor, [Float]> = try runner.call("08/\(#function)", model, target, start, steps, learningRate, l2)
            return (pair.first, pair.second)
        }
        return try Exercises.classImage.graded(student: FeatureVisualizationLesson.classImage)(model, target, start, steps, learningRate, l2)
    }
    static func totalVariation(_ images: Tensor) throws -> Tensor {
        if let runner {     // differentiated by the graders: with its Jacobian (`DifferentiableResult`)
            let tv: DifferentiableResult = try runner.call("08/\(#function)", images)
            return try tv.rebuilt(on: [images])
        }
        return try Exercises.totalVariation.graded(student: FeatureVisualizationLesson.totalVariation)(images)
    }
    static func gaussianBlur(_ images: Tensor, sigma: Float) throws -> Tensor {
        if let runner {
            return try runner.call("08/\(#function)", images, sigma)
        }
        return try Exercises.gaussianBlur.graded(student: FeatureVisualizationLesson.gaussianBlur)(images, sigma)
    }
    static func jittered(_ images: Tensor, dy: Int, dx: Int) throws -> Tensor {
        if let runner {     // differentiated by the graders: with its Jacobian (`DifferentiableResult`)
            let rolled: DifferentiableResult = try runner.call("08/\(#function)", images, dy, dx)
            return try rolled.rebuilt(on: [images])
        }
        return try Exercises.jittered.graded(student: FeatureVisualizationLesson.jittered)(images, dy, dx)
    }
    /// The objective is named (`AscentObjective`), not a closure, so it can cross to the runner.
    static func ascend(_ objective: AscentObjective, from start: Tensor, settings: AscentSettings, seed: UInt64) throws -> Ascent {
        if let runner {
            let pair: WirePair<Tensor, [Float]> = try runner.call("08/\(#function)", objective, start, settings, seed)
            return (pair.first, pair.second)
        }
        // A closure, not the function itself: a student may add parameters with defaults (a progress callback).
        return try Exercises.ascend.graded(student: { try FeatureVisualizationLesson.ascend($0, from: $1, settings: $2, seed: $3) })(objective.callAsFunction, start, settings, seed)
    }
    static func meanActivation(of model: Module, at layer: String, channel: Int, for images: Tensor) throws -> Tensor {
        if let runner {     // differentiated by the graders: with its Jacobian (`DifferentiableResult`)
            let mean: DifferentiableResult = try runner.call("08/\(#function)", model, layer, channel, images)
            return try mean.rebuilt(on: [images])
        }
        return try Exercises.meanActivation.graded(student: FeatureVisualizationLesson.meanActivation)(model, layer, channel, images)
    }
    static func deepDream(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> Tensor {
        if let runner {
            return try runner.call("08/\(#function)", model, image, layer, settings, seed)
        }
        return try Exercises.deepDream.graded(student: { try FeatureVisualizationLesson.deepDream(of: $0, image: $1, layer: $2, settings: $3, seed: $4) })(model, image, layer, settings, seed)
    }
    static func channelGuidedBackprop(of model: Module, images: Tensor, layer: String, channel: Int) throws -> Tensor {
        if let runner {
            return try runner.call("08/\(#function)", model, images, layer, channel)
        }
        return try Exercises.channelGuidedBackprop.graded(student: FeatureVisualizationLesson.channelGuidedBackprop)(model, images, layer, channel)
    }
}
