// Lesson 10 — Evaluation: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/10-Evaluation/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum EvaluationDrawings {
    /// The lesson's folder name.
    public static let folder = "10-Evaluation"
}
