import Foundation
import Imaging
import LessonSupport
import Testing

/// Compares a student's map with the reference and, when they differ, says how — naming the
/// catalogued mistakes it recognises, so a failure teaches instead of only reporting numbers.
public enum MapDiagnosis {
    /// `nil` when `received` matches `expected` within `tolerance` (max absolute difference,
    /// relative to the reference's largest magnitude); otherwise a message.
    public static func compare(received: [Float], expected: [Float], shape: [Int], receivedShape: [Int]? = nil,
                               tolerance: Float = 1e-4, what: String) -> String? {
        if let receivedShape, receivedShape != shape {
            return "\(what): your result has shape \(receivedShape), the reference \(shape)"
        }
        guard received.count == expected.count else {
            return "\(what): your result has \(received.count) values, the reference \(expected.count) (shape \(shape))"
        }
        if received.contains(where: { !$0.isFinite }) {
            return "\(what): your result contains NaN or infinity (a division by zero? a missing epsilon?)"
        }
        let scale = max(expected.map { Swift.abs($0) }.max() ?? 0, 1e-12)
        func close(_ a: [Float], _ b: [Float]) -> Bool {
            zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * max(scale, 1) }
        }
        if close(received, expected) { return nil }
        let stats = statistics(received, expected)
        var hint: String?
        if close(received, expected.map { -$0 }) {
            hint = "your map is the negative of the reference: check the sign (of the gradient, the difference, or the target score)"
        } else if close(received, expected.map { Swift.abs($0) }) {
            hint = "your map is the absolute value of the reference: this exercise keeps the sign"
        } else if close(received.map { Swift.abs($0) }, expected) {
            hint = "your map has signs where the reference is |·|: take the absolute value"
        } else if received.allSatisfy({ $0 == 0 }) {
            hint = "your map is all zeros: did the gradient reach this point (requiresGrad on the input? a hook that never fired?)"
        } else if let ratio = constantRatio(received, expected) {
            hint = String(format: "your map is the reference times %.4g: a missing or extra factor (a mean instead of a sum, a step size, a normalisation?)", ratio)
        } else if shape.count >= 2, isTranspose(received, expected, rows: shape[shape.count - 2], columns: shape[shape.count - 1]) {
            hint = "your map is the reference transposed: rows and columns (y and x) are swapped"
        } else if close(received, expected.map { max($0, 0) }) {
            hint = "your map equals ReLU of the reference… but the reference keeps negative values here"
        } else if close(received.map { max($0, 0) }, expected) {
            hint = "the reference is ReLU of your map: you forgot a ReLU (keep only positive evidence)"
        }
        let pictures = writePictures(received: received, expected: expected, shape: shape, what: what)
        return "\(what) differs from the reference: \(stats)" + (hint.map { ".\n  hint: \($0)" } ?? "")
            + (pictures.map { "\n  pictures: \($0)" } ?? "")
    }

    static func statistics(_ a: [Float], _ b: [Float]) -> String {
        var sum = 0.0, worst = 0.0, at = 0
        for (i, (x, y)) in zip(a, b).enumerated() {
            let d = Double(Swift.abs(x - y))
            sum += d * d
            if d > worst { worst = d; at = i }
        }
        let rms = (sum / Double(max(a.count, 1))).squareRoot()
        return String(format: "RMS difference %.4g, max %.4g at flat index %d (received %.6g, expected %.6g)", rms, worst, at, Double(a[at]), Double(b[at]))
    }

    static func constantRatio(_ a: [Float], _ b: [Float]) -> Double? {
        var numerator = 0.0, denominator = 0.0
        for (x, y) in zip(a, b) { numerator += Double(x) * Double(y); denominator += Double(y) * Double(y) }
        guard denominator > 0 else { return nil }
        let ratio = numerator / denominator
        guard ratio.isFinite, Swift.abs(ratio - 1) > 1e-3, Swift.abs(ratio) > 1e-6 else { return nil }
        let fits = zip(a, b).allSatisfy { x, y in Swift.abs(Double(x) - ratio * Double(y)) <= 1e-3 * (Swift.abs(ratio * Double(y)) + 1e-6) + 1e-6 }
        return fits ? ratio : nil
    }

    static func isTranspose(_ a: [Float], _ b: [Float], rows: Int, columns: Int) -> Bool {
        guard rows == columns, rows > 1, a.count % (rows * columns) == 0 else { return false }
        let planes = a.count / (rows * columns)
        for p in 0..<planes {
            for i in 0..<rows {
                for j in 0..<columns where Swift.abs(a[p * rows * columns + i * columns + j] - b[p * rows * columns + j * columns + i]) > 1e-4 {
                    return false
                }
            }
        }
        return a != b
    }

    /// For a map (the last two axes at least 4 × 4), writes the first plane of the student's
    /// result, the reference and their difference as PNGs under `test-output/`, and returns
    /// where. Maps are min-max coloured (viridis); the difference on a symmetric blue-white-red
    /// scale (white = equal).
    static func writePictures(received: [Float], expected: [Float], shape: [Int], what: String) -> String? {
        guard shape.count >= 2, received.count == expected.count else { return nil }
        let height = shape[shape.count - 2], width = shape[shape.count - 1]
        guard height >= 4, width >= 4, expected.count >= height * width else { return nil }
        let plane = height * width
        let mine = Array(received[0..<plane]), reference = Array(expected[0..<plane])
        let difference = zip(mine, reference).map { $0 - $1 }
        let test = Test.current?.displayName ?? "map"
        let folder = GradedLesson.exercise(of: test).map { "exercise-\($0)" } ?? "maps"
        let slug = String(what.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
            .split(separator: "-").joined(separator: "-").prefix(40)
        let directory = LessonPaths.root.appendingPathComponent("test-output/\(folder)")
        let upscale = max(1, 112 / max(height, width))
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var paths: [String] = []
            for (name, values, colormap, normalization) in [("received", mine, Colormap.viridis, Heatmap.Normalization.minMax),
                                                            ("expected", reference, .viridis, .minMax),
                                                            ("difference", difference, .bwr, .symmetric)] {
                let image = try Render.map(values, width: width, height: height, colormap: colormap, normalization: normalization, upscale: upscale)
                let url = directory.appendingPathComponent("\(slug)-\(name).png")
                try PNG.write(image, to: url)
                paths.append("test-output/\(folder)/\(url.lastPathComponent)")
            }
            return paths.joined(separator: ", ")
        } catch {
            return nil
        }
    }
}
