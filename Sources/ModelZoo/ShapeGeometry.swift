import Foundation

/// The object classes of the Shapes data set, in label order.
///
/// Each kind is a point-in-shape test in the shape's own unit frame (`u` to the right, `v` down,
/// before rotation), so rasterising is exact: a pixel belongs to the object's mask when its centre
/// passes the test. Pairs that look alike at 4–6 pixels (circle / hexagon / ring, ellipse /
/// diamond, square / cross) are deliberate: they leave the classifier mistakes worth explaining.
public enum ShapeKind: Int, CaseIterable, Sendable {
    case circle, ellipse, square, diamond, triangle, hexagon, star, cross, ring, crescent, arrow, heart

    /// The class name (the model files' `class_names`).
    public var name: String { "\(self)" }

    /// Whether the unit-frame point `(u, v)` lies inside the shape. All shapes fit in the unit
    /// disc's bounding square `[-1, 1]²` (the square's corners reach 0.8·√2 ≈ 1.13).
    ///
    /// - circle: `u² + v² ≤ 1`; square: `|u| ≤ 0.8` and `|v| ≤ 0.8` (half side 0.8);
    ///   ellipse: semi-axes 1 and 0.55; diamond: `|u|/0.6 + |v| ≤ 1`;
    ///   triangle, hexagon: regular, circumradius 1, a vertex pointing up (`v = -1`) / right;
    ///   star: 5 points, radii 1 and 0.45; cross: two 2 × 0.6 bars; ring: `0.55 ≤ r ≤ 1`;
    ///   crescent: the unit disc minus a disc of radius 0.85 centred at `(0.5, 0)`;
    ///   arrow: a shaft of half width 0.25 from `u = -1` and a head from `u = 0.15` to the tip `(1, 0)`;
    ///   heart: `(x² + y² − 1)³ − x²y³ ≤ 0` with `x = 1.15u`, `y = 0.1 − 1.15v`.
    public func contains(u: Double, v: Double) -> Bool {
        switch self {
        case .circle: return u * u + v * v <= 1
        case .ellipse: return u * u + (v / 0.55) * (v / 0.55) <= 1
        case .square: return abs(u) <= 0.8 && abs(v) <= 0.8
        case .diamond: return abs(u) / 0.6 + abs(v) <= 1
        case .triangle: return Self.inside(Self.triangleVertices, u, v)
        case .hexagon: return Self.inside(Self.hexagonVertices, u, v)
        case .star: return Self.inside(Self.starVertices, u, v)
        case .cross: return (abs(u) <= 1 && abs(v) <= 0.3) || (abs(u) <= 0.3 && abs(v) <= 1)
        case .ring:
            let r2 = u * u + v * v
            return r2 <= 1 && r2 >= 0.55 * 0.55
        case .crescent: return u * u + v * v <= 1 && (u - 0.5) * (u - 0.5) + v * v > 0.85 * 0.85
        case .arrow: return Self.inside(Self.arrowVertices, u, v)
        case .heart:
            let x = 1.15 * u, y = 0.1 - 1.15 * v
            let a = x * x + y * y - 1
            return a * a * a - x * x * y * y * y <= 0
        }
    }

    // Vertices from square roots only (correctly rounded everywhere), not from `cos`/`sin`,
    // whose last bit may differ between C libraries: the data set's bytes must not.
    static let root3 = 3.0.squareRoot(), root5 = 5.0.squareRoot()
    static let triangleVertices: [(Double, Double)] = [(0, -1), (root3 / 2, 0.5), (-root3 / 2, 0.5)]
    static let hexagonVertices: [(Double, Double)] = [(1, 0), (0.5, root3 / 2), (-0.5, root3 / 2), (-1, 0), (-0.5, -root3 / 2), (0.5, -root3 / 2)]
    /// Outer points at -90° + k·72°, inner points (radius 0.45) halfway between.
    static let starVertices: [(Double, Double)] = {
        let cos72 = (root5 - 1) / 4, sin72 = (10 + 2 * root5).squareRoot() / 4
        let cos36 = (root5 + 1) / 4, sin36 = (10 - 2 * root5).squareRoot() / 4
        // Unit vectors at -90°, -54°, -18°, 18°, 54°, 90°, 126°, 162°, 198°, 234° (screen, v down).
        let directions: [(Double, Double)] = [(0, -1), (sin36, -cos36), (sin72, -cos72),
                                              (sin72, cos72), (sin36, cos36), (0, 1), (-sin36, cos36),
                                              (-sin72, cos72), (-sin72, -cos72), (-sin36, -cos36)]
        return directions.enumerated().map { k, d in k % 2 == 0 ? d : (0.45 * d.0, 0.45 * d.1) }
    }()
    static let arrowVertices: [(Double, Double)] = [(-1, -0.25), (0.15, -0.25), (0.15, -0.65), (1, 0), (0.15, 0.65), (0.15, 0.25), (-1, 0.25)]

    /// Even–odd ray casting (any simple polygon, convex or not).
    static func inside(_ polygon: [(Double, Double)], _ u: Double, _ v: Double) -> Bool {
        var result = false
        var j = polygon.count - 1
        for i in 0..<polygon.count {
            let (xi, yi) = polygon[i], (xj, yj) = polygon[j]
            if (yi > v) != (yj > v), u < (xj - xi) * (v - yi) / (yj - yi) + xi { result.toggle() }
            j = i
        }
        return result
    }
}

/// One object placed in an image: its kind, centre (pixel coordinates, `(0, 0)` the top-left
/// corner of the top-left pixel, so pixel `(x, y)` has its centre at `(x + 0.5, y + 0.5)`),
/// scale in pixels (the unit frame's 1) and rotation as a unit vector `(cosine, sine)`
/// (clockwise on screen). The generator draws that vector without trigonometry, so the same
/// seed gives the same bytes whatever C library computes `cos`.
public struct PlacedShape: Equatable, Sendable {
    public var kind: ShapeKind
    public var centerX: Double, centerY: Double
    public var scale: Double
    public var cosine: Double, sine: Double

    public init(kind: ShapeKind, centerX: Double, centerY: Double, scale: Double, cosine: Double = 1, sine: Double = 0) {
        self.kind = kind; self.centerX = centerX; self.centerY = centerY; self.scale = scale
        self.cosine = cosine; self.sine = sine
    }

    /// Whether the image point `(x, y)` (pixel units) lies inside the object.
    @inline(__always)
    public func contains(x: Double, y: Double) -> Bool {
        let dx = x - centerX, dy = y - centerY
        // Undo the rotation, then the scale.
        let u = (cosine * dx + sine * dy) / scale, v = (-sine * dx + cosine * dy) / scale
        return kind.contains(u: u, v: v)
    }

    /// The ground-truth mask, `height · width` bytes: 1 where the pixel's centre is inside.
    public func mask(width: Int, height: Int) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width where contains(x: Double(x) + 0.5, y: Double(y) + 0.5) { mask[y * width + x] = 1 }
        }
        return mask
    }
}
