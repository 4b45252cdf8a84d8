import Foundation
import TensorEngine

/// A dense row-major matrix of `Double`s: what Lesson 09's embeddings (PCA, t-SNE) compute with.
/// Shared by the stub, the reference, the graders and `workbook embed`.
///
/// Element (i, j) is `values[i * columns + j]`, like a C-ordered NumPy array of shape
/// `(rows, columns)`.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    /// Throws when `values.count` ≠ rows · columns.
    public init(rows: Int, columns: Int, values: [Double]) throws {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw TensorError.invalidArgument(operation: "Matrix", message: "\(values.count) values for \(rows) × \(columns)")
        }
        self.rows = rows; self.columns = columns; self.values = values
    }

    /// A `rows × columns` matrix of zeros.
    public init(zeros rows: Int, _ columns: Int) {
        self.rows = rows; self.columns = columns; self.values = [Double](repeating: 0, count: rows * columns)
    }

    /// A rank-2 tensor `[N, D]`, widened to `Double`; throws for any other rank.
    public init(_ tensor: Tensor) throws {
        guard tensor.rank == 2 else {
            throw TensorError.invalidArgument(operation: "Matrix", message: "expected a [N, D] tensor, got \(tensor.shape)")
        }
        try self.init(rows: tensor.shape[0], columns: tensor.shape[1], values: tensor.data.map(Double.init))
    }

    public subscript(i: Int, j: Int) -> Double {
        get { values[i * columns + j] }
        set { values[i * columns + j] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] { Array(values[(i * columns)..<((i + 1) * columns)]) }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] { (0..<rows).map { values[$0 * columns + j] } }

    /// The transpose.
    public var transposed: Matrix {
        var out = Matrix(zeros: columns, rows)
        for i in 0..<rows { for j in 0..<columns { out.values[j * rows + i] = values[i * columns + j] } }
        return out
    }

    /// The matrix narrowed to a `Float` tensor `[rows, columns]`.
    public var tensor: Tensor { (try? Tensor(shape: [rows, columns], data: values.map(Float.init))) ?? .zeros([rows, columns]) }
}

/// Principal component analysis of `N` points in `D` dimensions (exercise 9.2), in
/// scikit-learn's conventions (`sklearn.decomposition.PCA`).
public struct PCAResult: Sendable {
    /// `[k, D]`: the unit principal axes, largest variance first (sklearn's `components_`).
    public var components: Matrix
    /// `[k]`: each component's variance over the total variance (`explained_variance_ratio_`).
    public var explainedVarianceRatio: [Double]
    /// `[N, k]`: the centred points projected on the components (`fit_transform`).
    public var projection: Matrix

    public init(components: Matrix, explainedVarianceRatio: [Double], projection: Matrix) {
        self.components = components; self.explainedVarianceRatio = explainedVarianceRatio; self.projection = projection
    }
}

/// t-SNE's input similarities (exercise 9.3): both `[N, N]`.
public struct Affinities: Sendable {
    /// p_{j|i} in row i (each row sums to 1, the diagonal is 0).
    public var conditional: Matrix
    /// p_ij = max((p_{j|i} + p_{i|j}) / Σ, ε), symmetric, sums to ≈ 1, diagonal 0.
    public var joint: Matrix

    public init(conditional: Matrix, joint: Matrix) { self.conditional = conditional; self.joint = joint }
}

/// How t-SNE starts (scikit-learn's `init`).
public enum TSNEInitialisation: String, Sendable, CaseIterable {
    /// The first two principal components, scaled so that the first has standard deviation 1e-4.
    case pca
    /// 1e-4 · N(0, 1), from the seed.
    case random
}

/// The exact t-SNE optimiser's settings (exercise 9.5): scikit-learn's `TSNE(method="exact")`
/// defaults.
public struct TSNESettings: Sendable, Equatable {
    public var perplexity: Double = 30
    /// Total iterations (sklearn's `max_iter`, 1000).
    public var iterations: Int = 1000
    public var earlyExaggeration: Double = 12
    /// Iterations with exaggerated P and momentum 0.5 (sklearn's `_EXPLORATION_MAX_ITER`, 250).
    public var exaggerationIterations: Int = 250
    public var initialisation: TSNEInitialisation = .pca
    /// Seeds the random initialisation (unused with `.pca`, which is deterministic).
    public var seed: UInt64 = 0

    public init(perplexity: Double = 30, iterations: Int = 1000, earlyExaggeration: Double = 12, exaggerationIterations: Int = 250,
                initialisation: TSNEInitialisation = .pca, seed: UInt64 = 0) {
        self.perplexity = perplexity; self.iterations = iterations; self.earlyExaggeration = earlyExaggeration
        self.exaggerationIterations = exaggerationIterations; self.initialisation = initialisation; self.seed = seed
    }

    /// sklearn's `learning_rate="auto"`: max(N / early_exaggeration / 4, 50).
    public func learningRate(count n: Int) -> Double { max(Double(n) / earlyExaggeration / 4, 50) }

    /// Momentum 0.5, gains +0.2 / ×0.8 clipped at 0.01, KL checked every 50 iterations, stop after
    /// 250 (exploration) or 300 (afterwards) iterations without progress or a gradient norm ≤ 1e-7.
    public static let earlyMomentum = 0.5, finalMomentum = 0.8, minGain = 0.01, checkEvery = 50
    public static let withoutProgressEarly = 250, withoutProgressFinal = 300, minGradientNorm = 1e-7
}

/// What the optimiser returns: the `[N, 2]` embedding and the KL divergences it checked.
public struct TSNEResult: Sendable {
    public var embedding: Matrix
    /// (iteration, KL(P‖Q)) at every 50th iteration and the last one, with the P in use then
    /// (exaggerated during the first phase), as sklearn's verbose output prints them.
    public var kl: [(iteration: Int, value: Double)]
    /// Iterations run (fewer than asked when the optimiser stopped early).
    public var iterations: Int

    public init(embedding: Matrix, kl: [(iteration: Int, value: Double)], iterations: Int) {
        self.embedding = embedding; self.kl = kl; self.iterations = iterations
    }
}

/// scikit-learn's `MACHINE_EPSILON`, `np.finfo(np.double).eps`: the floor of P and Q.
public let machineEpsilon = Double.ulpOfOne
