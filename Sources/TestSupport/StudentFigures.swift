import Foundation
import Imaging

/// Saves a picture of the student's result next to the reference figure of the same name, for
/// the side-by-side HTML report of `workbook grade` (which sets `WORKBOOK_STUDENT_FIGURES`).
/// Does nothing otherwise.
public enum StudentFigures {
    public static func save(_ image: RGBAImage, lesson folder: String, name: String) {
        guard let base = ProcessInfo.processInfo.environment["WORKBOOK_STUDENT_FIGURES"], !base.isEmpty else { return }
        let directory = URL(fileURLWithPath: base).appendingPathComponent(folder)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? PNG.write(image, to: directory.appendingPathComponent("\(name).png"))
    }
}
