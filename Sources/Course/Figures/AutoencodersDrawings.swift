// Lesson 11 — Autoencoders: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/11-Autoencoders/Figures.swift) and the graders.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum AutoencodersDrawings {
    /// The lesson's folder name.
    public static let folder = "11-Autoencoders"

    /// A direction in pixel space (784 values) as a 28 × 28 picture, ×4: blue negative, white 0,
    /// red positive, scaled by its own largest |value| (a direction's sign and length are arbitrary).
    public static func direction(_ values: [Float]) -> RGBAImage {
        let largest = max(values.map(abs).max() ?? 0, 1e-12)
        return Colormap.bwr.image(of: values.map { 0.5 + $0 / (2 * largest) }, width: 28, height: 28).upscaled(by: 4)
    }
}
