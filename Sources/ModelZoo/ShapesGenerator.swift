import TensorEngine

/// Images, ground-truth masks and labels of the Shapes data set, as bytes.
public struct ShapesImages: Equatable, Sendable {
    /// `count · 3 · 32 · 32` bytes: each image channel-major (all red, then green, then blue), rows top to bottom.
    public let images: [UInt8]
    /// `count · 32 · 32` bytes, 1 where the pixel's centre lies inside the object, else 0.
    public let masks: [UInt8]
    /// One class index (`ShapeKind.rawValue`) per image.
    public let labels: [UInt8]
    public var count: Int { labels.count }

    public init(images: [UInt8], masks: [UInt8], labels: [UInt8]) {
        self.images = images; self.masks = masks; self.labels = labels
    }

    /// The images as `LabeledImages` (pixels / 255) with the Shapes class names and the object
    /// masks (so `workbook explain` outlines the object on its overlays).
    public func labeled() throws -> LabeledImages {
        var set = try LabeledImages(imageShape: [3, ShapesGenerator.side, ShapesGenerator.side], pixels: images.map { Float($0) / 255 },
                                    labels: labels.map(Int.init), classNames: ShapesGenerator.classNames)
        set.masks = masks.map { $0 != 0 }
        return set
    }
}

/// Generates the Shapes data set: 32×32 colour images of one geometric object (`ShapeKind`)
/// on a cluttered background, with the object's exact mask.
///
/// Image `i` of seed `S` depends only on `(S, i)` (its own `SeededGenerator`), so images are
/// generated in parallel chunks and the bytes do not depend on the thread count. Only IEEE
/// arithmetic and square roots are used (no `sin`, `cos`, `exp`), so they do not depend on the
/// platform's C library either.
///
/// One image, in drawing order:
/// 1. background: a linear gradient between two random colours in a random direction, plus
///    uniform per-pixel noise of a random amplitude (0–0.15 per channel);
/// 2. 0–3 distractor strokes (70% straight segments from and to anywhere in [-2, 34]², 30%
///    circular arcs of radius 4–14 spanning 150°–240°), 0.7–2 px wide, random colours: they
///    are not objects and never in the mask;
/// 3. the object: a uniformly drawn kind, scale 4–10.5 px, any rotation, centre within
///    `[0.75·scale, 32 − 0.75·scale]` (corners may leave the image), a random colour at least
///    0.3 (RGB distance) from the background at its centre, with ±8% per-pixel shading.
///
/// Strokes and the object are antialiased by 4×4 supersampling (coverage = the fraction of
/// the 16 sub-pixel points inside); the mask is exact and binary: the pixel's centre is inside.
/// So an edge pixel may be partly coloured but outside the mask. Cost: about 0.3 ms per image on one core.
public enum ShapesGenerator {
    public static let side = 32
    public static let classNames = ShapeKind.allCases.map(\.name)

    /// The course's splits: the test split ships in `Datasets/shapes` (and must regenerate to
    /// the same bytes); the training split is generated when `workbook train` needs it.
    public static let testSeed: UInt64 = 13, testCount = 2000
    public static let trainingSeed: UInt64 = 1, trainingCount = 30_000

    /// The largest count `generate` accepts (300 MB of images).
    public static let maximumCount = 100_000

    /// `count` images from `seed`, in parallel chunks of 64. Time: ~0.3 ms per image per core.
    public static func generate(seed: UInt64, count: Int) -> ShapesImages {
        precondition(count >= 0 && count <= maximumCount, "count \(count) outside 0...\(maximumCount)")
        let pixels = side * side
        var images = [UInt8](repeating: 0, count: count * 3 * pixels)
        var masks = [UInt8](repeating: 0, count: count * pixels)
        var labels = [UInt8](repeating: 0, count: count)
        let chunkSize = 64
        let chunks = (count + chunkSize - 1) / chunkSize
        images.withUnsafeMutableBufferPointer { imageBuffer in
            masks.withUnsafeMutableBufferPointer { maskBuffer in
                labels.withUnsafeMutableBufferPointer { labelBuffer in
                    let (ib, mb, lb) = (imageBuffer, maskBuffer, labelBuffer)
                    Parallel.forEach(chunks: chunks) { chunk in
                        for i in (chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize) {
                            let (image, mask, label) = render(seed: seed, index: i)
                            for k in 0..<(3 * pixels) { ib[i * 3 * pixels + k] = image[k] }
                            for k in 0..<pixels { mb[i * pixels + k] = mask[k] }
                            lb[i] = label
                        }
                    }
                }
            }
        }
        return ShapesImages(images: images, masks: masks, labels: labels)
    }

    /// Image `index` of `seed`: CHW bytes, mask bytes, label.
    public static func render(seed: UInt64, index: Int) -> (image: [UInt8], mask: [UInt8], label: UInt8) {
        var g = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(g.nextFloat()) }
        func colour() -> (Double, Double, Double) { (uniform(0, 1), uniform(0, 1), uniform(0, 1)) }
        /// A uniformly random direction, by rejection from the square (no trigonometry).
        func direction() -> (Double, Double) {
            while true {
                let x = uniform(-1, 1), y = uniform(-1, 1), r2 = x * x + y * y
                if r2 > 0.01 && r2 <= 1 { let r = r2.squareRoot(); return (x / r, y / r) }
            }
        }
        let n = side * side
        var canvas = [Double](repeating: 0, count: 3 * n)

        // 1. Background.
        let c0 = colour(), c1 = colour(), (gx, gy) = direction()
        let noise = uniform(0, 0.15)
        let half = Double(side) / 2
        for y in 0..<side {
            for x in 0..<side {
                let t = min(1, max(0, 0.5 + 0.5 * ((Double(x) + 0.5 - half) * gx + (Double(y) + 0.5 - half) * gy) / half))
                let base = y * side + x
                canvas[base] = c0.0 + (c1.0 - c0.0) * t + noise * uniform(-1, 1)
                canvas[n + base] = c0.1 + (c1.1 - c0.1) * t + noise * uniform(-1, 1)
                canvas[2 * n + base] = c0.2 + (c1.2 - c0.2) * t + noise * uniform(-1, 1)
            }
        }

        /// Blends `paint` over the canvas with 4×4 supersampled coverage of `inside`, in the
        /// pixel box `x0..<x1, y0..<y1`; `shade` varies the colour per pixel.
        func draw(_ inside: (Double, Double) -> Bool, colour: (Double, Double, Double), box: (Int, Int, Int, Int), shade: Double) {
            let (x0, x1, y0, y1) = (max(0, box.0), min(side, box.1), max(0, box.2), min(side, box.3))
            guard x0 < x1, y0 < y1 else { return }
            for y in y0..<y1 {
                for x in x0..<x1 {
                    var hits = 0
                    for sy in 0..<4 {
                        for sx in 0..<4 where inside(Double(x) + (Double(sx) + 0.5) / 4, Double(y) + (Double(sy) + 0.5) / 4) { hits += 1 }
                    }
                    guard hits > 0 else { continue }
                    let factor = shade > 0 ? 1 + shade * uniform(-1, 1) : 1
                    let alpha = Double(hits) / 16, base = y * side + x
                    canvas[base] += alpha * (colour.0 * factor - canvas[base])
                    canvas[n + base] += alpha * (colour.1 * factor - canvas[n + base])
                    canvas[2 * n + base] += alpha * (colour.2 * factor - canvas[2 * n + base])
                }
            }
        }

        // 2. Distractor strokes.
        let strokes = g.nextInt(below: 4)
        for _ in 0..<strokes {
            let paint = colour()
            let width = uniform(0.7, 2.0), halfWidth = width / 2
            if g.nextFloat() < 0.7 {
                let ax = uniform(-2, 34), ay = uniform(-2, 34), bx = uniform(-2, 34), by = uniform(-2, 34)
                let (dx, dy) = (bx - ax, by - ay), length2 = max(dx * dx + dy * dy, 1e-9)
                draw({ px, py in
                    let t = min(1, max(0, ((px - ax) * dx + (py - ay) * dy) / length2))
                    let ex = px - ax - t * dx, ey = py - ay - t * dy
                    return ex * ex + ey * ey <= halfWidth * halfWidth
                }, colour: paint, box: (Int(min(ax, bx) - 2), Int(max(ax, bx) + 3), Int(min(ay, by) - 2), Int(max(ay, by) + 3)), shade: 0)
            } else {
                let cx = uniform(0, 32), cy = uniform(0, 32), radius = uniform(4, 14)
                let (ux, uy) = direction()
                // Points within the arc's angle: (p − c)·u ≥ k·|p − c|, k = cos(half the span).
                let k = uniform(-0.5, 0.26)
                draw({ px, py in
                    let ex = px - cx, ey = py - cy, r = (ex * ex + ey * ey).squareRoot()
                    return abs(r - radius) <= halfWidth && ex * ux + ey * uy >= k * r
                }, colour: paint, box: (Int(cx - radius - 2), Int(cx + radius + 3), Int(cy - radius - 2), Int(cy + radius + 3)), shade: 0)
            }
        }

        // 3. The object.
        let kind = ShapeKind.allCases[g.nextInt(below: ShapeKind.allCases.count)]
        let scale = uniform(4, 10.5)
        let cx = uniform(0.75 * scale, Double(side) - 0.75 * scale), cy = uniform(0.75 * scale, Double(side) - 0.75 * scale)
        let (cosine, sine) = direction()
        let shape = PlacedShape(kind: kind, centerX: cx, centerY: cy, scale: scale, cosine: cosine, sine: sine)
        let centre = min(side - 1, max(0, Int(cy))) * side + min(side - 1, max(0, Int(cx)))
        let behind = (canvas[centre], canvas[n + centre], canvas[2 * n + centre])
        var paint = colour()
        for _ in 0..<20 {
            let (r, gr, b) = (paint.0 - behind.0, paint.1 - behind.1, paint.2 - behind.2)
            if r * r + gr * gr + b * b >= 0.09 { break }
            paint = colour()
        }
        let reach = 1.2 * scale
        draw({ shape.contains(x: $0, y: $1) }, colour: paint,
             box: (Int(cx - reach), Int(cx + reach) + 2, Int(cy - reach), Int(cy + reach) + 2), shade: 0.08)

        let image = canvas.map { UInt8((min(1, max(0, $0)) * 255).rounded()) }
        return (image, shape.mask(width: side, height: side), UInt8(kind.rawValue))
    }
}
