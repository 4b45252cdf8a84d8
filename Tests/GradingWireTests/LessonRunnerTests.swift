import Foundation
@testable import GradingWire
import LessonSupport
import TensorEngine
import TestSupport
import Testing

/// The judge and the lesson runner, as two processes: calls come back with the same bits, the
/// student's errors as errors, a crash, an endless loop or scribbles on the wire cost the one
/// call (the next starts a new runner), and the runner gets no variable of the judge's.
@Suite("Grading wire: the lesson runner", .serialized, .maintainers)
struct LessonRunnerTests {
    /// `.build/debug/lesson-runner`, built with the tests (`swift build --build-tests`).
    static let executable: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/lesson-runner").path
    }()

    func client(timeLimit: Double = 60, mode: [String: String] = [:]) throws -> LessonRunnerClient {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build the runner first: swift build --build-tests")
        return LessonRunnerClient(executable: Self.executable, user: nil, timeLimit: timeLimit, mode: mode)
    }

    @Test("a network and an input cross to the runner and the output comes back bit for bit")
    func forward() throws {
        let runner = try client()
        defer { runner.stop() }
        let model = try ModuleWireTests.network()
        model.eval()
        var generator = SeededGenerator(seed: 9)
        let input = Tensor.randomNormal([3, 2, 8, 8], using: &generator)
        let received: Tensor = try runner.call("wire/forward", model as Module, input)
        let expected = try model(input)
        #expect(received.shape == expected.shape)
        #expect(received.data.map(\.bitPattern) == expected.data.map(\.bitPattern))
    }

    @Test("hooks the call left and its mode change reach the judge's network")
    func sideEffects() throws {
        let runner = try client()
        defer { runner.stop() }
        let model = try ModuleWireTests.network()
        model.eval()
        let count: Int = try runner.call("wire/leave-hooks", model as Module, "features.conv", 2)
        #expect(count == 2)
        #expect(model.liveHookCount == 2)
        #expect(try model.module(named: "features.conv").hookCount == 2)
        #expect(model.isTraining && model.namedModules().allSatisfy(\.module.isTraining))
    }

    @Test("gradients the call left on the network and on its input, and weights it moved, reach the judge's")
    func gradientsAndState() throws {
        let runner = try client()
        defer { runner.stop() }
        let model = try ModuleWireTests.network(), twin = try ModuleWireTests.network()
        model.eval(); twin.eval()
        var generator = SeededGenerator(seed: 2)
        let input = Tensor.randomNormal([2, 2, 8, 8], using: &generator), twinInput = input.detached()
        let weights = model.parameters()[0].data
        let _: Int = try runner.call("wire/leave-gradients", model as Module, input)
        // The same in this process, on the twin.
        twinInput.requiresGrad = true
        try twin(twinInput).sum().backward()
        #expect(input.requiresGrad && input.grad?.data == twinInput.grad?.data)
        for (received, expected) in zip(model.parameters(), twin.parameters()) {
            #expect(received.grad?.data == expected.grad?.data)
        }
        #expect(model.parameters()[0].data == weights.map { $0 + 1 })
        #expect(model.parameters()[1].data == twin.parameters()[1].data)
    }

    @Test("a stub's 'not started', a thrown error and an unknown key come back as errors")
    func errors() throws {
        let runner = try client()
        defer { runner.stop() }
        // (Not a lesson's stub: the student edition's self-test runs this with the lessons solved.)
        #expect { let _: Int = try runner.call("wire/not-started", "9.9") } throws: { error in
            (error as? ExerciseNotStarted)?.exercise == "9.9"
        }
        #expect { let _: Int = try runner.call("wire/throw", "the student's message") } throws: { error in
            "\(error)".contains("the student's message") && error is RunnerThrew
        }
        #expect { let _: Int = try runner.call("99/nothing(at:)", 1) } throws: { error in "\(error)".contains("no exercise 99/nothing(at:)") }
        // The same runner still answers.
        let text: String = try runner.call("wire/print", "printed, not on the wire")
        #expect(text == "printed, not on the wire")
    }

    /// The runner links the references where the package has them (`Solutions/`).
    static let fullEdition = FileManager.default.fileExists(atPath: URL(fileURLWithPath: executable)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Solutions").path)

    @Test("the mode selects the reference in the runner (the student edition's runner refuses)")
    func solutionsMode() throws {
        let runner = try client(mode: ["WORKBOOK_SOLUTIONS": "1"])
        defer { runner.stop() }
        let identity = Sequential(named: [("id", Identity())]) as Module
        let logits = try Tensor(shape: [2, 2], data: [Float(log(3.0)), 0, 0, 2])
        guard Self.fullEdition else {
            #expect { let _: [WirePair<Int, Float>] = try runner.call("01/confidence(of:for:)", identity, logits) } throws: { error in
                "\(error)".contains("this edition has no Solutions/")
            }
            return
        }
        let pairs: [WirePair<Int, Float>] = try runner.call("01/confidence(of:for:)", identity, logits)
        // softmax([ln 3, 0]) = (3/4, 1/4); softmax([0, 2]) = (1, e²)/(1 + e²), computed here.
        #expect(pairs.map(\.first) == [0, 1])
        #expect(abs(pairs[0].second - 0.75) < 1e-6)
        #expect(abs(Double(pairs[1].second) - exp(2) / (1 + exp(2))) < 1e-6)
    }

    @Test("a crash costs the call, with the runner's message; the next call starts a new runner")
    func crash() throws {
        let runner = try client()
        defer { runner.stop() }
        #expect { let _: Int = try runner.call("wire/crash", "boom in the runner") } throws: { error in
            guard let aborted = error as? RunnerAborted else { return false }
            return !aborted.timedOut && aborted.message.contains("crashed") && aborted.message.contains("boom in the runner")
        }
        let text: String = try runner.call("wire/print", "again")
        #expect(text == "again")
    }

    @Test("an endless call hits the time limit; the runner is replaced")
    func timeLimit() throws {
        let runner = try client(timeLimit: 1)
        defer { runner.stop() }
        // (The call sleeps 30 s: only the 1 s limit can end it, and it says so.)
        #expect { let _: Int = try runner.call("wire/hang", 30) } throws: { error in (error as? RunnerAborted)?.timedOut == true }
        let text: String = try runner.call("wire/print", "after the limit")
        #expect(text == "after the limit")
    }

    @Test("bytes written to the wire by the call make that call's answer unreadable, nothing more")
    func scribble() throws {
        let runner = try client()
        defer { runner.stop() }
        #expect { let _: String = try runner.call("wire/scribble", "passed passed passed") } throws: { error in error is RunnerAborted }
        let text: String = try runner.call("wire/print", "still grading")
        #expect(text == "still grading")
    }

    @Test("the runner gets the mode and nothing else of the judge's: no variable, no descriptor")
    func isolation() throws {
        let runner = try client(mode: ["WORKBOOK_SOLUTIONS": "1"])
        defer { runner.stop() }
        let names: [String] = try runner.call("wire/environment", 0)
        #expect(Set(names) == ["PATH", "HOME", "LANG", "SWIFT_BACKTRACE", "WORKBOOK_SOLUTIONS"], "\(names)")
        let descriptors: [Int] = try runner.call("wire/descriptors", 0)
        // 0-3, plus the one listing /dev/fd.
        #expect(descriptors.filter { $0 > 3 }.count <= 1 && Array(descriptors.prefix(4)) == [0, 1, 2, 3], "\(descriptors)")
    }

    @Test("a crash the test itself catches is still logged for the graders' trait to charge")
    func abortLogged() throws {
        let runner = try client()
        defer { runner.stop() }
        let log = RunnerAbortLog()
        RunnerAbortLog.$current.withValue(log) {
            do { let _: Int = try runner.call("wire/crash", "caught by the test") } catch {}   // as expectRealError would
        }
        #expect(log.first?.message.contains("caught by the test") == true)
    }

    @Test("calls from parallel tests each get a runner: none waits for another's endless loop")
    func parallelCalls() async throws {
        let runner = try client(timeLimit: 600)
        defer { runner.stop() }
        let slowDone = Flag()
        let slow = Task.detached { () throws -> Int in
            defer { slowDone.set() }
            return try runner.call("wire/hang", 300)
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        // Answered while the other call still runs (it would run for 5 minutes): no waiting.
        let quick: String = try runner.call("wire/print", "not held up")
        #expect(quick == "not held up")
        #expect(!slowDone.isSet, "the endless call ended before the quick one was answered")
        runner.stop()      // ends the runner still answering: its call is aborted
        await #expect(throws: RunnerAborted.self) { _ = try await slow.value }
    }

    /// Every grader forwarder (`static func` in `Graded`) sends its call, under "NN/<its name>",
    /// and the runner serves that key: an exercise left out would be graded *not started* on
    /// Gradescope, whose judge has only the stubs.
    @Test("every forwarder of every lesson is served by the runner")
    func everyForwarderServed() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["--list"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let served = Set(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init))
        process.waitUntilExit()
        let tests = URL(fileURLWithPath: Self.executable).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests")
        var keys: [String] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: tests.path).sorted() where folder.hasSuffix("LessonTests") {
            let text = try String(contentsOf: tests.appendingPathComponent("\(folder)/Implementations.swift"), encoding: .utf8)
            let graded = String(text[text.range(of: "enum Graded {")!.lowerBound...])
            let calls = graded.components(separatedBy: "runner.call(\"").dropFirst().map { $0.prefix(3) }
            let numbers = Set(calls)
            #expect(numbers.count == 1, "\(folder): keys of several lessons \(numbers)")
            for declaration in graded.components(separatedBy: "static func ").dropFirst() {
                let name = String(declaration.prefix { $0 != "(" })
                var depth = 0, parameters = "", current = ""
                for character in declaration.drop(while: { $0 != "(" }).dropFirst() {
                    if character == "(" || character == "[" || character == "<" { depth += 1 }
                    if character == ")" || character == "]" || character == ">" {
                        if depth == 0 { break }
                        depth -= 1
                    }
                    if character == "," && depth == 0 { parameters += Self.label(current); current = ""; continue }
                    current.append(character == "\n" ? " " : character)
                }
                parameters += Self.label(current)
                keys.append("\(numbers.first ?? "??")\(name)(\(parameters))")
            }
            #expect(calls.count == graded.components(separatedBy: "static func ").count - 1, "\(folder): a forwarder that does not call the runner")
        }
        #expect(keys.count >= 59)
        let missing = keys.filter { !served.contains($0) }
        #expect(missing.isEmpty, "the runner does not serve \(missing.count) key(s): \(missing.prefix(3))")
    }

    /// `"of model: Module"` → `"of:"`, `"images: Tensor"` → `"images:"`.
    static func label(_ parameter: String) -> String {
        guard let first = parameter.split(separator: " ").first else { return "" }
        return first.hasSuffix(":") ? String(first) : "\(first):"
    }
}

/// A flag set once, read from another thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
