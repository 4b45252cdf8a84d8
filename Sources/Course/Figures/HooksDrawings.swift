// Lesson 01 — Hooks: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/01-Hooks/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum HooksDrawings {
    /// The lesson's folder name.
    public static let folder = "01-Hooks"

    /// - `feature-maps-conv1/2/3`: every channel of each conv layer for test image 0, each
    ///   channel min-max normalised on its own (viridis), raw values in the `.npy`.
    /// - `filters-conv1`: the 16 learned 3×3 filters of conv1, one symmetric scale for all
    ///   (seismic: red positive, blue negative, white zero).
    /// - `confidence`: the most and the least confident of the first 1,000 test images, with
    ///   their probabilities, and their logits as a line chart.
    /// Every channel of `maps` (`[1, C, h, w]`) as a grid, each channel min-max normalised on its own.
    public static func featureMapGrid(layer: String, maps: Tensor) throws -> RGBAImage {
        let (channels, h, w) = (maps.shape[1], maps.shape[2], maps.shape[3])
        let cells = try (0..<channels).map { c in
            (image: try Render.map(Array(maps.data[(c * h * w)..<((c + 1) * h * w)]), width: w, height: h,
                                   upscale: max(1, 56 / w)), caption: "\(c)")
        }
        return ImageGrid.render(cells, columns: 8, title: "\(layer): \(channels) feature maps, test image 0")
    }
}
