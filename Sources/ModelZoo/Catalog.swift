import DataFormats
import TensorEngine

/// The reference models of the course, as architectures. Their trained weights ship in
/// `Datasets/models/NAME.safetensors`; `workbook train --model NAME` retrains them.
public enum Catalog {
    /// MNIST's mean and standard deviation over the training pixels, the models' first layer.
    public static let mnistMean: Float = 0.1307, mnistStd: Float = 0.3081
    /// Fashion-MNIST's training-set mean and standard deviation.
    public static let fashionMean: Float = 0.2860, fashionStd: Float = 0.3530

    /// The Shapes training split's per-channel (R, G, B) mean and standard deviation over all
    /// pixels (`ShapesGenerator.trainingSeed`, 30,000 images; a test recomputes them).
    public static let shapesMean: [Float] = [0.4996, 0.5003, 0.4998], shapesStd: [Float] = [0.2436, 0.2447, 0.2439]

    /// CIFAR-10's per-channel mean and standard deviation (red, green, blue) over the 50,000
    /// training images: the population standard deviation of all 51,200,000 pixel values of each
    /// channel (numpy `x.std(axis=(0, 2, 3))` on the whole training set), not the often-copied
    /// 0.2023, 0.1994, 0.2010, which is the mean of per-image standard deviations.
    public static let cifarMean: [Float] = [0.4914, 0.4822, 0.4465], cifarStd: [Float] = [0.2470, 0.2435, 0.2616]

    public static let digitNames = (0...9).map(String.init)
    public static let fashionNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The names of all catalogued models.
    public static var names: [String] { ["mnist-gap", "mnist-fc", "mnist-simplenet", "fashion-gap", "shapes-simplenet", "mnist-decoy"] }

    /// Catalogued models trained on data the user supplies (`workbook train --model NAME --data
    /// DIR`): they have no shipped file, so they are not in `names`.
    public static var userDataModels: [String] { ["cifar-simplenet"] }

    /// Catalogued autoencoders (lesson 11): no classes, so not in `names`; `ModelFile.load` takes
    /// them only when asked (`autoencoders: true`).
    public static var autoencoders: [String] { ["mnist-autoencoder"] }

    /// The test accuracy each shipped model must reach (the course's specification).
    public static func requiredAccuracy(of name: String) -> Double? {
        ["mnist-gap": 0.988, "mnist-fc": 0.990, "mnist-simplenet": 0.994, "fashion-gap": 0.900, "shapes-simplenet": 0.95][name]
    }

    /// The data set a model is trained and evaluated on (`DatasetFiles.named(_:split:)`):
    /// by catalogued name, else by class names. `workbook train` records it in the model file
    /// (`__metadata__["dataset"]`), which wins over this guess.
    public static func datasetName(of architecture: ModelArchitecture) -> String {
        switch architecture.name {
        case "fashion-gap": return "fashion-mnist"
        case "shapes-simplenet": return "shapes"
        case "mnist-decoy": return "decoy-mnist"
        default:
            if architecture.classNames == CIFAR10Batch.classNames && architecture.inputShape == [3, 32, 32] { return "cifar-10" }
            if architecture.classNames == fashionNames { return "fashion-mnist" }
            if architecture.classNames == ShapesGenerator.classNames { return "shapes" }
            return "mnist"
        }
    }

    /// The architecture of a catalogued model.
    public static func architecture(named name: String) throws -> ModelArchitecture {
        switch name {
        case "mnist-gap": return gap(name: name, mean: mnistMean, std: mnistStd, classes: digitNames)
        case "fashion-gap": return gap(name: name, mean: fashionMean, std: fashionStd, classes: fashionNames)
        case "mnist-fc": return fullyConnected
        case "mnist-simplenet": return simpleNet
        case "mnist-decoy": return gap(name: name, mean: mnistMean, std: mnistStd, classes: digitNames)
        case "shapes-simplenet": return shapesSimpleNet
        case "cifar-simplenet": return cifarSimpleNet
        case "mnist-autoencoder": return mnistAutoencoder
        default: throw ModelZooError.unknownModel(name, known: names + userDataModels + autoencoders)
        }
    }

    /// Three conv–ReLU stages, global average pooling and one linear layer: the network CAM is
    /// defined for (the logits are a linear function of the per-channel means of `relu3`).
    static func gap(name: String, mean: Float, std: Float, classes: [String]) -> ModelArchitecture {
        ModelArchitecture(name: name, inputShape: [1, 28, 28], classNames: classes, layers: [
            .normalize("norm", mean: [mean], std: [std]),
            .conv2d("conv1", 1, 16, kernelSize: 3, padding: 1), .relu("relu1"), .maxPool2d("pool1", kernelSize: 2),
            .conv2d("conv2", 16, 32, kernelSize: 3, padding: 1), .relu("relu2"), .maxPool2d("pool2", kernelSize: 2),
            .conv2d("conv3", 32, 64, kernelSize: 3, padding: 1), .relu("relu3"),
            .globalAvgPool("gap"), .linear("fc", 64, 10),
        ])
    }

    /// The classic conv–pool–conv–pool–flatten–linear network: CAM does not apply (there is no
    /// global pooling), Grad-CAM does.
    static let fullyConnected = ModelArchitecture(name: "mnist-fc", inputShape: [1, 28, 28], classNames: digitNames, layers: [
        .normalize("norm", mean: [mnistMean], std: [mnistStd]),
        .conv2d("conv1", 1, 32, kernelSize: 3, padding: 1), .relu("relu1"), .maxPool2d("pool1", kernelSize: 2),
        .conv2d("conv2", 32, 64, kernelSize: 3, padding: 1), .relu("relu2"), .maxPool2d("pool2", kernelSize: 2),
        .flatten("flatten"), .linear("fc1", 64 * 7 * 7, 128), .relu("relu3"), .dropout("dropout", p: 0.5),
        .linear("fc2", 128, 10),
    ])

    /// One SimpleNet block: 3×3 convolution (padding 1), batch-norm and ReLU, named by its number.
    static func simpleNetBlock(_ i: Int, _ inChannels: Int, _ outChannels: Int) -> [LayerSpecification] {
        [.conv2d("conv\(i)", inChannels, outChannels, kernelSize: 3, padding: 1), .batchNorm2d("bn\(i)", outChannels), .relu("relu\(i)")]
    }

    /// A slim SimpleNet-style network: 3×3 conv + batch-norm + ReLU blocks, max-pooling,
    /// dropout and global average pooling.
    static let simpleNet: ModelArchitecture = {
        var layers: [LayerSpecification] = [.normalize("norm", mean: [mnistMean], std: [mnistStd])]
        func block(_ i: Int, _ inC: Int, _ outC: Int) { layers += simpleNetBlock(i, inC, outC) }
        block(1, 1, 32); block(2, 32, 32); layers.append(.maxPool2d("pool1", kernelSize: 2))
        block(3, 32, 64); block(4, 64, 64); layers.append(.maxPool2d("pool2", kernelSize: 2))
        layers.append(.dropout("dropout1", p: 0.1))
        block(5, 64, 128)
        layers += [.globalAvgPool("gap"), .dropout("dropout2", p: 0.2), .linear("fc", 128, 10)]
        return ModelArchitecture(name: "mnist-simplenet", inputShape: [1, 28, 28], classNames: digitNames, layers: layers)
    }()

    /// `simpleNet` for Shapes: 3 input channels with per-channel normalisation, and slimmer
    /// (24, 24, 48, 48, 96 channels) so that an epoch of 30,000 32×32 images stays near a minute
    /// on two cores.
    static let shapesSimpleNet: ModelArchitecture = {
        var layers: [LayerSpecification] = [.normalize("norm", mean: shapesMean, std: shapesStd)]
        func block(_ i: Int, _ inC: Int, _ outC: Int) { layers += simpleNetBlock(i, inC, outC) }
        block(1, 3, 24); block(2, 24, 24); layers.append(.maxPool2d("pool1", kernelSize: 2))
        block(3, 24, 48); block(4, 48, 48); layers.append(.maxPool2d("pool2", kernelSize: 2))
        layers.append(.dropout("dropout1", p: 0.1))
        block(5, 48, 96)
        layers += [.globalAvgPool("gap"), .dropout("dropout2", p: 0.2), .linear("fc", 96, ShapesGenerator.classNames.count)]
        return ModelArchitecture(name: "shapes-simplenet", inputShape: [3, ShapesGenerator.side, ShapesGenerator.side],
                                 classNames: ShapesGenerator.classNames, layers: layers)
    }()
}

extension Catalog {
    /// SimpleNet-style for CIFAR-10 (after Hasanpour et al. 2016, slimmed to train on a CPU):
    /// per-channel normalisation, six 3×3 conv + batch-norm + ReLU blocks (32–256 channels) in three
    /// stages separated by max-pooling (32 → 16 → 8 → 4), dropout, global average pooling and one
    /// linear layer. ~0.9 M parameters; 32×32 RGB input.
    static let cifarSimpleNet: ModelArchitecture = {
        var layers: [LayerSpecification] = [.normalize("norm", mean: cifarMean, std: cifarStd)]
        func block(_ i: Int, _ inC: Int, _ outC: Int) { layers += simpleNetBlock(i, inC, outC) }
        block(1, 3, 32); block(2, 32, 64); layers.append(.maxPool2d("pool1", kernelSize: 2))
        block(3, 64, 64); block(4, 64, 128); layers.append(.maxPool2d("pool2", kernelSize: 2))
        layers.append(.dropout("dropout1", p: 0.1))
        block(5, 128, 128); block(6, 128, 256); layers.append(.maxPool2d("pool3", kernelSize: 2))
        layers += [.globalAvgPool("gap"), .dropout("dropout2", p: 0.2), .linear("fc", 256, 10)]
        return ModelArchitecture(name: "cifar-simplenet", inputShape: [3, 32, 32], classNames: cifarNames, layers: layers)
    }()

    /// CIFAR-10's class names, in label order.
    public static var cifarNames: [String] { CIFAR10Batch.classNames }
}

extension Catalog {
    /// A convolutional autoencoder with a 2-D code (lesson 11): `encoder` maps a digit to two
    /// numbers, `decoder` maps two numbers back to a 28×28 image, trained to reproduce its input
    /// (mean squared error). Layers inside each half are named "0", "1", … as `nn.Sequential`
    /// names them, so a PyTorch `state_dict` reads `encoder.0.weight`.
    ///
    /// encoder: [1, 28, 28] → Conv2d(1, 16, 3, s2, p1) [16, 14, 14] → ReLU → Conv2d(16, 32, 3, s2, p1)
    ///          [32, 7, 7] → ReLU → Flatten [1568] → Linear(1568, 64) → ReLU → Linear(64, 2) [2]
    /// decoder: [2] → Linear(2, 64) → ReLU → Linear(64, 1568) → ReLU → Unflatten [32, 7, 7]
    ///          → ConvTranspose2d(32, 16, 3, s2, p1, op1) [16, 14, 14] → ReLU
    ///          → ConvTranspose2d(16, 1, 3, s2, p1, op1) [1, 28, 28] → Sigmoid (pixels in [0, 1])
    /// Pixels go in as they are (no normalisation layer): the output is compared with them.
    static let mnistAutoencoder: ModelArchitecture = {
        var encoder = LayerSpecification(name: "encoder", type: "Sequential")
        encoder.layers = [
            .conv2d("0", 1, 16, kernelSize: 3, stride: 2, padding: 1), .relu("1"),
            .conv2d("2", 16, 32, kernelSize: 3, stride: 2, padding: 1), .relu("3"),
            .flatten("4"), .linear("5", 32 * 7 * 7, 64), .relu("6"), .linear("7", 64, 2),
        ]
        var decoder = LayerSpecification(name: "decoder", type: "Sequential")
        decoder.layers = [
            .linear("0", 2, 64), .relu("1"), .linear("2", 64, 32 * 7 * 7), .relu("3"), .unflatten("4", [32, 7, 7]),
            .convTranspose2d("5", 32, 16, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1), .relu("6"),
            .convTranspose2d("7", 16, 1, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1),
            LayerSpecification(name: "8", type: "Sigmoid"),
        ]
        return ModelArchitecture(name: "mnist-autoencoder", inputShape: [1, 28, 28], classNames: [], layers: [encoder, decoder],
                                 outputShape: [1, 28, 28])
    }()
}
