import Foundation
import Imaging

/// The picture of a `Ranking`: one panel per metric, one horizontal bar per method (its mean)
/// with the 95% bootstrap interval as a whisker, on a 0–1 axis (every metric is a share or an
/// area under a probability curve). Drawn pixel-exact, so the same numbers give the same bytes.
extension Ranking {
    func chart(title: String) -> RGBAImage {
        let barHeight = 14, gap = 4, labelWidth = 150, plotWidth = 300, panelWidth = labelWidth + plotWidth + 30
        let panelHeight = 28 + methods.count * (barHeight + gap) + 16
        let columns = min(metrics.count, 3), rows = (metrics.count + columns - 1) / columns
        var canvas = RGBAImage(width: columns * panelWidth + 10, height: 30 + rows * panelHeight, fill: .white)
        canvas.drawText(title, x: 8, y: 8)
        for (k, metric) in metrics.enumerated() {
            let left = 8 + (k % columns) * panelWidth, top = 30 + (k / columns) * panelHeight
            canvas.drawText(metric == .decoy ? "decoy share (on the swatch; chance 0.02)" : "\(metric.rawValue) (\(metric.higherIsBetter ? "higher" : "lower") is better)", x: left, y: top)
            let axisTop = top + 16, axisLeft = left + labelWidth
            for tick in 0...4 {
                let x = axisLeft + tick * plotWidth / 4
                canvas.drawLine(from: (x, axisTop), to: (x, axisTop + methods.count * (barHeight + gap)), color: .lightGray)
                canvas.drawText(String(format: "%.2f", Double(tick) / 4), centeredAt: x, y: axisTop + methods.count * (barHeight + gap) + 2)
            }
            for (m, name) in methods.enumerated() {
                let y = axisTop + m * (barHeight + gap), cell = cells[m][k]
                func px(_ v: Double) -> Int { axisLeft + Int((min(max(v, 0), 1) * Double(plotWidth)).rounded()) }
                canvas.drawText(String(name.prefix(22)), x: left, y: y + 3)
                canvas.fillRectangle(x: axisLeft, y: y, width: max(px(cell.mean) - axisLeft, 1), height: barHeight, color: RGBA.tableau10[m % RGBA.tableau10.count])
                canvas.drawLine(from: (px(cell.lower), y + barHeight / 2), to: (px(cell.upper), y + barHeight / 2), color: .black)
                canvas.drawLine(from: (px(cell.lower), y + 2), to: (px(cell.lower), y + barHeight - 2), color: .black)
                canvas.drawLine(from: (px(cell.upper), y + 2), to: (px(cell.upper), y + barHeight - 2), color: .black)
            }
        }
        return canvas
    }
}
