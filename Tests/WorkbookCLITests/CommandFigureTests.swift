import Imaging
import Testing
import TestSupport
import TensorEngine
@testable import WorkbookCLI

/// The figures the commands draw carry what a reader needs: explain's maps a colour bar whose ends
/// are the map's own values, evaluate's accuracy per class as bars.
@Suite("command figures: colour bars and bars per class", .maintainers, .maintainers)
struct CommandFigureTests {
    @Test("explain's Grad-CAM panel: the overlay, then a jet bar whose ends are the raw map's min and max (not 0 and 1)")
    func explainColourBar() throws {
        let image = try Tensor(shape: [1, 1, 4, 4], data: (0..<16).map { Float($0) / 16 })
        let method = try #require(ExplanationMethods.all.first { $0.name == "gradcam" })
        let map = try Tensor(shape: [1, 1, 2, 2], data: [0, 1, 2, 3])     // upsampled to 4×4: min 0, max 3
        let plain = try ExplainCommand.picture(of: map, method: method, input: .init(image, mask: nil), colorBar: false)
        let barred = try ExplainCommand.picture(of: map, method: method, input: .init(image, mask: nil))
        #expect(plain.width == 16 && plain.height == 16)
        #expect(barred == plain.withColorBar(.jet, low: 0, high: 3))
        // Saliency (|∂y/∂x|, one plane): inferno from its min to its max.
        let saliency = try #require(ExplanationMethods.all.first { $0.name == "saliency" })
        let magnitude = try Tensor(shape: [1, 1, 4, 4], data: (0..<16).map { Float($0) / 2 })      // 0 ... 7.5
        let picture = try ExplainCommand.picture(of: magnitude, method: saliency, input: .init(image, mask: nil))
        let bare = try ExplainCommand.picture(of: magnitude, method: saliency, input: .init(image, mask: nil), colorBar: false)
        #expect(picture == bare.withColorBar(.inferno, low: 0, high: 7.5))
        // A signed input-space map (gradient × input) on bwr, its ends ±max|v|.
        let signedMethod = try #require(ExplanationMethods.all.first { $0.name == "gradient-x-input" })
        let signed = try Tensor(shape: [1, 1, 4, 4], data: (0..<16).map { Float($0) - 4 })      // -4 ... 11
        let signedPicture = try ExplainCommand.picture(of: signed, method: signedMethod, input: .init(image, mask: nil))
        let signedBare = try ExplainCommand.picture(of: signed, method: signedMethod, input: .init(image, mask: nil), colorBar: false)
        #expect(signedPicture == signedBare.withColorBar(.bwr, low: -11, high: 11))
    }

    @Test("evaluate's accuracy per class: one bar per class, a class at 50% half as tall as one at 100%")
    func perClassAccuracy() throws {
        let chart = ModelFigures.perClassAccuracy([[10, 0, 0], [5, 5, 0], [0, 0, 4]], classNames: ["a", "b", "c"], title: "t")
        let color = RGBA.tableau10[0]
        let columns = (0..<chart.width).filter { x in (0..<chart.height).contains { chart[x: x, y: $0] == color } }
        var runs: [[Int]] = []
        for x in columns {
            if let last = runs.last?.last, last == x - 1 { runs[runs.count - 1].append(x) } else { runs.append([x]) }
        }
        try #require(runs.count == 3)
        // Height of each bar at the edge of its run (clear of the value written inside it).
        let heights = runs.map { run in (0..<chart.height).filter { chart[x: run[1], y: $0] == color }.count }
        #expect(heights[0] == heights[2])
        #expect(abs(heights[0] - 2 * heights[1]) <= 1, "bars \(heights)")
    }
}
