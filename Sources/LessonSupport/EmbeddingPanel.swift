import Foundation
import Imaging

/// A 2-D map of a set of images: which features, which method drew it and how faithful it is.
/// Lesson 09's figures and `workbook embed` draw these; the numbers come from whichever code ran
/// (the reference's or a student's exercises 9.1–9.7).
public struct EmbeddingPanel: Sendable {
    public let features: String, method: String
    public let points: Matrix
    /// Trustworthiness (k = 5) against the features, and leave-one-out 5-NN accuracy in 2-D.
    public let trust: Double, knn: Double

    public init(features: String, method: String, points: Matrix, trust: Double, knn: Double) {
        self.features = features; self.method = method; self.points = points; self.trust = trust; self.knn = knn
    }

    public var caption: String {
        "\(features), \(method): T(5) " + String(format: "%.3f", trust) + ", 5-NN " + String(format: "%.1f%%", 100 * knn)
    }
}

/// How a 2-D map is made.
public enum EmbeddingMethod: String, Sendable, CaseIterable {
    case pca, tsne
}

/// A scatter plot of `points` (`[N, 2]`) coloured by class, with a legend.
public func scatterPicture(_ points: Matrix, labels: [Int], classNames: [String], title: String, width: Int = 520, height: Int = 440) -> RGBAImage {
    let dots = (0..<points.rows).map { ScatterPlot.Point(x: points[$0, 0], y: points[$0, 1], classIndex: labels[$0]) }
    return ScatterPlot(title: title, xLabel: "", yLabel: "", points: dots, classNames: classNames, width: width, height: height,
                       pointRadius: 1).render()
}
