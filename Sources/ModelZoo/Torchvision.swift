import Foundation
import TensorEngine

/// torchvision's ImageNet classifiers as architectures of this engine, with torchvision's module
/// names (`features.28`, `classifier.6`, `layer4.1.conv2`, `fc`), so that a `state_dict` saved from
/// `torchvision.models.NAME()` loads one to one (`workbook import`) and a PyTorch user finds every
/// layer where they expect it.
///
/// Two layers are added, neither holding state: `normalize` first (torchvision's ImageNet mean
/// and standard deviation, so every attribution and attack works on pixels in [0, 1], as in the
/// course's other models) and `flatten` before the classifier (torchvision's `torch.flatten(x, 1)`
/// in `forward`). Input: 3×224×224, a user's photo resized to 256 on its shorter side first
/// (`resize_to`), as torchvision's ImageNet evaluation transform does.
public enum Torchvision {
    /// The classifiers `architecture(named:)` builds.
    public static let names = ["alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
                               "resnet18", "resnet34", "resnet50"]

    /// torchvision's `transforms.Normalize` for ImageNet.
    public static let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]

    /// The 1000 ImageNet-1k class names in logit order (`Datasets/imagenet/classes.txt`, from
    /// torchvision's own list).
    public static func imagenetClassNames() throws -> [String] {
        let url = try DatasetFiles.datasets().appendingPathComponent("imagenet/classes.txt")
        let names = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        guard names.count == 1000 else {
            throw ModelZooError.invalidArchitecture("\(url.path) lists \(names.count) class names, not ImageNet's 1000")
        }
        return names
    }

    /// The layer whose output Grad-CAM uses by default, as in pytorch-grad-cam's examples: the last
    /// convolution's ReLU for AlexNet and VGG (`features.11`, `features.29` for VGG-16), `layer4` for ResNets.
    public static func camLayer(of name: String) -> String? {
        guard let architecture = try? architecture(named: name, classNames: ["x"]) else { return nil }
        if name.hasPrefix("resnet") { return "layer4" }
        let features = architecture.layers.first { $0.name == "features" }?.layers ?? []
        guard let last = features.last(where: { $0.type == "ReLU" }) else { return nil }
        return "features." + last.name
    }

    /// The architecture of torchvision's `name` (see `names`) with `classNames.count` classes.
    public static func architecture(named name: String, classNames: [String]) throws -> ModelArchitecture {
        var layers: [LayerSpecification] = [.normalize("normalize", mean: mean, std: std)]
        let classes = classNames.count
        switch name {
        case "alexnet":
            layers += [
                .sequential("features", [
                    .conv2d("0", 3, 64, kernelSize: 11, stride: 4, padding: 2), .relu("1"), .maxPool2d("2", kernelSize: 3, stride: 2),
                    .conv2d("3", 64, 192, kernelSize: 5, padding: 2), .relu("4"), .maxPool2d("5", kernelSize: 3, stride: 2),
                    .conv2d("6", 192, 384, kernelSize: 3, padding: 1), .relu("7"),
                    .conv2d("8", 384, 256, kernelSize: 3, padding: 1), .relu("9"),
                    .conv2d("10", 256, 256, kernelSize: 3, padding: 1), .relu("11"), .maxPool2d("12", kernelSize: 3, stride: 2),
                ]),
                .adaptiveAvgPool2d("avgpool", 6, 6), .flatten("flatten"),
                .sequential("classifier", [
                    .dropout("0", p: 0.5), .linear("1", 256 * 6 * 6, 4096), .relu("2"),
                    .dropout("3", p: 0.5), .linear("4", 4096, 4096), .relu("5"), .linear("6", 4096, classes),
                ]),
            ]
        case let vgg where vgg.hasPrefix("vgg"):
            let configurations: [String: [Int]] = [      // 0: a 2×2 max pool
                "vgg11": [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
                "vgg13": [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
                "vgg16": [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
                "vgg19": [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
            ]
            let batchNorm = vgg.hasSuffix("_bn")
            guard let configuration = configurations[batchNorm ? String(vgg.dropLast(3)) : vgg] else { throw unknown(name) }
            var features: [LayerSpecification] = []
            var channels = 3
            for width in configuration {
                let index = "\(features.count)"
                if width == 0 {
                    features.append(.maxPool2d(index, kernelSize: 2, stride: 2))
                    continue
                }
                features.append(.conv2d(index, channels, width, kernelSize: 3, padding: 1))
                if batchNorm { features.append(.batchNorm2d("\(features.count)", width)) }
                features.append(.relu("\(features.count)"))
                channels = width
            }
            layers += [
                .sequential("features", features), .adaptiveAvgPool2d("avgpool", 7, 7), .flatten("flatten"),
                .sequential("classifier", [
                    .linear("0", 512 * 7 * 7, 4096), .relu("1"), .dropout("2", p: 0.5),
                    .linear("3", 4096, 4096), .relu("4"), .dropout("5", p: 0.5), .linear("6", 4096, classes),
                ]),
            ]
        case "resnet18", "resnet34", "resnet50":
            let blocks = name == "resnet18" ? [2, 2, 2, 2] : [3, 4, 6, 3]
            let block = name == "resnet50" ? "Bottleneck" : "BasicBlock"
            let expansion = name == "resnet50" ? 4 : 1
            var stem = LayerSpecification.conv2d("conv1", 3, 64, kernelSize: 7, stride: 2, padding: 3)
            stem.bias = false
            var pool = LayerSpecification.maxPool2d("maxpool", kernelSize: 3, stride: 2)
            pool.padding = 1
            layers += [stem, .batchNorm2d("bn1", 64), .relu("relu"), pool]
            var inPlanes = 64
            for (i, planes) in [64, 128, 256, 512].enumerated() {
                layers.append(.resNetStage("layer\(i + 1)", block: block, inPlanes, planes, blocks: blocks[i], stride: i == 0 ? 1 : 2))
                inPlanes = planes * expansion
            }
            layers += [.adaptiveAvgPool2d("avgpool", 1, 1), .flatten("flatten"), .linear("fc", inPlanes, classes)]
        default:
            throw unknown(name)
        }
        return ModelArchitecture(name: name, inputShape: [3, 224, 224], classNames: classNames, layers: layers, resizeTo: 256)
    }

    static func unknown(_ name: String) -> ModelZooError {
        .invalidArchitecture("torchvision model '\(name)' is not one this workbook builds (\(names.joined(separator: ", ")))")
    }
}

extension LayerSpecification {
    public static func sequential(_ name: String, _ layers: [LayerSpecification]) -> Self {
        var l = Self(name: name, type: "Sequential"); l.layers = layers; return l
    }
    public static func adaptiveAvgPool2d(_ name: String, _ height: Int, _ width: Int) -> Self {
        var l = Self(name: name, type: "AdaptiveAvgPool2d"); l.outputSize = [height, width]; return l
    }
    public static func resNetStage(_ name: String, block: String, _ inPlanes: Int, _ planes: Int, blocks: Int, stride: Int) -> Self {
        var l = Self(name: name, type: "ResNetStage")
        l.block = block; l.inChannels = inPlanes; l.outChannels = planes; l.blocks = blocks; l.stride = stride
        return l
    }
}
