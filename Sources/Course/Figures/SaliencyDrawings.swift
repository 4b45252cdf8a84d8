// Lesson 02 — Saliency: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/02-Saliency/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum SaliencyDrawings {
    /// The lesson's folder name.
    public static let folder = "02-Saliency"

    /// The settings of every figure (and of the golden tests that compare against them).
    public static let smoothGradSamples = 50
    public static let smoothGradNoiseLevel: Float = 0.15
    public static let smoothGradSeed: UInt64 = 0
    public static let integratedGradientsSteps = 50
    public static let methodComparisonSteps = 20
    public static let completenessSteps = [2, 4, 8, 16, 32, 64, 128]
    /// What every figure shows: `mnist-gap` on `FigureContext.goldenIndices`, with the true labels
    /// as targets.
    public struct Inputs {
        public let model: Module
        public let images: Tensor
        public let labels: [Int]
        public let captions: [String]
        public var count: Int { labels.count }
        public func pixels(_ n: Int) -> [Float] { Array(images.data[(n * 784)..<((n + 1) * 784)]) }
    }
    public static func inputs(_ context: FigureContext) throws -> Inputs {
        let model = try context.model("mnist-gap")
        let indices = FigureContext.goldenIndices
        let (images, labels) = context.mnistTest.batch(indices)
        let predicted = try withNoGrad { try model(images) }.argmax()
        let captions = indices.indices.map { "#\(indices[$0]) pred \(predicted[$0]) / true \(labels[$0])" }
        return Inputs(model: model, images: images, labels: labels, captions: captions)
    }
    /// Image n of a `[N, 1, 28, 28]` map, signed, on a symmetric blue–white–red scale (white = 0).
    public static func signedCell(_ map: Tensor, _ n: Int) throws -> RGBAImage {
        try Render.map(Array(map.data[(n * 784)..<((n + 1) * 784)]), width: 28, height: 28, colormap: .bwr, normalization: .symmetric)
    }
    /// Image n of a `[N, 1, 28, 28]` non-negative map, min-max scaled (inferno: black = 0).
    public static func magnitudeCell(_ map: Tensor, _ n: Int) throws -> RGBAImage {
        try Render.map(Array(map.data[(n * 784)..<((n + 1) * 784)]), width: 28, height: 28, colormap: .inferno, normalization: .minMax)
    }
    /// `saliency`: each golden image, its signed gradient ∂y_c/∂x (bwr) and `magnitude`,
    /// maxₖ |∂y_c/∂x| (inferno: exercise 2.2's map).
    public static func saliencyGrid(_ inputs: Inputs, gradient: Tensor, magnitude: Tensor) throws -> RGBAImage {
        // The maps may be a student's: wrong shapes are an error, never an index out of range.
        for (name, map) in [("gradient", gradient), ("magnitude", magnitude)] where map.count < inputs.count * 784 {
            throw TensorError.shapeMismatch(operation: "saliency figure", lhs: map.shape, rhs: [inputs.count, 1, 28, 28], detail: name)
        }
        var cells: [(image: RGBAImage, caption: String)] = []
        for n in 0..<inputs.count {
            cells.append((Render.grayImage(inputs.pixels(n), width: 28, height: 28), inputs.captions[n]))
            cells.append((try signedCell(gradient, n), "dy/dx (red +, blue -)"))
            cells.append((try magnitudeCell(magnitude, n), "|dy/dx|"))
        }
        return ImageGrid.render(cells, columns: 3, title: "Saliency of the true class, mnist-gap")
    }
    /// `gradient-times-input`: each golden image, its gradient and x ⊙ gradient (both bwr).
    public static func gradientTimesInputGrid(_ inputs: Inputs, gradient: Tensor, product: Tensor) throws -> RGBAImage {
        var cells: [(image: RGBAImage, caption: String)] = []
        for n in 0..<inputs.count {
            cells.append((Render.grayImage(inputs.pixels(n), width: 28, height: 28), inputs.captions[n]))
            cells.append((try signedCell(gradient, n), "dy/dx"))
            cells.append((try signedCell(product, n), "x * dy/dx"))
        }
        return ImageGrid.render(cells, columns: 3, title: "Gradient x input of the true class")
    }
    /// `smoothgrad`: each golden image, its plain gradient (σ = 0) and SmoothGrad at three noise levels.
    public static func smoothGradGrid(_ inputs: Inputs, gradient: Tensor, levels: [(Float, Tensor)]) throws -> RGBAImage {
        var cells: [(image: RGBAImage, caption: String)] = []
        for n in 0..<inputs.count {
            cells.append((Render.grayImage(inputs.pixels(n), width: 28, height: 28), inputs.captions[n]))
            cells.append((try signedCell(gradient, n), "noise 0 (saliency)"))
            for (level, map) in levels {
                cells.append((try signedCell(map, n), String(format: "noise %.0f%%", level * 100)))
            }
        }
        return ImageGrid.render(cells, columns: 2 + levels.count,
                                title: "SmoothGrad, \(smoothGradSamples) samples, noise as a fraction of the pixel range")
    }
    /// `integrated-gradients`: each golden image, gradient × input and IG (Gauss–Legendre) with its delta.
    public static func integratedGradientsGrid(_ inputs: Inputs, product: Tensor, attributions: Tensor, delta: [Float]) throws -> RGBAImage {
        var cells: [(image: RGBAImage, caption: String)] = []
        for n in 0..<inputs.count {
            cells.append((Render.grayImage(inputs.pixels(n), width: 28, height: 28), inputs.captions[n]))
            cells.append((try signedCell(product, n), "x * dy/dx"))
            cells.append((try signedCell(attributions, n), String(format: "IG, delta %+.4f", delta[n])))
        }
        return ImageGrid.render(cells, columns: 3,
                                title: "Integrated Gradients, black baseline, Gauss-Legendre, \(integratedGradientsSteps) steps")
    }
}
