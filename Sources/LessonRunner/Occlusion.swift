// Lesson 03's exercises as the runner serves them: the same selection as the graders'
// `Tests/OcclusionLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import OcclusionLesson
#if canImport(OcclusionSolutions)
import OcclusionSolutions
#endif
import TensorEngine
#if canImport(OcclusionSolutions)
private typealias Exercises = OcclusionExercises
#else
private typealias Exercises = OcclusionCourse
#endif

extension RunnerTable {
    static let occlusion: [String: RunnerEntry] = [
        "03/occlusionWindows(height:width:window:stride:)": RunnerEntry(selecting: { try Exercises.occlusionWindows.graded(student: OcclusionLesson.occlusionWindows) }, sending: { $0.map { WirePair($0.rows, $0.columns) } }),
        "03/occlusion(of:images:targets:window:stride:baseline:batchSize:)": RunnerEntry(selecting: { try Exercises.occlusion.graded(student: OcclusionLesson.occlusion) }),
    ]
}
