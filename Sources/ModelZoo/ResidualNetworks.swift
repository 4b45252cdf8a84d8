import TensorEngine

// torchvision's ResNets (He et al. 2016, "Deep residual learning"; torchvision's v1.5 layout, with
// the stride of a bottleneck on its 3×3 convolution) built from the engine's layers, with
// torchvision's module names — `conv1`, `layer4.1.conv2`, `layer2.0.downsample.0`, `fc` — so a
// `state_dict` saved from `torchvision.models.resnet18()` loads one to one and hooks are set where
// a PyTorch user would set them (Grad-CAM at `layer4`).

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
        let out = try bn2(conv2(relu(bn1(conv1(input)))))
        return try relu(out + identity)
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
        let out = try bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(input))))))))
        return try relu(out + identity)
    }
}

/// torchvision's `ResNet`: a 7×7 stride-2 convolution, batch norm, ReLU and 3×3 stride-2 max
/// pooling (÷4), four stages of blocks (`layer1`…`layer4`, the first block of stages 2–4 halving
/// the size), global average pooling, flatten and the `fc` classifier. Input `[N, 3, H, W]`
/// (224×224 for ImageNet; any size ≥ 32 works), output `[N, classes]` logits.
public final class ResNet: Module {
    /// The torchvision names this builds, with their blocks and the number of blocks per stage.
    public enum Depth: String, CaseIterable, Sendable {
        case resnet18, resnet34, resnet50
        public var blocks: [Int] { self == .resnet18 ? [2, 2, 2, 2] : [3, 4, 6, 3] }
        public var bottleneck: Bool { self == .resnet50 }
    }

    public let depth: Depth
    public let conv1: Conv2d, bn1: BatchNorm2d, relu: ReLU, maxpool: MaxPool2d
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    public let avgpool: AdaptiveAvgPool2d, fc: Linear

    public init(_ depth: Depth, classes: Int = 1000, generator: inout SeededGenerator) {
        self.depth = depth
        conv1 = Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, generator: &generator)
        bn1 = BatchNorm2d(64)
        relu = ReLU()
        maxpool = MaxPool2d(3, stride: 2, padding: 1)
        var inPlanes = 64
        func stage(_ planes: Int, _ count: Int, stride: Int) -> Sequential {
            var blocks: [Module] = []
            for i in 0..<count {
                if depth.bottleneck {
                    blocks.append(Bottleneck(inPlanes, planes, stride: i == 0 ? stride : 1, generator: &generator))
                    inPlanes = planes * Bottleneck.expansion
                } else {
                    blocks.append(BasicBlock(inPlanes, planes, stride: i == 0 ? stride : 1, generator: &generator))
                    inPlanes = planes * BasicBlock.expansion
                }
            }
            return Sequential(blocks)
        }
        layer1 = stage(64, depth.blocks[0], stride: 1)
        layer2 = stage(128, depth.blocks[1], stride: 2)
        layer3 = stage(256, depth.blocks[2], stride: 2)
        layer4 = stage(512, depth.blocks[3], stride: 2)
        avgpool = AdaptiveAvgPool2d(1, 1)
        fc = Linear(inPlanes, classes, generator: &generator)
        super.init()
        for (name, module) in [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool), ("layer1", layer1), ("layer2", layer2),
                               ("layer3", layer3), ("layer4", layer4), ("avgpool", avgpool), ("fc", fc)] as [(String, Module)] {
            registerModule(name, module)
        }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[1] == 3 else {
            throw TensorError.invalidArgument(operation: "ResNet", message: "input must be [N, 3, H, W], got \(input.shape)")
        }
        let features = try layer4(layer3(layer2(layer1(maxpool(relu(bn1(conv1(input))))))))
        return try fc(avgpool(features).flattened(from: 1))
    }
}
