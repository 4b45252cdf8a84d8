// Lesson 07 — Adversarial: how its figures are drawn (constants and drawing helpers, no answers),
// shared by the reference figures (Solutions/07-Adversarial/Figures.swift) and the figures the graders
// draw of a student's results.

import Foundation
import Imaging
import LessonSupport
import TensorEngine

public enum AdversarialDrawings {
    /// The lesson's folder name.
    public static let folder = "07-Adversarial"

    public static let epsilons: [Float] = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    /// The chart of accuracy against `epsilons` (one accuracy in [0, 1] per ε).
    public static func accuracyFigure(_ accuracy: [Double]) -> Figure {
        var chart = LineChart(title: "mnist-gap under FGSM, first 1,000 test images", xLabel: "epsilon (L-inf, pixels in [0, 1])",
                              yLabel: "accuracy (%)", series: [
            .init(name: "FGSM", points: zip(epsilons, accuracy).map { .init(x: Double($0), y: 100 * $1) }),
        ])
        chart.width = 520; chart.height = 320
        return Figure(name: "accuracy-vs-epsilon", image: chart.render(), raw: ([accuracy.count], accuracy.map(Float.init)))
    }
}
