import LessonSupport

/// The course: every lesson's declaration, in order (each in `Lessons/NN-Topic.swift` beside this
/// file, what both editions have; `Solutions/NN-Topic/Exercises.swift` binds the answers to them).
/// `Package.swift` finds the lessons as the folders under `Lessons/`; `CourseTests` checks that this list names the same folders, and that
/// every declared exercise has its stub and every stub its declaration.
public enum Course {
    public static let lessons: [LessonDeclaration] = [
        HooksCourse.lesson,
        SaliencyCourse.lesson,
        OcclusionCourse.lesson,
        CAMCourse.lesson,
        GradCAMCourse.lesson,
        GuidedBackpropCourse.lesson,
        AdversarialCourse.lesson,
        FeatureVisualizationCourse.lesson,
        EmbeddingsCourse.lesson,
        EvaluationCourse.lesson,
        AutoencodersCourse.lesson,
    ]

    /// The lessons selected by `--lesson N` (all when nil), or an error naming the known ones.
    public static func selected(_ number: Int?) throws -> [LessonDeclaration] {
        guard let number else { return lessons }
        guard let lesson = lessons.first(where: { $0.number == number }) else {
            throw UnknownLesson(number: number, known: lessons.map(\.number))
        }
        return [lesson]
    }

    /// Every catalogued mistake of a lesson, as `(exercise, id, summary)`.
    public static func mistakes(of lesson: LessonDeclaration) -> [(exercise: String, id: String, summary: String)] {
        lesson.exercises.flatMap { exercise in exercise.mistakes.map { (exercise.number, $0.id, $0.summary) } }
    }
}

public struct UnknownLesson: Error, CustomStringConvertible {
    public let number: Int, known: [Int]
    public var description: String { "no lesson \(number); lessons: \(known.map(String.init).joined(separator: ", "))" }
}
