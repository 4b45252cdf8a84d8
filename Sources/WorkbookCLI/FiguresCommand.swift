// The instructors' edition only: this command needs Solutions/ (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import DataFormats
import Foundation
import Imaging
import Course
import LessonSupport

/// `workbook figures`: regenerates every lesson's reference figures (PNG) and raw maps (NPY) from
/// `Solutions/`. Deterministic: running it twice changes no byte.
enum FiguresCommand: Command {
    static let name = "figures"
    static let summary = "Regenerate the golden figures (PNG + NPY) of every lesson from Solutions/."
    static let options = [OptionSpecification(name: "lesson", valueName: "N", help: "only lesson N", integers: 1...99)]

    static func run(_ options: ParsedOptions) throws {
        let context = try FigureContext.standard()
        for lesson in try Course.selected(try options.int("lesson")) {
            let folder = LessonPaths.figures(lesson.folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let start = Date()
            let figures = try FullEdition.figures(of: lesson).make(context)
            var changed = 0
            for figure in figures {
                changed += try write(Data(PNG.encode(figure.image)), to: folder.appendingPathComponent("\(figure.name).png"))
                if let raw = figure.raw {
                    let array = try NPYArray(shape: raw.shape, floats: raw.values)
                    changed += try write(Data(NPY.encode(array)), to: folder.appendingPathComponent("\(figure.name).npy"))
                }
            }
            let made = Set(figures.flatMap { ["\($0.name).png", "\($0.name).npy"] })
            let stale = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?
                .filter { ($0.hasSuffix(".png") || $0.hasSuffix(".npy")) && !made.contains($0) } ?? []
            printNow("lesson \(lesson.folder): \(figures.count) figures, \(changed) files changed, \(String(format: "%.1f", Date().timeIntervalSince(start))) s → \(folder.path)")
            for name in stale.sorted() { printNow("  note: \(name) is no longer produced (delete it if it is stale)") }
        }
    }

    /// Writes `data` unless the file already holds exactly these bytes; returns 1 if it wrote.
    static func write(_ data: Data, to url: URL) throws -> Int {
        if let existing = FileManager.default.contents(atPath: url.path), existing == data { return 0 }
        try AtomicFiles.write([(url, data)])
        return 1
    }
}
#endif
