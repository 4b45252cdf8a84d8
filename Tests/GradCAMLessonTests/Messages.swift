// Short failure messages: a few values, the count of differences and the first one, never whole arrays.

import Foundation

/// At most `limit` values, then how many more: `[1, 2, 3, … (61 more)]`.
func brief(_ values: [Float], limit: Int = 8) -> String {
    let shown = values.prefix(limit).map { String(format: "%.6g", Double($0)) }.joined(separator: ", ")
    return "[" + shown + (values.count > limit ? ", … (\(values.count - limit) more)" : "") + "]"
}

/// `nil` when every value is within `tolerance`; else "3 of 16 values differ; the first at index 2:
/// received 0.5, expected 0.25".
func firstDifference(_ received: [Float], _ expected: [Float], tolerance: Float = 1e-6) -> String? {
    guard received.count == expected.count else { return "\(received.count) values received, \(expected.count) expected" }
    let differing = zip(received, expected).enumerated().filter { !(Swift.abs($0.element.0 - $0.element.1) <= tolerance) }
    guard let first = differing.first else { return nil }
    return "\(differing.count) of \(expected.count) values differ; the first at index \(first.offset): received \(first.element.0), expected \(first.element.1)"
}

/// Whether two arrays agree within `tolerance` (false if their counts differ).
func agree(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}
