import Course
import Foundation
import Imaging
import ModelZoo
import Testing
import TestSupport
@testable import WorkbookCLI

/// `workbook report`: a handout per lesson (HTML and PDF) with the score, the README's figures
/// text and the student's figures beside the reference ones.
@Suite("workbook report: handouts", .maintainers, .maintainers)
struct ReportCommandTests {
    @Test("a 20,000-character word in a result line is wrapped, not waited on (the wrap was quadratic: 8,000 characters took 6 s)")
    func longWord() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let grades = folder.appendingPathComponent("grades"), out = folder.appendingPathComponent("handouts")
        try FileManager.default.createDirectory(at: grades, withIntermediateDirectories: true)
        let lesson = try #require(Course.lessons.first)
        let word = String(repeating: "w", count: 20_000)
        let results: [String: Any] = ["score": 0, "max_score": 1, "tests": [[
            "name": "Lesson \(lesson.folder) — Exercise 1.1: \(lesson.exercises[0].title)", "score": 0, "max_score": 1,
            "status": "failed", "output": word + "\nwrong"]]]
        try JSONSerialization.data(withJSONObject: results).write(to: grades.appendingPathComponent("results.json"))
        let start = Date()
        let result = workbook(["report", "--lesson", "1", "--grades", grades.path, "--out", out.path])
        #expect(result.status == 0, "\(result.error)")
        let pdf = try Data(contentsOf: out.appendingPathComponent("\(lesson.folder).pdf"))
        #expect(String(decoding: pdf.map { $0 < 128 ? $0 : 63 }, as: UTF8.self).contains("(www"), "the word is in the PDF, cut into lines")
        if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil { print(String(format: "report with a 20,000-character word: %.2f s", Date().timeIntervalSince(start))) }
    }

    @Test("a figure that is a symbolic link (to /etc/passwd) is not followed: nothing of its target reaches the handouts")
    func symlinkAndLongWord() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let grades = folder.appendingPathComponent("grades"), out = folder.appendingPathComponent("handouts")
        let lesson = try #require(Course.lessons.first)
        let figures = grades.appendingPathComponent("student-figures/\(lesson.folder)")
        try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: figures.appendingPathComponent("feature-maps-conv1.png").path, withDestinationPath: "/etc/passwd")
        try GradeCommand.writeResults(lesson.exercises.map { exercise in
            GradeCommand.ExerciseGrade(lesson: lesson.folder, exercise: exercise.number, title: exercise.title, status: "wrong",
                                       tests: [TestRun.Record(lesson: 1, exercise: exercise.number, test: "Exercise \(exercise.number): t", status: "failed", message: "differs")])
        }, to: grades.appendingPathComponent("results.json"))
        let result = workbook(["report", "--lesson", "1", "--grades", grades.path, "--out", out.path])
        #expect(result.status == 0, "\(result.error)")
        let copied = out.appendingPathComponent("figures/\(lesson.folder)/yours-feature-maps-conv1.png")
        #expect(!FileManager.default.fileExists(atPath: copied.path), "the link's target was copied into the handouts")
        let everything = (FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? [])
            .compactMap { FileManager.default.contents(atPath: out.appendingPathComponent($0).path) }
        #expect(!everything.contains { String(decoding: $0, as: UTF8.self).contains("root:x:0:0") }, "/etc/passwd's text reached the handouts")
    }

    @Test("lesson 01's handout: well-formed, the score from results.json, the README's text, your figure beside the reference, relative paths")
    func handout() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let grades = folder.appendingPathComponent("grades"), out = folder.appendingPathComponent("handouts")
        let lesson = try #require(Course.lessons.first)
        try FileManager.default.createDirectory(at: grades.appendingPathComponent("student-figures/\(lesson.folder)"), withIntermediateDirectories: true)
        try GradeCommand.writeResults(lesson.exercises.enumerated().map { i, exercise in
            GradeCommand.ExerciseGrade(lesson: lesson.folder, exercise: exercise.number, title: exercise.title, status: i == 0 ? "done" : "not started", tests: [])
        }, to: grades.appendingPathComponent("results.json"))
        // The student drew one figure (here: a copy of the reference's bytes, with a marker appended).
        let root = try DatasetFiles.root()
        let reference = root.appendingPathComponent("Lessons/\(lesson.folder)/figures/feature-maps-conv1.png")
        let mine = try Data(contentsOf: reference) + Data("student".utf8)
        try mine.write(to: grades.appendingPathComponent("student-figures/\(lesson.folder)/feature-maps-conv1.png"))

        let result = workbook(["report", "--lesson", "1", "--grades", grades.path, "--out", out.path])
        #expect(result.status == 0, "\(result.error)")
        let html = try String(contentsOf: out.appendingPathComponent("\(lesson.folder).html"), encoding: .utf8)
        let checker = HTMLChecker(html)
        #expect(checker.problems.isEmpty, "\(checker.problems.prefix(3))")
        #expect(html.contains("Score: 1 of \(lesson.exercises.count) exercises done."))
        // A sentence of the README's Figures section, read here from the README itself.
        let readme = try String(contentsOf: root.appendingPathComponent(lesson.readme), encoding: .utf8)
        let figuresSection = try #require(readme.components(separatedBy: "## Figures").dropFirst().first)
        let sentence = try #require(figuresSection.split(separator: "\n").first { $0.hasPrefix("Deeper layers") })
        #expect(html.contains(HTMLText.escape(String(sentence))))
        let sources = checker.elements.compactMap { $0.attributes["src"] }
        #expect(sources.contains("figures/\(lesson.folder)/yours-feature-maps-conv1.png"))
        #expect(sources.contains("figures/\(lesson.folder)/reference-feature-maps-conv1.png"))
        #expect(!sources.contains("figures/\(lesson.folder)/yours-filters-conv1.png"))     // not drawn: said so instead
        #expect(html.contains("not drawn yet: your filters-conv1.png"))
        for source in sources {
            #expect(!source.hasPrefix("/") && !source.contains(":"))
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(source).path), "missing \(source)")
        }
        #expect(FileManager.default.contents(atPath: out.appendingPathComponent("figures/\(lesson.folder)/yours-feature-maps-conv1.png").path) == mine)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))

        // The PDF beside the page: every figure the page shows is embedded once, as an image.
        let pdf = try Data(contentsOf: out.appendingPathComponent("\(lesson.folder).pdf"))
        let text = String(decoding: pdf.map { $0 < 128 ? $0 : 63 }, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4\n") && text.hasSuffix("%%EOF\n"))
        #expect(text.components(separatedBy: "/Subtype /Image").count - 1 == sources.count)
        #expect(text.contains("(Score: 1 of \(lesson.exercises.count) exercises done.)"))
        #expect(text.contains("(yours: filters-conv1.png not drawn yet"))
        // Written again: the same bytes.
        let again = folder.appendingPathComponent("again")
        #expect(workbook(["report", "--lesson", "1", "--grades", grades.path, "--out", again.path]).status == 0)
        #expect(try Data(contentsOf: again.appendingPathComponent("\(lesson.folder).pdf")) == pdf)
    }

    @Test("every lesson's handout shows its README's figures, whatever the section is called (Figures, The figures, The figure)")
    func everyLessonHasFigures() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("handouts")
        let result = workbook(["report", "--grades", folder.appendingPathComponent("none").path, "--out", out.path])
        #expect(result.status == 0, "\(result.error)")
        for lesson in Course.lessons {
            let html = try String(contentsOf: out.appendingPathComponent("\(lesson.folder).html"), encoding: .utf8)
            #expect(html.contains("src=\"figures/\(lesson.folder)/reference-"), "\(lesson.folder)'s handout shows no reference figure")
            let pdf = try Data(contentsOf: out.appendingPathComponent("\(lesson.folder).pdf"))
            #expect(String(decoding: pdf.map { $0 < 128 ? $0 : 63 }, as: UTF8.self).contains("/Subtype /Image"), "\(lesson.folder)'s PDF has no figure")
        }
    }

    @Test("report --image: each lesson that explains shows its methods on your image (HTML and PDF); lessons without methods do not; --model without --image refused")
    func yourImage() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("handouts")
        let photo = UserImageTests.photo.path
        let result = workbook(["report", "--grades", folder.appendingPathComponent("none").path, "--image", photo, "--invert", "--out", out.path])
        #expect(result.status == 0, "\(result.error)")
        for lesson in Course.lessons {
            let html = try String(contentsOf: out.appendingPathComponent("\(lesson.folder).html"), encoding: .utf8)
            let picture = out.appendingPathComponent("figures/\(lesson.folder)/your-image.png")
            let methods = ReportCommand.methodsOfLesson[lesson.number]
            #expect(html.contains("<h2>Your image</h2>") == (methods != nil), "\(lesson.folder)")
            #expect(FileManager.default.fileExists(atPath: picture.path) == (methods != nil), "\(lesson.folder)")
            guard let methods else { continue }
            #expect(html.contains("baseline-420-large.jpg: 131×97 JPEG → grey"), "\(lesson.folder)")
            #expect(html.contains("CAM-style maps at relu3") == [4, 5, 6, 10].contains(lesson.number), "\(lesson.folder)")
            // The photo, what the model sees, then one cell per method, four to a row.
            let panel = try PNG.readRGBA(from: picture)
            let cells = 2 + methods.count
            #expect(panel.height > (cells > 4 ? 2 : 1) * 99 && panel.height < (cells > 4 ? 3 : 2) * 99 + 60, "\(lesson.folder): \(panel.height) high for \(cells) cells")
            let pdf = try Data(contentsOf: out.appendingPathComponent("\(lesson.folder).pdf"))
            #expect(String(decoding: pdf.map { $0 < 128 ? $0 : 63 }, as: UTF8.self).contains("Your image"))
        }
        // Lesson 05's panel holds the Grad-CAM map explain --image draws.
        let explained = folder.appendingPathComponent("gradcam.png")
        #expect(workbook(["explain", "--image", photo, "--invert", "--method", "gradcam", "--out", explained.path]).status == 0)
        let single = try PNG.readRGBA(from: explained)
        let panel = try PNG.readRGBA(from: out.appendingPathComponent("figures/05-GradCAM/your-image.png"))
        #expect(single.width > 99 && panel.width > single.width)
        let refused = workbook(["report", "--model", "mnist-fc", "--out", folder.appendingPathComponent("x").path])
        #expect(refused.status != 0 && refused.error.hasSuffix("--model goes with --image FILE"), "\(refused.error)")
        let implementation = workbook(["report", "--implementation", "student", "--out", folder.appendingPathComponent("x").path])
        #expect(implementation.status != 0 && implementation.error.hasSuffix("--implementation goes with --image FILE"), "\(implementation.error)")
        let noMethods = workbook(["report", "--lesson", "1", "--image", photo, "--out", folder.appendingPathComponent("x").path])
        #expect(noMethods.status != 0 && noMethods.error.hasSuffix("--image draws a lesson's methods on your image; lesson 1 has none (lessons 2–7 and 10 do)"), "\(noMethods.error)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path))
    }

    @Test("an unknown lesson and a broken results.json are refused with one line, nothing written")
    func refused() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("handouts")
        #expect(workbook(["report", "--lesson", "42", "--out", out.path]).status != 0)
        try Data("{not json".utf8).write(to: folder.appendingPathComponent("results.json"))
        let broken = workbook(["report", "--lesson", "1", "--grades", folder.path, "--out", out.path])
        #expect(broken.error.hasSuffix("results.json is not the results.json workbook grade writes"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
