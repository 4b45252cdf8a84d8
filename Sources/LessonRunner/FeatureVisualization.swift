// Lesson 08's exercises as the runner serves them: the same selection as the graders'
// `Tests/FeatureVisualizationLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import FeatureVisualizationLesson
#if canImport(FeatureVisualizationSolutions)
import FeatureVisualizationSolutions
#endif
import LessonSupport
import TensorEngine
#if canImport(FeatureVisualizationSolutions)
private typealias Exercises = FeatureVisualizationExercises
#else
private typealias Exercises = FeatureVisualizationCourse
#endif

extension RunnerTable {
    static let featureVisualization: [String: RunnerEntry] = [
        "08/classImage(of:target:start:steps:learningRate:l2:)": RunnerEntry(selecting: { try Exercises.classImage.graded(student: FeatureVisualizationLesson.classImage) }, sending: { WirePair($0.image, $0.objectives) }),
        "08/totalVariation(_:)": RunnerEntry { (images: Tensor) in
            try DifferentiableResult(try Exercises.totalVariation.graded(student: FeatureVisualizationLesson.totalVariation)(images), inputs: [images])
        },
        "08/gaussianBlur(_:sigma:)": RunnerEntry(selecting: { try Exercises.gaussianBlur.graded(student: FeatureVisualizationLesson.gaussianBlur) }),
        "08/meanActivation(of:at:channel:for:)": RunnerEntry { (model: Module, layer: String, channel: Int, images: Tensor) in
            try DifferentiableResult(try Exercises.meanActivation.graded(student: FeatureVisualizationLesson.meanActivation)(model, layer, channel, images),
                                     inputs: [images])
        },
        "08/jittered(_:dy:dx:)": RunnerEntry { (images: Tensor, dy: Int, dx: Int) in
            try DifferentiableResult(try Exercises.jittered.graded(student: FeatureVisualizationLesson.jittered)(images, dy, dx), inputs: [images])
        },
        "08/ascend(_:from:settings:seed:)": RunnerEntry({ (objective: AscentObjective, start: Tensor, settings: AscentSettings, seed: UInt64) in
            try Exercises.ascend.graded(student: { try FeatureVisualizationLesson.ascend($0, from: $1, settings: $2, seed: $3) })(objective.callAsFunction, start, settings, seed)
        }, sending: { WirePair($0.image, $0.objectives) }),
        "08/deepDream(of:image:layer:settings:seed:)": RunnerEntry(selecting: { try Exercises.deepDream.graded(student: { try FeatureVisualizationLesson.deepDream(of: $0, image: $1, layer: $2, settings: $3, seed: $4) }) }),
        "08/channelGuidedBackprop(of:images:layer:channel:)": RunnerEntry(selecting: { try Exercises.channelGuidedBackprop.graded(student: FeatureVisualizationLesson.channelGuidedBackprop) }),
    ]
}
