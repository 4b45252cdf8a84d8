// Lesson 11 — Autoencoders: a network that learns PCA by itself, and a 2-D map that places
// images it never saw.
//
// Fill in the six functions below, in order. Each one throws `notStarted(…)` until you replace
// its body; the tests report it as "not started" until then. Run the tests of this lesson with
//
//     swift test --filter AutoencodersLessonTests
//
// Read README.md in this folder first, and keep ../TOOLBOX.md open. The conventions are
// PyTorch's (`nn.Linear` weights, `F.mse_loss`, `torch.optim.Adam`) and SciPy's for the angles
// (`scipy.linalg.subspace_angles`, in degrees here). You may add private helpers to this file;
// keep the signatures as they are (the tests call them). `Matrix` (row-major `Double`s, from
// lesson 09), `LinearAutoencoder`, `LinearAutoencoderSettings` and `MapComparison` come from
// LessonSupport; 11.6 calls your own `trustworthiness` from lesson 09 (`import EmbeddingsLesson`).

import EmbeddingsLesson
import LessonSupport
import TensorEngine

/// **Exercise 11.1** — A linear autoencoder's reconstruction error.
///
/// For `data` X (`[N, D]`, one flattened image per row), the encoder E (`[k, D]`) and the
/// decoder W (`[D, k]`) — the weights of `nn.Linear(D, k, bias=False)` and
/// `nn.Linear(k, D, bias=False)`:
///
///     μ = (1/N) Σᵢ xᵢ,   X̃ = X − μ                 (centre every column; μ is data: no gradient)
///     Z = X̃ Eᵀ           [N, k]                    (the codes)
///     X̂ = Z Wᵀ           [N, D]                    (the reconstructions)
///     L = (1 / (N·D)) Σᵢⱼ (X̂ᵢⱼ − X̃ᵢⱼ)²             (`F.mse_loss`, reduction "mean")
///
/// Return L as a scalar tensor built from engine ops, so `L.backward()` fills `encoder.grad` and
/// `decoder.grad` (11.2 trains with them; a test checks them against central differences).
/// `x.linear(weight: w, bias: nil)` is X Wᵀ, `x.mean(axes: [0], keepDims: true)` the column
/// means, `a.meanSquaredError(target: b)` the loss. Throw for data that is not `[N, D]` with
/// N ≥ 1, an encoder that is not `[k, D]`, or a decoder that is not `[D, k]`.
public func reconstructionError(of data: Tensor, encoder: Tensor, decoder: Tensor) throws -> Tensor {
    throw notStarted("11.1")
}

/// **Exercise 11.2** — Training the linear autoencoder with Adam.
///
/// With `var g = SeededGenerator(seed: settings.seed)`, draw the encoder `[k, D]` first, then
/// the decoder `[D, k]`, both `Tensor.randomNormal(shape, std: settings.initialScale, using: &g)`;
/// make them require gradients and give both to one `Adam(parameters: [encoder, decoder],
/// learningRate: settings.learningRate)` (PyTorch's defaults otherwise). Then `settings.steps`
/// times, on the whole of `data` (full batch):
///
///     zero the gradients;  loss = reconstructionError(of: data, …) (11.1);  record loss.item();
///     loss.backward();  adam.step()
///
/// Return the trained weights (`detached()`), the data's column means `[D]` and the recorded
/// losses (`losses[i]` is the loss *before* step i's update). Throw unless data is `[N, D]` with
/// N ≥ 2, 1 ≤ k ≤ D and steps ≥ 1. The tests compare your losses with the reference's step by
/// step: the same seed and the same order of draws give the same start.
public func trainLinearAutoencoder(_ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws -> LinearAutoencoder {
    throw notStarted("11.2")
}

/// **Exercise 11.3** — The principal angles between two subspaces, in degrees.
///
/// `a` (D × kₐ) and `b` (D × k_b) are bases: their columns span two subspaces of ℝᴰ. The
/// principal angles 0 ≤ θ₁ ≤ … ≤ θₘ ≤ 90°, m = min(kₐ, k_b), are defined one after another:
/// cos θᵢ = max uᵀv over unit u in span(a), v in span(b), orthogonal to the earlier pairs. They
/// are computed (Björck & Golub, 1973) as
///
///     Qₐ, Q_b = orthonormal bases of the two spans     (Gram–Schmidt on the columns)
///     M = Qₐᵀ Q_b                                     (kₐ × k_b)
///     cos θᵢ = σᵢ(M)                                   (the singular values, largest first)
///
/// σᵢ(M)² are the eigenvalues of the small symmetric MᵀM (or MMᵀ, whichever is m × m): write a
/// small private Jacobi here, as in 9.2 (a private helper of lesson 09's file is not visible here). Clamp each cosine to [0, 1] before `acos`.
/// Return the m angles in degrees, smallest first (`scipy.linalg.subspace_angles` returns them
/// largest first, in radians). They depend only on the spans: any other bases of the same
/// subspaces give the same angles. Throw unless both have the same D rows, 1 ≤ k ≤ D columns and
/// linearly independent columns: a column whose remainder after Gram–Schmidt (after the last
/// pass, if you orthogonalise twice) has a length of at most 1e-10 of its original length is a
/// combination of the others (rounding leaves ~1e-16, not 0).
public func principalAngles(between a: Matrix, and b: Matrix) throws -> [Double] {
    throw notStarted("11.3")
}

/// **Exercise 11.4** — A convolutional autoencoder with a code of `code` numbers.
///
/// Build `mnist-autoencoder`'s architecture (`Datasets/models/mnist-autoencoder.safetensors`; a
/// test loads its weights into your model by name), as
/// `Sequential(named: [("encoder", encoder), ("decoder", decoder)])` with two `Sequential`s whose
/// layers are named "0", "1", … (what `Sequential([...])` does):
///
///     encoder: [N, 1, 28, 28] → Conv2d(1, 16, 3, stride 2, padding 1) → ReLU        [N, 16, 14, 14]
///              → Conv2d(16, 32, 3, stride 2, padding 1) → ReLU                       [N, 32, 7, 7]
///              → Flatten → Linear(1568, 64) → ReLU → Linear(64, code)                [N, code]
///     decoder: [N, code] → Linear(code, 64) → ReLU → Linear(64, 1568) → ReLU
///              → Unflatten([32, 7, 7])
///              → ConvTranspose2d(32, 16, 3, stride 2, padding 1, output padding 1) → ReLU  [N, 16, 14, 14]
///              → ConvTranspose2d(16, 1, 3, stride 2, padding 1, output padding 1)           [N, 1, 28, 28]
///              → Sigmoid                                                              (pixels in [0, 1])
///
/// Initialise every layer from one `SeededGenerator(seed: seed)` (the layers' `generator:`
/// argument). Throw for code < 1.
public func convolutionalAutoencoder(code: Int, seed: UInt64) throws -> Sequential {
    throw notStarted("11.4")
}

/// **Exercise 11.5** — Embedding images the model never saw.
///
/// Run only the autoencoder's `"encoder"` half (`autoencoder.module(named: "encoder")`) on
/// `images` (`[N, 1, 28, 28]`) in batches of `batchSize` (the last one may be smaller), under
/// `withNoGrad`, and return the codes as a `Matrix` `[N, code]` (row i = image i's code, widened to
/// `Double`). This is what t-SNE cannot do: place a new image without running again. Throw for
/// `batchSize` ≤ 0 or images that are not `[N, C, H, W]` with N ≥ 1.
public func encode(_ images: Tensor, with autoencoder: Module, batchSize: Int) throws -> Matrix {
    throw notStarted("11.5")
}

/// **Exercise 11.6** — The 2-D code against t-SNE, and on images t-SNE never saw.
///
/// `fitted` (`[N, 1, 28, 28]`) are the images lesson 09's t-SNE was run on, `tsneMap` (N × 2) its
/// map of them; `heldOut` (`[M, 1, 28, 28]`) are new images. Judge every map by the same truth —
/// the pixels of the images it places (each image flattened to a row, as 9.1's "pixels") — with
/// your `trustworthiness(high:low:neighbours:)` from 9.6 and k = `neighbours`:
///
///     tsne     = T(fitted's pixels,  tsneMap)
///     codes    = T(fitted's pixels,  encode(fitted))       (11.5)
///     newCodes = T(heldOut's pixels, encode(heldOut))      (no refit: t-SNE would have to run again)
///
/// (Any batch size for `encode` gives the same codes; 256 is fine.)
/// Throw when `tsneMap` does not have one row per fitted image, or for images that are not
/// `[N, C, H, W]`.
public func mapComparison(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> MapComparison {
    throw notStarted("11.6")
}
