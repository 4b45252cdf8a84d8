import Course
import Foundation
import Testing
import TestSupport
@testable import WorkbookCLI

/// The grade report reads like a report card: score and lessons first, "not started" once per
/// exercise, tests folded under their exercise, crash messages shown.
@Suite("grade report card", .maintainers, .maintainers)
struct GradeReportCardTests {
    @Test("score first, one line per not-started exercise, tests folded, failures open with their messages")
    func reportCard() throws {
        let lesson = try #require(Course.lessons.first)
        let e = lesson.exercises
        try #require(e.count >= 4)
        func record(_ exercise: String, _ test: String, _ status: String, _ message: String? = nil) -> TestRun.Record {
            TestRun.Record(lesson: 1, exercise: exercise, test: test, status: status, message: message)
        }
        let grades = [
            GradeCommand.ExerciseGrade(lesson: lesson.folder, exercise: e[0].number, title: e[0].title, status: "done",
                                       tests: [record(e[0].number, "first passes", "passed"), record(e[0].number, "second passes", "passed")]),
            GradeCommand.ExerciseGrade(lesson: lesson.folder, exercise: e[1].number, title: e[1].title, status: "wrong",
                                       tests: [record(e[1].number, "shape", "passed"), record(e[1].number, "values", "failed", "expected 3 < 4, got 5")]),
            GradeCommand.ExerciseGrade(lesson: lesson.folder, exercise: e[2].number, title: e[2].title, status: "not started",
                                       tests: [record(e[2].number, "nsA", "not started"), record(e[2].number, "nsB", "not started"), record(e[2].number, "nsC", "not started")]),
            GradeCommand.ExerciseGrade(lesson: lesson.folder, exercise: e[3].number, title: e[3].title, status: "crashed",
                                       tests: [record(e[3].number, "crash", "crashed", "Fatal error: boom")]),
        ]
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = GradeReportCard.html(grades, figures: folder)
        let checker = HTMLChecker(html)
        #expect(checker.problems.isEmpty, "\(checker.problems.prefix(3))")
        let score = try #require(html.range(of: "Score: 1 of 4 exercises done (25%)"))
        let firstDetails = try #require(html.range(of: "<details"))
        #expect(score.lowerBound < firstDetails.lowerBound)
        #expect(html.components(separatedBy: "<li class=\"not-started\">").count - 1 == 1)
        for name in ["nsA", "nsB", "nsC"] { #expect(!html.contains(name)) }      // said once for the exercise, not per test
        #expect(html.components(separatedBy: "<details open=\"open\">").count - 1 == 2)   // wrong and crashed
        #expect(html.components(separatedBy: "<details>").count - 1 == 1)                 // done, folded
        #expect(html.contains("<pre>expected 3 &lt; 4, got 5</pre>"))
        #expect(html.contains("<pre>Fatal error: boom</pre>"))
        #expect(html.contains("<td>1 / 4</td><td>1</td><td>1</td><td>1</td></tr>"))
    }
}
