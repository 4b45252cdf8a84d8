// Lesson 03 — Occlusion: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/03-Occlusion/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum OcclusionDrawings {
    /// The lesson's folder name.
    public static let folder = "03-Occlusion"

    /// The settings of the golden figure: a 4×4 window moved 2 pixels at a time (13 × 13 = 169
    /// windows), filled with 0 (black, the MNIST background).
    public static let goldenWindow = 4, goldenStride = 2
    /// A signed map on a symmetric scale (bwr: blue negative, white zero, red positive).
    public static func signedMap(_ values: [Float], width: Int = 28, height: Int = 28, upscale: Int = 4) throws -> RGBAImage {
        try Render.map(values, width: width, height: height, colormap: .bwr, normalization: .symmetric, upscale: upscale)
    }
    /// A signed map over the gray digit, on the same symmetric bwr scale, half transparent.
    public static func signedOverlay(_ values: [Float], on pixels: [Float], width: Int = 28, height: Int = 28,
                                     upscale: Int = 4) throws -> RGBAImage {
        let base = GrayImage(width: width, height: height, unitValues: pixels)
        let heatmap = Heatmap(width: width, height: height, values: values)
        let range = heatmap.displayRange(.symmetric)
        return base.overlaying(try heatmap.normalized(.symmetric), colormap: .bwr, alpha: 0.6).upscaled(by: upscale)
            .withColorBar(.bwr, low: Double(range.low), high: Double(range.high))
    }
    /// One row per image: the digit, its occlusion map (bwr) and the map over the digit.
    /// `maps` is `[N, 1, 28, 28]`, `images` the same shape.
    public static func goldenGrid(images: Tensor, maps: Tensor, captions: [String], targets: [Int]) throws -> RGBAImage {
        var cells: [(image: RGBAImage, caption: String)] = []
        let area = 28 * 28
        for n in 0..<images.shape[0] {
            let pixels = Array(images.data[(n * area)..<((n + 1) * area)])
            let map = Array(maps.data[(n * area)..<((n + 1) * area)])
            let largest = map.map { abs($0) }.max() ?? 0
            cells.append((Render.grayImage(pixels, width: 28, height: 28), captions[n]))
            cells.append((try signedMap(map), "class \(targets[n]), max |A| " + format(largest)))
            cells.append((try signedOverlay(map, on: pixels), "over the digit"))
        }
        return ImageGrid.render(cells, columns: 3,
                                title: "occlusion, window \(goldenWindow) stride \(goldenStride), baseline 0 (red: hiding it lowers the logit)")
    }
    static func format(_ value: Float) -> String {
        let scaled = (Double(value) * 100).rounded() / 100
        return "\(scaled)"
    }
}
