// Lesson 07's exercises as the runner serves them: the same selection as the graders'
// `Tests/AdversarialLessonTests/Implementations.swift` (the student's function; in the full edition
// the reference or a catalogued mistake when the mode asks for one).

import Course
import GradingWire
import AdversarialLesson
#if canImport(AdversarialSolutions)
import AdversarialSolutions
#endif
import TensorEngine
#if canImport(AdversarialSolutions)
private typealias Exercises = AdversarialExercises
#else
private typealias Exercises = AdversarialCourse
#endif

extension RunnerTable {
    static let adversarial: [String: RunnerEntry] = [
        "07/fgsm(of:images:labels:epsilon:)": RunnerEntry(selecting: { try Exercises.fgsm.graded(student: AdversarialLesson.fgsm) }),
        "07/targetedFGSM(of:images:targets:epsilon:)": RunnerEntry(selecting: { try Exercises.targetedFGSM.graded(student: AdversarialLesson.targetedFGSM) }),
        "07/pgd(of:images:labels:epsilon:stepSize:steps:randomStart:seed:)": RunnerEntry(selecting: { try Exercises.pgd.graded(student: AdversarialLesson.pgd) }),
        "07/accuracyUnderFGSM(of:images:labels:epsilons:batchSize:)": RunnerEntry(selecting: { try Exercises.accuracyUnderFGSM.graded(student: AdversarialLesson.accuracyUnderFGSM) }),
    ]
}
