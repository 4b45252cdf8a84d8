import Course
import Foundation
import LessonSupport

/// `grade-report/report.html` as a report card: the score and one row per lesson first, then per
/// lesson its exercises — a not-started exercise is one line, a graded one folds its tests under
/// it (open when something is wrong), crash and time-limit messages are shown — and the student's
/// figures beside the reference ones. Relative paths only, so the folder can be moved or zipped.
enum GradeReportCard {
    static func html(_ grades: [GradeCommand.ExerciseGrade], figures: URL) -> String {
        let e = HTMLText.escape
        let done = grades.filter { $0.status == "done" }.count
        let percent = grades.isEmpty ? 0 : 100 * done / grades.count
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><title>Workbook report card</title>
        <style>
        body { font-family: Helvetica, Arial, sans-serif; margin: 2em; max-width: 70em; color: #222; }
        .score { font-size: 1.6em; margin: .3em 0 1em; }
        table { border-collapse: collapse; }
        td, th { padding: .25em .8em; text-align: left; border-bottom: 1px solid #ddd; }
        .done { color: #080; } .wrong, .crashed, .time-limit { color: #b00; } .not-started { color: #777; }
        ul.exercises { list-style: none; padding-left: 0; }
        ul.exercises > li { margin: .3em 0; }
        details ul { margin: .2em 0 .5em 1.5em; font-size: .92em; }
        pre { white-space: pre-wrap; background: #f6f6f6; padding: .4em; margin: .2em 0; }
        .pair { display: inline-block; margin: 1em; vertical-align: top; }
        .pair img { image-rendering: pixelated; max-width: 30em; border: 1px solid #ccc; }
        </style></head><body>
        <h1>Workbook report card</h1>
        <p class="score">Score: \(done) of \(grades.count) exercises done (\(percent)%)</p>
        <table><tr><th>lesson</th><th>done</th><th>not started</th><th>failing</th><th>crashed / time limit</th></tr>

        """
        let lessons = Course.lessons.filter { lesson in grades.contains { $0.lesson == lesson.folder } }
        for lesson in lessons {
            let mine = grades.filter { $0.lesson == lesson.folder }
            func count(_ statuses: String...) -> Int { mine.filter { statuses.contains($0.status) }.count }
            html += "<tr><td><a href=\"#lesson-\(e(lesson.folder))\">\(e(lesson.folder))</a></td><td>\(count("done")) / \(mine.count)</td>"
                + "<td>\(count("not started"))</td><td>\(count("wrong"))</td><td>\(count("crashed", "time limit"))</td></tr>\n"
        }
        html += "</table>\n"
        for lesson in lessons {
            let mine = grades.filter { $0.lesson == lesson.folder }
            html += "<h2 id=\"lesson-\(e(lesson.folder))\">\(e(lesson.folder)): \(mine.filter { $0.status == "done" }.count) of \(mine.count) done</h2>\n<ul class=\"exercises\">\n"
            for grade in mine {
                let css = grade.status.replacingOccurrences(of: " ", with: "-")
                let mark = grade.status == "done" ? "✔" : (grade.status == "not started" ? "·" : "✘")
                let heading = "<span class=\"\(css)\">\(mark) \(e(grade.status))</span> — \(e(grade.exercise)) \(e(grade.title))"
                if grade.status == "not started" {
                    html += "<li class=\"not-started\">\(heading)</li>\n"
                    continue
                }
                let open = grade.status == "done" ? "" : " open=\"open\""
                html += "<li><details\(open)><summary>\(heading) (\(grade.tests.count) test\(grade.tests.count == 1 ? "" : "s"))</summary><ul>\n"
                for test in grade.tests {
                    html += "<li><span class=\"\(test.status.replacingOccurrences(of: " ", with: "-"))\">\(e(test.status))</span> \(e(test.test))"
                    if let message = test.message, test.status != "passed" { html += "<pre>\(e(message))</pre>" }
                    html += "</li>\n"
                }
                html += "</ul></details></li>\n"
            }
            html += "</ul>\n"
            html += figurePairs(lesson, figures: figures)
        }
        return html + "</body></html>\n"
    }

    /// The student's figures of one lesson beside the reference figures of the same name (the
    /// reference copied next to them so the report's paths stay relative).
    static func figurePairs(_ lesson: LessonDeclaration, figures: URL) -> String {
        let e = HTMLText.escape
        let folder = figures.appendingPathComponent(lesson.folder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasSuffix(".png") && !$0.hasPrefix("reference-") }).sorted(),
              !names.isEmpty else { return "" }
        var html = "<h3>Your figures beside the reference</h3>\n"
        for name in names {
            let reference = LessonPaths.figures(lesson.folder).appendingPathComponent(name)
            let copy = folder.appendingPathComponent("reference-\(name)")
            try? FileManager.default.removeItem(at: copy)
            try? FileManager.default.copyItem(at: reference, to: copy)
            html += "<div class=\"pair\"><b>\(e(name))</b><br/><img alt=\"your \(e(name))\" src=\"student-figures/\(e(lesson.folder))/\(e(name))\"/> "
            html += "<img alt=\"reference \(e(name))\" src=\"student-figures/\(e(lesson.folder))/reference-\(e(name))\"/><br/><small>yours · reference</small></div>\n"
        }
        return html
    }
}
