import LessonSupport
import TensorEngine

/// What one call of an exercise says on the wire.
///
/// Request: the function's key (`"01/activations(of:at:for:)"`: the lesson and the stub's name),
/// then its arguments in order. Response: an outcome byte, then
/// - `returned`: the result, then the effects of the call on each `Module` argument, in order;
/// - `notStarted`: the stub's `ExerciseNotStarted` (exercise, function, file);
/// - `unknownMistake`: `WORKBOOK_MISTAKE` or `WORKBOOK_VARIANT` named an id the exercise lacks;
/// - `threw`: any other error, as its description (what a test would print or compare).
///
/// Messages are framed by `WireFrame`.
public enum WireOutcome: UInt8, Sendable {
    case returned = 0, notStarted, unknownMistake, threw
}

/// What a call left on a network it was given: the hooks still registered on each module and
/// parameter (the lessons check that a student's function removes its hooks) and each module's
/// mode. The judge replays them on its own network, so the graders see what they would have
/// seen had the call run in their process.
public struct ModuleEffects: Sendable, Equatable {
    /// Per module, in `namedModules()` order: hooks registered (forward + backward) and the mode.
    public var modules: [(hooks: Int, training: Bool)]
    /// Per parameter, in `namedParameters()` order: gradient hooks registered.
    public var parameterHooks: [Int]
    /// Per parameter, in order: the gradient the call left (nil: none).
    public var gradients: [[Float]?] = []
    /// The state tensors (`stateDictionary()` order) whose values the call changed, with their values.
    public var changedState: [WirePair<Int, [Float]>] = []

    /// More hooks than any call leaves (a student's forgotten hooks are one or two per layer): a
    /// damaged answer cannot make the judge register millions.
    public static let maximumHooks = 1024

    /// What the call left on `module`; `before` is its state's values before the call.
    public init(of module: Module, stateBefore before: [[Float]]? = nil) {
        modules = module.namedModules().map { ($0.module.hookCount, $0.module.isTraining) }
        parameterHooks = module.parameters().map(\.gradientHookCount)
        gradients = module.parameters().map { $0.grad?.data }
        if let before {
            for (index, (_, tensor)) in module.stateDictionary().enumerated() where index < before.count {
                if tensor.data.map(\.bitPattern) != before[index].map(\.bitPattern) { changedState.append(WirePair(index, tensor.data)) }
            }
        }
    }

    public static func == (a: ModuleEffects, b: ModuleEffects) -> Bool {
        a.parameterHooks == b.parameterHooks && a.modules.map(\.hooks) == b.modules.map(\.hooks)
            && a.modules.map(\.training) == b.modules.map(\.training) && a.gradients == b.gradients
            && a.changedState.map(\.first) == b.changedState.map(\.first) && a.changedState.map(\.second) == b.changedState.map(\.second)
    }

    public func encode(into writer: inout WireWriter) {
        writer.write(modules.count)
        for (hooks, training) in modules { writer.write(hooks); writer.write(UInt8(training ? 1 : 0)) }
        writer.write(parameterHooks.count)
        for hooks in parameterHooks { writer.write(hooks) }
        try? gradients.encode(into: &writer)
        try? changedState.encode(into: &writer)
    }

    public static func decode(from reader: inout WireReader) throws -> ModuleEffects {
        var effects = ModuleEffects(modules: [], parameterHooks: [])
        let count = try reader.readCount("a module's effects", elementSize: 9)
        for _ in 0..<count {
            let hooks = try reader.readInt("a module's hook count")
            guard (0...Self.maximumHooks).contains(hooks) else { throw WireError("\(hooks) hooks (at most \(Self.maximumHooks))") }
            effects.modules.append((hooks, try reader.readUInt8("a module's mode") == 1))
        }
        let parameters = try reader.readCount("the parameters' hooks", elementSize: 8)
        for _ in 0..<parameters {
            let hooks = try reader.readInt("a parameter's hook count")
            guard (0...Self.maximumHooks).contains(hooks) else { throw WireError("\(hooks) hooks (at most \(Self.maximumHooks))") }
            effects.parameterHooks.append(hooks)
        }
        effects.gradients = try [[Float]?].decode(from: &reader)
        effects.changedState = try [WirePair<Int, [Float]>].decode(from: &reader)
        return effects
    }

    init(modules: [(hooks: Int, training: Bool)], parameterHooks: [Int]) {
        self.modules = modules; self.parameterHooks = parameterHooks
    }

    /// Whether these effects fit `module` (the network the call was given): as many modules and
    /// parameters. Checked before anything is replayed.
    public func check(against module: Module) throws {
        let modules = module.namedModules().count, parameters = module.parameters().count
        guard modules == self.modules.count, parameters == parameterHooks.count, parameters == gradients.count else {
            throw WireError("the runner reports effects on \(self.modules.count) modules and \(parameterHooks.count) parameters, the network has \(modules) and \(parameters)")
        }
        for (parameter, gradient) in zip(module.parameters(), gradients) where gradient != nil && gradient!.count != parameter.count {
            throw WireError("a gradient of \(gradient!.count) values for a parameter of \(parameter.count)")
        }
        let state = module.stateDictionary()
        for change in changedState where !state.indices.contains(change.first) || state[change.first].tensor.count != change.second.count {
            throw WireError("a change of state tensor \(change.first) that the network does not have")
        }
    }

    /// Leaves the same on `module` (the judge's network, which the runner's copy was made from):
    /// as many inert hooks as the call left on each module and parameter, and each module's mode.
    public func replay(on module: Module) throws {
        let named = module.namedModules(), parameters = module.parameters()
        guard named.count == modules.count, parameters.count == parameterHooks.count else {
            throw WireError("the runner reports effects on \(modules.count) modules and \(parameterHooks.count) parameters, the network has \(named.count) and \(parameters.count)")
        }
        // `named` is in pre-order, so a module's mode is set before its descendants'.
        for ((_, layer), effect) in zip(named, modules) {
            if effect.training != layer.isTraining { effect.training ? layer.train() : layer.eval() }
        }
        for ((_, layer), effect) in zip(named, modules) where effect.hooks > 0 {
            for _ in 0..<effect.hooks { layer.registerForwardHook { _, _, _ in } }
        }
        for (parameter, hooks) in zip(parameters, parameterHooks) where hooks > 0 {
            for _ in 0..<hooks { parameter.registerGradientHook { _ in nil } }
        }
        // The gradients the call left (a forgotten zeroGrad shows here as it would in-process)
        // and the values it changed (a step taken on the weights).
        for (parameter, gradient) in zip(parameters, gradients) { try parameter.replaceGradient(with: gradient) }
        let state = module.stateDictionary()
        for change in changedState { try state[change.first].tensor.assign(change.second) }
    }
}

/// A message on a pipe: `WBW1`, the payload's length (8 bytes, little-endian), the payload.
public enum WireFrame {
    public static let magic: [UInt8] = Array("WBW1".utf8)
    /// The largest message either side accepts (512 MiB): far above the largest call (a batch of
    /// 224×224 colour images is ~100 MB), far below the 4 GiB each grading process may use.
    public static let maximumBytes = 1 << 29

    public static func header(length: Int) -> [UInt8] {
        var writer = WireWriter()
        writer.write(UInt64(length))
        return magic + writer.bytes
    }

    /// The payload's length from a 12-byte header.
    public static func length(ofHeader header: [UInt8]) throws -> Int {
        guard header.count == 12, Array(header.prefix(4)) == magic else { throw WireError("a message that does not start with WBW1") }
        var reader = WireReader(Array(header.suffix(8)))
        let length = try reader.readUInt64("a message's length")
        guard length <= UInt64(maximumBytes) else { throw WireError("a message of \(length) bytes (at most \(maximumBytes))") }
        return Int(length)
    }
}
