import TensorEngine

/// A network crosses the wire as its layers (type, settings, names, training mode) followed by
/// its state dictionary, and is rebuilt on the other side from the same layer classes: the
/// runner's copy computes exactly what the judge's would. Hooks stay behind (they are closures);
/// what a call leaves on the copy comes back as `ModuleEffects`.
///
/// The layers the lessons' networks use are known; any other module is refused with its type's
/// name, never approximated.
extension Module: WireCodable {
    public func encode(into writer: inout WireWriter) throws {
        writer.write(WireTag.module.rawValue)
        try ModuleWire.encodeLayers(self, into: &writer)
        let state = stateDictionary()
        writer.write(state.count)
        for (name, tensor) in state {
            writer.write(name)
            writer.write(tensor.shape.count)
            for side in tensor.shape { writer.write(side) }
            writer.write(tensor.data)
        }
    }

    public static func decode(from reader: inout WireReader) throws -> Self {
        try reader.expect(.module, "a Module")
        var depth = 0
        var modes: [(Module, Bool)] = []
        let module = try ModuleWire.decodeLayers(from: &reader, depth: &depth, modes: &modes)
        // `modes` is in post-order (children before their parent); reversed, every module comes
        // before its descendants, so each ends in its own mode (`train()` and `eval()` recurse).
        for (layer, training) in modes.reversed() { if training { layer.train() } else { layer.eval() } }
        let count = try reader.readCount("a state dictionary", elementSize: 24)
        var state: [String: Tensor] = [:]
        for _ in 0..<count {
            let name = try reader.readString("a state tensor's name")
            let rank = try reader.readCount("\(name)'s shape", elementSize: 8)
            guard rank <= 8 else { throw WireError("\(name) has rank \(rank)") }
            let shape = try (0..<rank).map { _ in try reader.readInt("\(name)'s side") }
            let data = try reader.readFloats(name)
            var elements: Int? = 1
            for side in shape { elements = side < 0 ? nil : elements.flatMap { let (p, o) = $0.multipliedReportingOverflow(by: side); return o ? nil : p } }
            guard elements == data.count else { throw WireError("\(name): shape \(shape) with \(data.count) values") }
            state[name] = try Tensor(shape: shape, data: data)
        }
        do { try module.loadStateDictionary(state) } catch { throw WireError("the module's state does not fit its layers: \(error)") }
        guard let typed = module as? Self else { throw WireError("expected a \(Self.self), the message holds a \(type(of: module))") }
        return typed
    }
}

enum ModuleWire {
    /// Deeper nesting than any lesson's network is refused (a hostile message cannot recurse far).
    static let maximumDepth = 16

    static func encodeLayers(_ module: Module, into writer: inout WireWriter) throws {
        writer.write(module.isTraining ? UInt8(1) : 0)
        switch module {
        case let layer as Conv2d:
            writer.write("Conv2d")
            for value in [layer.weight.shape[1], layer.weight.shape[0], layer.weight.shape[2], layer.stride, layer.padding, layer.bias == nil ? 0 : 1] { writer.write(value) }
        case let layer as ConvTranspose2d:
            writer.write("ConvTranspose2d")
            for value in [layer.weight.shape[0], layer.weight.shape[1], layer.weight.shape[2], layer.stride, layer.padding, layer.outputPadding,
                          layer.bias == nil ? 0 : 1] { writer.write(value) }
        case let layer as Linear:
            writer.write("Linear")
            for value in [layer.weight.shape[1], layer.weight.shape[0], layer.bias == nil ? 0 : 1] { writer.write(value) }
        case let layer as BatchNorm2d:
            writer.write("BatchNorm2d")
            writer.write(layer.weight.count); writer.write([layer.momentum, layer.epsilon])
        case let layer as MaxPool2d:
            writer.write("MaxPool2d")
            for value in [layer.kernelSize, layer.stride, layer.padding] { writer.write(value) }
        case let layer as AvgPool2d:
            writer.write("AvgPool2d")
            for value in [layer.kernelSize, layer.stride, layer.padding] { writer.write(value) }
        case let layer as AdaptiveAvgPool2d:
            writer.write("AdaptiveAvgPool2d")
            writer.write(layer.height); writer.write(layer.width)
        case let layer as Unflatten:
            writer.write("Unflatten")
            writer.write(layer.shape.count); for side in layer.shape { writer.write(side) }
        case let layer as Dropout:
            writer.write("Dropout")
            writer.write([layer.probability])
        case let layer as Normalize:
            writer.write("Normalize")
            writer.write(layer.mean); writer.write(layer.std)
        case is ReLU: writer.write("ReLU")
        case is Sigmoid: writer.write("Sigmoid")
        case is Tanh: writer.write("Tanh")
        case is Identity: writer.write("Identity")
        case is GlobalAvgPool2d: writer.write("GlobalAvgPool2d")
        case is Flatten: writer.write("Flatten")
        case is Sequential:
            writer.write("Sequential")
            writer.write(module.children.count)
            for (name, child) in module.children {
                writer.write(name)
                try encodeLayers(child, into: &writer)
            }
        default:
            throw WireError("a \(module.typeName) module cannot be sent to the lesson runner (known: the layers of TensorEngine's Layers.swift and Sequential)")
        }
        guard module is Sequential || module.children.isEmpty else {
            throw WireError("a \(module.typeName) with children cannot be sent to the lesson runner")
        }
    }

    static func decodeLayers(from reader: inout WireReader, depth: inout Int, modes: inout [(Module, Bool)]) throws -> Module {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maximumDepth else { throw WireError("modules nested deeper than \(maximumDepth)") }
        let training = try reader.readUInt8("a module's mode") == 1
        let type = try reader.readString("a module's type")
        var generator = SeededGenerator(seed: 0)     // every parameter is overwritten by the state
        func int(_ what: String, _ range: ClosedRange<Int> = 0...(1 << 16)) throws -> Int {
            let value = try reader.readInt("\(type)'s \(what)")
            guard range.contains(value) else { throw WireError("\(type)'s \(what) is \(value), outside \(range)") }
            return value
        }
        let module: Module
        switch type {
        case "Conv2d":
            let (input, output, kernel) = (try int("in_channels", 1...(1 << 16)), try int("out_channels", 1...(1 << 16)), try int("kernel_size", 1...64))
            let (stride, padding, bias) = (try int("stride", 1...64), try int("padding", 0...64), try int("bias", 0...1))
            try checkParameters(input * output * kernel * kernel, type, remaining: reader.remaining)
            module = Conv2d(input, output, kernelSize: kernel, stride: stride, padding: padding, bias: bias == 1, generator: &generator)
        case "ConvTranspose2d":
            let (input, output, kernel) = (try int("in_channels", 1...(1 << 16)), try int("out_channels", 1...(1 << 16)), try int("kernel_size", 1...64))
            let (stride, padding, outputPadding, bias) = (try int("stride", 1...64), try int("padding", 0...64), try int("output_padding", 0...64), try int("bias", 0...1))
            try checkParameters(input * output * kernel * kernel, type, remaining: reader.remaining)
            module = ConvTranspose2d(input, output, kernelSize: kernel, stride: stride, padding: padding, outputPadding: outputPadding,
                                     bias: bias == 1, generator: &generator)
        case "Linear":
            let (input, output, bias) = (try int("in_features", 1...(1 << 24)), try int("out_features", 1...(1 << 24)), try int("bias", 0...1))
            try checkParameters(input.multipliedReportingOverflow(by: output).overflow ? Int.max : input * output, type, remaining: reader.remaining)
            module = Linear(input, output, bias: bias == 1, generator: &generator)
        case "BatchNorm2d":
            let channels = try int("num_features", 1...(1 << 16))
            let settings = try reader.readFloats("BatchNorm2d's momentum and epsilon")
            guard settings.count == 2 else { throw WireError("BatchNorm2d needs a momentum and an epsilon") }
            module = BatchNorm2d(channels, momentum: settings[0], epsilon: settings[1])
        case "MaxPool2d", "AvgPool2d":
            let (kernel, stride, padding) = (try int("kernel_size", 1...256), try int("stride", 1...256), try int("padding", 0...128))
            module = type == "MaxPool2d" ? MaxPool2d(kernel, stride: stride, padding: padding) : AvgPool2d(kernel, stride: stride, padding: padding)
        case "AdaptiveAvgPool2d":
            module = AdaptiveAvgPool2d(try int("height", 1...4096), try int("width", 1...4096))
        case "Unflatten":
            let rank = try int("rank", 1...8)
            module = Unflatten(try (0..<rank).map { _ in try int("side", 1...(1 << 24)) })
        case "Dropout":
            let p = try reader.readFloats("Dropout's probability")
            guard p.count == 1, p[0] >= 0, p[0] <= 1 else { throw WireError("Dropout's probability must be one value in [0, 1]") }
            module = Dropout(p[0])
        case "Normalize":
            let mean = try reader.readFloats("Normalize's mean"), std = try reader.readFloats("Normalize's std")
            guard mean.count == std.count else { throw WireError("Normalize: \(mean.count) means, \(std.count) deviations") }
            module = Normalize(mean: mean, std: std)
        case "ReLU": module = ReLU()
        case "Sigmoid": module = Sigmoid()
        case "Tanh": module = Tanh()
        case "Identity": module = Identity()
        case "GlobalAvgPool2d": module = GlobalAvgPool2d()
        case "Flatten": module = Flatten()
        case "Sequential":
            let count = try reader.readCount("Sequential's layers", elementSize: 2)
            var layers: [(String, Module)] = []
            for _ in 0..<count {
                let name = try reader.readString("a layer's name")
                guard !name.isEmpty, !name.contains(".") else { throw WireError("a layer named '\(name)'") }
                layers.append((name, try decodeLayers(from: &reader, depth: &depth, modes: &modes)))
            }
            guard Set(layers.map(\.0)).count == layers.count else { throw WireError("Sequential with two layers of the same name") }
            module = Sequential(named: layers)
        default:
            throw WireError("unknown module type '\(type)'")
        }
        modes.append((module, training))
        return module
    }

    /// A layer whose weights would take more than the wire can carry is refused before it is built.
    /// (The state dictionary after the layers carries every weight as 4 bytes: a layer asking for
    /// more weights than the message has bytes left is refused before anything is allocated.)
    static func checkParameters(_ count: Int, _ type: String, remaining: Int) throws {
        guard count > 0, count <= 1 << 28, count <= remaining / 4 else { throw WireError("\(type) with \(count) weights in a message of \(remaining) bytes left") }
    }
}
