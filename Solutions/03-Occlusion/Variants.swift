// Correct implementations of Lesson 03 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum OcclusionVariants {
    /// 3.1 — the offsets by walking: start at 0, step by the stride until a window reaches the
    /// edge (the last one clipped there), columns inside rows. No ⌈·⌉ formula.
    public static let occlusionWindows: [Exercise<@Sendable (Int, Int, Int, Int) throws -> [(rows: Range<Int>, columns: Range<Int>)]>.Mistake] = [
        .init(id: "walking", summary: "offsets by stepping until a window reaches the edge") { height, width, window, stride in
            guard height >= 1, width >= 1, window >= 1, stride >= 1, window <= height, window <= width else {
                throw TensorError.invalidArgument(operation: "occlusionWindows",
                                                  message: "a \(window)×\(window) window with stride \(stride) does not fit a \(height)×\(width) image")
            }
            func spans(_ length: Int) -> [Range<Int>] {
                var result: [Range<Int>] = [], start = 0
                while true {
                    result.append(start..<Swift.min(start + window, length))
                    if start + window >= length { return result }
                    start += stride
                }
            }
            var windows: [(rows: Range<Int>, columns: Range<Int>)] = []
            for rows in spans(height) { for columns in spans(width) { windows.append((rows, columns)) } }
            return windows
        },
    ]
}
