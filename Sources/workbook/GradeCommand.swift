import Foundation
import LessonSupport
import ModelZoo

/// `workbook grade`: runs each lesson's tests in its own process with a time limit, prints a
/// per-lesson table, and writes a Gradescope-style `results.json` and an HTML report with the
/// student's figures beside the reference ones.
enum GradeCommand: Command {
    static let name = "grade"
    static let summary = "Grade every lesson (each in its own process): a table, results.json and an HTML report."
    static let options = [
        OptionSpecification(name: "lesson", valueName: "N", help: "only lesson N"),
        OptionSpecification(name: "timeout", valueName: "SECONDS", help: "time limit per lesson (default 300)"),
        OptionSpecification(name: "out", valueName: "DIR", help: "where results.json and report.html go (default grade-report/)"),
        OptionSpecification(name: "skip-build", valueName: nil, help: "the tests are already built"),
    ]

    struct ExerciseGrade: Codable {
        let lesson: String, exercise: String
        let status: String          // done / wrong / not started / crashed
        let tests: [TestRun.Result]
        var score: Double { status == "done" ? 1 : 0 }
    }

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let timeout = Double(try options.int("timeout", default: 300)!)
        let out = URL(fileURLWithPath: options.string("out") ?? "grade-report", relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let figures = out.appendingPathComponent("student-figures")
        try? FileManager.default.removeItem(at: figures)
        try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true)
        if !options.has("skip-build") { try VerifyCommand.buildTests(root: root) }

        var grades: [ExerciseGrade] = []
        printNow(padded("lesson", 16) + padded("done", 6) + padded("wrong", 7) + padded("not started", 13) + padded("crashed", 9) + "points")
        for lesson in try LessonRegistry.gradedSelection(try options.int("lesson")) {
            var environment = ["WORKBOOK_STUDENT_FIGURES": figures.path]
            if let mode = ProcessInfo.processInfo.environment["WORKBOOK_SOLUTIONS"] { environment["WORKBOOK_SOLUTIONS"] = mode }
            let run = try TestRun.run(filter: lesson.testTarget, environment: environment, timeout: timeout, root: root)
            var byExercise: [String: [TestRun.Result]] = [:]
            for result in run.results { if let e = TestRun.exercise(of: result.name) { byExercise[e, default: []].append(result) } }
            let known = Set(lesson.mistakes.map(\.exercise)).union(byExercise.keys)
            var lessonGrades: [ExerciseGrade] = []
            for exercise in known.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }) {
                let tests = byExercise[exercise] ?? []
                let status: String
                if !run.completed && tests.allSatisfy({ $0.status != .failed }) && !tests.contains(where: { $0.status == .notStarted }) {
                    status = run.timedOut ? "crashed (time limit)" : "crashed"
                } else if tests.contains(where: { $0.status == .failed }) {
                    status = "wrong"
                } else if tests.isEmpty || tests.contains(where: { $0.status == .notStarted }) {
                    status = run.completed ? "not started" : "crashed"
                } else {
                    status = "done"
                }
                lessonGrades.append(ExerciseGrade(lesson: lesson.folder, exercise: exercise, status: status, tests: tests))
            }
            grades += lessonGrades
            func count(_ prefix: String) -> Int { lessonGrades.filter { $0.status.hasPrefix(prefix) }.count }
            printNow(padded(lesson.folder, 16) + padded("\(count("done"))", 6) + padded("\(count("wrong"))", 7)
                     + padded("\(count("not started"))", 13) + padded("\(count("crashed"))", 9)
                     + "\(lessonGrades.filter { $0.status == "done" }.count) / \(lessonGrades.count)")
            for grade in lessonGrades where grade.status == "wrong" {
                for test in grade.tests where test.status == .failed {
                    printNow("    ✘ \(test.name)" + (test.messages.first.map { "\n      \($0)" } ?? ""))
                }
            }
            if !run.completed {
                printNow("    the test process " + (run.timedOut ? "hit the \(Int(timeout)) s time limit" : "crashed (exit \(run.exitCode))") + "; its last lines:")
                printNow(run.output.split(separator: "\n").suffix(8).map { "      \($0)" }.joined(separator: "\n"))
            }
        }
        let total = grades.map(\.score).reduce(0, +)
        printNow(String(format: "total: %.0f / %d exercises done", total, grades.count))
        try writeResults(grades, to: out.appendingPathComponent("results.json"))
        try writeReport(grades, figures: figures, root: root, to: out.appendingPathComponent("report.html"))
        printNow("wrote \(out.appendingPathComponent("results.json").path) and \(out.appendingPathComponent("report.html").path)")
    }

    /// Gradescope's autograder format: one entry per exercise, 1 point each.
    static func writeResults(_ grades: [ExerciseGrade], to url: URL) throws {
        let tests: [[String: Any]] = grades.map { grade in
            ["name": "Lesson \(grade.lesson) — Exercise \(grade.exercise)", "score": grade.score, "max_score": 1,
             "status": grade.status == "done" ? "passed" : "failed",
             "output": "\(grade.status)\n" + grade.tests.map { "\($0.status.rawValue): \($0.name)" + ($0.messages.isEmpty ? "" : "\n  " + $0.messages.joined(separator: "\n  ")) }.joined(separator: "\n")]
        }
        let json: [String: Any] = ["score": grades.map(\.score).reduce(0, +), "max_score": grades.count, "tests": tests]
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A static page: the grade table, then for each lesson the student's figures beside the
    /// reference figures of the same name (images embedded by relative path).
    static func writeReport(_ grades: [ExerciseGrade], figures: URL, root: URL, to url: URL) throws {
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>Workbook grade report</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:70em}td,th{padding:.2em .8em;text-align:left}
        .done{color:#080}.wrong{color:#b00}.pair{display:inline-block;margin:1em;vertical-align:top}
        .pair img{image-rendering:pixelated;max-width:30em;border:1px solid #ccc}</style></head><body>
        <h1>Workbook grade report</h1><table><tr><th>lesson</th><th>exercise</th><th>status</th><th>tests</th></tr>
        """
        for g in grades {
            let cls = g.status == "done" ? "done" : (g.status == "wrong" ? "wrong" : "")
            html += "<tr><td>\(g.lesson)</td><td>\(g.exercise)</td><td class=\"\(cls)\">\(g.status)</td><td>"
            html += g.tests.map { "\(escape($0.name)): \($0.status.rawValue)" + ($0.messages.isEmpty ? "" : "<br><small>\(escape($0.messages.joined(separator: " / ")))</small>") }.joined(separator: "<br>")
            html += "</td></tr>\n"
        }
        html += "</table>"
        for lesson in LessonRegistry.all {
            let folder = figures.appendingPathComponent(lesson.folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasSuffix(".png") }).sorted(),
                  !names.isEmpty else { continue }
            html += "<h2>\(lesson.folder): your figures beside the reference</h2>"
            for name in names {
                let reference = LessonPaths.figures(lesson.folder).appendingPathComponent(name)
                html += "<div class=\"pair\"><b>\(escape(name))</b><br><img src=\"student-figures/\(lesson.folder)/\(name)\"> "
                html += "<img src=\"\(reference.path)\"><br><small>yours · reference</small></div>"
            }
        }
        html += "</body></html>\n"
        try html.write(to: url, atomically: true, encoding: .utf8)
    }
}
