import Foundation
import Imaging
import LessonSupport
import TensorEngine

/// The channel pictures of the explorer page's layer view (lesson 08's reference): for each
/// convolution and ReLU layer, the input that maximises each channel's mean activation, computed
/// as `workbook visualize --layer L --all-channels` computes it (`AscentSettings.regularised`,
/// 200 steps from grey 0.25, seed 0), so the pictures do not depend on any test image and are
/// the same on every run.
///
/// Stored as one PNG per layer, `img/channels/layer-NAME.png`: a grid in the same order and the
/// same number of columns as the layer's feature-map picture (`InsightsCommand.featureMaps`), so
/// tile k of one is channel k of the other; each tile is 28×28, one pixel per input pixel,
/// stretched to its own range (the pattern, not its contrast: a unit's mean activation moves
/// less per step than a logit, and lesson 08's figures stretch the same way).
///
/// Cost (release, 2-core machine): one batched ascent per layer, all of its channels at once, on
/// the network cut after the layer (the objective does not depend on what follows, so the images
/// are visualize's exactly, as the tests check, for less work): about 5 s in total for mnist-gap's
/// 224 conv/ReLU channels, about 95 s of CPU for mnist-simplenet's 544 (see the README).
enum InsightsChannelImages {
    /// The layers that get channel pictures: convolutions and ReLUs with a spatial output
    /// `[1, C, h, w]` (not the normalisation, the pooling or anything after the global pool).
    static func layers(of model: Sequential, shapes: [(name: String, shape: [Int])]) -> [String] {
        model.children.compactMap { name, module in
            guard module is Conv2d || module is ReLU,
                  let shape = shapes.first(where: { $0.name == name })?.shape, shape.count == 3 else { return nil }
            return name
        }
    }

    /// The grid of the first `min(C, cap)` channels of `layer`, as the PNG's picture; `columns`
    /// is the feature-map grid's column count for all C channels.
    static func picture(of model: Sequential, layer: String, channels: Int, cap: Int,
                        code: Implementations = .standard) throws -> RGBAImage {
        let shown = min(channels, cap)
        guard let end = model.children.firstIndex(where: { $0.name == layer }) else { throw CommandLineError(message: "no layer '\(layer)'") }
        let head = Sequential(named: model.children[...end].map { ($0.name, $0.module) })
        let images = try code.unitImages(head, layer, Array(0..<shown), .regularised, 0, [1, 28, 28], nil)
        let columns = Int(Double(channels).squareRoot().rounded(.up)), rows = (shown + columns - 1) / columns
        let size = 28, gap = 1
        var grid = RGBAImage(width: columns * (size + gap) + gap, height: rows * (size + gap) + gap, fill: .white)
        for k in 0..<shown {
            let tile = try Render.map(Array(images.data[(k * 784)..<((k + 1) * 784)]), width: size, height: size, colormap: .gray, upscale: 1)
            let x0 = gap + (k % columns) * (size + gap), y0 = gap + (k / columns) * (size + gap)
            for y in 0..<size { for x in 0..<size { grid[x: x0 + x, y: y0 + y] = tile[x: x, y: y] } }
        }
        return grid
    }
}
