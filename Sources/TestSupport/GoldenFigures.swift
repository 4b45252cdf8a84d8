import DataFormats
import Foundation
import Imaging
import LessonSupport
import Testing

/// Golden checks of a lesson's reference figures: the picture against the stored PNG (RMS and
/// max tolerance, failure artifacts written and named) and the raw numbers against the stored NPY.
public enum GoldenFigures {
    /// Tolerances: figures are rendered from Float maps, so a re-trained model or another CPU's
    /// rounding moves a few 8-bit levels; RMS 1% and max 12% of the range allow that and catch
    /// a wrong map (which moves the RMS by tens of percent).
    public static let imageTolerance = (rms: 0.01, max: 0.12)
    /// Raw numbers: relative to the largest magnitude of the stored map.
    public static let rawTolerance: Float = 1e-3

    /// Returns `nil` if `figure` matches the files in `folder`, else a message naming the files.
    public static func check(_ figure: Figure, in folder: URL) -> String? {
        var problems: [String] = []
        let png = folder.appendingPathComponent("\(figure.name).png")
        let result = GoldenImage.compare(actual: figure.image, goldenPath: png, tolerance: imageTolerance)
        if !result.passed { problems.append(result.message) }
        if let raw = figure.raw {
            let npy = folder.appendingPathComponent("\(figure.name).npy")
            do {
                let stored = try NPY.read(contentsOf: npy)
                let values = stored.floats()
                if stored.shape != raw.shape {
                    problems.append("\(npy.path): stored shape \(stored.shape), computed \(raw.shape)")
                } else {
                    let scale = max(values.map { Swift.abs($0) }.max() ?? 0, 1e-12)
                    let worst = zip(values, raw.values).map { Swift.abs($0 - $1) }.max() ?? 0
                    if worst > rawTolerance * scale {
                        problems.append(String(format: "\(npy.path): max difference %.4g (tolerance %.4g)", worst, rawTolerance * scale))
                    }
                }
            } catch {
                problems.append("cannot read \(npy.path): \(error) — regenerate with `swift run -c release workbook figures`")
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }
}

/// Regenerates a lesson's reference figures and compares them with the stored PNG and NPY files,
/// recording an issue per difference. Run in solutions mode only (`checksReferenceFigures`), so
/// an instructor's figure drift never fails a student's exercise.
public func checkReferenceFigures(_ lesson: any LessonFigures.Type, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for figure in try lesson.make(FigureContext(mnistTest: Fixtures.mnistTest())) {
        if let problem = GoldenFigures.check(figure, in: LessonPaths.figures(lesson.folder)) {
            Issue.record(Comment(rawValue: "reference figure \(figure.name) no longer matches its golden: \(problem)"), sourceLocation: sourceLocation)
        }
    }
}
