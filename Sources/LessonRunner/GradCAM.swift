// Lesson 05's exercises as the runner serves them: the same selection as the graders'
// `Tests/GradCAMLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import GradCAMLesson
#if canImport(GradCAMSolutions)
import GradCAMSolutions
#endif
import TensorEngine
#if canImport(GradCAMSolutions)
private typealias Exercises = GradCAMExercises
#else
private typealias Exercises = GradCAMCourse
#endif

extension RunnerTable {
    static let gradCAM: [String: RunnerEntry] = [
        "05/activationsAndGradients(of:at:images:targets:)": RunnerEntry(selecting: { try Exercises.activationsAndGradients.graded(student: GradCAMLesson.activationsAndGradients) }, sending: { WirePair($0.activations, $0.gradients) }),
        "05/gradCAM(of:images:targets:layer:)": RunnerEntry(selecting: { try Exercises.gradCAM.graded(student: GradCAMLesson.gradCAM) }),
        "05/upsampledAndNormalized(_:height:width:)": RunnerEntry(selecting: { try Exercises.upsampledAndNormalized.graded(student: GradCAMLesson.upsampledAndNormalized) }),
        "05/gradCAMPlusPlus(of:images:targets:layer:)": RunnerEntry(selecting: { try Exercises.gradCAMPlusPlus.graded(student: GradCAMLesson.gradCAMPlusPlus) }),
    ]
}
