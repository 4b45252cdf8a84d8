import TensorEngine

/// Seeded test data that stays away from the kinks of ReLU and max-pool.
public enum TestData {
    /// Uniform values in [-1, 1] whose magnitude is at least `margin` (so ReLU's kink at 0 is
    /// never within a gradient-check step) and pairwise distinct by construction (so max-pool has
    /// no ties): value i is a random sign times a distinct magnitude from a shuffled grid.
    public static func awayFromKinks(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
        var g = SeededGenerator(seed: seed)
        let n = shape.reduce(1, *)
        // n distinct magnitudes spaced at least (1 - margin)/n apart… but never closer than 0.05 for
        // small n; large tensors are only checked on spread-out coordinates.
        var magnitudes = (0..<n).map { margin + (1 - margin) * (Float($0) + 0.5) / Float(n) }
        magnitudes.shuffle(using: &g)
        let values = magnitudes.map { g.nextFloat() < 0.5 ? -$0 : $0 }
        return tensor(values, shape)
    }

    /// Plain seeded uniform values in [low, high).
    public static func uniform(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor.randomUniform(shape, low: low, high: high, using: &g)
    }
}

/// A tensor from literal values; a wrong count is a bug in the test itself, reported as a NaN
/// tensor of the right shape plus a message so the assertion that follows fails visibly (zeros
/// could pass one that expects zeros).
public func tensor(_ values: [Float], _ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    if let t = try? Tensor(shape: shape, data: values, requiresGrad: requiresGrad) { return t }
    print("TestSupport.tensor: \(values.count) values do not fill shape \(shape)")
    return Tensor(repeating: .nan, shape: shape)
}

/// The largest absolute difference between two arrays (∞ if their counts differ, or if either
/// has a NaN where the other does not: `max()` alone would skip a NaN that is not first).
public func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        if x.isNaN || y.isNaN {
            if x.isNaN != y.isNaN { return .infinity }
            continue
        }
        worst = Swift.max(worst, Swift.abs(x - y))
    }
    return worst
}
