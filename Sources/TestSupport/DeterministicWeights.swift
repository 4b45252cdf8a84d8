import TensorEngine

/// Weights for comparing a network with torchvision without storing them: every tensor computed
/// from its `state_dict` name by integer hashing, in Python (`Tests/ModelZooTests/Fixtures/
/// make_torchvision_fixture.py`) and here alike — no floating-point library call, so both sides
/// get the same float32 values.
///
///     u(name, i) = top 24 bits of splitmix64(fnv1a64(name) + i · 0x9E3779B97F4A7C15), as (u + 0.5)/2^24 · 2 − 1
///     conv weight  u · sqrt(6 / fan_in);  fc weight u · sqrt(3 / fan_in);  fc bias 0.01 u
///     bn weight    1 + 0.1 u;  bn bias and other biases 0.1 u;  running_mean 0.1 u;  running_var 1 + 0.25 (u + 1)
public enum DeterministicWeights {
    static func fnv1a(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func splitmix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` values in (−1, 1) for `name`.
    public static func uniform(_ name: String, _ count: Int) -> [Double] {
        let seed = fnv1a(name)
        return (0..<count).map { (i: Int) -> Double in
            let bits: UInt64 = splitmix(seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15) >> 40
            return (Double(bits) + 0.5) / Double(1 << 24) * 2 - 1
        }
    }

    /// The values of the tensor `name` of `shape`.
    public static func values(_ name: String, shape: [Int]) -> [Float] {
        let u = uniform(name, shape.reduce(1, *))
        let values: [Double]
        if name.hasSuffix("running_mean") { values = u.map { 0.1 * $0 } }
        else if name.hasSuffix("running_var") { values = u.map { 1 + 0.25 * ($0 + 1) } }
        else if shape.count == 4 { values = u.map { $0 * (6 / Double(shape[1] * shape[2] * shape[3])).squareRoot() } }
        else if name == "fc.weight" { values = u.map { $0 * (3 / Double(shape[1])).squareRoot() } }
        else if name == "fc.bias" { values = u.map { 0.01 * $0 } }
        else if name.hasSuffix("weight") { values = u.map { 1 + 0.1 * $0 } }
        else { values = u.map { 0.1 * $0 } }
        return values.map { Float($0) }
    }

    /// Sets every floating-point tensor of `model` whose name starts with `prefix`, and puts the
    /// model in evaluation mode.
    public static func apply(to model: Module, prefix: String = "") throws {
        for (name, tensor) in model.namedParameters() + model.namedBuffers() where !name.hasSuffix("num_batches_tracked") && name.hasPrefix(prefix) {
            try tensor.assign(values(name, shape: tensor.shape))
        }
        model.eval()
    }

    /// Pixels in [0, 1]: (u("input", i) + 1) / 2, shape [1, 3, side, side].
    public static func pixels(_ side: Int) throws -> Tensor {
        try Tensor(shape: [1, 3, side, side], data: uniform("input", 3 * side * side).map { Float(($0 + 1) / 2) })
    }
}
