import Foundation
import Imaging
import ModelZoo
import TensorEngine

/// A reference figure of a lesson: the picture its README shows and the golden tests compare
/// against, plus the raw numbers behind it when there are any.
public struct Figure: Sendable {
    /// The file name without extension, e.g. `saliency-signed-0`.
    public let name: String
    public let image: RGBAImage
    /// The unnormalised values and their shape (written as `NAME.npy`).
    public let raw: (shape: [Int], values: [Float])?

    public init(name: String, image: RGBAImage, raw: (shape: [Int], values: [Float])? = nil) {
        self.name = name; self.image = image; self.raw = raw
    }
}

/// Where the files of a lesson live.
public enum LessonPaths {
    /// The repository root, found the one way the project finds it (`DatasetFiles.root()`:
    /// `$WORKBOOK_ROOT`, the folder at or above the current one with Package.swift and Datasets/,
    /// or the checkout the code was compiled from); the current folder if none is found.
    public static var root: URL {
        (try? DatasetFiles.root()) ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// `Lessons/<folder>/figures`.
    public static func figures(_ lessonFolder: String) -> URL {
        root.appendingPathComponent("Lessons/\(lessonFolder)/figures")
    }
}

/// What a lesson's figure generator gets: the shipped models and the MNIST test set.
public struct FigureContext: Sendable {
    public let mnistTest: LabeledImages

    /// Loads the MNIST test set (checksum-verified).
    public static func standard() throws -> FigureContext {
        FigureContext(mnistTest: try DatasetFiles.mnist(.test))
    }

    public init(mnistTest: LabeledImages) { self.mnistTest = mnistTest }

    /// A fresh copy of a shipped model, in evaluation mode.
    public func model(_ name: String) throws -> Sequential {
        try ModelFile.load(ModelFile.shippedURL(name)).model
    }

    /// The test images every lesson's figures show: two digits `mnist-gap` classifies right and
    /// one it gets wrong.
    public static let goldenIndices = [0, 1, 247]
}

/// A lesson's reference figures, as `workbook figures` and the golden tests see them.
public protocol LessonFigures: Sendable {
    /// The lesson's folder, e.g. `01-Hooks`; figures go to `Lessons/<folder>/figures`.
    static var folder: String { get }
    /// Every reference figure of the lesson, computed with the solutions.
    static func make(_ context: FigureContext) throws -> [Figure]
}
