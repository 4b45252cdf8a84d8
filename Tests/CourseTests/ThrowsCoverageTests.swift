import Course
import Foundation
import LessonSupport
import Testing

/// What a stub promises is graded: every exercise whose stub's doc comment has a "- Throws:" line
/// has a test of its own ("Exercise N.M: …") that expects an error (`expectRealError` or
/// `#expect(throws:)`), so an implementation that drops the check fails its own exercise.
@Suite("Course declarations: every promised error is graded")
struct ThrowsCoverageTests {
    let root = LessonPaths.root

    /// The `///` lines right above `func NAME(` in `text` (nil if there is no such function).
    static func docComment(of stub: String, in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let name = "func \(stub.prefix { $0 != "(" })("
        guard let index = lines.firstIndex(where: { $0.contains(name) && !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }) else { return nil }
        var doc: [String] = []
        var i = index - 1
        while i >= 0 {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("///") { doc.insert(line, at: 0) } else if !line.hasPrefix("@") { break }
            i -= 1
        }
        return doc.joined(separator: "\n")
    }

    /// The graded tests of a test target's files: (exercise number, the test's source up to the next test).
    static func gradedTests(in texts: [String]) -> [(exercise: String, body: String)] {
        texts.flatMap { text in
            text.components(separatedBy: "@Test(\"").dropFirst().compactMap { chunk -> (String, String)? in
                guard chunk.hasPrefix("Exercise "), let colon = chunk.firstIndex(of: ":") else { return nil }
                return (String(chunk[chunk.index(chunk.startIndex, offsetBy: 9)..<colon]), chunk)
            }
        }
    }

    @Test("each \"- Throws:\" in a stub's doc comment has a test of its exercise that expects an error", arguments: Course.lessons.map(\.folder))
    func promisedErrorsAreGraded(folder: String) throws {
        let lesson = try #require(Course.lessons.first { $0.folder == folder })
        func texts(_ directory: URL) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }.sorted()
                .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        }
        let stubs = try texts(root.appendingPathComponent("Lessons/\(folder)")).joined(separator: "\n")
        let tests = Self.gradedTests(in: try texts(root.appendingPathComponent("Tests/\(lesson.testTarget)")))
        for exercise in lesson.exercises {
            guard let doc = Self.docComment(of: exercise.stub, in: stubs), doc.contains("- Throws:") else { continue }
            let expecting = tests.filter { $0.exercise == exercise.number && ($0.body.contains("expectRealError") || $0.body.contains("throws:")) }
            #expect(!expecting.isEmpty, "\(exercise.number) \(exercise.stub) promises errors (\"- Throws:\") but no test of \(exercise.number) expects one")
        }
    }

    @Test("the parsers: a doc comment above its function, graded tests split at @Test")
    func parsers() {
        let stub = """
            /// Does it.
            /// - Throws: for a bad shape.
            @inlinable
            public func thing(_ x: Int) throws -> Int { x }
            /// Other.
            func other() {}
            """
        #expect(Self.docComment(of: "thing(_:)", in: stub) == "/// Does it.\n/// - Throws: for a bad shape.")
        #expect(Self.docComment(of: "missing(_:)", in: stub) == nil)
        let tests = Self.gradedTests(in: ["@Test(\"Exercise 2.5a: x\") func a() { expectRealError }\n@Test(\"not graded\") func b() {}\n@Test(\"Exercise 3.1: y\") func c() {}"])
        #expect(tests.map(\.exercise) == ["2.5a", "3.1"])
        #expect(tests[0].body.contains("expectRealError") && !tests[1].body.contains("expectRealError"))
    }
}
