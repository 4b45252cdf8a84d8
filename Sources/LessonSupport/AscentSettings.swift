import Foundation
import TensorEngine

/// How Lesson 08's optimiser (exercise 8.5) ascends an objective in pixel space, and which
/// regularisers it applies. Shared by the stub, the reference, the graders and `workbook visualize`.
///
/// One step t = 0, 1, …, `steps` − 1 (Yosinski et al. 2015; Olah et al. 2017):
///
///     (dy, dx)  = two seeded draws in −jitter…jitter (dy first)    — `jitterOffsets(seed:)`
///     x̃         = roll(x, dy, dx)                                   — exercise 8.4
///     J(x̃)      = objective(x̃) − l2 · ‖x̃ − roll(x₀, dy, dx)‖² − tv · TV(x̃)   — TV: exercise 8.2
///     x̃         ← x̃ + learningRate · ∇J(x̃)
///     x         ← clamp(roll(x̃, −dy, −dx), 0, 1)                    — jitter undone, then clamped
///     x         ← blur(x, blurSigma)   if blurEvery > 0 and (t + 1) % blurEvery == 0   — exercise 8.3
///
/// and `objectives[t]` = J(x̃) before the step. The objective is summed over the images of the
/// batch, so ten class images ascend together.
public struct AscentSettings: Sendable, Equatable {
    public var steps: Int
    public var learningRate: Float
    /// λ of the L2 penalty ‖x − x₀‖² (Simonyan et al. 2014).
    public var l2: Float
    /// Weight of the total-variation penalty (Mahendran & Vedaldi 2015, β = 2).
    public var tv: Float
    /// Blur the image every `blurEvery` steps (0: never).
    public var blurEvery: Int
    public var blurSigma: Float
    /// Largest translation, in pixels, of the random jitter (0: none).
    public var jitter: Int

    public init(steps: Int = 200, learningRate: Float = 0.05, l2: Float = 0.02, tv: Float = 0.05,
                blurEvery: Int = 4, blurSigma: Float = 0.5, jitter: Int = 1) {
        self.steps = steps; self.learningRate = learningRate; self.l2 = l2; self.tv = tv
        self.blurEvery = blurEvery; self.blurSigma = blurSigma; self.jitter = jitter
    }

    /// The grey level class and unit images start from. Not mid-grey: MNIST's mean pixel is 0.13
    /// and its background 0; from 0.5 the class-2 image of `mnist-gap` climbs into an 8-like mesh
    /// that the network reads as an 8 (p(2) < 0.01), from 0.25 it stays a 2 (see the README).
    public static let startGrey: Float = 0.25

    /// The defaults: L2, total variation, blur every 4 steps, jitter ±1 px.
    public static let regularised = AscentSettings()
    /// The same ascent without any regulariser: what the regularisers are compared against.
    public static let plain = AscentSettings(l2: 0, tv: 0, blurEvery: 0, jitter: 0)

    /// The jitter of every step: `steps` pairs (dy, dx), each drawn as
    /// `Int(generator.next() % (2·jitter + 1)) − jitter` from `SeededGenerator(seed: seed)`,
    /// dy first. All zeros when `jitter` is 0 (no draws).
    public func jitterOffsets(seed: UInt64) -> [(dy: Int, dx: Int)] {
        guard jitter > 0 else { return Array(repeating: (0, 0), count: max(steps, 0)) }
        var generator = SeededGenerator(seed: seed)
        let span = UInt64(2 * jitter + 1)
        return (0..<max(steps, 0)).map { _ in
            let dy = Int(generator.next() % span) - jitter
            let dx = Int(generator.next() % span) - jitter
            return (dy, dx)
        }
    }
}

/// How Lesson 08's DeepDream (exercise 8.7) runs (Mordvintsev, Olah & Tyka 2015).
public struct DreamSettings: Sendable, Equatable {
    /// How many scales: the image is shrunk `octaves − 1` times by `octaveScale`.
    public var octaves: Int
    public var octaveScale: Float
    /// Ascent steps per octave.
    public var steps: Int
    /// Step size: x ← x + stepSize · g / mean|g|.
    public var stepSize: Float
    public var jitter: Int

    public init(octaves: Int = 3, octaveScale: Float = 1.4, steps: Int = 20, stepSize: Float = 0.02, jitter: Int = 1) {
        self.octaves = octaves; self.octaveScale = octaveScale; self.steps = steps; self.stepSize = stepSize; self.jitter = jitter
    }

    /// The README's DeepDream and `workbook dream`'s default, chosen by the layer sweep (lesson
    /// 08's figures): at `readmeLayer` the digit stays readable and grows echoes of its own
    /// strokes; `relu3` turns it into a textured blob; `relu1` only sharpens edges. Larger steps
    /// saturate every pixel to black or white.
    public static let readme = DreamSettings(octaves: 3, octaveScale: 1.4, steps: 15, stepSize: 0.015, jitter: 1)
    public static let readmeLayer = "relu2"

    /// The image size of each octave, smallest first: size / scale^(octaves − 1 − o), rounded.
    public func sizes(height: Int, width: Int) -> [(height: Int, width: Int)] {
        (0..<max(octaves, 1)).map { o in
            let factor = Double(octaveScale).pow(Double(max(octaves, 1) - 1 - o))
            return (max(1, Int((Double(height) / factor).rounded())), max(1, Int((Double(width) / factor).rounded())))
        }
    }
}

private extension Double {
    func pow(_ exponent: Double) -> Double { Foundation.pow(self, exponent) }
}
