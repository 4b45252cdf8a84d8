/// The layers the reference models are built from, each a thin `Module` over an op.
/// Parameter names and layouts match PyTorch's, so a `state_dict` maps one to one.

/// `Conv2d(in, out, kernel, stride, padding)`: weight `[out, in, k, k]`, bias `[out]`.
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int, padding: Int

    /// Initialised like PyTorch's default: weight and bias uniform in ±1/√(in·k·k).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, generator: inout SeededGenerator) {
        let fanIn = inChannels * kernelSize * kernelSize
        weight = Initializer.pytorchDefault([outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator)
        self.bias = bias ? Initializer.pytorchDefault([outChannels], fanIn: fanIn, using: &generator) : nil
        self.stride = stride
        self.padding = padding
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override var argumentsDescription: String {
        "\(weight.shape[1]), \(weight.shape[0]), kernel_size=\(weight.shape[2])" + (stride != 1 ? ", stride=\(stride)" : "") + (padding != 0 ? ", padding=\(padding)" : "")
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.conv2d(weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding))
    }
}

/// `ConvTranspose2d(in, out, kernel, stride, padding, output_padding)`: weight `[in, out, k, k]`
/// (PyTorch's layout, input channels first), bias `[out]`. The decoder's upsampling layer: a 7×7
/// map with kernel 3, stride 2, padding 1 and output padding 1 becomes 14×14.
public final class ConvTranspose2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int, padding: Int, outputPadding: Int

    /// Initialised like PyTorch's default, whose fan-in is read from the weight's second axis:
    /// here `out·k·k`, so weight and bias are uniform in ±1/√(out·k·k).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, bias: Bool = true, generator: inout SeededGenerator) {
        let fanIn = outChannels * kernelSize * kernelSize
        weight = Initializer.pytorchDefault([inChannels, outChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator)
        self.bias = bias ? Initializer.pytorchDefault([outChannels], fanIn: fanIn, using: &generator) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override var argumentsDescription: String {
        "\(weight.shape[0]), \(weight.shape[1]), kernel_size=\(weight.shape[2])" + (stride != 1 ? ", stride=\(stride)" : "")
            + (padding != 0 ? ", padding=\(padding)" : "") + (outputPadding != 0 ? ", output_padding=\(outputPadding)" : "")
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.convTranspose2d(weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
                                  outputPadding: (outputPadding, outputPadding))
    }
}

/// `Linear(in, out)`: weight `[out, in]`, bias `[out]`.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    /// Initialised like PyTorch's default: uniform in ±1/√in.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) {
        weight = Initializer.pytorchDefault([outFeatures, inFeatures], fanIn: inFeatures, using: &generator)
        self.bias = bias ? Initializer.pytorchDefault([outFeatures], fanIn: inFeatures, using: &generator) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override var argumentsDescription: String { "\(weight.shape[1]), \(weight.shape[0])" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
    }
}

/// `BatchNorm2d(channels)`: parameters `weight` (γ, ones) and `bias` (β, zeros); buffers
/// `running_mean`, `running_var` and `num_batches_tracked` (an integer in PyTorch, stored here as
/// a Float scalar and written to files as int64).
public final class BatchNorm2d: Module {
    public let weight: Tensor, bias: Tensor
    public let runningMean: Tensor, runningVariance: Tensor, batchesTracked: Tensor
    public let momentum: Float, epsilon: Float

    public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = .ones([channels]); bias = .zeros([channels])
        runningMean = .zeros([channels]); runningVariance = .ones([channels])
        batchesTracked = .zeros([])
        self.momentum = momentum; self.epsilon = epsilon
        super.init()
        registerParameter("weight", weight); registerParameter("bias", bias)
        registerBuffer("running_mean", runningMean); registerBuffer("running_var", runningVariance)
        registerBuffer("num_batches_tracked", batchesTracked)
    }

    public override var argumentsDescription: String { "\(weight.count)" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        if isTraining { batchesTracked.data[0] += 1 }
        return try input.batchNorm2d(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                     training: isTraining, momentum: momentum, epsilon: epsilon)
    }
}

/// Element-wise max(x, 0).
public final class ReLU: Module {
    public override func forward(_ input: Tensor) throws -> Tensor { input.relu() }
}

/// Element-wise logistic sigmoid.
public final class Sigmoid: Module {
    public override func forward(_ input: Tensor) throws -> Tensor { input.sigmoid() }
}

/// Element-wise tanh.
public final class Tanh: Module {
    public override func forward(_ input: Tensor) throws -> Tensor { input.tanh() }
}

/// Passes its input through unchanged (a placeholder, or a place to hang hooks).
public final class Identity: Module {
    public override func forward(_ input: Tensor) throws -> Tensor { input }
}

/// `MaxPool2d(kernel, stride = kernel, padding = 0)`.
public final class MaxPool2d: Module {
    public let kernelSize: Int, stride: Int, padding: Int
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        super.init()
    }
    public override var argumentsDescription: String { "kernel_size=\(kernelSize)" + (stride != kernelSize ? ", stride=\(stride)" : "") }
    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.maxPool2d(kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
    }
}

/// `AvgPool2d(kernel, stride = kernel, padding = 0)` (padding counts as zeros, as in PyTorch).
public final class AvgPool2d: Module {
    public let kernelSize: Int, stride: Int, padding: Int
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        super.init()
    }
    public override var argumentsDescription: String { "kernel_size=\(kernelSize)" + (stride != kernelSize ? ", stride=\(stride)" : "") }
    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.avgPool2d(kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
    }
}

/// `AdaptiveAvgPool2d((height, width))`: `[N, C, H, W]` → `[N, C, height, width]` whatever H and W.
public final class AdaptiveAvgPool2d: Module {
    public let height: Int, width: Int
    public init(_ height: Int, _ width: Int) {
        self.height = height; self.width = width
        super.init()
    }
    public override var argumentsDescription: String { "output_size=(\(height), \(width))" }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.adaptiveAvgPool2d(outputSize: (height, width)) }
}

/// Global average pooling `[N, C, H, W]` → `[N, C]` (PyTorch: `AdaptiveAvgPool2d(1)` + `Flatten()`).
public final class GlobalAvgPool2d: Module {
    public override func forward(_ input: Tensor) throws -> Tensor { try input.globalAveragePool() }
}

/// `[N, …]` → `[N, product of the rest]`.
public final class Flatten: Module {
    public override func forward(_ input: Tensor) throws -> Tensor { try input.flattened(from: 1) }
}

/// `[N, product of shape]` → `[N] + shape`: `nn.Unflatten(1, shape)`, the decoder's way back from a
/// code vector to feature maps.
public final class Unflatten: Module {
    public let shape: [Int]
    public init(_ shape: [Int]) {
        self.shape = shape
        super.init()
    }
    public override var argumentsDescription: String { "1, \(shape)" }
    public override func forward(_ input: Tensor) throws -> Tensor {
        let count = shape.reduce(1, *)
        guard input.rank == 2, input.shape[1] == count else {
            throw TensorError.shapeMismatch(operation: "Unflatten", lhs: input.shape, rhs: shape, detail: "input must be [N, \(count)]")
        }
        return try input.reshaped([input.shape[0]] + shape)
    }
}

/// Inverted dropout with its own seeded generator; the identity in evaluation mode.
public final class Dropout: Module {
    public let probability: Float
    private var generator: SeededGenerator
    public init(_ probability: Float = 0.5, seed: UInt64 = 0) {
        self.probability = probability
        generator = SeededGenerator(seed: seed)
        super.init()
    }
    public override var argumentsDescription: String { "p=\(probability)" }
    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.dropout(probability: probability, training: isTraining, using: &generator)
    }
}

/// Per-channel `(x − mean) / std`: the input normalisation as the model's first layer, so that
/// every attribution and attack works in pixel space [0, 1].
public final class Normalize: Module {
    public let mean: [Float], std: [Float]
    public init(mean: [Float], std: [Float]) {
        self.mean = mean; self.std = std
        super.init()
    }
    public override var argumentsDescription: String { "mean=\(mean), std=\(std)" }
    public override func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[1] == mean.count else {
            throw TensorError.shapeMismatch(operation: "Normalize", lhs: input.shape, rhs: [mean.count], detail: "one mean and std per channel")
        }
        // `(input − m) / s` with m and s of shape [1, C, 1, 1], as one op (the same bits).
        return input.channelNormalized(mean: mean, std: std)
    }
}

/// Runs its children in order. Children are named `"0"`, `"1"`, … unless names are given.
public final class Sequential: Module {
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { registerModule(String(i), layer) }
    }

    public init(named layers: [(String, Module)]) {
        super.init()
        for (name, layer) in layers { registerModule(name, layer) }
    }

    /// Each layer in turn; in inference a convolution and the batch norm and ReLU after it run as
    /// one pass (`InferenceFusion`: the same bits, used only when nothing can tell the difference).
    public override func forward(_ input: Tensor) throws -> Tensor {
        var x = input
        let layers = children
        var index = 0
        while index < layers.count {
            if let (output, covered) = InferenceFusion.chain(layers, at: index, x) {
                x = output; index += covered
            } else {
                x = try layers[index].module(x); index += 1
            }
        }
        return x
    }
}
