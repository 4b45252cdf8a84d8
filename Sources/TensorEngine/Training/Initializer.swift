/// Weight initialisation from a seeded generator.
///
/// fan_in of a conv weight `[out, in, kh, kw]` is `in·kh·kw`; of a linear weight `[out, in]`, `in`.
public enum Initializer {
    /// PyTorch's default for `Conv2d` and `Linear` (`kaiming_uniform_(a=√5)`, and the same bound
    /// for the bias): U(−1/√fan_in, 1/√fan_in).
    public static func pytorchDefault(_ shape: [Int], fanIn: Int, using g: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &g)
    }
}
