// Lesson 06 — GuidedBackprop: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/06-GuidedBackprop/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum GuidedBackpropDrawings {
    /// The lesson's folder name.
    public static let folder = "06-GuidedBackprop"
}
