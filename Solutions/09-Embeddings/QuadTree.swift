// The Barnes–Hut approximation of t-SNE's repulsive forces (van der Maaten 2014, section 4.2).

import Foundation
import LessonSupport
import TensorEngine

/// A quadtree over 2-D points: every node knows how many points it holds, their centre of mass and
/// the squared side of its square cell. A leaf holds one point, or several at (nearly) one place.
///
/// Built in O(N log N) by partitioning an index array in place (a stable counting sort per node, so
/// the tree depends on the points alone); nodes are stored in one array, 48 bytes each, with each
/// node's children contiguous.
struct QuadTree {
    struct Node {
        var x = 0.0, y = 0.0, squaredWidth = 0.0, mass = 0.0
        /// Index of the first child (children are contiguous), or −1 for a leaf.
        var firstChild: Int32 = -1, childCount: Int32 = 0
    }
    private(set) var nodes: [Node] = []
    /// Which leaf holds point i.
    private(set) var leafOf: [Int32]
    private var order: [Int], scratch: [Int]
    /// Below this depth cells are not split further (their points are then one leaf). Distinct
    /// doubles inside a cell ~10¹⁵ times smaller than the root are indistinguishable here anyway.
    static let maximumDepth = 50

    /// `y` holds N points as x₀, y₀, x₁, y₁, …
    init(_ y: [Double]) {
        let n = y.count / 2
        order = Array(0..<n)
        scratch = order
        leafOf = [Int32](repeating: 0, count: n)
        guard n > 0 else { return }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n { minX = min(minX, y[2 * i]); maxX = max(maxX, y[2 * i]); minY = min(minY, y[2 * i + 1]); maxY = max(maxY, y[2 * i + 1]) }
        let side = max(maxX - minX, maxY - minY) * (1 + 1e-3) + 1e-12
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
        nodes.reserveCapacity(2 * n)
        nodes.append(Node())
        build(node: 0, range: 0..<n, left: cx - side / 2, bottom: cy - side / 2, side: side, depth: 0, y: y)
    }

    private mutating func build(node: Int, range: Range<Int>, left: Double, bottom: Double, side: Double, depth: Int, y: [Double]) {
        let lower = range.lowerBound, upper = range.upperBound
        // Centre of mass, and whether all points sit at one place.
        let (sx, sy, identical) = y.withUnsafeBufferPointer { y in
            order.withUnsafeBufferPointer { order in
                var sx = 0.0, sy = 0.0, identical = true
                let fx = y[2 &* order[lower]], fy = y[2 &* order[lower] &+ 1]
                for k in lower..<upper {
                    let px = y[2 &* order[k]], py = y[2 &* order[k] &+ 1]
                    sx += px; sy += py
                    identical = identical && px == fx && py == fy
                }
                return (sx, sy, identical)
            }
        }
        let count = upper - lower
        nodes[node] = Node(x: sx / Double(count), y: sy / Double(count), squaredWidth: side * side, mass: Double(count))
        if count == 1 || identical || depth >= Self.maximumDepth {
            for k in range { leafOf[order[k]] = Int32(node) }
            return
        }
        // Quadrants 0: lower left, 1: lower right, 2: upper left, 3: upper right.
        let half = side / 2, midX = left + half, midY = bottom + half
        var counts = (0, 0, 0, 0)
        y.withUnsafeBufferPointer { y in
            order.withUnsafeMutableBufferPointer { order in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    func quadrant(_ i: Int) -> Int { (y[2 &* i] >= midX ? 1 : 0) &+ (y[2 &* i &+ 1] >= midY ? 2 : 0) }
                    for k in lower..<upper {
                        switch quadrant(order[k]) { case 0: counts.0 += 1; case 1: counts.1 += 1; case 2: counts.2 += 1; default: counts.3 += 1 }
                    }
                    var next = (lower, lower + counts.0, lower + counts.0 + counts.1, lower + counts.0 + counts.1 + counts.2)
                    for k in lower..<upper {
                        let i = order[k]
                        switch quadrant(i) {
                        case 0: scratch[next.0] = i; next.0 += 1
                        case 1: scratch[next.1] = i; next.1 += 1
                        case 2: scratch[next.2] = i; next.2 += 1
                        default: scratch[next.3] = i; next.3 += 1
                        }
                    }
                    for k in lower..<upper { order[k] = scratch[k] }
                }
            }
        }
        let children = (counts.0 > 0 ? 1 : 0) + (counts.1 > 0 ? 1 : 0) + (counts.2 > 0 ? 1 : 0) + (counts.3 > 0 ? 1 : 0)
        let firstChild = nodes.count
        nodes[node].firstChild = Int32(firstChild)
        nodes[node].childCount = Int32(children)
        for _ in 0..<children { nodes.append(Node()) }
        var start = lower, child = firstChild
        for q in 0..<4 {
            let size = q == 0 ? counts.0 : q == 1 ? counts.1 : q == 2 ? counts.2 : counts.3
            if size == 0 { continue }
            build(node: child, range: start..<(start + size),
                  left: left + (q & 1 == 1 ? half : 0), bottom: bottom + (q & 2 == 2 ? half : 0), side: half, depth: depth + 1, y: y)
            start += size; child += 1
        }
    }

    /// The repulsive part of t-SNE's gradient at every point i in `points`: Σ_cells n·w² (yᵢ − c)
    /// and Σ_cells n·w, w = (1 + ‖yᵢ − c‖²)⁻¹, over the cells a depth-first walk accepts: a leaf,
    /// or a cell with width² / ‖yᵢ − c‖² < θ² (sklearn's test). The leaf holding i itself is
    /// skipped (no self-interaction; as in sklearn, points at exactly i's place go with it).
    /// Writes fx, fy, Σw to `out[3i ..< 3i + 3]`.
    func repulsion(_ points: Range<Int>, y: UnsafeBufferPointer<Double>, squaredTheta: Double, into out: UnsafeMutableBufferPointer<Double>) {
        // A walk holds at most 3 siblings per level plus one node: 4 · (depth + 1) entries.
        let stack = UnsafeMutablePointer<Int32>.allocate(capacity: 4 * (Self.maximumDepth + 2))
        defer { stack.deallocate() }
        nodes.withUnsafeBufferPointer { nodes in
            for i in points {
                let x = y[2 &* i], yy = y[2 &* i &+ 1]
                let ownLeaf = leafOf[i]
                var fx = 0.0, fy = 0.0, z = 0.0
                var top = 1
                stack[0] = 0
                while top > 0 {
                    top &-= 1
                    let index = stack[top]
                    let node = nodes[Int(index)]
                    let dx = x - node.x, dy = yy - node.y
                    let d2 = dx * dx + dy * dy
                    if node.firstChild < 0 {
                        if index == ownLeaf { continue }
                    } else if !(node.squaredWidth < squaredTheta * d2) {
                        var c = node.firstChild &+ node.childCount &- 1
                        while c >= node.firstChild { stack[top] = c; top &+= 1; c &-= 1 }
                        continue
                    }
                    let w = 1 / (1 + d2), mw = node.mass * w
                    z += mw
                    fx += mw * w * dx; fy += mw * w * dy
                }
                out[3 &* i] = fx; out[3 &* i &+ 1] = fy; out[3 &* i &+ 2] = z
            }
        }
    }
}
