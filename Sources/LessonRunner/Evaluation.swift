// Lesson 10's exercises as the runner serves them: the same selection as the graders'
// `Tests/EvaluationLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import EvaluationLesson
#if canImport(EvaluationSolutions)
import EvaluationSolutions
#endif
import LessonSupport
import TensorEngine
#if canImport(EvaluationSolutions)
private typealias Exercises = EvaluationExercises
#else
private typealias Exercises = EvaluationCourse
#endif

extension RunnerTable {
    static let evaluation: [String: RunnerEntry] = [
        "10/perturbationCurve(of:from:to:attributions:targets:pixelsPerStep:)": RunnerEntry(selecting: { try Exercises.perturbationCurve.graded(student: EvaluationLesson.perturbationCurve) }),
        "10/areaUnderCurve(_:)": RunnerEntry(selecting: { try Exercises.areaUnderCurve.graded(student: EvaluationLesson.areaUnderCurve) }),
        "10/pointingGame(attributions:masks:tolerance:)": RunnerEntry(selecting: { try Exercises.pointingGame.graded(student: EvaluationLesson.pointingGame) }),
        "10/relevanceMass(attributions:masks:)": RunnerEntry(selecting: { try Exercises.relevanceMass.graded(student: EvaluationLesson.relevanceMass) }),
        "10/relevanceRankAccuracy(attributions:masks:)": RunnerEntry(selecting: { try Exercises.relevanceRankAccuracy.graded(student: EvaluationLesson.relevanceRankAccuracy) }),
        "10/decoyShare(attributions:corners:)": RunnerEntry(selecting: { try Exercises.decoyShare.graded(student: EvaluationLesson.decoyShare) }),
        "10/ablationCAM(of:images:targets:layer:)": RunnerEntry(selecting: { try Exercises.ablationCAM.graded(student: EvaluationLesson.ablationCAM) }),
        "10/scoreCAM(of:images:targets:layer:)": RunnerEntry(selecting: { try Exercises.scoreCAM.graded(student: EvaluationLesson.scoreCAM) }),
        "10/linearImputation(of:keeping:)": RunnerEntry(selecting: { try Exercises.linearImputation.graded(student: EvaluationLesson.linearImputation) }),
        "10/roadScores(of:images:attributions:targets:percentile:order:noise:)": RunnerEntry(selecting: { try Exercises.roadScores.graded(student: EvaluationLesson.roadScores) }),
    ]
}
