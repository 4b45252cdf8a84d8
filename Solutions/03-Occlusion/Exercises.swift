// Lesson 03 — Occlusion: each exercise declared once (number, title, stub, reference, mistakes).
// The graders, `workbook verify`, `workbook grade` and the scoreboard all read these.

import LessonSupport
import TensorEngine

public enum OcclusionExercises {
    public static let occlusionWindows = Exercise<@Sendable (Int, Int, Int, Int) throws -> [(rows: Range<Int>, columns: Range<Int>)]>(
        "3.1", "Where the occluding window goes", stub: "occlusionWindows(height:width:window:stride:)",
        reference: { try OcclusionSolutions.occlusionWindows(height: $0, width: $1, window: $2, stride: $3) },
        mistakes: OcclusionMistakes.OcclusionWindows.allCases,
        wrong: { id in { try OcclusionMistakes.occlusionWindows(id, height: $0, width: $1, window: $2, stride: $3) } })

    public static let occlusion = Exercise<@Sendable (Module, Tensor, [Int], Int, Int, Float, Int) throws -> Tensor>(
        "3.2", "Occlusion sensitivity", stub: "occlusion(of:images:targets:window:stride:baseline:batchSize:)",
        reference: { try OcclusionSolutions.occlusion(of: $0, images: $1, targets: $2, window: $3, stride: $4, baseline: $5, batchSize: $6) },
        mistakes: OcclusionMistakes.Occlusion.allCases,
        wrong: { id in { try OcclusionMistakes.occlusion(id, of: $0, images: $1, targets: $2, window: $3, stride: $4, baseline: $5, batchSize: $6) } })

    public static let lesson = LessonDeclaration(
        number: 3, folder: "03-Occlusion", title: "Occlusion",
        exercises: [occlusionWindows.summary, occlusion.summary],
        figures: OcclusionFigures.self)
}
