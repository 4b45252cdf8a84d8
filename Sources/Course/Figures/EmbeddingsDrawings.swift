// Lesson 09 — Embeddings: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/09-Embeddings/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum EmbeddingsDrawings {
    /// The lesson's folder name.
    public static let folder = "09-Embeddings"
}
