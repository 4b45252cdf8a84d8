import Foundation
import ModelZoo
import TensorEngine

/// Shared, loaded-once test fixtures: the MNIST test set and fresh copies of the shipped models.
public enum Fixtures {
    private static let mnistTestResult = Result { try DatasetFiles.mnist(.test) }

    /// The MNIST test set (loaded and checksum-verified once per test process).
    public static func mnistTest() throws -> LabeledImages { try mnistTestResult.get() }

    /// Test images `indices` as `[n, 1, 28, 28]` with their labels.
    public static func mnistImages(_ indices: [Int]) throws -> (images: Tensor, labels: [Int]) {
        try mnistTest().batch(indices)
    }

    /// A fresh copy of a shipped model, in evaluation mode (each test gets its own, so hooks and
    /// gradients never leak between tests running in parallel).
    public static func model(_ name: String) throws -> Sequential {
        try ModelFile.load(ModelFile.shippedURL(name)).model
    }
}

extension Fixtures {
    /// A fresh copy of the shipped autoencoder `mnist-autoencoder` (lesson 11), which the
    /// classifier loader refuses by default.
    public static func autoencoder() throws -> Sequential {
        try ModelFile.load(ModelFile.shippedURL("mnist-autoencoder"), autoencoders: true).model
    }
}
