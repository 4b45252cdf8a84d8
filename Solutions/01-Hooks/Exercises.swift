// Lesson 01 — Hooks: each exercise's declaration (Sources/Course/Lessons/01-Hooks.swift) bound
// to its reference, its mistakes' code and its correct variants. The graders, `workbook verify`,
// `workbook grade` and the scoreboard read these.

import Course
import LessonSupport
import TensorEngine

public enum HooksExercises {
    public static let activations = HooksCourse.activations.bound(
        reference: { try HooksSolutions.activations(of: $0, at: $1, for: $2) },
        wrong: { id in { try HooksMistakes.activations(id, of: $0, at: $1, for: $2) } })
        .with(variants: HooksVariants.activations)

    public static let gradient = HooksCourse.gradient.bound(
        reference: { try HooksSolutions.gradient(of: $0, at: $1, for: $2, targets: $3) },
        wrong: { id in { try HooksMistakes.gradient(id, of: $0, at: $1, for: $2, targets: $3) } })
        .with(variants: HooksVariants.gradient)

    public static let convolutionActivations = HooksCourse.convolutionActivations.bound(
        reference: { try HooksSolutions.convolutionActivations(of: $0, for: $1) },
        wrong: { id in { try HooksMistakes.convolutionActivations(id, of: $0, for: $1) } })
        .with(variants: HooksVariants.convolutionActivations)

    public static let confidence = HooksCourse.confidence.bound(
        reference: { try HooksSolutions.confidence(of: $0, for: $1) },
        wrong: { id in { try HooksMistakes.confidence(id, of: $0, for: $1) } })
        .with(variants: HooksVariants.confidence)

    /// The lesson with its variants listed (what `verify` runs).
    public static let lesson = HooksCourse.lesson.with(exercises: [activations.summary, gradient.summary, convolutionActivations.summary, confidence.summary])

    /// The lesson's reference figures (`workbook figures`).
    public static let figures: any LessonFigures.Type = HooksFigures.self
}
