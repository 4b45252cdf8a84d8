// Lesson 05 — GradCAM: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/05-GradCAM/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum GradCAMDrawings {
    /// The lesson's folder name.
    public static let folder = "05-GradCAM"

    /// One row per golden image: the digit, then Grad-CAM (jet overlay, normalised) at relu1, relu2
    /// and relu3 of mnist-gap for the predicted class.
    /// `camAt` computes the maps and `upsampledAndNormalized` resizes one to 28×28 in [0, 1]
    /// (exercises 5.2 and 5.3: the reference's for the reference figure; the tests pass the
    /// student's, so the student's figure is the same picture drawn with their code).
    public static func layerComparison(model: Module, images: Tensor, captions: [String],
                                       camAt: (Module, Tensor, [Int], String) throws -> Tensor,
                                       upsampledAndNormalized: (Tensor) throws -> Tensor)
        throws -> (image: RGBAImage, maps: [Float], shape: [Int]) {
        var cells: [(image: RGBAImage, caption: String)] = []
        var raw: [Float] = []
        let predicted = try withNoGrad { try model(images) }.argmax()
        for n in 0..<images.shape[0] {
            let x = try images.sliced(axis: 0, n..<(n + 1))
            cells.append((Render.grayImage(x.data, width: 28, height: 28), captions[n]))
            for layer in ["relu1", "relu2", "relu3"] {
                let cam = try camAt(model, x, [predicted[n]], layer)
                let up = try upsampledAndNormalized(cam)
                // The maps may be a student's: wrong shapes are an error, never an index out of range.
                guard up.count == 784, cam.rank == 4 else {
                    throw TensorError.shapeMismatch(operation: "Grad-CAM figure", lhs: up.shape, rhs: [1, 1, 28, 28])
                }
                if layer == "relu3" { raw += cam.data }
                cells.append((try Render.overlay(up.data, on: x.data, width: 28, height: 28), "\(layer) (\(cam.shape[2])x\(cam.shape[3]))"))
            }
        }
        return (ImageGrid.render(cells, columns: 4, title: "Grad-CAM of the predicted class at three depths of mnist-gap"), raw, [images.shape[0], 1, 7, 7])
    }
}
