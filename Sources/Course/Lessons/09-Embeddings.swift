// Lesson 09 — Embeddings: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/09-Embeddings/Exercises.swift.

import LessonSupport
import TensorEngine

/// What the exercise returns.
public typealias KLAndGradient = (kl: Double, gradient: Matrix)

public enum EmbeddingsCourse {
    public static let features = ExerciseDeclaration<@Sendable (Module, String, Tensor, Int) throws -> Tensor, Features>(
        "9.1", "A layer's activations as feature vectors", stub: "features(of:at:for:batchSize:)")

    public static let pca = ExerciseDeclaration<@Sendable (Matrix, Int) throws -> PCAResult, PCA>(
        "9.2", "Principal component analysis", stub: "pca(_:components:)")

    public static let tsneAffinities = ExerciseDeclaration<@Sendable (Matrix, Double) throws -> LessonSupport.Affinities, Affinities>(
        "9.3", "t-SNE's affinities P", stub: "tsneAffinities(_:perplexity:)")

    public static let tsneGradient = ExerciseDeclaration<@Sendable (Matrix, Matrix) throws -> KLAndGradient, Gradient>(
        "9.4", "KL(P‖Q) and its gradient", stub: "tsneGradient(_:_:)")

    public static let tsne = ExerciseDeclaration<@Sendable (Matrix, TSNESettings) throws -> TSNEResult, Optimiser>(
        "9.5", "The exact t-SNE optimiser", stub: "tsne(_:settings:)")

    public static let trustworthiness = ExerciseDeclaration<@Sendable (Matrix, Matrix, Int) throws -> Double, Trustworthiness>(
        "9.6", "Trustworthiness", stub: "trustworthiness(high:low:neighbours:)")

    public static let knnAccuracy = ExerciseDeclaration<@Sendable (Matrix, [Int], Int) throws -> Double, KNN>(
        "9.7", "Leave-one-out kNN accuracy", stub: "knnAccuracy(_:labels:neighbours:)")

    public static let lesson = LessonDeclaration(
        number: 9, folder: "09-Embeddings", title: "Embeddings: PCA and t-SNE",
        exercises: [features.summary, pca.summary, tsneAffinities.summary, tsneGradient.summary, tsne.summary, trustworthiness.summary, knnAccuracy.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/09-Embeddings/Mistakes.swift)

    public enum Features: String, MistakeKind {
        case dropsLastBatch = "drops-last-batch", channelsLast = "channels-last", oneBatch = "one-batch", recordsGraph = "records-graph"
        public var summary: String {
            switch self {
            case .oneBatch: "runs all N images in one forward pass (memory grows with N, not with the batch)"
            case .recordsGraph: "runs the model with gradients on: every batch records a graph nobody uses"
            case .dropsLastBatch: "stops at the last full batch: the remaining N mod batchSize images are missing"
            case .channelsLast: "flattens each activation as [H, W, C] (channels last) instead of PyTorch's [C, H, W]"
            }
        }
    }

    public enum PCA: String, MistakeKind {
        case noCentring = "no-centring", ascending, firstEntryPositive = "first-entry-positive"
        public var summary: String {
            switch self {
            case .noCentring: "eigen-decomposes XᵀX/(N−1) of the raw data: the mean becomes the first component"
            case .ascending: "sorts the eigenvalues ascending: the k least-variance directions"
            case .firstEntryPositive: "fixes each component's sign by its first entry, not sklearn's largest-|.| entry"
            }
        }
    }

    public enum Affinities: String, MistakeKind {
        case searchesVariance = "searches-variance", log2Entropy = "log2-entropy", notSymmetrised = "not-symmetrised",
             notNormalised = "not-normalised", logBetaBisection = "log-beta-bisection"
        public var summary: String {
            switch self {
            case .searchesVariance: "moves the search variable as a variance (entropy too high → smaller) while using it as β = 1/2σ²"
            case .log2Entropy: "aims at log₂(perplexity) while measuring the entropy in nats (log bases mixed)"
            case .notSymmetrised: "uses p_{j|i} / N as the joint P: not symmetric"
            case .notNormalised: "returns P + Pᵀ without dividing by its sum (2N)"
            case .logBetaBisection: "bisects ln β instead of β (steps of ±1, then geometric midpoints): right entropy, another β within the tolerance"
            }
        }
    }

    public enum Gradient: String, MistakeKind {
        case gaussianQ = "gaussian-q", missingFactorFour = "missing-factor-4", missingKernel = "missing-kernel"
        public var summary: String {
            switch self {
            case .gaussianQ: "uses a Gaussian kernel exp(−d²) for Q (SNE) instead of the Student-t (1 + d²)⁻¹"
            case .missingFactorFour: "drops the factor 4 of the gradient"
            case .missingKernel: "drops the (1 + d²)⁻¹ factor of the gradient: Σⱼ (p − q)(yᵢ − yⱼ)"
            }
        }
    }

    public enum Optimiser: String, MistakeKind {
        case exaggerationNeverOff = "exaggeration-never-off", unscaledStart = "unscaled-start", momentumNeverRaised = "momentum-never-raised"
        public var summary: String {
            switch self {
            case .exaggerationNeverOff: "keeps P × 12 after iteration 250"
            case .unscaledStart: "starts from the raw PCA projection instead of rescaling it to standard deviation 1e-4"
            case .momentumNeverRaised: "keeps momentum 0.5 after iteration 250 instead of 0.8"
            }
        }
    }

    public enum Trustworthiness: String, MistakeKind {
        case countsItself = "counts-itself", spacesSwapped = "spaces-swapped"
        public var summary: String {
            switch self {
            case .countsItself: "ranks the original neighbours with the point itself as rank 1: every rank one too high"
            case .spacesSwapped: "ranks by the embedding and picks neighbours in the original space (that is continuity)"
            }
        }
    }

    public enum KNN: String, MistakeKind {
        case includesItself = "includes-itself", tieToLarger = "tie-to-larger"
        public var summary: String {
            switch self {
            case .includesItself: "lets each point vote for itself (not leave-one-out)"
            case .tieToLarger: "gives a tied vote to the larger class label"
            }
        }
    }
}
