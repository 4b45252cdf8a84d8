// Lesson 04 — CAM: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/04-CAM/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum CAMDrawings {
    /// The lesson's folder name.
    public static let folder = "04-CAM"

    /// A CAM (`[N, 1, h, w]`, raw) as the README shows it: upsampled to 28×28 (bilinear),
    /// normalised per map, over the digit with jet. `upsampledAndNormalized` is exercises 4.2 and
    /// 4.3 (the reference's for the reference figures, the student's for theirs).
    public static func overlays(_ cams: Tensor, on images: Tensor,
                                upsampledAndNormalized: (Tensor) throws -> Tensor) throws -> [RGBAImage] {
        let maps = try upsampledAndNormalized(cams)
        // The maps may be a student's: wrong shapes are an error, never an index out of range.
        guard maps.count == cams.shape[0] * 784, images.count >= cams.shape[0] * 784 else {
            throw TensorError.shapeMismatch(operation: "CAM figure", lhs: maps.shape, rhs: [cams.shape[0], 1, 28, 28])
        }
        return try (0..<cams.shape[0]).map { n in
            try Render.overlay(Array(maps.data[(n * 784)..<((n + 1) * 784)]), on: Array(images.data[(n * 784)..<((n + 1) * 784)]),
                               width: 28, height: 28, colormap: .jet, alpha: 0.5)
        }
    }
    /// One row per image: the digit, the raw 7×7 CAM (jet, min-max, nearest-neighbour enlarged),
    /// and the upsampled, normalised CAM over the digit.
    public static func goldenGrid(images: Tensor, cams: Tensor, captions: [String], targets: [Int],
                                  upsampledAndNormalized: (Tensor) throws -> Tensor) throws -> RGBAImage {
        let (h, w) = (cams.shape[2], cams.shape[3])
        let over = try overlays(cams, on: images, upsampledAndNormalized: upsampledAndNormalized)
        var cells: [(image: RGBAImage, caption: String)] = []
        for n in 0..<images.shape[0] {
            cells.append((Render.grayImage(Array(images.data[(n * 784)..<((n + 1) * 784)]), width: 28, height: 28), captions[n]))
            cells.append((try Render.map(Array(cams.data[(n * h * w)..<((n + 1) * h * w)]), width: w, height: h, colormap: .jet,
                                         upscale: 112 / max(h, w)), "CAM class \(targets[n]), \(h)x\(w)"))
            cells.append((over[n], "bilinear to 28x28"))
        }
        return ImageGrid.render(cells, columns: 3, title: "CAM at relu3 of mnist-gap, true class")
    }
}
