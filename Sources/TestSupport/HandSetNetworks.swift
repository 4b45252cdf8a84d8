import TensorEngine

/// The smallest network every CAM-style and backpropagation lesson checks by hand (lessons 05, 06
/// and 10 derive their expected maps from it in their own tests' comments):
///
///     conv 1×1, weight [1, −1], bias [0, 2.5] → relu → gap → fc (no bias), weight [[1, 2], [−1, 1]]
///
/// On the 1×2×2 input [1, 2, 3, 4]: R₁ = [1, 2, 3, 4], R₂ = [1.5, 0.5, 0, 0]. In eval mode.
public func handSetGAPNetwork() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let conv = Conv2d(1, 2, kernelSize: 1, generator: &g), fc = Linear(2, 2, bias: false, generator: &g)
    try conv.weight.assign([1, -1])
    try conv.bias.orThrow("bias").assign([0, 2.5])
    try fc.weight.assign([1, 2, -1, 1])
    let model = Sequential(named: [("conv", conv), ("relu", ReLU()), ("gap", GlobalAvgPool2d()), ("fc", fc)])
    model.eval()
    return model
}
