// Lesson 08 — FeatureVisualization: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/08-FeatureVisualization/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum FeatureVisualizationDrawings {
    /// The lesson's folder name.
    public static let folder = "08-FeatureVisualization"
}
