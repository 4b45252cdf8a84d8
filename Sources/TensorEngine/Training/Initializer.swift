/// Weight initialisation from a seeded generator.
///
/// fan_in of a conv weight `[out, in, kh, kw]` is `in·kh·kw`; fan_out is `out·kh·kw`.
public enum Initializer {
    /// PyTorch's default for `Conv2d` and `Linear` (`kaiming_uniform_(a=√5)`, and the same bound
    /// for the bias): U(−1/√fan_in, 1/√fan_in).
    public static func pytorchDefault(_ shape: [Int], fanIn: Int, using g: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &g)
    }

    /// Kaiming (He) normal for ReLU networks: N(0, 2/fan_in) (`kaiming_normal_`, fan_in mode).
    public static func kaimingNormal(_ shape: [Int], using g: inout SeededGenerator) -> Tensor {
        let (fanIn, _) = fans(shape)
        return Tensor.randomNormal(shape, std: (2 / Float(fanIn)).squareRoot(), using: &g)
    }

    /// Kaiming (He) uniform: U(−√(6/fan_in), √(6/fan_in)).
    public static func kaimingUniform(_ shape: [Int], using g: inout SeededGenerator) -> Tensor {
        let bound = (6 / Float(fans(shape).fanIn)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &g)
    }

    /// Xavier (Glorot) uniform: U(−√(6/(fan_in + fan_out)), +…).
    public static func xavierUniform(_ shape: [Int], using g: inout SeededGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = (6 / Float(fanIn + fanOut)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &g)
    }

    /// Xavier (Glorot) normal: N(0, 2/(fan_in + fan_out)).
    public static func xavierNormal(_ shape: [Int], using g: inout SeededGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return Tensor.randomNormal(shape, std: (2 / Float(fanIn + fanOut)).squareRoot(), using: &g)
    }

    /// fan_in and fan_out as PyTorch computes them (`_calculate_fan_in_and_fan_out`).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { return (Swift.max(shape.first ?? 1, 1), Swift.max(shape.first ?? 1, 1)) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }
}
