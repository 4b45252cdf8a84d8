// The Barnes–Hut approximation of t-SNE's repulsive forces (van der Maaten 2014, section 4.2).

import Foundation
import LessonSupport
import TensorEngine

/// A quadtree over 2-D points: every node knows how many points it holds, their centre of mass and
/// the squared side of its square cell. A leaf holds one point, or several at identical coordinates.
///
/// Built in O(N log N) by partitioning an index array in place; nodes are stored in arrays with
/// each node's children contiguous, so a traversal touches memory in order.
struct QuadTree {
    private(set) var massX: [Double] = [], massY: [Double] = []
    private(set) var count: [Int] = []
    private(set) var squaredWidth: [Double] = []
    /// Index of the first child (children are contiguous), or −1 for a leaf.
    private(set) var firstChild: [Int] = []
    private(set) var childCount: [Int] = []
    /// For a leaf, its points are `order[pointStart[node] ..< pointStart[node] + count[node]]`.
    private(set) var pointStart: [Int] = []
    private(set) var order: [Int]
    /// Which leaf holds point i.
    private(set) var leafOf: [Int]

    /// `y` holds N points as x₀, y₀, x₁, y₁, …
    init(_ y: [Double]) {
        let n = y.count / 2
        order = Array(0..<n)
        leafOf = [Int](repeating: 0, count: n)
        guard n > 0 else { return }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n { minX = min(minX, y[2 * i]); maxX = max(maxX, y[2 * i]); minY = min(minY, y[2 * i + 1]); maxY = max(maxY, y[2 * i + 1]) }
        let side = max(maxX - minX, maxY - minY) * (1 + 1e-3) + 1e-12
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
        appendNode()
        build(node: 0, range: 0..<n, left: cx - side / 2, bottom: cy - side / 2, side: side, y: y)
    }

    private mutating func appendNode() {
        massX.append(0); massY.append(0); count.append(0); squaredWidth.append(0)
        firstChild.append(-1); childCount.append(0); pointStart.append(0)
    }

    private mutating func build(node: Int, range: Range<Int>, left: Double, bottom: Double, side: Double, y: [Double]) {
        var sx = 0.0, sy = 0.0
        for k in range { sx += y[2 * order[k]]; sy += y[2 * order[k] + 1] }
        massX[node] = sx / Double(range.count); massY[node] = sy / Double(range.count)
        count[node] = range.count; squaredWidth[node] = side * side; pointStart[node] = range.lowerBound
        let first = order[range.lowerBound]
        let identical = range.allSatisfy { y[2 * order[$0]] == y[2 * first] && y[2 * order[$0] + 1] == y[2 * first + 1] }
        if range.count == 1 || identical {
            for k in range { leafOf[order[k]] = node }
            return
        }
        // Partition into quadrants (0: lower left, 1: lower right, 2: upper left, 3: upper right),
        // keeping the points' relative order (a stable counting sort), so the tree depends on the
        // points alone.
        let half = side / 2, midX = left + half, midY = bottom + half
        func quadrant(_ i: Int) -> Int { (y[2 * i] >= midX ? 1 : 0) + (y[2 * i + 1] >= midY ? 2 : 0) }
        var buckets: [[Int]] = [[], [], [], []]
        for k in range { buckets[quadrant(order[k])].append(order[k]) }
        var start = range.lowerBound
        var children: [(Int, Range<Int>, Double, Double)] = []
        for q in 0..<4 where !buckets[q].isEmpty {
            order.replaceSubrange(start..<(start + buckets[q].count), with: buckets[q])
            children.append((q, start..<(start + buckets[q].count), left + (q & 1 == 1 ? half : 0), bottom + (q & 2 == 2 ? half : 0)))
            start += buckets[q].count
        }
        firstChild[node] = count.count
        childCount[node] = children.count
        for _ in children { appendNode() }
        for (offset, child) in children.enumerated() {
            build(node: firstChild[node] + offset, range: child.1, left: child.2, bottom: child.3, side: half, y: y)
        }
    }

    /// The repulsive part of t-SNE's gradient at point i: Σ_cells n·w² (yᵢ − c) and Σ_cells n·w,
    /// w = (1 + ‖yᵢ − c‖²)⁻¹, over the cells a depth-first walk accepts: a leaf, or a cell with
    /// width² / ‖yᵢ − c‖² < θ² (sklearn's test). The leaf holding i itself is skipped (no
    /// self-interaction; as in sklearn, points at exactly i's place are skipped with it).
    func repulsion(at i: Int, x: Double, y: Double, squaredTheta: Double, stack: inout [Int]) -> (fx: Double, fy: Double, z: Double) {
        var fx = 0.0, fy = 0.0, z = 0.0
        stack.removeAll(keepingCapacity: true)
        stack.append(0)
        let ownLeaf = leafOf[i]
        while let node = stack.popLast() {
            let dx = x - massX[node], dy = y - massY[node]
            let d2 = dx * dx + dy * dy
            if firstChild[node] < 0 {
                if node == ownLeaf { continue }
            } else if !(squaredWidth[node] < squaredTheta * d2) {
                for c in stride(from: firstChild[node] + childCount[node] - 1, through: firstChild[node], by: -1) { stack.append(c) }
                continue
            }
            let w = 1 / (1 + d2), m = Double(count[node])
            z += m * w
            fx += m * w * w * dx; fy += m * w * w * dy
        }
        return (fx, fy, z)
    }
}
