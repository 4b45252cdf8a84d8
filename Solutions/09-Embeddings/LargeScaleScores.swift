// Trustworthiness (9.6) and kNN accuracy (9.7) for whole data sets: the exercises' answers,
// computed from exact neighbour lists (`LargeScaleEmbedding`) instead of N × N matrices, for
// `workbook embed` on all 10,000 test images. Answers at scale: the full edition only.

import LargeScaleEmbedding
import LessonSupport
import TensorEngine

/// `trustworthiness(high:low:neighbours:)` (9.6) without the two N × N matrices: the same value
/// (the ranks are decided on exact distances), in O(N²·D) time and O(256·N) memory, so that
/// 10,000 points take a few seconds and no gigabytes.
public func largeScaleTrustworthiness(high: Matrix, low: Matrix, neighbours k: Int) throws -> Double {
    let n = high.rows
    guard low.rows == n, k >= 1, Double(k) < Double(n) / 2 else {
        throw TensorError.invalidArgument(operation: "trustworthiness", message: "need the same N in both and 1 ≤ k < N/2 (N \(n), k \(k))")
    }
    let embedded = nearestNeighbours(low, count: k)
    let rows = DistanceRows(high)
    let penalties: [Int] = rows.map { i, row in
        let original = Set(exactNeighbours(of: i, row: row, rows: rows, count: k).map(\.1))
        var penalty = 0
        let bound = rows.bound(i)
        for j in embedded.indices[(i * k)..<((i + 1) * k)] where !original.contains(j) {
            // r(i, j) = 1 + #{l ≠ i : (d_il, l) < (d_ij, j)}, decided exactly near d_ij.
            let dij = rows.exact(i, j)
            var rank = 1
            for l in 0..<n where l != i && l != j {
                let approximate = row[l]
                if approximate < dij - bound { rank += 1 } else if approximate <= dij + bound {
                    let dil = rows.approximate ? rows.exact(i, l) : approximate
                    if (dil, l) < (dij, j) { rank += 1 }
                }
            }
            penalty += max(rank - k, 0)
        }
        return penalty
    }
    return trustworthiness(penalty: penalties.reduce(0, +), count: n, neighbours: k)
}

/// `knnAccuracy(_:labels:neighbours:)` (9.7) in O(N) memory: the same neighbours, votes and ties.
public func largeScaleKNNAccuracy(_ points: Matrix, labels: [Int], neighbours k: Int = 5) throws -> Double {
    let n = points.rows
    guard labels.count == n, k >= 1, k < n else {
        throw TensorError.invalidArgument(operation: "knnAccuracy", message: "\(labels.count) labels for \(n) points, k \(k)")
    }
    let lists = nearestNeighbours(points, count: k)
    var right = 0
    for i in 0..<n where majorityLabel(of: lists.indices[(i * k)..<((i + 1) * k)], labels: labels) == labels[i] { right += 1 }
    return Double(right) / Double(n)
}
