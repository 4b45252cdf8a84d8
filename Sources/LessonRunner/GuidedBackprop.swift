// Lesson 06's exercises as the runner serves them: the same selection as the graders'
// `Tests/GuidedBackpropLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import GuidedBackpropLesson
#if canImport(GuidedBackpropSolutions)
import GuidedBackpropSolutions
#endif
import TensorEngine
#if canImport(GuidedBackpropSolutions)
private typealias Exercises = GuidedBackpropExercises
#else
private typealias Exercises = GuidedBackpropCourse
#endif

extension RunnerTable {
    static let guidedBackprop: [String: RunnerEntry] = [
        "06/guidedBackprop(of:images:targets:)": RunnerEntry(selecting: { try Exercises.guidedBackprop.graded(student: GuidedBackpropLesson.guidedBackprop) }),
        "06/deconvnet(of:images:targets:)": RunnerEntry(selecting: { try Exercises.deconvnet.graded(student: GuidedBackpropLesson.deconvnet) }),
        "06/guidedGradCAM(of:images:targets:layer:)": RunnerEntry(selecting: { try Exercises.guidedGradCAM.graded(student: GuidedBackpropLesson.guidedGradCAM) }),
        "06/rankCorrelation(_:_:)": RunnerEntry(selecting: { try Exercises.rankCorrelation.graded(student: GuidedBackpropLesson.rankCorrelation) }),
    ]
}
