// Lesson 11 — Autoencoders: what each exercise is (number, title, the stub it grades) and the
// mistakes its graders catalogue (ids and one-line summaries). No answers here: the reference,
// the mistakes' code and the correct variants are bound to these in Solutions/11-Autoencoders/Exercises.swift.

import LessonSupport
import TensorEngine

public enum AutoencodersCourse {
    public static let reconstructionError = ExerciseDeclaration<@Sendable (Tensor, Tensor, Tensor) throws -> Tensor, ReconstructionError>(
        "11.1", "A linear autoencoder's reconstruction error", stub: "reconstructionError(of:encoder:decoder:)")

    public static let trainLinearAutoencoder = ExerciseDeclaration<@Sendable (Tensor, Int, LinearAutoencoderSettings) throws -> LinearAutoencoder, Training>(
        "11.2", "Training it with Adam", stub: "trainLinearAutoencoder(_:components:settings:)")

    public static let principalAngles = ExerciseDeclaration<@Sendable (Matrix, Matrix) throws -> [Double], PrincipalAngles>(
        "11.3", "Principal angles between two subspaces", stub: "principalAngles(between:and:)")

    public static let convolutionalAutoencoder = ExerciseDeclaration<@Sendable (Int, UInt64) throws -> Sequential, Architecture>(
        "11.4", "A convolutional autoencoder with a small code", stub: "convolutionalAutoencoder(code:seed:)")

    public static let encode = ExerciseDeclaration<@Sendable (Tensor, Module, Int) throws -> Matrix, Encode>(
        "11.5", "Embedding images the model never saw", stub: "encode(_:with:batchSize:)")

    public static let mapComparison = ExerciseDeclaration<@Sendable (Module, Tensor, Tensor, Matrix, Int) throws -> MapComparison, Comparison>(
        "11.6", "The code against t-SNE, and on new images", stub: "mapComparison(of:fitted:heldOut:tsneMap:neighbours:)")

    public static let lesson = LessonDeclaration(
        number: 11, folder: "11-Autoencoders", title: "Autoencoders: learned PCA, new images",
        exercises: [reconstructionError.summary, trainLinearAutoencoder.summary, principalAngles.summary, convolutionalAutoencoder.summary, encode.summary,
                    mapComparison.summary])

    // MARK: The catalogued mistakes, one enum per exercise (their code: Solutions/11-Autoencoders/Mistakes.swift)

    public enum ReconstructionError: String, MistakeKind {
        case noCentring = "no-centring", tiedDecoder = "tied-decoder", sumOverPixels = "sum-over-pixels"
        public var summary: String {
            switch self {
            case .noCentring: "encodes the raw data, not x − mean: the model must spend a direction on the mean"
            case .tiedDecoder: "decodes with the encoder's transpose (tied weights): the decoder is never used"
            case .sumOverPixels: "sums the squared error over each image's D pixels instead of averaging (D times larger)"
            }
        }
    }

    public enum Training: String, MistakeKind {
        case zeroInitialisation = "zero-initialisation", gradientsAccumulate = "gradients-accumulate", lossAfterStep = "loss-after-step"
        public var summary: String {
            switch self {
            case .zeroInitialisation: "starts both weights at zero: every gradient is zero, nothing ever moves"
            case .gradientsAccumulate: "never zeroes the gradients: each step adds every earlier step's gradient"
            case .lossAfterStep: "records the loss after the update (a second forward pass): the history is shifted by one step"
            }
        }
    }

    public enum PrincipalAngles: String, MistakeKind {
        case radians, axesNotSubspaces = "axes-not-subspaces", notOrthonormalised = "not-orthonormalised"
        public var summary: String {
            switch self {
            case .radians: "returns the angles in radians, not degrees"
            case .axesNotSubspaces: "compares column i of one with column i of the other (axes), not the subspaces they span"
            case .notOrthonormalised: "takes the singular values of AᵀB without orthonormalising A and B first (cosines scaled by the columns' lengths)"
            }
        }
    }

    public enum Architecture: String, MistakeKind {
        case noOutputPadding = "no-output-padding", reluOnCode = "relu-on-code", noSigmoid = "no-sigmoid"
        public var summary: String {
            switch self {
            case .noOutputPadding: "upsamples without output_padding=1: 7 → 13 → 25 pixels, not 14 → 28"
            case .reluOnCode: "puts a ReLU after the encoder's last Linear: every negative code becomes 0"
            case .noSigmoid: "ends the decoder without the Sigmoid: pixels are not kept in [0, 1]"
            }
        }
    }

    public enum Encode: String, MistakeKind {
        case wholeNetwork = "whole-network", dropsLastBatch = "drops-last-batch", recordsGraph = "records-graph"
        public var summary: String {
            switch self {
            case .wholeNetwork: "runs the whole autoencoder and returns the reconstructions, not the encoder's codes"
            case .dropsLastBatch: "stops at the last full batch: the remaining N mod batchSize images are missing"
            case .recordsGraph: "runs the encoder with gradients on: every batch records a graph nobody uses"
            }
        }
    }

    public enum Comparison: String, MistakeKind {
        case heldOutAgainstFittedPixels = "held-out-against-fitted-pixels", codesAgainstTSNE = "codes-against-tsne", reconstructions
        public var summary: String {
            switch self {
            case .heldOutAgainstFittedPixels: "scores the held-out codes against the fitted (training) half's pixels, not their own images'"
            case .codesAgainstTSNE: "scores the codes against t-SNE's map instead of against the pixels"
            case .reconstructions: "scores the whole autoencoder's reconstructions (784 numbers) instead of its 2-D codes"
            }
        }
    }
}
