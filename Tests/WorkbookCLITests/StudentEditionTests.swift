import Foundation
import Testing
import TestSupport
@testable import WorkbookCLI

/// The answer search `workbook student-edition` runs before it writes anything.
@Suite("Student edition: the answer search", .maintainers)
struct StudentEditionTests {
    func folder(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-search-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    static let answer = """
        public func gradCAM(of model: Module, images: Tensor, targets: [Int], layer: String = "relu3") throws -> Tensor {
            let (a, g) = try activationsAndGradients(of: model, at: layer, images: images, targets: targets)
            let weights = try g.mean(axes: [2, 3], keepDims: true)
            return try (a * weights).sum(axes: [1], keepDims: true).relu().detached()
        }
        """

    @Test("three consecutive significant lines of an answer are found, whatever the indentation and comments between them")
    func findsACopiedBody() throws {
        let solutions = try folder(["05-GradCAM/GradCAM.swift": Self.answer])
        let copied = Self.answer.split(separator: "\n").dropFirst().prefix(3)
            .map { "        " + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n    // a comment\n\n")
        let edition = try folder(["Tests/X/Hint.swift": "import Foundation\nfunc hint() throws {\n\(copied)\n}\n"])
        defer { try? FileManager.default.removeItem(at: solutions); try? FileManager.default.removeItem(at: edition) }
        let leaks = try AnswerSearch.leaks(of: solutions, in: edition)
        #expect(leaks.count == 1 && leaks.first?.hasPrefix("Tests/X/Hint.swift:") == true, "\(leaks)")
    }

    @Test("a signature and two lines, or the declarations' file, are not answers")
    func ignoresWhatIsNoAnswer() throws {
        let lines = Self.answer.split(separator: "\n").map(String.init)
        let solutions = try folder(["05-GradCAM/GradCAM.swift": Self.answer, "05-GradCAM/Exercises.swift": "let a = 1111111111111\nlet b = 2222222222222\nlet c = 3333333333333\n"])
        let edition = try folder([
            "Lessons/05-GradCAM/GradCAM.swift": lines[0] + "\n    throw notStarted(\"5.2\")\n}\n" + lines[1] + "\n" + lines[2] + "\n",
            "Sources/Course/Lessons/05-GradCAM.swift": "let a = 1111111111111\nlet b = 2222222222222\nlet c = 3333333333333\n",
        ])
        defer { try? FileManager.default.removeItem(at: solutions); try? FileManager.default.removeItem(at: edition) }
        #expect(try AnswerSearch.leaks(of: solutions, in: edition).isEmpty)
    }
}
