import Foundation

/// Locations of test inputs, found relative to this source file (no SwiftPM resources needed).
enum TestPaths {
    /// `Tests/DataFormatsTests/Fixtures`.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The package root: the first ancestor of this file (symlinks resolved) holding `Datasets/`.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Datasets").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    static let mnist = packageRoot.appendingPathComponent("Datasets/mnist")

    static func fixture(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name)))
    }
}
