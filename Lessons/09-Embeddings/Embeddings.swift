// Lesson 09 — Embeddings: what a network's features look like in 2-D (PCA and t-SNE).
//
// Fill in the seven functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter EmbeddingsLessonTests
//
// Read README.md in this folder first, and keep ../TOOLBOX.md open. Every number follows
// scikit-learn's conventions (PCA, TSNE(method="exact"), trustworthiness), so you can check any
// step against it in Python. You may add private helpers to this file; keep the signatures as
// they are (the tests call them). `Matrix` (row-major `Double`s, `m[i, j]`, `m.row(i)`,
// `Matrix(tensor)`), `PCAResult`, `Affinities`, `TSNESettings` and `TSNEResult` come from
// LessonSupport.

import LessonSupport
import TensorEngine

/// **Exercise 9.1** — A layer's activations as feature vectors.
///
/// Run `model` on `images` (`[N, C, H, W]`) in batches of `batchSize` (the last one may be
/// smaller), with a forward hook on `layer` that keeps its output, under `withNoGrad` (no graph is
/// recorded, so memory stays that of one batch). Flatten each image's activation in PyTorch's
/// order — `[K, H, W]` → K·H·W values, channel first — and stack the rows: `[N, D]`, row-major.
/// `layer == "pixels"` means the images themselves, flattened (`[N, C·H·W]`). Remove the hook
/// before returning, also on error; throw for `batchSize` ≤ 0.
public func features(of model: Module, at layer: String, for images: Tensor, batchSize: Int) throws -> Tensor {
    throw notStarted("9.1")
}

/// **Exercise 9.2** — Principal component analysis, as `sklearn.decomposition.PCA(n_components=k)`.
///
/// For the N rows xᵢ of `data` (`[N, D]`):
///
///     μ = (1/N) Σᵢ xᵢ,   X̃ = X − μ                     (centre every column)
///     C = X̃ᵀX̃ / (N − 1)                                (D × D, accumulate in Double; ddof = 1)
///     C vⱼ = λⱼ vⱼ,  λ₁ ≥ λ₂ ≥ … ≥ λ_D                  (symmetric eigenproblem, descending)
///
/// - `components`: `[k, D]`, row j = vⱼ (unit length), its sign chosen as scikit-learn's
///   `svd_flip(u_based_decision=False)` does: the entry of largest |·| (the first of equal ones)
///   is positive.
/// - `explainedVarianceRatio`: λⱼ / trace(C) for j < k.
/// - `projection`: `[N, k]`, X̃ vⱼ.
///
/// Write the eigensolver yourself: cyclic Jacobi (zero each off-diagonal a_pq in turn with the
/// rotation t = sign(θ)/(|θ| + √(θ² + 1)), θ = (a_qq − a_pp)/(2a_pq), c = 1/√(t² + 1), s = tc,
/// accumulating the rotations in V; repeat sweeps until the off-diagonal is ~0) is enough for
/// D ≤ 1024. When N < D you may decompose the N × N Gram matrix X̃X̃ᵀ/(N − 1) instead: it has the
/// same non-zero eigenvalues, and vⱼ = X̃ᵀuⱼ / ‖X̃ᵀuⱼ‖. Throw unless 1 ≤ k ≤ min(N, D), N ≥ 2.
/// t-SNE (9.5) starts from your projection and needs it within 1e-9 of the reference's (a test
/// checks it); a converged Jacobi in Double agrees to ~1e-14.
public func pca(_ data: Matrix, components k: Int) throws -> PCAResult {
    throw notStarted("9.2")
}

/// **Exercise 9.3** — t-SNE's affinities, as scikit-learn's `_joint_probabilities`.
///
/// With dᵢⱼ = ‖xᵢ − xⱼ‖² rounded to `Float` (sklearn searches on float32 distances), find for
/// each point i the precision βᵢ whose conditional distribution
///
///     p_{j|i} = exp(−dᵢⱼ βᵢ) / Σ_{k≠i} exp(−dᵢₖ βᵢ),   p_{i|i} = 0
///
/// has entropy Hᵢ = log Σₖ exp(−dᵢₖβᵢ) + βᵢ Σⱼ dᵢⱼ p_{j|i} = ln(perplexity) (natural logs
/// throughout). Binary search, per point: β = 1, bounds −∞ and +∞; up to 100 steps; stop when
/// |H − ln(perplexity)| ≤ 1e-5; if H is too high (too wide) raise β (double it while the upper
/// bound is +∞, else halfway to it), if too low lower it (halve it, or halfway to the lower
/// bound). A zero sum becomes 1e-8. Then
///
///     p_ij = max((p_{j|i} + p_{i|j}) / Σ_{k,l} (p_{l|k} + p_{k|l}),  ε)   for i ≠ j,  p_ii = 0
///
/// with ε = `machineEpsilon` (2.2e-16). Return both matrices, `[N, N]`.
///
/// Follow this search exactly: another one (on ln β, Newton steps) also stops within the
/// tolerance, but at another β, and 9.5 — which follows the reference's t-SNE step by step — needs
/// P within 1e-9 of the reference's (a test of this exercise checks it on 9.5's points).
public func tsneAffinities(_ data: Matrix, perplexity: Double) throws -> Affinities {
    throw notStarted("9.3")
}

/// **Exercise 9.4** — KL(P‖Q) and its gradient, as scikit-learn's `_kl_divergence` (one degree
/// of freedom: the Student-t / Cauchy kernel).
///
/// For an embedding Y (`[N, 2]`, or any width) and the joint P of 9.3:
///
///     wᵢⱼ = (1 + ‖yᵢ − yⱼ‖²)⁻¹,   qᵢⱼ = max(wᵢⱼ / Σ_{k≠l} w_kl, ε)       (i ≠ j)
///     KL  = Σ_{i≠j} pᵢⱼ log(max(pᵢⱼ, ε) / qᵢⱼ)
///     ∂KL/∂yᵢ = 4 Σⱼ (pᵢⱼ − qᵢⱼ) wᵢⱼ (yᵢ − yⱼ)
///
/// Return the KL and the gradient, the shape of `y`. Throw if P is not N × N. Compute in Double:
/// t-SNE (9.5) takes every step with this gradient and needs it within 1e-9 of the reference's.
public func tsneGradient(_ p: Matrix, _ y: Matrix) throws -> (kl: Double, gradient: Matrix) {
    throw notStarted("9.4")
}

/// **Exercise 9.5** — The exact t-SNE optimiser, as scikit-learn's `TSNE(method="exact")`.
///
/// P = the joint affinities of 9.3 (`settings.perplexity`). Start (sklearn's `init="pca"`):
/// Y = the 2-component PCA projection (9.2) divided by the population standard deviation of its
/// first column and times 1e-4 (`.random`: 1e-4 · N(0, 1) from `SeededGenerator(seed:)` and
/// `Tensor.randomNormal([N, 2], …)`). Learning rate η = max(N / earlyExaggeration / 4, 50)
/// (`settings.learningRate(count: N)` computes it).
/// Then two phases of gradient descent, each starting from update = 0 and gains = 1:
///
///     phase 1: iterations 0 ..< exaggerationIterations (250), P × earlyExaggeration (12), momentum 0.5
///     phase 2: the rest up to settings.iterations, P itself, momentum 0.8
///     each iteration:  g = ∂KL/∂Y (9.4)
///                      gains += 0.2 where update · g < 0, gains ×= 0.8 elsewhere; gains = max(gains, 0.01)
///                      update = momentum · update − η · gains · g;   Y += update
///
/// Every 50th iteration (i + 1 ≡ 0 mod 50) and at the last one of a phase, record
/// `(i + 1, KL)` — the KL of that iteration's gradient call, with the P in use. At a 50th
/// iteration a phase also stops early if its KL has not improved for more than 250 (phase 1) /
/// 300 (phase 2) iterations, or if ‖gains · g‖ ≤ 1e-7 (`TSNESettings` has these constants).
/// Return the embedding, the recorded KLs and the iterations run. Same settings, same bits.
public func tsne(_ data: Matrix, settings: TSNESettings) throws -> TSNEResult {
    throw notStarted("9.5")
}

/// **Exercise 9.6** — Trustworthiness, as `sklearn.manifold.trustworthiness` (Venna & Kaski 2001).
///
///     T(k) = 1 − 2 / (N k (2N − 3k − 1)) · Σᵢ Σ_{j ∈ U_k(i)} (r(i, j) − k)
///
/// r(i, j): the rank of j among i's neighbours in the original space `high`, by Euclidean
/// distance, 1 = nearest, i itself not counted; U_k(i): i's k nearest neighbours in the embedding
/// `low` that are not among its k nearest in `high` (the terms with r ≤ k are dropped). Equal
/// distances: the smaller index first. Throw unless both have N rows and 1 ≤ k < N / 2.
public func trustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
    throw notStarted("9.6")
}

/// **Exercise 9.7** — Leave-one-out k-nearest-neighbour accuracy of an embedding.
///
/// For each point i of `points` (`[N, m]`), its k nearest *other* points by Euclidean distance
/// (equal distances: the smaller index first) vote with their labels; the label with the most
/// votes is the prediction, a tie going to the smaller label. Return the fraction of points
/// predicted right. Throw unless `labels.count == N` and 1 ≤ k < N.
public func knnAccuracy(_ points: Matrix, labels: [Int], neighbours k: Int) throws -> Double {
    throw notStarted("9.7")
}
