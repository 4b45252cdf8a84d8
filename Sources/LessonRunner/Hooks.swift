// Lesson 01's exercises as the runner serves them: the same selection as the graders'
// `Tests/HooksLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import HooksLesson
#if canImport(HooksSolutions)
import HooksSolutions
#endif
import TensorEngine

#if canImport(HooksSolutions)
private typealias Exercises = HooksExercises
#else
private typealias Exercises = HooksCourse
#endif

extension RunnerTable {
    static let hooks: [String: RunnerEntry] = [
        "01/activations(of:at:for:)": RunnerEntry { (model: Module, layer: String, images: Tensor) in
            try Exercises.activations.graded(student: HooksLesson.activations)(model, layer, images)
        },
        "01/gradient(of:at:for:targets:)": RunnerEntry { (model: Module, layer: String, images: Tensor, targets: [Int]) in
            try Exercises.gradient.graded(student: HooksLesson.gradient)(model, layer, images, targets)
        },
        "01/convolutionActivations(of:for:)": RunnerEntry({ (model: Module, images: Tensor) in
            try Exercises.convolutionActivations.graded(student: HooksLesson.convolutionActivations)(model, images)
        }, sending: { $0.map { WirePair($0.layer, $0.activations) } }),
        "01/confidence(of:for:)": RunnerEntry({ (model: Module, images: Tensor) in
            try Exercises.confidence.graded(student: HooksLesson.confidence)(model, images)
        }, sending: { $0.map { WirePair($0.predicted, $0.probability) } }),
    ]
}
