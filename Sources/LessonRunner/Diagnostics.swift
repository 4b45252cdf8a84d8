#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GradingWire
import LessonSupport
import TensorEngine

/// Calls that exercise the wire itself, for `Tests/GradingWireTests`: what a student's code can
/// do anyway (return a value, crash, loop, print, scribble on the wire), on demand.
extension RunnerTable {
    static let diagnostics: [String: RunnerEntry] = [
        // The network's output, computed here: a network that crossed the wire computes the same bits.
        "wire/forward": RunnerEntry { (model: Module, input: Tensor) in try model(input) },
        // Leaves `count` forward hooks on `layer` and switches the network to training mode.
        "wire/leave-hooks": RunnerEntry { (model: Module, layer: String, count: Int) in
            for _ in 0..<count { try model.module(named: layer).registerForwardHook { _, _, _ in } }
            model.train()
            return count
        },
        // Leaves gradients on the network and on the input (a forgotten zeroGrad) and moves the
        // first parameter by 1 (a step taken on the weights).
        "wire/leave-gradients": RunnerEntry { (model: Module, input: Tensor) in
            input.requiresGrad = true
            try model(input).sum().backward()
            let first = model.parameters()[0]
            try first.assign(first.data.map { $0 + 1 })
            return 0
        },
        // A stub's error, whatever state the lessons are in.
        "wire/not-started": RunnerEntry { (exercise: String) -> Int in throw notStarted(exercise) },
        "wire/throw": RunnerEntry { (message: String) -> Int in throw WireError(message) },
        "wire/crash": RunnerEntry { (message: String) -> Int in fatalError(message) },
        "wire/hang": RunnerEntry { (seconds: Int) -> Int in sleep(UInt32(seconds)); return seconds },
        "wire/print": RunnerEntry { (text: String) -> String in print(text); return text },
        // What the runner was given: its environment's names and its open descriptors.
        "wire/environment": RunnerEntry { (_: Int) -> [String] in ProcessInfo.processInfo.environment.keys.sorted() },
        "wire/descriptors": RunnerEntry { (_: Int) -> [Int] in
            ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/fd")) ?? []).compactMap(Int.init).sorted()
        },
        // Writes bytes that are no message to the wire, as a hostile exercise could.
        "wire/scribble": RunnerEntry { (text: String) -> String in
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(LessonRunnerServer.responseDescriptor, $0.baseAddress!, $0.count) }
            return text
        },
    ]
}
