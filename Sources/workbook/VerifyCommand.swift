import Foundation
import LessonSupport
import ModelZoo

/// `workbook verify`: proves the grading works, lesson by lesson —
/// 1. with the stubs, every test reports *not started* (none fails, none crashes);
/// 2. with the reference (`WORKBOOK_SOLUTIONS=1`), every test passes;
/// 3. every catalogued mistake fails at least one test of its own exercise.
enum VerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check that stubs report not started, solutions pass, and every catalogued mistake is caught."
    static let options = [
        OptionSpecification(name: "lesson", valueName: "N", help: "only lesson N"),
        OptionSpecification(name: "timeout", valueName: "SECONDS", help: "time limit per test process (default 300)"),
        OptionSpecification(name: "skip-build", valueName: nil, help: "the tests are already built"),
    ]

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let timeout = Double(try options.int("timeout", default: 300)!)
        if !options.has("skip-build") { try buildTests(root: root) }
        var problems: [String] = []
        for lesson in try LessonRegistry.gradedSelection(try options.int("lesson")) {
            printNow("lesson \(lesson.folder):")
            // 1. Student mode on the shipped stubs.
            let student = try TestRun.run(filter: lesson.testTarget, environment: [:], timeout: timeout, root: root)
            let graded = student.results.filter { TestRun.exercise(of: $0.name) != nil }
            let notStarted = graded.filter { $0.status == .notStarted }.count
            var line = "  stubs: \(notStarted) of \(graded.count) graded tests not started"
            if !student.completed || graded.isEmpty || notStarted != graded.count {
                let odd = graded.filter { $0.status != .notStarted }.map { "\($0.name) (\($0.status.rawValue))" }
                problems.append("\(lesson.folder) stubs: " + (student.completed ? odd.joined(separator: "; ") : "the test process did not complete"))
                line += "  ✘"
            }
            printNow(line)
            // 2. Solutions mode.
            let reference = try TestRun.run(filter: lesson.testTarget, environment: ["WORKBOOK_SOLUTIONS": "1"], timeout: timeout, root: root)
            let failed = reference.results.filter { $0.status != .passed }
            printNow("  solutions: \(reference.results.count - failed.count) of \(reference.results.count) tests pass" + (failed.isEmpty && reference.completed ? "" : "  ✘"))
            if !reference.completed || !failed.isEmpty || reference.results.isEmpty {
                problems.append("\(lesson.folder) solutions: " + (reference.completed ? failed.map(\.name).joined(separator: "; ") : "the test process did not complete"))
            }
            // 3. Every mistake is caught by its own exercise's tests.
            let exercises = Set(graded.compactMap { TestRun.exercise(of: $0.name) })
            for exercise in exercises.sorted() where !lesson.mistakes.contains(where: { $0.exercise == exercise }) {
                problems.append("\(lesson.folder): exercise \(exercise) has no catalogued mistake")
            }
            for mistake in lesson.mistakes {
                let run = try TestRun.run(filter: lesson.testTarget, environment: ["WORKBOOK_MISTAKE": "\(mistake.exercise)/\(mistake.id)"],
                                          timeout: timeout, root: root)
                let caught = run.results.filter { $0.status == .failed && TestRun.exercise(of: $0.name) == mistake.exercise }
                let status = !run.completed ? "✘ test process did not complete" : caught.isEmpty ? "✘ NOT caught" : "caught by \(caught.count) test(s)"
                printNow("  mistake \(mistake.exercise)/\(mistake.id) (\(mistake.summary)): \(status)")
                if caught.isEmpty || !run.completed {
                    problems.append("\(lesson.folder): mistake \(mistake.exercise)/\(mistake.id) is not caught")
                }
            }
        }
        if problems.isEmpty {
            printNow("verify: all good")
        } else {
            printNow("verify: \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
            Platform.exit(1)
        }
    }

    static func buildTests(root: URL) throws {
        printNow("building the tests (swift build --build-tests)…")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--build-tests"]
        process.currentDirectoryURL = root
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandLineError(message: "swift build --build-tests failed") }
    }
}
