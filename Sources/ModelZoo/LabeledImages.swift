import TensorEngine

/// A set of images with integer labels, pixels scaled to [0, 1], stored contiguously NCHW.
public struct LabeledImages: Sendable {
    /// `[channels, height, width]` of one image.
    public let imageShape: [Int]
    /// `count · C · H · W` pixels in [0, 1].
    public let pixels: [Float]
    public let labels: [Int]
    public let classNames: [String]
    /// Ground-truth object masks, `count · H · W` (true = the object's pixels), for data sets that
    /// have them; `nil` otherwise. `workbook explain` outlines image i's mask on its overlays.
    public var masks: [Bool]? = nil

    public var count: Int { labels.count }

    /// The `H × W` mask of image `index`, if the data set has masks of that size.
    public func mask(at index: Int) -> [Bool]? {
        let area = imageShape.dropFirst().reduce(1, *)
        guard let masks, masks.count == count * area, index >= 0, index < count else { return nil }
        return Array(masks[(index * area)..<((index + 1) * area)])
    }
    public var pixelsPerImage: Int { imageShape.reduce(1, *) }

    public init(imageShape: [Int], pixels: [Float], labels: [Int], classNames: [String]) throws {
        guard pixels.count == labels.count * imageShape.reduce(1, *) else {
            throw ModelZooError.dataset("\(pixels.count) pixels do not make \(labels.count) images of \(imageShape)")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classNames.count }) {
            throw ModelZooError.dataset("label \(bad) outside 0..<\(classNames.count)")
        }
        self.imageShape = imageShape; self.pixels = pixels; self.labels = labels; self.classNames = classNames
    }

    /// Images `indices` as one `[n, C, H, W]` tensor, with their labels.
    public func batch(_ indices: some Collection<Int>) -> (images: Tensor, labels: [Int]) {
        let size = pixelsPerImage
        var values = [Float](); values.reserveCapacity(indices.count * size)
        for i in indices { values.append(contentsOf: pixels[(i * size)..<((i + 1) * size)]) }
        let images = (try? Tensor(shape: [indices.count] + imageShape, data: values)) ?? .zeros([0] + imageShape)
        return (images, indices.map { labels[$0] })
    }

    /// One image as `[1, C, H, W]`; throws for an index out of range.
    public func image(at index: Int) throws -> Tensor {
        guard index >= 0 && index < count else {
            throw ModelZooError.dataset("image index \(index) out of range 0..<\(count)")
        }
        return batch([index]).images
    }

    /// The first `n` images (or all of them).
    public func prefix(_ n: Int) -> LabeledImages {
        let n = Swift.min(n, count)
        // Already validated: same shapes and labels, fewer of them.
        guard var first = try? LabeledImages(imageShape: imageShape, pixels: Array(pixels.prefix(n * pixelsPerImage)),
                                             labels: Array(labels.prefix(n)), classNames: classNames) else { return self }
        first.masks = masks.map { Array($0.prefix(n * imageShape.dropFirst().reduce(1, *))) }
        return first
    }
}

/// Shifts each image of a `[n, C, H, W]` batch by a random whole number of pixels in
/// `-maximum...maximum` along each axis, filling with 0 (black): the augmentation that lifts
/// the small MNIST networks from ~98.3% to ~99%.
public func randomlyShifted(_ images: Tensor, maximum: Int, using generator: inout SeededGenerator) -> Tensor {
    guard maximum > 0, images.rank == 4 else { return images }
    let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    var out = [Float](repeating: 0, count: images.count)
    let source = images.data
    for i in 0..<n {
        let dy = generator.nextInt(below: 2 * maximum + 1) - maximum
        let dx = generator.nextInt(below: 2 * maximum + 1) - maximum
        for ch in 0..<c {
            let base = (i * c + ch) * h * w
            for y in 0..<h {
                let sy = y - dy
                guard sy >= 0 && sy < h else { continue }
                for x in 0..<w {
                    let sx = x - dx
                    guard sx >= 0 && sx < w else { continue }
                    out[base + y * w + x] = source[base + sy * w + sx]
                }
            }
        }
    }
    return (try? Tensor(shape: images.shape, data: out)) ?? images
}

/// Mirrors each image left–right with probability ½ (one draw per image from `generator`).
public func randomlyFlipped(_ images: Tensor, using generator: inout SeededGenerator) -> Tensor {
    guard images.rank == 4 else { return images }
    let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    var out = images.data
    for i in 0..<n where generator.nextInt(below: 2) == 1 {
        for row in 0..<(c * h) {
            let base = (i * c * h + row) * w
            out[base..<(base + w)].reverse()
        }
    }
    return (try? Tensor(shape: images.shape, data: out)) ?? images
}
