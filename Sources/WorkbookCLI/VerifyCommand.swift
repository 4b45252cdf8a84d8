// The instructors' edition only: this command needs Solutions/ (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import Course
import Foundation
import LessonSupport
import ModelZoo

/// `workbook verify`: proves the grading works, lesson by lesson —
/// 1. with the stubs, every graded test reports *not started* (none fails, none crashes);
/// 2. with the reference (`WORKBOOK_SOLUTIONS=1`), every test passes, the reference figures too;
/// 3. every catalogued mistake fails a test of its own exercise and no test of another exercise
///    (a mistake shows up in its own exercise first, so the hint points there);
/// 4. every catalogued correct variant (another way to write an exercise) passes every test;
/// 5. an unknown mistake id is refused (every test of that exercise fails saying so), never run
///    as another mistake.
/// For a lesson whose graders take the reference through a `ReferenceBook`, every answer the graders
/// take live in steps 2–4 must equal the recorded one (so the student edition's graders, which read
/// the record, see the same answers, verdicts and messages), and step 2 runs a second time from the
/// recorded references alone, as the student edition grades: every verdict and message the same.
enum VerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check that stubs report not started, solutions pass, and every catalogued mistake is caught by its own exercise."
    static let options = [
        OptionSpecification(name: "lesson", valueName: "N", help: "only lesson N", integers: 1...99),
        OptionSpecification(name: "timeout", valueName: "SECONDS", help: "time limit per test process (default 300)", integers: 1...86_400),
        OptionSpecification(name: "skip-build", valueName: nil, help: "the tests are already built"),
    ]

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let timeout = Double(try options.int("timeout", default: 300)!)
        let lessons = try Course.selected(try options.int("lesson")).map(FullEdition.bound)
        if !options.has("skip-build") { try TestRun.buildTests(root: root) }
        var problems: [String] = []
        var mistakesChecked = 0, variantsChecked = 0
        for lesson in lessons {
            printNow("lesson \(lesson.folder):")
            let declared = Set(lesson.exercises.map(\.number))
            // 1. Student mode on the shipped stubs.
            let student = try TestRun.run(filter: lesson.testTarget, environment: [:], timeout: timeout, root: root)
            let notStarted = student.records.filter { $0.status == "not started" }.count
            let seen = Set(student.records.map(\.exercise))
            var line = "  stubs: \(notStarted) of \(student.records.count) graded tests not started"
            if !student.succeeded || student.records.isEmpty || notStarted != student.records.count || seen != declared {
                let odd = student.records.filter { $0.status != "not started" }.map { "\($0.test) (\($0.status))" }
                    + declared.subtracting(seen).sorted().map { "exercise \($0) has no test" }
                problems.append("\(lesson.folder) stubs: " + (student.completed ? odd.joined(separator: "; ") : "the test process did not complete"))
                line += "  ✘"
            }
            printNow(line)
            // 2. Solutions mode.
            let recorded = RecordReferencesCommand.recordsReferences(lesson, root: root)
            // Every live answer of the runs below is also compared with the recorded one (a line in
            // this file for each that is missing or differs): the student edition's graders, which
            // read the recorded answers, then see what these saw.
            let mismatches = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-mismatches-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: mismatches) }
            func compared(_ environment: [String: String]) -> [String: String] {
                recorded ? environment.merging(["WORKBOOK_REFERENCE_MISMATCHES": mismatches.path]) { a, _ in a } : environment
            }
            func mismatchProblems(_ what: String) -> [String] {
                guard let text = try? String(contentsOf: mismatches, encoding: .utf8), !text.isEmpty else { return [] }
                try? FileManager.default.removeItem(at: mismatches)
                let lines = Array(Set(text.split(separator: "\n").map(String.init))).sorted()
                printNow("  ✘ \(what): \(lines.count) live answer(s) not as recorded, first: \(lines[0])")
                return ["\(lesson.folder) \(what): \(lines.count) live answer(s) not as recorded (swift run workbook record-references --lesson \(lesson.number)), first: \(lines[0])"]
            }
            let reference = try TestRun.run(filter: lesson.testTarget, environment: compared(["WORKBOOK_SOLUTIONS": "1"]), timeout: timeout, root: root)
            problems += mismatchProblems("solutions")
            let failed = reference.records.filter { $0.status != "passed" }
            printNow("  solutions: \(reference.records.count - failed.count) of \(reference.records.count) graded tests pass"
                     + (reference.succeeded ? ", reference figures match" : "") + (failed.isEmpty && reference.succeeded ? "" : "  ✘"))
            if !reference.succeeded || !failed.isEmpty || reference.records.isEmpty {
                problems.append("\(lesson.folder) solutions: " + (failed.isEmpty ? "exit \(reference.exitCode) (a reference-figure check?)\n"
                    + reference.output.split(separator: "\n").filter { $0.contains("✘") }.prefix(6).joined(separator: "\n") : failed.map(\.test).joined(separator: "; ")))
            }
            if recorded {
                problems += try sameVerdictsWhenRecorded(lesson, live: reference, environment: ["WORKBOOK_SOLUTIONS": "1"], timeout: timeout, root: root)
            }
            // 3. Every mistake is caught by its own exercise, and only by it.
            for exercise in lesson.exercises where exercise.mistakes.isEmpty {
                problems.append("\(lesson.folder): exercise \(exercise.number) has no catalogued mistake")
            }
            for (exercise, id, summary) in Course.mistakes(of: lesson) {
                let run = try TestRun.run(filter: lesson.testTarget, environment: compared(["WORKBOOK_MISTAKE": "\(exercise)/\(id)"]), timeout: timeout, root: root)
                problems += mismatchProblems("mistake \(exercise)/\(id)")
                let caught = run.records.filter { $0.status == "failed" && $0.exercise == exercise }
                let elsewhere = Set(run.records.filter { $0.status != "passed" && $0.exercise != exercise }.map(\.exercise)).sorted()
                var status = caught.isEmpty ? "✘ NOT caught" : "caught by \(caught.count) test(s)"
                if !elsewhere.isEmpty { status += "; ✘ also fails exercise \(elsewhere.joined(separator: ", "))" }
                if !run.completed { status += "; ✘ the test process did not complete" }
                printNow("  mistake \(exercise)/\(id) (\(summary)): \(status)")
                if caught.isEmpty || !run.completed || !elsewhere.isEmpty {
                    problems.append("\(lesson.folder): mistake \(exercise)/\(id): \(status)")
                }
                mistakesChecked += 1
            }
            // 4. Every correct variant passes every test, also graded from the recorded references.
            for exercise in lesson.exercises {
                for variant in exercise.variants {
                    let environment = ["WORKBOOK_VARIANT": "\(exercise.number)/\(variant.id)"]
                    let run = try TestRun.run(filter: lesson.testTarget, environment: compared(environment), timeout: timeout, root: root)
                    problems += mismatchProblems("variant \(exercise.number)/\(variant.id)")
                    let failing = run.records.filter { $0.status != "passed" }
                    let status = run.succeeded && failing.isEmpty && !run.records.isEmpty
                        ? "passes all \(run.records.count) tests" : "✘ fails " + (failing.isEmpty ? "(exit \(run.exitCode))" : failing.map(\.test).joined(separator: "; "))
                    printNow("  variant \(exercise.number)/\(variant.id) (\(variant.summary)): \(status)")
                    if !status.hasPrefix("passes") {
                        problems.append("\(lesson.folder): correct variant \(exercise.number)/\(variant.id) \(status.dropFirst(2))"
                                        + (failing.first?.message.map { ": " + $0.prefix(200) } ?? ""))
                    }
                    variantsChecked += 1
                }
            }
            // 5. An unknown id is refused, not run as another mistake.
            if let first = lesson.exercises.first {
                let run = try TestRun.run(filter: lesson.testTarget, environment: ["WORKBOOK_MISTAKE": "\(first.number)/no-such-mistake"],
                                          timeout: timeout, root: root)
                let mine = run.records.filter { $0.exercise == first.number }
                let refused = !mine.isEmpty && mine.allSatisfy { $0.status == "failed" && ($0.message ?? "").contains("catalogues no mistake") }
                printNow("  unknown mistake \(first.number)/no-such-mistake: " + (refused ? "refused by all \(mine.count) tests" : "✘ not refused"))
                if !refused { problems.append("\(lesson.folder): an unknown mistake id is not refused") }
            }
        }
        if problems.isEmpty {
            let recordedCount = lessons.filter { RecordReferencesCommand.recordsReferences($0, root: root) }.count
            printNow("verify: all good (\(lessons.count) lessons, \(mistakesChecked) mistakes, each caught by its own exercise only; \(variantsChecked) correct variants pass; "
                     + "\(recordedCount) lesson(s) graded the same from recorded references)")
        } else {
            printNow("verify: \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
            throw ExitStatus(code: 1)
        }
    }

    /// Runs the graders again with the recorded references (`WORKBOOK_REFERENCES=recorded`, as the
    /// student edition grades) and compares every test's verdict and message with the live run:
    /// the problems found, none when recorded grading is live grading.
    static func sameVerdictsWhenRecorded(_ lesson: LessonDeclaration, live: TestRun, environment: [String: String],
                                         timeout: Double, root: URL) throws -> [String] {
        let replay = try TestRun.run(filter: lesson.testTarget, environment: environment.merging(["WORKBOOK_REFERENCES": "recorded"]) { a, _ in a },
                                     timeout: timeout, root: root)
        let what = environment.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        func verdicts(_ run: TestRun) -> [String: String] {
            Dictionary(run.records.map { ($0.test, "\($0.status): \($0.message ?? "")") }, uniquingKeysWith: { a, b in a + " | " + b })
        }
        let (a, b) = (verdicts(live), verdicts(replay))
        let differing = Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
        guard !differing.isEmpty || replay.completed != live.completed else { return [] }
        let first = differing.first.map { "\($0): live \(a[$0] ?? "—") / recorded \(b[$0] ?? "—")" } ?? "the recorded run did not complete"
        printNow("  ✘ recorded references grade differently with \(what): \(differing.count) test(s); \(first.prefix(300))")
        return ["\(lesson.folder) \(what): recorded grading differs from live grading in \(differing.count) test(s): \(first.prefix(300))"]
    }
}
#endif
