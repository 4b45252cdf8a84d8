import Imaging
import ModelZoo
import TensorEngine

/// What each lesson's colour figure shows: the seeded, untrained colour model of `Datasets/colour`
/// on its two 32×32 images, explaining classes 3 and 7 (see `Datasets/colour/README.md`). Its maps
/// are exact but not meaningful; once a trained colour model ships (`shapes-simplenet`, issue 13)
/// the figures should show that instead.
public struct ColourFigureInputs {
    public let model: Sequential
    /// `[2, 3, 32, 32]` in [0, 1].
    public let images: Tensor
    public let targets: [Int]
    public var count: Int { targets.count }
    public static let side = 32
    /// The figures' titles end with this, so nobody reads meaning into an untrained model's maps.
    public static let note = "seeded untrained colour model (Datasets/colour)"

    /// Loads the model and the images (checksum-verified).
    public static func load() throws -> ColourFigureInputs {
        let demo = try ColourDemo.images()
        return ColourFigureInputs(model: try ColourDemo.model().model, images: demo.batch(0..<demo.count).images, targets: demo.labels)
    }

    /// Image n's `[3, 32, 32]` pixels.
    public func pixels(_ n: Int) -> [Float] { Array(images.data[(n * 3072)..<((n + 1) * 3072)]) }

    /// Image n as a picture (4× enlarged), with its caption.
    public func input(_ n: Int) throws -> (image: RGBAImage, caption: String) {
        (try Render.image(pixels(n), channels: 3, width: Self.side, height: Self.side), "colour image \(n), class \(targets[n])")
    }

    /// Image n of a `[N, 3, 32, 32]` map reduced to one map by `reduction`, drawn like the gray
    /// figures: `.sum` signed on blue–white–red, `.maxAbsolute` on inferno.
    public func reducedCell(_ map: Tensor, _ n: Int, _ reduction: Render.ChannelReduction) throws -> RGBAImage {
        let values = Render.reducedChannels(Array(map.data[(n * 3072)..<((n + 1) * 3072)]), channels: 3, area: 1024, reduction)
        switch reduction {
        case .sum: return try Render.map(values, width: Self.side, height: Self.side, colormap: .bwr, normalization: .symmetric)
        case .maxAbsolute: return try Render.map(values, width: Self.side, height: Self.side, colormap: .inferno, normalization: .minMax)
        }
    }

    /// Image n of a `[N, 3, 32, 32]` signed map as an RGB picture, a / (2 max |a|) + ½ per image
    /// (gray = 0): how guided backpropagation and perturbations are usually shown in colour.
    public func signedRGBCell(_ map: Tensor, _ n: Int) throws -> RGBAImage {
        let values = Array(map.data[(n * 3072)..<((n + 1) * 3072)])
        let scale = max(values.map { Swift.abs($0) }.max() ?? 0, 1e-12)
        return try Render.image(values.map { $0 / (2 * scale) + 0.5 }, channels: 3, width: Self.side, height: Self.side)
    }

    /// Image n with a `[N, 1, h, w]` layer map resized (bilinear), min-max scaled and overlaid.
    public func overlayCell(_ map: Tensor, _ n: Int) throws -> RGBAImage {
        let one = try map.sliced(axis: 0, n..<(n + 1))
        let up = try withNoGrad { try one.resizedBilinear(height: Self.side, width: Self.side) }
        return try Render.overlay(up.data, on: pixels(n), channels: 3, width: Self.side, height: Self.side)
    }
}
