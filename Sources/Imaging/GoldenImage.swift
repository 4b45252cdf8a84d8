import Foundation

/// Golden-image testing: compare a rendered image with a reviewed PNG kept in the repository.
///
/// Free of XCTest and Swift Testing so any test framework can use it:
///
///     let result = GoldenImage.compare(actual: picture, goldenPath: goldens.appendingPathComponent("saliency.png"))
///     #expect(result.passed, "\(result.message)")          // or XCTAssertTrue(result.passed, result.message)
///
/// **On a mismatch** it writes `NAME.actual.png`, `NAME.expected.png` and `NAME.diff.png` (the
/// amplified difference) into the failure folder and names them in `message`. The folder is
/// `$WORKBOOK_TEST_OUTPUT/golden-failures/` when that variable is set, otherwise
/// `<package root>/test-output/golden-failures/`, the package root being the nearest folder
/// above the golden file that holds a `Package.swift`.
///
/// **Record mode**: with `WORKBOOK_RECORD_GOLDENS=1` the golden file is (re)written from `actual`
/// and the comparison passes. It is refused when `CI` is set, so CI can never bless its own output.
public enum GoldenImage {
    /// The outcome of one comparison.
    public struct Result: Sendable, CustomStringConvertible {
        public var passed: Bool
        /// Human-readable: what was compared, the measured difference, where the artifacts are.
        public var message: String
        /// nil when the golden was missing, unreadable or of another size.
        public var difference: ImageDifference?
        /// True when record mode wrote the golden file.
        public var recorded: Bool
        /// The actual/expected/diff PNGs written on failure.
        public var artifacts: [URL]
        public var description: String { message }
    }

    /// Compares a gray image with the golden PNG at `goldenPath`.
    public static func compare(actual: GrayImage, goldenPath: URL, tolerance: (rms: Double, max: Double) = (0, 0),
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> Result {
        compare(actual: RGBAImage(actual), goldenPath: goldenPath, tolerance: tolerance, environment: environment)
    }

    /// Compares an RGBA image with the golden PNG at `goldenPath`; it passes when both the RMS and
    /// the maximum channel difference (in 0...1 units, see `ImageDifference`) are within `tolerance`.
    public static func compare(actual: RGBAImage, goldenPath: URL, tolerance: (rms: Double, max: Double) = (0, 0),
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> Result {
        let name = goldenPath.deletingPathExtension().lastPathComponent
        if environment["WORKBOOK_RECORD_GOLDENS"] == "1" {
            if let ci = environment["CI"], !ci.isEmpty, ci != "0", ci.lowercased() != "false" {
                return Result(passed: false, message: "golden \(name): WORKBOOK_RECORD_GOLDENS=1 is refused on CI",
                              difference: nil, recorded: false, artifacts: [])
            }
            do {
                try FileManager.default.createDirectory(at: goldenPath.deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
                try PNG.write(actual, to: goldenPath)
                return Result(passed: true, message: "golden \(name): recorded \(goldenPath.path)",
                              difference: nil, recorded: true, artifacts: [])
            } catch {
                return Result(passed: false, message: "golden \(name): could not record \(goldenPath.path): \(error)",
                              difference: nil, recorded: false, artifacts: [])
            }
        }

        let expected: RGBAImage
        do {
            expected = try PNG.readRGBA(from: goldenPath)
        } catch {
            let written = writeArtifacts(name: name, actual: actual, expected: nil, goldenPath: goldenPath, environment: environment)
            return Result(passed: false,
                          message: "golden \(name): cannot read \(goldenPath.path) (\(error)). "
                              + "Run with WORKBOOK_RECORD_GOLDENS=1 to create it." + artifactList(written),
                          difference: nil, recorded: false, artifacts: written)
        }
        guard let difference = ImageComparison.difference(actual, expected) else {
            let written = writeArtifacts(name: name, actual: actual, expected: expected, goldenPath: goldenPath, environment: environment)
            return Result(passed: false,
                          message: "golden \(name): size \(actual.width)x\(actual.height) differs from the golden's "
                              + "\(expected.width)x\(expected.height)" + artifactList(written),
                          difference: nil, recorded: false, artifacts: written)
        }
        if difference.rms <= tolerance.rms && difference.maxAbsolute <= tolerance.max {
            return Result(passed: true, message: "golden \(name): match (\(difference))",
                          difference: difference, recorded: false, artifacts: [])
        }
        let written = writeArtifacts(name: name, actual: actual, expected: expected, goldenPath: goldenPath, environment: environment)
        return Result(passed: false,
                      message: "golden \(name): \(difference) exceeds tolerance rms \(tolerance.rms), max \(tolerance.max)"
                          + artifactList(written),
                      difference: difference, recorded: false, artifacts: written)
    }

    /// Where failure artifacts go (see the type's documentation).
    public static func failureFolder(forGolden goldenPath: URL,
                                     environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let custom = environment["WORKBOOK_TEST_OUTPUT"], !custom.isEmpty {
            return URL(fileURLWithPath: custom).appendingPathComponent("golden-failures")
        }
        var folder = goldenPath.deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder.appendingPathComponent("test-output/golden-failures")
            }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("test-output/golden-failures")
    }

    private static func writeArtifacts(name: String, actual: RGBAImage, expected: RGBAImage?, goldenPath: URL,
                                       environment: [String: String]) -> [URL] {
        let folder = failureFolder(forGolden: goldenPath, environment: environment)
        var written: [URL] = []
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let actualURL = folder.appendingPathComponent("\(name).actual.png")
            try PNG.write(actual, to: actualURL)
            written.append(actualURL)
            if let expected {
                let expectedURL = folder.appendingPathComponent("\(name).expected.png")
                try PNG.write(expected, to: expectedURL)
                written.append(expectedURL)
                let diffURL = folder.appendingPathComponent("\(name).diff.png")
                try PNG.write(ImageComparison.amplifiedDifference(actual, expected), to: diffURL)
                written.append(diffURL)
            }
        } catch {
            // The comparison result matters more than its artifacts; the message lists what exists.
        }
        return written
    }

    private static func artifactList(_ urls: [URL]) -> String {
        urls.isEmpty ? "" : "\n  wrote:\n" + urls.map { "    " + $0.path }.joined(separator: "\n")
    }
}
