// Lesson 02's exercises as the runner serves them: the same selection as the graders'
// `Tests/SaliencyLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import LessonSupport
import SaliencyLesson
#if canImport(SaliencySolutions)
import SaliencySolutions
#endif
import TensorEngine
#if canImport(SaliencySolutions)
private typealias Exercises = SaliencyExercises
#else
private typealias Exercises = SaliencyCourse
#endif

extension RunnerTable {
    static let saliency: [String: RunnerEntry] = [
        "02/saliency(of:images:targets:)": RunnerEntry(selecting: { try Exercises.saliency.graded(student: SaliencyLesson.saliency) }),
        "02/saliencyMagnitude(_:)": RunnerEntry(selecting: { try Exercises.saliencyMagnitude.graded(student: SaliencyLesson.saliencyMagnitude) }),
        "02/gradientTimesInput(of:images:targets:)": RunnerEntry(selecting: { try Exercises.gradientTimesInput.graded(student: SaliencyLesson.gradientTimesInput) }),
        "02/smoothGrad(of:images:targets:samples:noiseLevel:seed:)": RunnerEntry(selecting: { try Exercises.smoothGrad.graded(student: SaliencyLesson.smoothGrad) }),
        "02/integrationPoints(_:steps:)": RunnerEntry(selecting: { try Exercises.integrationPoints.graded(student: SaliencyLesson.integrationPoints) }, sending: { WirePair($0.alphas, $0.weights) }),
        "02/integratedGradients(of:images:targets:baseline:steps:method:)": RunnerEntry(selecting: { try Exercises.integratedGradients.graded(student: SaliencyLesson.integratedGradients) }, sending: { WirePair($0.attributions, $0.delta) }),
    ]
}
