// Lesson 03 — Occlusion: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/03-Occlusion/Exercises.swift.

import LessonSupport
import TensorEngine

public enum OcclusionCourse {
    public static let occlusionWindows = ExerciseDeclaration<@Sendable (Int, Int, Int, Int) throws -> [(rows: Range<Int>, columns: Range<Int>)], OcclusionWindows>(
        "3.1", "Where the occluding window goes", stub: "occlusionWindows(height:width:window:stride:)")

    public static let occlusion = ExerciseDeclaration<@Sendable (Module, Tensor, [Int], Int, Int, Float, Int) throws -> Tensor, Occlusion>(
        "3.2", "Occlusion sensitivity", stub: "occlusion(of:images:targets:window:stride:baseline:batchSize:)")

    public static let lesson = LessonDeclaration(
        number: 3, folder: "03-Occlusion", title: "Occlusion",
        exercises: [occlusionWindows.summary, occlusion.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/03-Occlusion/Mistakes.swift)

    public enum OcclusionWindows: String, MistakeKind {
        case floorCount = "floor-count", shiftedLastWindow = "shifted-last-window", columnMajor = "column-major"
        public var summary: String {
            switch self {
            case .floorCount: "⌊(D − w)/s⌋ + 1 positions: the last, cropped window is missing"
            case .shiftedLastWindow: "moves the last window back inside the image instead of cropping it"
            case .columnMajor: "lists the windows column by column"
            }
        }
    }

    public enum Occlusion: String, MistakeKind {
        case occludedMinusOriginal = "occluded-minus-original", sumOverWindows = "sum-over-windows"
        case softmaxScore = "softmax-score", ignoresBaseline = "ignores-baseline"
        case firstChannelOnly = "first-channel-only"
        public var summary: String {
            switch self {
            case .occludedMinusOriginal: "F(x with the window occluded) − F(x): the sign is flipped"
            case .sumOverWindows: "sums the drops over the covering windows instead of averaging them"
            case .softmaxScore: "uses the softmax probability instead of the raw logit"
            case .ignoresBaseline: "always fills the window with 0, whatever the baseline"
            case .firstChannelOnly: "occludes channel 0 only (written for gray images): a colour image keeps green and blue under the patch"
            }
        }
    }
}
