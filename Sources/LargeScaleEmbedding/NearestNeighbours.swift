// Nearest neighbours for whole data sets: what UMAP's graph, the Barnes–Hut t-SNE's affinities,
// and trustworthiness and kNN accuracy on 10,000 points need without an N × N matrix in memory.
// Results are exactly those of the exercises' O(N²)-memory versions (same distances, same ties);
// LargeScaleReferenceChecks checks that.

import Foundation
import LessonSupport
import TensorEngine

/// Squared Euclidean distances between the rows of a matrix, one row of the distance matrix at a
/// time, in blocks of 256 rows.
///
/// For more than 16 columns a row is first computed fast and approximately, in single precision,
/// as ‖xᵢ‖² + ‖xₗ‖² − 2·xᵢ·xₗ with the engine's `GEMM` (10,000 × 784 points: 8·10¹⁰ flops, about a
/// second on two cores); `bound(i)` bounds its error for every entry of row i, so callers decide
/// exactly, recomputing in double precision (`exact(i, l)`, the same sum Σ_c (x_ic − x_lc)² as
/// `exactSquaredDistances`) only the few entries the bound leaves undecided. With ≤ 16 columns
/// the rows are exact and the bound is 0.
public struct DistanceRows: Sendable {
    public let n: Int, d: Int
    let x: [Double]
    /// ‖xᵢ‖² in double precision.
    let norms: [Double]
    public let approximate: Bool
    let maximumNorm: Double
    static let block = 256

    public init(_ data: Matrix) {
        n = data.rows; d = data.columns; x = data.values
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n { var s = 0.0; for c in 0..<d { s += x[i * d + c] * x[i * d + c] }; norms[i] = s }
        self.norms = norms
        approximate = d > 16
        maximumNorm = norms.max() ?? 0
    }

    /// |approximate − exact| for every entry of row i. A single-precision dot product of length
    /// d is within d·u·Σ|x_c·y_c| ≤ d·u·(‖x‖² + ‖y‖²)/2 of the true one (u = 2⁻²⁴), and rounding
    /// the inputs adds at most 2u·(‖x‖² + ‖y‖²); doubled for safety.
    public func bound(_ i: Int) -> Double {
        approximate ? Double(d + 4) * 0x1p-23 * (norms[i] + maximumNorm) + 1e-12 : 0
    }

    /// The exact squared distance, summed in the same order as `exactSquaredDistances`.
    public func exact(_ i: Int, _ l: Int) -> Double {
        x.withUnsafeBufferPointer { x in
            var s = 0.0
            for c in 0..<d { let t = x[i * d + c] - x[l * d + c]; s += t * t }
            return s
        }
    }

    /// Calls `body(i, row)` for every row i (row[l] ≈ ‖xᵢ − xₗ‖², row[i] unspecified), rows of a
    /// block on several cores; returns the results in row order. The same bits on any number of
    /// cores: `GEMM` is deterministic and each row is read by one call only.
    public func map<T>(_ body: (Int, UnsafeBufferPointer<Double>) -> T) -> [T] {
        var results: [T] = []
        results.reserveCapacity(n)
        let xf = x.map(Float.init)
        var products = [Float](repeating: 0, count: approximate ? Self.block * n : 0)
        var start = 0
        while start < n {
            let rows = min(Self.block, n - start)
            if approximate {
                xf.withUnsafeBufferPointer { xf in
                    products.withUnsafeMutableBufferPointer { g in
                        GEMM.multiply(m: rows, n: n, k: d, a: xf.baseAddress! + start * d, lda: d,
                                      b: xf.baseAddress!, ldb: d, transposeB: true, c: g.baseAddress!, ldc: n, accumulate: false)
                    }
                }
            }
            let block: [T] = products.withUnsafeBufferPointer { g in
                x.withUnsafeBufferPointer { x in
                    norms.withUnsafeBufferPointer { norms in
                        Parallel.map(rows) { r in
                            let i = start + r
                            var row = [Double](repeating: 0, count: n)
                            if approximate {
                                for l in 0..<n { row[l] = max(norms[i] + norms[l] - 2 * Double(g[r * n + l]), 0) }
                            } else {
                                for l in 0..<n {
                                    var s = 0.0
                                    for c in 0..<d { let t = x[i * d + c] - x[l * d + c]; s += t * t }
                                    row[l] = s
                                }
                            }
                            return row.withUnsafeBufferPointer { body(i, $0) }
                        }
                    }
                }
            }
            results += block
            start += rows
        }
        return results
    }
}

/// Every point's k nearest other points, nearest first (equal distances: smaller index first),
/// with their exact squared distances: `[N, k]` each.
public struct NeighbourLists: Sendable {
    public let count: Int, k: Int
    public var indices: [Int]
    public var distances: [Double]
}

/// The k nearest neighbours of every row of `data`, exactly (see `DistanceRows`): the k smallest
/// approximate distances give a threshold t; every point within t + 2·bound is a candidate; the
/// candidates' exact distances decide. O(N²·D) time, O(256·N) memory.
public func nearestNeighbours(_ data: Matrix, count k: Int) -> NeighbourLists {
    nearestNeighbours(DistanceRows(data), count: k)
}

public func nearestNeighbours(_ rows: DistanceRows, count k: Int) -> NeighbourLists {
    let lists: [[(Double, Int)]] = rows.map { i, row in exactNeighbours(of: i, row: row, rows: rows, count: k) }
    return NeighbourLists(count: rows.n, k: k, indices: lists.flatMap { $0.map(\.1) }, distances: lists.flatMap { $0.map(\.0) })
}

/// The k nearest others of point i from its approximate distance row: (exact distance, index).
public func exactNeighbours(of i: Int, row: UnsafeBufferPointer<Double>, rows: DistanceRows, count k: Int) -> [(Double, Int)] {
    let n = rows.n
    var heap = LargestFirstHeap(capacity: k)
    for l in 0..<n where l != i { heap.offer(row[l], l) }
    let threshold = heap.largest + 2 * rows.bound(i)
    var candidates: [(Double, Int)] = []
    if rows.approximate {
        for l in 0..<n where l != i && row[l] <= threshold { candidates.append((rows.exact(i, l), l)) }
    } else {
        candidates = heap.elements
    }
    candidates.sort { $0 < $1 }
    return Array(candidates.prefix(k))
}

/// The k smallest (value, index) pairs seen, as a binary max-heap (ties: the larger index is
/// "larger", so the smaller index is kept, as a stable sort would).
struct LargestFirstHeap {
    let capacity: Int
    private(set) var elements: [(Double, Int)] = []
    init(capacity: Int) { self.capacity = capacity; elements.reserveCapacity(capacity) }
    var largest: Double { elements.first?.0 ?? .infinity }

    mutating func offer(_ value: Double, _ index: Int) {
        if elements.count < capacity {
            elements.append((value, index))
            var c = elements.count - 1
            while c > 0 {
                let parent = (c - 1) / 2
                if elements[parent] < elements[c] { elements.swapAt(parent, c); c = parent } else { break }
            }
        } else if capacity > 0, (value, index) < elements[0] {
            elements[0] = (value, index)
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var top = p
                if l < capacity, elements[top] < elements[l] { top = l }
                if r < capacity, elements[top] < elements[r] { top = r }
                if top == p { break }
                elements.swapAt(p, top); p = top
            }
        }
    }
}
