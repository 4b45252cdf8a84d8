import Foundation

/// A sparse symmetric affinity matrix in compressed rows: the Barnes–Hut t-SNE's joint P and
/// UMAP's fuzzy simplicial set. N × N with about k·N entries instead of N².
public struct SparseAffinities: Sendable {
    public let count: Int
    /// Row i's entries are `columns[rowStart[i] ..< rowStart[i + 1]]`, ascending, with `values`.
    public var rowStart: [Int], columns: [Int], values: [Double]

    public init(count: Int, rowStart: [Int], columns: [Int], values: [Double]) {
        self.count = count; self.rowStart = rowStart; self.columns = columns; self.values = values
    }
}
