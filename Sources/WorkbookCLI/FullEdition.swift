// The instructors' edition only: the lessons as Solutions/ binds them (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import AdversarialSolutions
import AutoencodersSolutions
import CAMSolutions
import Course
import EmbeddingsSolutions
import EvaluationSolutions
import FeatureVisualizationSolutions
import GradCAMSolutions
import GuidedBackpropSolutions
import HooksSolutions
import LessonSupport
import OcclusionSolutions
import SaliencySolutions

/// The lessons as `Solutions/` binds them: each `Course` declaration with its correct variants
/// listed, and its reference figures. What `verify` and `figures` need beyond the declarations.
enum FullEdition {
    static let lessons: [(lesson: LessonDeclaration, figures: any LessonFigures.Type)] = [
        (HooksExercises.lesson, HooksExercises.figures),
        (SaliencyExercises.lesson, SaliencyExercises.figures),
        (OcclusionExercises.lesson, OcclusionExercises.figures),
        (CAMExercises.lesson, CAMExercises.figures),
        (GradCAMExercises.lesson, GradCAMExercises.figures),
        (GuidedBackpropExercises.lesson, GuidedBackpropExercises.figures),
        (AdversarialExercises.lesson, AdversarialExercises.figures),
        (FeatureVisualizationExercises.lesson, FeatureVisualizationExercises.figures),
        (EmbeddingsExercises.lesson, EmbeddingsExercises.figures),
        (EvaluationExercises.lesson, EvaluationExercises.figures),
        (AutoencodersExercises.lesson, AutoencodersExercises.figures),
    ]

    /// `lesson` with its variants, as `Solutions/` binds it.
    static func bound(_ lesson: LessonDeclaration) -> LessonDeclaration {
        lessons.first { $0.lesson.folder == lesson.folder }?.lesson ?? lesson
    }

    static func figures(of lesson: LessonDeclaration) throws -> any LessonFigures.Type {
        guard let entry = lessons.first(where: { $0.lesson.folder == lesson.folder }) else {
            throw WorkFailure(message: "lesson \(lesson.folder) has no reference figures in Solutions/")
        }
        return entry.figures
    }
}
#endif
