import Foundation
import Imaging
import ModelZoo
import TensorEngine

/// The pictures `train`, `evaluate` and `diagram` write.
enum ModelFigures {
    /// White to blue, matplotlib's "Blues" in two anchors: the confusion matrix's shading.
    static let blues = Colormap.linear(name: "blues", from: (1, 1, 1), to: (0.15, 0.4, 0.75))
    /// Off the diagonal a cell's share is stretched this much (errors are rare).
    static let errorStretch = 20.0

    /// A confusion matrix: cell (true t, predicted p) shaded by its share of row t (Blues-like),
    /// with the count written in it; errors' shares stretched ×20. Two colour bars under it say
    /// what the shades stand for: share 0–1 on the diagonal, 0–0.05 off it.
    static func confusionMatrix(_ confusion: [[Int]], classNames: [String], title: String) -> RGBAImage {
        let n = confusion.count, cell = 44, left = 110, top = 50
        let barWidth = 160, bars = top + n * cell + 40
        var image = RGBAImage(width: max(left + n * cell + 20, left + 2 * barWidth + 40), height: bars + 44, fill: .white)
        image.drawText(title, centeredAt: image.width / 2, y: 10)
        image.drawText("predicted", centeredAt: left + n * cell / 2, y: top + n * cell + 22)
        for t in 0..<n {
            let total = max(confusion[t].reduce(0, +), 1)
            image.drawText(String(classNames[t].prefix(16)), x: 4, y: top + t * cell + cell / 2 - 4)
            for p in 0..<n {
                let share = Double(confusion[t][p]) / Double(total)
                let shade = p == t ? share : min(1, share * errorStretch)      // errors are rare: stretch them
                let color = blues.color(at: shade)
                image.fillRectangle(x: left + p * cell, y: top + t * cell, width: cell - 1, height: cell - 1, color: color)
                image.drawText("\(confusion[t][p])", centeredAt: left + p * cell + cell / 2, y: top + t * cell + cell / 2 - 4,
                               color: shade > 0.6 ? .white : .black)
            }
        }
        for p in 0..<n { image.drawText("\(p)", centeredAt: left + p * cell + cell / 2, y: top - 12) }
        for (k, (label, high)) in [("diagonal: share of row", 1.0), ("off the diagonal", 1 / errorStretch)].enumerated() {
            let x = left + k * (barWidth + 40)
            image.drawText(label, x: x, y: bars)
            image.draw(RGBAImage(width: barWidth, height: 0).withColorBar(blues, low: 0, high: high), x: x, y: bars + 10)
        }
        return image
    }

    /// Accuracy per class as bars (classes are categories: no line through them), the overall
    /// accuracy as the title says. `confusion[t][p]` counts true t predicted p.
    static func perClassAccuracy(_ confusion: [[Int]], classNames: [String], title: String) -> RGBAImage {
        let accuracy = confusion.indices.map { c in
            let total = confusion[c].reduce(0, +)
            return total > 0 ? 100 * Double(confusion[c][c]) / Double(total) : .nan
        }
        let names = confusion.indices.map { $0 < classNames.count ? classNames[$0] : "\($0)" }
        return BarChart(title: title, xLabel: "true class", yLabel: "accuracy (%)", categories: names,
                        series: [.init(name: "accuracy", values: accuracy)], width: max(360, 60 + 36 * names.count),
                        height: 320, valueLabels: true, valueFormat: "%.1f", valueRange: 0...100).render()
    }

    /// Up to `limit` misclassified images (gray or colour) with "pred P / true T (confidence)"
    /// captions; classes are named by `classNames` when the names are not just the digits.
    static func misclassified(_ data: LabeledImages, predicted: [Int], probabilities: [Float], classes: Int,
                              classNames: [String]? = nil, limit: Int = 40) -> RGBAImage {
        let wrong = zip(predicted, data.labels).enumerated().filter { $0.element.0 != $0.element.1 }.prefix(limit)
        let size = data.pixelsPerImage
        let (channels, height, width) = (data.imageShape[0], data.imageShape[1], data.imageShape[2])
        func name(_ c: Int) -> String {
            guard let classNames, c < classNames.count, classNames[c] != "\(c)" else { return "\(c)" }
            return classNames[c]
        }
        let cells: [(image: RGBAImage, caption: String)] = wrong.map { index, pair in
            let pixels = Array(data.pixels[(index * size)..<((index + 1) * size)])
            let confidence = probabilities[index * classes + pair.0]
            let image = channels == 3 || channels == 1 ? RGBAImage(planar: pixels, channels: channels, width: width, height: height)
                : RGBAImage(planar: Array(pixels.prefix(height * width)), channels: 1, width: width, height: height)
            return (image, "#\(index) pred \(name(pair.0)) / true \(name(pair.1)) (" + String(format: "%.2f", confidence) + ")")
        }
        return ImageGrid.render(cells, columns: 8, title: "misclassified test images (first \(cells.count))", upscale: 3)
    }

    /// Train and test accuracy per epoch.
    static func trainingCurve(_ reports: [EpochReport], title: String) -> RGBAImage {
        var chart = LineChart(title: title, xLabel: "epoch", yLabel: "accuracy (%)", series: [
            .init(name: "train", points: reports.map { .init(x: Double($0.epoch), y: 100 * $0.trainingAccuracy) }),
            .init(name: "test", points: reports.map { .init(x: Double($0.epoch), y: 100 * $0.testAccuracy) }),
        ])
        chart.width = 520; chart.height = 320
        return chart.render()
    }

    /// An autoencoder's training and test mean squared error per epoch.
    static func reconstructionCurve(_ reports: [ReconstructionReport], title: String) -> RGBAImage {
        var chart = LineChart(title: title, xLabel: "epoch", yLabel: "MSE per pixel", series: [
            .init(name: "train", points: reports.map { .init(x: Double($0.epoch), y: $0.trainingLoss) }),
            .init(name: "test", points: reports.map { .init(x: Double($0.epoch), y: $0.testLoss) }),
        ])
        chart.width = 520; chart.height = 320
        return chart.render()
    }

    /// An SVG drawing of a sequential model: one box per layer with its name, type, arguments and
    /// output shape, joined by arrows (in the spirit of Netron). Opens in any browser.
    static func diagram(_ model: Sequential, architecture: ModelArchitecture) throws -> String {
        var shapes: [String: [Int]] = [:]
        let handles = model.children.map { name, layer in layer.registerForwardHook { _, _, output in shapes[name] = output.shape } }
        defer { handles.forEach { $0.remove() } }
        _ = try withNoGrad { try model(.zeros([1] + architecture.inputShape)) }
        let boxWidth = 360, boxHeight = 46, gap = 22, margin = 20
        let rows = model.children.count + 1
        let height = margin * 2 + rows * boxHeight + (rows - 1) * gap
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") }
        func color(_ type: String) -> String {
            switch type {
            case "Conv2d": return "#cfe2f3"
            case "Linear": return "#d9ead3"
            case "ReLU", "Sigmoid", "Tanh": return "#fce5cd"
            case "MaxPool2d", "AvgPool2d", "GlobalAvgPool2d": return "#d9d2e9"
            case "BatchNorm2d", "Normalize": return "#fff2cc"
            default: return "#eeeeee"
            }
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(boxWidth + 2 * margin)" height="\(height)" font-family="Helvetica, Arial, sans-serif">
        <defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="4" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>
        <rect width="100%" height="100%" fill="white"/>\n
        """
        var y = margin
        let input = "input \(([1] + architecture.inputShape).map(String.init).joined(separator: "×"))"
        svg += "<rect x=\"\(margin)\" y=\"\(y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"8\" fill=\"#ffffff\" stroke=\"#555\"/>"
        svg += "<text x=\"\(margin + boxWidth / 2)\" y=\"\(y + 28)\" text-anchor=\"middle\" font-size=\"14\">\(escape(input))</text>\n"
        for (name, layer) in model.children {
            svg += "<line x1=\"\(margin + boxWidth / 2)\" y1=\"\(y + boxHeight)\" x2=\"\(margin + boxWidth / 2)\" y2=\"\(y + boxHeight + gap - 3)\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n"
            y += boxHeight + gap
            let shape = shapes[name].map { $0.map(String.init).joined(separator: "×") } ?? "?"
            let arguments = layer.argumentsDescription.isEmpty ? "" : "(\(layer.argumentsDescription))"
            svg += "<rect x=\"\(margin)\" y=\"\(y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"8\" fill=\"\(color(layer.typeName))\" stroke=\"#555\"/>"
            svg += "<text x=\"\(margin + 12)\" y=\"\(y + 19)\" font-size=\"14\" font-weight=\"bold\">\(escape(name))</text>"
            svg += "<text x=\"\(margin + 110)\" y=\"\(y + 19)\" font-size=\"13\">\(escape(layer.typeName + arguments))</text>"
            svg += "<text x=\"\(margin + boxWidth - 12)\" y=\"\(y + 38)\" font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(escape(shape))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
