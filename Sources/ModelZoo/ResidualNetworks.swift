import TensorEngine

// The residual blocks of torchvision's ResNets (He et al. 2016, "Deep residual learning";
// torchvision's v1.5 layout, with the stride of a bottleneck on its 3×3 convolution), with
// torchvision's module names (`conv1`, `bn2`, `downsample.0`). `Torchvision.architecture(named:)`
// stacks them into stages (`layer1`…`layer4`, the `ResNetStage` layer of a model file).

/// torchvision's `BasicBlock` (ResNet-18 and -34): two 3×3 convolutions with batch norm, their sum
/// with the input (through `downsample`, a 1×1 convolution and batch norm, when the shape changes),
/// then ReLU. As in torchvision, the one `relu` module runs twice (its hooks fire twice).
public final class BasicBlock: Module {
    public static let expansion = 1
    public let conv1: Conv2d, bn1: BatchNorm2d, relu: ReLU, conv2: Conv2d, bn2: BatchNorm2d
    public let downsample: Sequential?

    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1, generator: inout SeededGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(planes)
        relu = ReLU()
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2d(planes)
        downsample = stride != 1 || inPlanes != planes
            ? Sequential([Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false, generator: &generator), BatchNorm2d(planes)]) : nil
        super.init()
        for (name, module) in [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2)] as [(String, Module)] {
            registerModule(name, module)
        }
        if let downsample { registerModule("downsample", downsample) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let identity = try downsample.map { try $0(input) } ?? input
        // relu(bn2(conv2(relu(bn1(conv1(x))))) + identity), fused in inference (InferenceFusion: the same bits).
        let first = try InferenceFusion.convolution(conv1, normalization: bn1, relu: relu, input)
        return try InferenceFusion.residualConvolution(conv2, normalization: bn2, identity: identity, relu: relu, first)
    }
}

/// torchvision's `Bottleneck` (ResNet-50 and deeper): 1×1 down to `planes`, 3×3 (with the stride),
/// 1×1 up to 4 × `planes`, each with batch norm; the sum with the (downsampled) input, then ReLU.
public final class Bottleneck: Module {
    public static let expansion = 4
    public let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d, relu: ReLU
    public let downsample: Sequential?

    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1, generator: inout SeededGenerator) {
        let out = planes * Self.expansion
        conv1 = Conv2d(inPlanes, planes, kernelSize: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2d(planes)
        conv3 = Conv2d(planes, out, kernelSize: 1, bias: false, generator: &generator)
        bn3 = BatchNorm2d(out)
        relu = ReLU()
        downsample = stride != 1 || inPlanes != out
            ? Sequential([Conv2d(inPlanes, out, kernelSize: 1, stride: stride, bias: false, generator: &generator), BatchNorm2d(out)]) : nil
        super.init()
        for (name, module) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3), ("relu", relu)] as [(String, Module)] {
            registerModule(name, module)
        }
        if let downsample { registerModule("downsample", downsample) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let identity = try downsample.map { try $0(input) } ?? input
        // relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + identity), fused in inference (the same bits).
        let first = try InferenceFusion.convolution(conv1, normalization: bn1, relu: relu, input)
        let second = try InferenceFusion.convolution(conv2, normalization: bn2, relu: relu, first)
        return try InferenceFusion.residualConvolution(conv3, normalization: bn3, identity: identity, relu: relu, second)
    }
}
