import Imaging
import ModelZoo
import TensorEngine

/// What each lesson's colour figure shows: the shipped `shapes-simplenet` (trained by this engine,
/// 98.70% on the Shapes test split) explaining its true class on three Shapes test images — a cross,
/// a star and a triangle on cluttered backgrounds. (The graded colour tests use the seeded colour
/// model of `Datasets/colour` instead: their numbers come from PyTorch fixtures.)
public struct ColourFigureInputs {
    public let model: Sequential
    /// `[3, 3, 32, 32]` in [0, 1].
    public let images: Tensor
    public let targets: [Int]
    public let classNames: [String]
    public var count: Int { targets.count }
    public static let side = 32
    /// Shapes test images shown (a cross, a star, a triangle).
    public static let indices = [2, 3, 5]
    /// The last convolutional stage of `shapes-simplenet`, where CAM-style maps are taken.
    public static let layer = "relu5"
    /// The figures' titles end with this.
    public static let note = "shapes-simplenet on Shapes test images"

    /// Loads the model and the images (checksum-verified).
    public static func load() throws -> ColourFigureInputs {
        let loaded = try ModelFile.load(ModelFile.resolve("shapes-simplenet"))
        let (images, labels) = try DatasetFiles.shapes(.test).images.batch(indices)
        return ColourFigureInputs(model: loaded.model, images: images, targets: labels, classNames: loaded.architecture.classNames)
    }

    /// The class name of image n's target.
    public func className(_ n: Int) -> String { classNames[targets[n]] }

    /// Image n's `[3, 32, 32]` pixels.
    public func pixels(_ n: Int) -> [Float] { Array(images.data[(n * 3072)..<((n + 1) * 3072)]) }

    /// Image n as a picture (4× enlarged), with its caption.
    public func input(_ n: Int) throws -> (image: RGBAImage, caption: String) {
        (try Render.image(pixels(n), channels: 3, width: Self.side, height: Self.side), "Shapes test image \(Self.indices[n]): \(className(n))")
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
    /// (gray = 0): how guided backpropagation and perturbations are usually shown in colour. The
    /// gray bar under it reads each channel: its ends are −max|a| (channel off) and +max|a| (full).
    public func signedRGBCell(_ map: Tensor, _ n: Int) throws -> RGBAImage {
        let values = Array(map.data[(n * 3072)..<((n + 1) * 3072)])
        let scale = max(values.map { Swift.abs($0) }.max() ?? 0, 1e-12)
        return try Render.image(values.map { $0 / (2 * scale) + 0.5 }, channels: 3, width: Self.side, height: Self.side)
            .withColorBar(.gray, low: -Double(scale), high: Double(scale))
    }

    /// Image n with a `[N, 1, h, w]` layer map resized (bilinear), min-max scaled and overlaid.
    public func overlayCell(_ map: Tensor, _ n: Int) throws -> RGBAImage {
        let one = try map.sliced(axis: 0, n..<(n + 1))
        let up = try withNoGrad { try one.resizedBilinear(height: Self.side, width: Self.side) }
        return try Render.overlay(up.data, on: pixels(n), channels: 3, width: Self.side, height: Self.side)
    }
}
