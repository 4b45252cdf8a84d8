import TensorEngine

/// How lesson 11's linear autoencoder is trained (exercise 11.2): full-batch Adam from small
/// seeded random weights. The defaults reach PCA's reconstruction error on 2,000 digits within
/// 0.01% (k = 2 and 10) in 300 steps; the subspace needs ~600 (README, "What to notice").
public struct LinearAutoencoderSettings: Sendable, Equatable {
    /// Adam steps, one per pass over all the data.
    public var steps: Int
    /// Adam's learning rate (β₁ = 0.9, β₂ = 0.999, ε = 1e-8: PyTorch's defaults).
    public var learningRate: Float
    /// The standard deviation of the initial weights, N(0, initialScale²) for every entry.
    public var initialScale: Float
    /// The seed of the `SeededGenerator` both weight matrices are drawn from, encoder first.
    public var seed: UInt64

    public init(steps: Int = 300, learningRate: Float = 0.01, initialScale: Float = 0.01, seed: UInt64 = 0) {
        self.steps = steps; self.learningRate = learningRate; self.initialScale = initialScale; self.seed = seed
    }
}

/// A trained linear autoencoder (exercise 11.2): x ↦ decoder · encoder · (x − mean).
public struct LinearAutoencoder {
    /// `[k, D]`: the encoder's weight, as `nn.Linear(D, k, bias=False).weight`.
    public let encoder: Tensor
    /// `[D, k]`: the decoder's weight, as `nn.Linear(k, D, bias=False).weight`. Its k columns span
    /// the subspace the autoencoder projects onto.
    public let decoder: Tensor
    /// `[D]`: the data's mean, subtracted before encoding (the centring of 11.1).
    public let mean: Tensor
    /// The loss of every step, before that step's update: `losses[0]` is the untrained error.
    public let losses: [Float]

    public init(encoder: Tensor, decoder: Tensor, mean: Tensor, losses: [Float]) {
        self.encoder = encoder; self.decoder = decoder; self.mean = mean; self.losses = losses
    }
}

/// What exercise 11.6 returns: three 2-D maps' trustworthiness T(k), each measured against the
/// pixels of the images it places.
public struct MapComparison: Sendable, Equatable {
    /// t-SNE's map of the fitted images (lesson 09's 9.5), against their pixels.
    public var tsne: Double
    /// The autoencoder's codes of the same images, against their pixels.
    public var codes: Double
    /// Its codes of the held-out images, which t-SNE never saw, against *their* pixels.
    public var newCodes: Double

    public init(tsne: Double, codes: Double, newCodes: Double) {
        self.tsne = tsne; self.codes = codes; self.newCodes = newCodes
    }
}
