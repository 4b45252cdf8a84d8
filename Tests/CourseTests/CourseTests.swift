import Course
import Foundation
import LessonSupport
import Testing

/// The course's declarations agree with the folders and the stubs: lessons are listed once (as
/// folders; `Course.lessons` is checked against them) and every exercise is declared once.
@Suite("Course declarations")
struct CourseTests {
    let root = LessonPaths.root

    @Test("Course.lessons names exactly the folders under Lessons/, in order")
    func lessonsMatchFolders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Lessons").path)
            .filter { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) && $0.dropFirst(2).first == "-" }.sorted()
        #expect(Course.lessons.map(\.folder) == folders)
        #expect(Course.lessons.map(\.number) == folders.map { Int($0.prefix(2))! })
        for lesson in Course.lessons {
            // The full edition has every lesson's Solutions/ folder; both editions its recorded references.
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("Solutions").path) {
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Solutions/\(lesson.folder)").path), "no Solutions/\(lesson.folder)")
            }
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Tests/\(lesson.testTarget)/Recorded/references.wbref").path),
                    "no recorded references for \(lesson.folder): swift run workbook record-references --lesson \(lesson.number)")
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(lesson.readme).path), "no \(lesson.readme)")
        }
    }

    @Test("Every declared exercise has one stub, and every stub a declaration", arguments: Course.lessons.map(\.folder))
    func stubsMatchDeclarations(folder: String) throws {
        let lesson = try #require(Course.lessons.first { $0.folder == folder })
        let directory = root.appendingPathComponent("Lessons/\(folder)")
        let sources = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let thrown = sources.components(separatedBy: "notStarted(\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        let declared = lesson.exercises.map(\.number)
        // A student who has done an exercise no longer throws its `notStarted`: in student mode only
        // the stubs that remain must name declared exercises, once each. The one-to-one check runs on
        // the course as published (solutions mode, CI), where every stub is untouched.
        if WorkbookMode.current == .student {
            #expect(Set(thrown).isSubset(of: declared) && Set(thrown).count == thrown.count,
                    "stubs throw notStarted for \(thrown), the declarations are \(declared)")
        } else {
            #expect(thrown.sorted() == declared.sorted(), "stubs throw notStarted for \(thrown), the declarations are \(declared)")
        }
        #expect(Set(declared).count == declared.count, "an exercise number is declared twice")
        for exercise in lesson.exercises {
            #expect(exercise.lesson == lesson.number, "exercise \(exercise.number) is declared in lesson \(lesson.number)")
            let name = exercise.stub.prefix { $0 != "(" }
            #expect(sources.contains("func \(name)("), "exercise \(exercise.number): no stub `func \(name)(` in Lessons/\(folder)")
            #expect(!exercise.mistakes.isEmpty, "exercise \(exercise.number) catalogues no mistake")
            let ids = exercise.mistakes.map(\.id)
            #expect(Set(ids).count == ids.count, "exercise \(exercise.number) has a mistake id twice")
        }
    }

    @Test("An unknown mistake id is an error, never another mistake")
    func unknownMistakeRefused() throws {
        let exercise = Exercise<@Sendable () -> Int>("9.1", "test", stub: "f()", reference: { 0 },
                                                      mistakes: Wrong.allCases, wrong: { id in { id == .one ? 1 : 2 } })
        #expect(exercise.mistakes.map(\.id) == ["one", "two"])
        #expect(exercise.mistakes.map { $0.implementation() } == [1, 2])
        #expect(exercise.summary.mistakes.map(\.summary) == ["the first", "the second"])
        let error = UnknownMistake(exercise: "9.1", id: "three", known: ["one", "two"])
        #expect(error.description.contains("catalogues no mistake 'three'"))
    }

    enum Wrong: String, MistakeKind {
        case one, two
        var summary: String { self == .one ? "the first" : "the second" }
    }
}
