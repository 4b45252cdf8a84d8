// Lesson 04's exercises as the runner serves them: the same selection as the graders'
// `Tests/CAMLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import CAMLesson
#if canImport(CAMSolutions)
import CAMSolutions
#endif
import TensorEngine
#if canImport(CAMSolutions)
private typealias Exercises = CAMExercises
#else
private typealias Exercises = CAMCourse
#endif

extension RunnerTable {
    static let cAM: [String: RunnerEntry] = [
        "04/classActivationMap(of:images:targets:featureLayer:classifier:)": RunnerEntry(selecting: { try Exercises.classActivationMap.graded(student: CAMLesson.classActivationMap) }),
        "04/upsampleBilinear(_:height:width:)": RunnerEntry(selecting: { try Exercises.upsampleBilinear.graded(student: CAMLesson.upsampleBilinear) }),
        "04/normalizedMaps(_:)": RunnerEntry(selecting: { try Exercises.normalizedMaps.graded(student: CAMLesson.normalizedMaps) }),
    ]
}
