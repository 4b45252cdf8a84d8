// Correct implementations of Lesson 06 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum GuidedBackpropVariants {
    /// 6.4 — ranks by counting instead of sorting: rank(xᵢ) = #{j : xⱼ < xᵢ} + (#{j : xⱼ = xᵢ} + 1)/2
    /// (the average rank of a tie, O(N²)), then Pearson's r of the ranks from its one-pass sums.
    public static let rankCorrelation: [Exercise<@Sendable ([Float], [Float]) throws -> Double>.Mistake] = [
        .init(id: "counting-ranks", summary: "average ranks by counting smaller and equal values; r from one-pass sums") { a, b in
            guard a.count == b.count, a.count >= 2 else {
                throw TensorError.invalidArgument(operation: "rankCorrelation", message: "need two arrays of the same length ≥ 2, got \(a.count) and \(b.count)")
            }
            func ranks(_ x: [Float]) -> [Double] {
                x.map { value in
                    var below = 0, equal = 0
                    for other in x { if other < value { below += 1 } else if other == value { equal += 1 } }
                    return Double(below) + Double(equal + 1) / 2
                }
            }
            let (ra, rb) = (ranks(a), ranks(b))
            let n = Double(a.count)
            var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
            for (x, y) in zip(ra, rb) { sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y }
            let vx = sxx - sx * sx / n, vy = syy - sy * sy / n
            // Ranks are exact halves, so the sums are exact and a constant array gives exactly 0.
            return vx > 0 && vy > 0 ? (sxy - sx * sy / n) / (vx * vy).squareRoot() : 0
        },
    ]
}
