import Course
import Foundation
import GradingWire
import LessonSupport
import ModelZoo

/// `workbook grade`: grades each lesson in its own process group with a time limit. A crash or an
/// endless loop costs that exercise only: the scoreboard names the exercise, and the lesson runs
/// again without it until every other exercise has its grade. Prints a table and writes a
/// Gradescope-style `results.json` and an HTML report with the student's figures beside the
/// reference ones.
enum GradeCommand: Command {
    static let name = "grade"
    static let summary = "Grade every lesson (crashes and endless loops cost one exercise): a table, results.json and report.html."
    static let options = [
        OptionSpecification(name: "lesson", valueName: "N", help: "only lesson N", integers: 1...99),
        OptionSpecification(name: "timeout", valueName: "SECONDS", help: "time limit for one lesson's test process (default 600)", integers: 1...86_400),
        OptionSpecification(name: "test-timeout", valueName: "SECONDS", help: "time limit for one test (default 60)", integers: 1...86_400),
        OptionSpecification(name: "out", valueName: "DIR", help: "where results.json and report.html go (default grade-report/)"),
        OptionSpecification(name: "skip-build", valueName: nil, help: "the tests are already built"),
        OptionSpecification(name: "judge", valueName: "PATH",
                            help: "grade with this test executable (built without the student's code), calling the exercises in --runner"),
        OptionSpecification(name: "runner", valueName: "PATH", help: "the lesson runner built from the student's lessons (with --judge)"),
        OptionSpecification(name: "runner-user", valueName: "USER", help: "run the lesson runner as this user (Linux, grade running as root; with --judge)"),
        OptionSpecification(name: "held-out-seed", valueName: "N",
                            help: "draw the held-out inputs from seed N (default: a new seed each grading, printed; full edition only)"),
    ]

    struct ExerciseGrade: Codable {
        let lesson: String
        let exercise: String
        let title: String
        /// done, wrong, not started, crashed, time limit
        let status: String
        let tests: [TestRun.Record]
        var score: Double { status == "done" ? 1 : 0 }
    }

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let timeout = Double(try options.int("timeout", default: 600)!)
        let testTimeout = try options.int("test-timeout", default: 60)!
        let lessons = try Course.selected(try options.int("lesson"))
        let out = URL(fileURLWithPath: options.string("out") ?? "grade-report", relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let figures = out.appendingPathComponent("student-figures")
        try? FileManager.default.removeItem(at: figures)
        try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true)
        // The judge and the runner: the verdicts are decided in a test process that runs no student
        // code (built from the stubs), which calls each exercise in the lesson runner, a process of
        // its own (of another user with --runner-user) that links the student's lessons only.
        let judge = options.string("judge").map { URL(fileURLWithPath: $0) }
        var isolation: [String: String] = [:]
        if let judge {
            guard let runner = options.string("runner") else { throw CommandLineError(message: "--judge needs --runner PATH (the lesson runner built from the student's lessons)") }
            for (what, path) in [("--judge", judge.path), ("--runner", runner)] where !FileManager.default.isExecutableFile(atPath: path) {
                throw CommandLineError(message: "\(what) \(path): no such executable")
            }
            isolation["WORKBOOK_RUNNER"] = URL(fileURLWithPath: runner).path
            if let user = options.string("runner-user") {
                do { try LessonRunnerClient.checkUser(user) } catch { throw CommandLineError(message: "\(error)") }
                isolation["WORKBOOK_RUNNER_USER"] = user
            }
        } else if options.string("runner") != nil || options.string("runner-user") != nil {
            throw CommandLineError(message: "--runner and --runner-user go with --judge PATH")
        }
        // Held-out inputs (TestSupport's `HeldOut`): every grading draws new ones, so an answer
        // hard-coded from the visible tests' inputs fails. They are graded against the live
        // reference, so only where Solutions/ is compiled in (the Gradescope judge is built from the
        // full course); the seed is printed and written, so an instructor can replay a grade.
        #if FULL_EDITION
        let heldOutSeed: UInt64
        if let text = options.string("held-out-seed") {
            guard let value = UInt64(text) else { throw CommandLineError(message: "--held-out-seed \(text): expected a whole number in 0…\(UInt64.max)") }
            heldOutSeed = value
        } else {
            heldOutSeed = UInt64.random(in: 0...UInt64.max)
        }
        isolation["WORKBOOK_HELD_OUT_SEED"] = "\(heldOutSeed)"
        let heldOutNote: String? = "held-out inputs drawn from seed \(heldOutSeed) (replay them: workbook grade --held-out-seed \(heldOutSeed))"
        #else
        if options.string("held-out-seed") != nil {
            throw CommandLineError(message: "--held-out-seed: the student edition has no held-out inputs (they need the reference; the Gradescope judge has them)")
        }
        let heldOutNote: String? = nil
        #endif
        if !options.has("skip-build") && judge == nil { try TestRun.buildTests(root: root) }

        var grades: [ExerciseGrade] = []
        // The columns of `swift test`'s score table (the status "wrong" is shown as failing).
        var rows: [[String]] = [["lesson", "done", "not started", "failing", "crashed", "time limit", "points"]]
        var notes: [String] = []
        for lesson in lessons {
            var environment = ["WORKBOOK_STUDENT_FIGURES": figures.path, "WORKBOOK_TEST_TIME_LIMIT": "\(testTimeout)"].merging(isolation) { a, _ in a }
            if let mode = ProcessInfo.processInfo.environment["WORKBOOK_SOLUTIONS"] { environment["WORKBOOK_SOLUTIONS"] = mode }
            let lessonGrades = try grade(lesson, environment: environment, timeout: timeout, root: root, judge: judge, notes: &notes)
            grades += lessonGrades
            func count(_ status: String) -> String { "\(lessonGrades.filter { $0.status == status }.count)" }
            rows.append([lesson.folder, count("done"), count("not started"), count("wrong"), count("crashed"), count("time limit"),
                         "\(lessonGrades.filter { $0.status == "done" }.count) / \(lessonGrades.count)"])
        }
        printNow(alignedTable(rows))
        for line in notes { printNow(line) }
        let total = grades.map(\.score).reduce(0, +)
        printNow(String(format: "total: %.0f of %d exercises done", total, grades.count))
        if let heldOutNote { printNow(heldOutNote) }
        // results.json and report.html together or neither (a full disk leaves the old pair).
        try AtomicFiles.write([(out.appendingPathComponent("results.json"), try resultsData(grades, note: heldOutNote)),
                               (out.appendingPathComponent("report.html"), Data(GradeReportCard.html(grades, figures: figures).utf8))])
        printNow("wrote \(out.appendingPathComponent("results.json").path) and \(out.appendingPathComponent("report.html").path)")
    }

    /// Runs a lesson until every exercise has a grade: after a crash or a time limit the named
    /// exercise is skipped in the next run (at most one run per exercise, plus one).
    static func grade(_ lesson: LessonDeclaration, environment: [String: String], timeout: Double, root: URL,
                      judge: URL? = nil, notes: inout [String]) throws -> [ExerciseGrade] {
        var aborted: [String: TestRun.Record] = [:]
        var last: TestRun?
        for _ in 0...lesson.exercises.count {
            var env = environment
            if !aborted.isEmpty { env["WORKBOOK_SKIP_EXERCISES"] = aborted.keys.sorted().joined(separator: ",") }
            let run = try TestRun.run(filter: lesson.testTarget, environment: env, timeout: timeout, root: root, executable: judge)
            last = run
            let newlyAborted = run.records.filter { ($0.status == "crashed" || $0.status == "time limit") && aborted[$0.exercise] == nil }
            for record in newlyAborted { aborted[record.exercise] = record }
            // `swift test` itself exits normally when its test process crashes: go on while the
            // scoreboard names a new exercise to skip. A crash in the lesson runner costs its call
            // only, and the judge runs to its end: then every other test has its verdict already.
            if newlyAborted.isEmpty || run.ranToEnd { break }
        }
        guard let run = last else { return [] }
        if !run.completed && !run.timedOut && aborted.isEmpty {
            notes.append("  \(lesson.folder): the test process ended without naming an exercise (exit \(run.exitCode)); its last lines:\n"
                         + run.output.split(separator: "\n").suffix(6).map { "    \($0)" }.joined(separator: "\n"))
        } else if run.timedOut && aborted.isEmpty {
            notes.append("  \(lesson.folder): the test process hit the \(Int(timeout)) s limit and was killed with its process group")
        }
        return lesson.exercises.map { exercise in
            let tests = run.records.filter { $0.exercise == exercise.number }
            let status: String
            if let record = aborted[exercise.number] {
                status = record.status
                notes.append("  ✘ \(lesson.folder) exercise \(exercise.number) \(record.status): \(record.message ?? "")")
                return ExerciseGrade(lesson: lesson.folder, exercise: exercise.number, title: exercise.title, status: status, tests: [record])
            } else if tests.contains(where: { $0.status == "failed" }) {
                status = "wrong"
                for test in tests where test.status == "failed" {
                    notes.append("  ✘ \(lesson.folder) \(test.test)" + (test.message.map { "\n      " + $0.split(separator: "\n").prefix(3).joined(separator: "\n      ") } ?? ""))
                }
            } else if tests.isEmpty {
                status = run.completed ? "not started" : (run.timedOut ? "time limit" : "crashed")
            } else if tests.contains(where: { $0.status == "not started" || $0.status == "skipped" || $0.status == "waiting" }) {
                status = "not started"
            } else {
                status = "done"
            }
            return ExerciseGrade(lesson: lesson.folder, exercise: exercise.number, title: exercise.title, status: status, tests: tests)
        }
    }

    /// Gradescope's autograder format: one entry per exercise, 1 point each.
    static func writeResults(_ grades: [ExerciseGrade], to url: URL) throws {
        try AtomicFiles.write([(url, try resultsData(grades))])
    }

    static func resultsData(_ grades: [ExerciseGrade], note: String? = nil) throws -> Data {
        let tests: [[String: Any]] = grades.map { grade in
            ["name": "Lesson \(grade.lesson) — Exercise \(grade.exercise): \(grade.title)", "score": grade.score, "max_score": 1,
             "status": grade.status == "done" ? "passed" : "failed",
             "output": "\(grade.status)\n" + grade.tests.filter { $0.status != "passed" }.map { "\($0.status): \($0.test)" + ($0.message.map { "\n  " + $0 } ?? "") }.joined(separator: "\n")]
        }
        var json: [String: Any] = ["score": grades.map(\.score).reduce(0, +), "max_score": grades.count, "tests": tests]
        if let note { json["output"] = note }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The report card (see `GradeReportCard`): score and lessons first, each exercise's tests
    /// folded under it, the student's figures beside the reference ones.
    static func writeReport(_ grades: [ExerciseGrade], figures: URL, root: URL, to url: URL) throws {
        try AtomicFiles.write([(url, Data(GradeReportCard.html(grades, figures: figures).utf8))])
    }
}

/// Rows of cells as aligned columns (two spaces apart).
func alignedTable(_ rows: [[String]]) -> String {
    let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
        zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}
