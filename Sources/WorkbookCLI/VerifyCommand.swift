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
        OptionSpecification(name: "jobs", valueName: "N", help: "test processes at once (default: 2, or 1 on one core)", integers: 1...64),
        OptionSpecification(name: "runner", valueName: nil,
                            help: "the graders call each exercise in the lesson runner (.build/debug/lesson-runner), as the Gradescope bundle does"),
    ]

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let timeout = Double(try options.int("timeout", default: 300)!)
        let lessons = try Course.selected(try options.int("lesson")).map(FullEdition.bound)
        let jobs = try options.int("jobs", default: defaultJobs)!
        if !options.has("skip-build") { try TestRun.buildTests(root: root) }
        // Every test process of every lesson is one job; `jobs` of them run at once, each in its own
        // process group with its own results and mismatch files. Reports are printed in the order
        // below, whatever order the jobs end in, so the output is the same for any `--jobs`.
        var work: [Job] = []
        // With --runner every test process's graders call the exercises in a lesson runner (a
        // process of its own per test process): every verdict below must hold there too.
        var shared: [String: String] = [:]
        if options.has("runner") {
            let runner = root.appendingPathComponent(".build/debug/lesson-runner")
            guard FileManager.default.isExecutableFile(atPath: runner.path) else {
                throw WorkFailure(message: "verify --runner: no \(runner.path); build it with swift build --build-tests")
            }
            shared["WORKBOOK_RUNNER"] = runner.path
        }
        for lesson in lessons { work += self.jobs(of: lesson, timeout: timeout, root: root, shared: shared) }
        let outcomes = runInOrder(work, at: jobs)
        let problems = outcomes.flatMap(\.problems)
        let mistakesChecked = outcomes.filter { $0.kind == .mistake }.count
        let variantsChecked = outcomes.filter { $0.kind == .variant }.count
        if problems.isEmpty {
            let recordedCount = lessons.filter { RecordReferencesCommand.recordsReferences($0, root: root) }.count
            printNow("verify: all good (\(lessons.count) lessons, \(mistakesChecked) mistakes, each caught by its own exercise only; \(variantsChecked) correct variants pass; "
                     + "\(recordedCount) lesson(s) graded the same from recorded references)")
        } else {
            printNow("verify: \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
            throw ExitStatus(code: 1)
        }
    }

    /// Two test processes at once where there are two cores or more: most lessons' test processes
    /// keep one core busy. Measured on 2 cores (2026-12-04): the whole verify took 11.8 min one
    /// `swift test` at a time, 4.1 min two test executables at a time (SwiftPM's own start-up, about
    /// a second per run, went too).
    static var defaultJobs: Int { min(2, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// What a job checks, for the summary's counts.
    enum Kind: Sendable { case stubs, solutions, mistake, variant, unknownMistake }

    /// One test process (or two: the solutions and their replay from the recorded references) and
    /// what to make of it.
    struct Job: Sendable {
        let kind: Kind
        let work: @Sendable () -> Outcome
    }

    /// A job's report: lines to print and the problems found.
    struct Outcome: Sendable {
        var kind: Kind
        var lines: [String] = []
        var problems: [String] = []
    }

    /// Runs `work`, `count` jobs at once, printing each job's lines as soon as every job before it has
    /// printed: the output of any `count` is the output of one at a time.
    static func runInOrder(_ work: [Job], at count: Int) -> [Outcome] {
        let results = LockedValue<(outcomes: [Outcome?], printed: Int, next: Int)>((Array(repeating: nil, count: work.count), 0, 0))
        DispatchQueue.concurrentPerform(iterations: max(1, min(count, work.count))) { _ in
            while true {
                let index = results.withLock { state -> Int in defer { state.next += 1 }; return state.next }
                guard index < work.count else { return }
                let outcome = work[index].work()
                results.withLock { state in
                    state.outcomes[index] = outcome
                    while state.printed < work.count, let ready = state.outcomes[state.printed] {
                        ready.lines.forEach(printNow)
                        state.printed += 1
                    }
                }
            }
        }
        return results.withLock { $0.outcomes.compactMap { $0 } }
    }

    /// The jobs that verify one lesson: (1) the stubs, (2) the solutions (and their replay from the
    /// recorded references), (3) each mistake, (4) each variant, (5) an unknown mistake id.
    static func jobs(of lesson: LessonDeclaration, timeout: Double, root: URL, shared: [String: String] = [:]) -> [Job] {
        let declared = Set(lesson.exercises.map(\.number))
        let recorded = RecordReferencesCommand.recordsReferences(lesson, root: root)
        // Runs one test process; a process that cannot be started is a problem of its job.
        @Sendable func run(_ environment: [String: String], into outcome: inout Outcome) -> TestRun? {
            do { return try TestRun.run(filter: lesson.testTarget, environment: environment.merging(shared) { a, _ in a }, timeout: timeout, root: root, directly: true) }
            catch { outcome.problems.append("\(lesson.folder): \(error)"); outcome.lines.append("  ✘ \(error)"); return nil }
        }
        // Every live answer of the runs below is also compared with the recorded one (a line in a
        // file of the job's own for each that is missing or differs): the student edition's graders,
        // which read the recorded answers, then see what these saw.
        @Sendable func compared(_ environment: [String: String], what: String, into outcome: inout Outcome) -> TestRun? {
            guard recorded else { return run(environment, into: &outcome) }
            let mismatches = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-mismatches-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: mismatches) }
            let result = run(environment.merging(["WORKBOOK_REFERENCE_MISMATCHES": mismatches.path]) { a, _ in a }, into: &outcome)
            if let text = try? String(contentsOf: mismatches, encoding: .utf8), !text.isEmpty {
                let lines = Array(Set(text.split(separator: "\n").map(String.init))).sorted()
                outcome.lines.append("  ✘ \(what): \(lines.count) live answer(s) not as recorded, first: \(lines[0])")
                outcome.problems.append("\(lesson.folder) \(what): \(lines.count) live answer(s) not as recorded (swift run workbook record-references --lesson \(lesson.number)), first: \(lines[0])")
            }
            return result
        }
        var jobs: [Job] = []
        // 1. Student mode on the shipped stubs.
        jobs.append(Job(kind: .stubs) {
            var outcome = Outcome(kind: .stubs, lines: ["lesson \(lesson.folder):"])
            for exercise in lesson.exercises where exercise.mistakes.isEmpty {
                outcome.problems.append("\(lesson.folder): exercise \(exercise.number) has no catalogued mistake")
            }
            guard let student = run([:], into: &outcome) else { return outcome }
            let notStarted = student.records.filter { $0.status == "not started" }.count
            let seen = Set(student.records.map(\.exercise))
            var line = "  stubs: \(notStarted) of \(student.records.count) graded tests not started"
            if !student.succeeded || student.records.isEmpty || notStarted != student.records.count || seen != declared {
                let odd = student.records.filter { $0.status != "not started" }.map { "\($0.test) (\($0.status))" }
                    + declared.subtracting(seen).sorted().map { "exercise \($0) has no test" }
                outcome.problems.append("\(lesson.folder) stubs: " + (student.completed ? odd.joined(separator: "; ") : "the test process did not complete"))
                line += "  ✘"
            }
            outcome.lines.append(line)
            return outcome
        })
        // 2. Solutions mode, then (for a lesson with recorded references) the same from the record.
        jobs.append(Job(kind: .solutions) {
            var outcome = Outcome(kind: .solutions)
            guard let reference = compared(["WORKBOOK_SOLUTIONS": "1"], what: "solutions", into: &outcome) else { return outcome }
            let failed = reference.records.filter { $0.status != "passed" }
            outcome.lines.insert("  solutions: \(reference.records.count - failed.count) of \(reference.records.count) graded tests pass"
                     + (reference.succeeded ? ", reference figures match" : "") + (failed.isEmpty && reference.succeeded ? "" : "  ✘"), at: 0)
            if !reference.succeeded || !failed.isEmpty || reference.records.isEmpty {
                outcome.problems.append("\(lesson.folder) solutions: " + (failed.isEmpty ? "exit \(reference.exitCode) (a reference-figure check?)\n"
                    + reference.output.split(separator: "\n").filter { $0.contains("✘") }.prefix(6).joined(separator: "\n") : failed.map(\.test).joined(separator: "; ")))
            }
            if recorded {
                do {
                    let (lines, problems) = try sameVerdictsWhenRecorded(lesson, live: reference, environment: ["WORKBOOK_SOLUTIONS": "1"].merging(shared) { a, _ in a }, timeout: timeout, root: root)
                    outcome.lines += lines; outcome.problems += problems
                } catch { outcome.problems.append("\(lesson.folder): \(error)") }
            }
            return outcome
        })
        // 3. Every mistake is caught by its own exercise, and only by it.
        for (exercise, id, summary) in Course.mistakes(of: lesson) {
            jobs.append(Job(kind: .mistake) {
                var outcome = Outcome(kind: .mistake)
                guard let run = compared(["WORKBOOK_MISTAKE": "\(exercise)/\(id)"], what: "mistake \(exercise)/\(id)", into: &outcome) else { return outcome }
                let caught = run.records.filter { $0.status == "failed" && $0.exercise == exercise }
                let elsewhere = Set(run.records.filter { $0.status != "passed" && $0.exercise != exercise }.map(\.exercise)).sorted()
                var status = caught.isEmpty ? "✘ NOT caught" : "caught by \(caught.count) test(s)"
                if !elsewhere.isEmpty { status += "; ✘ also fails exercise \(elsewhere.joined(separator: ", "))" }
                if !run.completed { status += "; ✘ the test process did not complete" }
                outcome.lines.insert("  mistake \(exercise)/\(id) (\(summary)): \(status)", at: 0)
                if caught.isEmpty || !run.completed || !elsewhere.isEmpty {
                    outcome.problems.append("\(lesson.folder): mistake \(exercise)/\(id): \(status)")
                }
                return outcome
            })
        }
        // 4. Every correct variant passes every test, also graded from the recorded references.
        for exercise in lesson.exercises {
            for variant in exercise.variants {
                jobs.append(Job(kind: .variant) {
                    var outcome = Outcome(kind: .variant)
                    let name = "\(exercise.number)/\(variant.id)"
                    guard let run = compared(["WORKBOOK_VARIANT": name], what: "variant \(name)", into: &outcome) else { return outcome }
                    let failing = run.records.filter { $0.status != "passed" }
                    let status = run.succeeded && failing.isEmpty && !run.records.isEmpty
                        ? "passes all \(run.records.count) tests" : "✘ fails " + (failing.isEmpty ? "(exit \(run.exitCode))" : failing.map(\.test).joined(separator: "; "))
                    outcome.lines.insert("  variant \(name) (\(variant.summary)): \(status)", at: 0)
                    if !status.hasPrefix("passes") {
                        outcome.problems.append("\(lesson.folder): correct variant \(name) \(status.dropFirst(2))"
                                                + (failing.first?.message.map { ": " + $0.prefix(200) } ?? ""))
                    }
                    return outcome
                })
            }
        }
        // 5. An unknown id is refused, not run as another mistake.
        if let first = lesson.exercises.first {
            jobs.append(Job(kind: .unknownMistake) {
                var outcome = Outcome(kind: .unknownMistake)
                guard let run = run(["WORKBOOK_MISTAKE": "\(first.number)/no-such-mistake"], into: &outcome) else { return outcome }
                let mine = run.records.filter { $0.exercise == first.number }
                let refused = !mine.isEmpty && mine.allSatisfy { $0.status == "failed" && ($0.message ?? "").contains("catalogues no mistake") }
                outcome.lines.append("  unknown mistake \(first.number)/no-such-mistake: " + (refused ? "refused by all \(mine.count) tests" : "✘ not refused"))
                if !refused { outcome.problems.append("\(lesson.folder): an unknown mistake id is not refused") }
                return outcome
            })
        }
        return jobs
    }

    /// Runs the graders again with the recorded references (`WORKBOOK_REFERENCES=recorded`, as the
    /// student edition grades) and compares every test's verdict and message with the live run:
    /// the problems found, none when recorded grading is live grading.
    static func sameVerdictsWhenRecorded(_ lesson: LessonDeclaration, live: TestRun, environment: [String: String],
                                         timeout: Double, root: URL) throws -> (lines: [String], problems: [String]) {
        let replay = try TestRun.run(filter: lesson.testTarget, environment: environment.merging(["WORKBOOK_REFERENCES": "recorded"]) { a, _ in a },
                                     timeout: timeout, root: root, directly: true)
        let what = environment.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        func verdicts(_ run: TestRun) -> [String: String] {
            Dictionary(run.records.map { ($0.test, "\($0.status): \($0.message ?? "")") }, uniquingKeysWith: { a, b in a + " | " + b })
        }
        let (a, b) = (verdicts(live), verdicts(replay))
        let differing = Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
        guard !differing.isEmpty || replay.completed != live.completed else { return ([], []) }
        let first = differing.first.map { "\($0): live \(a[$0] ?? "—") / recorded \(b[$0] ?? "—")" } ?? "the recorded run did not complete"
        return (["  ✘ recorded references grade differently with \(what): \(differing.count) test(s); \(first.prefix(300))"],
                ["\(lesson.folder) \(what): recorded grading differs from live grading in \(differing.count) test(s): \(first.prefix(300))"])
    }
}
#endif
