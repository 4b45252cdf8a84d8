#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LessonSupport
import TensorEngine

/// One exercise as the lesson runner serves it: reads the arguments, calls the function the
/// grading mode selects (the student's, in the student edition the only one there is), and
/// writes the outcome.
public struct RunnerEntry: Sendable {
    let respond: @Sendable (inout WireReader) throws -> [UInt8]

    /// `function` takes the exercise's arguments in order and returns its result.
    public init<each A: WireCodable, R: WireCodable>(_ function: @escaping @Sendable (repeat each A) throws -> R) {
        respond = { reader in
            let arguments = (repeat try (each A).decode(from: &reader))
            var modules: [Module] = []
            for argument in repeat each arguments { if let module = argument as? Module { modules.append(module) } }
            let recorder = ForwardRecorder()
            for (index, module) in modules.enumerated() {
                try recorder.observe(module, index: index, paths: try [String].decode(from: &reader))
            }
            guard reader.isAtEnd else { throw WireError("\(reader.remaining) bytes after the last argument") }
            let before = modules.map { $0.stateDictionary().map(\.tensor.data) }
            var tensors: [Tensor] = []
            for argument in repeat each arguments { if let tensor = argument as? Tensor { tensors.append(tensor) } }
            let result: R
            do { result = try function(repeat each arguments) } catch { recorder.stop(); throw error }
            recorder.stop()
            var writer = WireWriter()
            writer.write(WireOutcome.returned.rawValue)
            try result.encode(into: &writer)
            for (module, state) in zip(modules, before) { ModuleEffects(of: module, stateBefore: state).encode(into: &writer) }
            try recorder.calls.encode(into: &writer)
            // What the call left on each tensor argument: whether it asks for gradients, its gradient.
            try tensors.map { WirePair($0.requiresGrad, $0.grad?.data) }.encode(into: &writer)
            return writer.bytes
        }
    }

    /// The function the grading mode selects, chosen at each call (`Exercise.graded(student:)`
    /// throws for a mode it cannot serve: the call's error, not the runner's).
    public init<each A: WireCodable, R: WireCodable>(selecting select: @escaping @Sendable () throws -> (repeat each A) throws -> R) {
        self.init { (arguments: repeat each A) throws -> R in try select()(repeat each arguments) }
    }

    /// The same, for a result that is not `WireCodable` (a labelled tuple), converted first.
    public init<each A: WireCodable, R, W: WireCodable>(selecting select: @escaping @Sendable () throws -> (repeat each A) throws -> R,
                                                        sending convert: @escaping @Sendable (R) -> W) {
        self.init { (arguments: repeat each A) throws -> W in convert(try select()(repeat each arguments)) }
    }

    /// A result that is not `WireCodable` (a labelled tuple), converted first.
    public init<each A: WireCodable, R, W: WireCodable>(_ function: @escaping @Sendable (repeat each A) throws -> R,
                                                        sending convert: @escaping @Sendable (R) -> W) {
        self.init { (arguments: repeat each A) throws -> W in convert(try function(repeat each arguments)) }
    }
}

/// The lesson runner's loop: one request in on descriptor 0, one response out on descriptor 3,
/// until the judge closes its end. Descriptors 1 and 2 (whatever the student's code prints) go
/// to a log the judge reads only to quote a crash.
public enum LessonRunnerServer {
    public static let requestDescriptor: Int32 = 0
    public static let responseDescriptor: Int32 = 3

    public static func serve(_ entries: [String: RunnerEntry]) -> Never {
        while true {
            let request: [UInt8]
            do { request = try WirePipe.receive(from: requestDescriptor, deadline: nil) } catch { exit(0) }   // the judge is done
            // The request's number, echoed first in the answer.
            guard request.count >= 8 else { exit(0) }
            let answer = Array(request.prefix(8)) + respond(to: Array(request.dropFirst(8)), entries)
            do { try WirePipe.send(answer, to: responseDescriptor) } catch { exit(0) }
        }
    }

    static func respond(to request: [UInt8], _ entries: [String: RunnerEntry]) -> [UInt8] {
        var reader = WireReader(request)
        var writer = WireWriter()
        do {
            let key = try reader.readString("the function's key")
            guard let entry = entries[key] else { throw WireError("this runner has no exercise \(key)") }
            return try entry.respond(&reader)
        } catch let error as ExerciseNotStarted {
            writer.write(WireOutcome.notStarted.rawValue)
            writer.write(error.exercise); writer.write(error.function); writer.write(error.file)
        } catch let error as UnknownMistake {
            writer.write(WireOutcome.unknownMistake.rawValue)
            writer.write(error.exercise); writer.write(error.id); writer.write(error.kind)
            writer.write(error.known.count); for id in error.known { writer.write(id) }
        } catch {
            writer.write(WireOutcome.threw.rawValue)
            writer.write(String(describing: error))
        }
        return writer.bytes
    }
}

/// One forward pass through a module the graders watch (a test registered a forward hook on it):
/// recorded in the runner, replayed on the graders' module (`Module.replayForwardHooks`).
public struct ForwardCall: WireCodable {
    /// Which `Module` argument of the call (0 for the first), and the module's path in it.
    public var argument: Int
    public var path: String
    public var gradientsEnabled: Bool
    public var input: Tensor
    public var output: Tensor

    public func encode(into writer: inout WireWriter) throws {
        writer.record("ForwardCall")
        argument.encode(into: &writer); path.encode(into: &writer); gradientsEnabled.encode(into: &writer)
        input.encode(into: &writer); output.encode(into: &writer)
    }

    public static func decode(from reader: inout WireReader) throws -> ForwardCall {
        try reader.record("ForwardCall")
        return ForwardCall(argument: try Int.decode(from: &reader), path: try String.decode(from: &reader),
                           gradientsEnabled: try Bool.decode(from: &reader), input: try Tensor.decode(from: &reader),
                           output: try Tensor.decode(from: &reader))
    }
}

/// Records the forward passes through the watched modules of a call, in order.
final class ForwardRecorder {
    private(set) var calls: [ForwardCall] = []
    private var handles: [HookHandle] = []

    func observe(_ module: Module, index: Int, paths: [String]) throws {
        for path in paths {
            let watched: Module
            do { watched = try module.module(named: path) } catch { throw WireError("no module '\(path)' to watch") }
            handles.append(watched.registerForwardHook { [unowned self] _, input, output in
                self.calls.append(ForwardCall(argument: index, path: path, gradientsEnabled: GradientMode.isEnabled,
                                              input: Tensor.constant(input), output: Tensor.constant(output)))
            })
        }
    }

    /// Removes the recording hooks (before the call's effects are read: they are not the student's).
    func stop() {
        for handle in handles { handle.remove() }
        handles = []
    }
}
