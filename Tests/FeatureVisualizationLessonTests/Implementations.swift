// The implementation each test grades: the student's (Lessons/08-FeatureVisualization), the
// reference (WORKBOOK_SOLUTIONS=1) or a catalogued mistake (WORKBOOK_MISTAKE), as the exercise's
// one declaration in Solutions/08-FeatureVisualization/Exercises.swift decides.

import Course
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

enum Graded {
    static func classImage(of model: Module, target: Int, start: Tensor, steps: Int, learningRate: Float, l2: Float) throws -> Ascent {
        try Exercises.classImage.graded(student: FeatureVisualizationLesson.classImage)(model, target, start, steps, learningRate, l2)
    }
    static func totalVariation(_ images: Tensor) throws -> Tensor {
        try Exercises.totalVariation.graded(student: FeatureVisualizationLesson.totalVariation)(images)
    }
    static func gaussianBlur(_ images: Tensor, sigma: Float) throws -> Tensor {
        try Exercises.gaussianBlur.graded(student: FeatureVisualizationLesson.gaussianBlur)(images, sigma)
    }
    static func jittered(_ images: Tensor, dy: Int, dx: Int) throws -> Tensor {
        try Exercises.jittered.graded(student: FeatureVisualizationLesson.jittered)(images, dy, dx)
    }
    static func ascend(_ objective: (Tensor) throws -> Tensor, from start: Tensor, settings: AscentSettings, seed: UInt64) throws -> Ascent {
        // A closure, not the function itself: a student may add parameters with defaults (a progress callback).
        try Exercises.ascend.graded(student: { try FeatureVisualizationLesson.ascend($0, from: $1, settings: $2, seed: $3) })(objective, start, settings, seed)
    }
    static func meanActivation(of model: Module, at layer: String, channel: Int, for images: Tensor) throws -> Tensor {
        try Exercises.meanActivation.graded(student: FeatureVisualizationLesson.meanActivation)(model, layer, channel, images)
    }
    static func deepDream(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> Tensor {
        try Exercises.deepDream.graded(student: { try FeatureVisualizationLesson.deepDream(of: $0, image: $1, layer: $2, settings: $3, seed: $4) })(model, image, layer, settings, seed)
    }
    static func channelGuidedBackprop(of model: Module, images: Tensor, layer: String, channel: Int) throws -> Tensor {
        try Exercises.channelGuidedBackprop.graded(student: FeatureVisualizationLesson.channelGuidedBackprop)(model, images, layer, channel)
    }
}
