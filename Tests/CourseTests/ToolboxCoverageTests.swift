import Course
import Foundation
import LessonSupport
import Testing
import TestSupport

/// The toolbox covers what the stubs ask for: every engine call a reference answer makes is named in
/// `Lessons/TOOLBOX.md` or in its lesson's stubs, or is listed here as deliberately left to discover.
/// Reads `Solutions/` from disk, so it runs in the full edition only (the student edition has no
/// answers to read; its toolbox is the same file).
@Suite("Course declarations: the toolbox covers the engine calls of the answers")
struct ToolboxCoverageTests {
    let root = LessonPaths.root

    /// Engine calls a student is expected to find by reading (each with the reason it is not in the toolbox).
    static let leftToDiscover: [String: String] = [
        "removeAll": "Swift's own Array.removeAll (the engine declares one too)",
        "forEach": "Swift's own Sequence.forEach",
    ]

    /// The names of the engine's public functions and properties (`Sources/TensorEngine`).
    func engineNames() throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/TensorEngine")
        let files = (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
        var names = Set<String>()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for marker in ["public func ", "public static func ", "public var ", "public static var ", "public static let ", "public final func "] {
                for chunk in text.components(separatedBy: marker).dropFirst() {
                    let name = String(chunk.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                    if name.count > 2 { names.insert(name) }
                }
            }
        }
        return names
    }

    /// Identifiers followed by "(" or preceded by "." in `code` (comments and strings blanked).
    static func calledNames(in code: String) -> Set<String> {
        var names = Set<String>()
        let characters = Array(code)
        var i = 0
        while i < characters.count {
            if characters[i].isLetter || characters[i] == "_" {
                let start = i
                while i < characters.count, characters[i].isLetter || characters[i].isNumber || characters[i] == "_" { i += 1 }
                let name = String(characters[start..<i])
                let dotted = start > 0 && characters[start - 1] == "."
                if dotted || (i < characters.count && characters[i] == "(") { names.insert(name) }
            } else {
                i += 1
            }
        }
        return names
    }

    @Test("every engine function or property a reference answer uses is in TOOLBOX.md, the lesson's stubs, or the list left to discover")
    func toolboxCoversTheAnswers() throws {
        let solutions = root.appendingPathComponent("Solutions")
        guard FileManager.default.fileExists(atPath: solutions.path) else { return }      // the student edition
        let engine = try engineNames()
        let toolbox = try String(contentsOf: root.appendingPathComponent("Lessons/TOOLBOX.md"), encoding: .utf8)
        let notAnswers: Set<String> = ["Exercises.swift", "Figures.swift", "Mistakes.swift", "Variants.swift", "Hints.swift", "BarnesHutTSNE.swift",
                                       "QuadTree.swift", "UMAP.swift", "NearestNeighbours.swift", "FastPCA.swift", "RightReasons.swift"]
        var missing: [String] = []
        for lesson in Course.lessons {
            let answers = try FileManager.default.contentsOfDirectory(atPath: solutions.appendingPathComponent(lesson.folder).path)
                .filter { $0.hasSuffix(".swift") && !notAnswers.contains($0) }.sorted()
            let stubFolder = root.appendingPathComponent("Lessons/\(lesson.folder)")
            let stubs = try FileManager.default.contentsOfDirectory(atPath: stubFolder.path).filter { $0.hasSuffix(".swift") }
                .map { try String(contentsOf: stubFolder.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
            var used = Set<String>()
            for file in answers {
                used.formUnion(Self.calledNames(in: WrittenByHand.blankingCommentsAndStrings(try String(contentsOf: solutions.appendingPathComponent("\(lesson.folder)/\(file)"), encoding: .utf8))))
            }
            // Functions the lesson itself defines (its exercises and helpers) are not engine calls.
            let defined = Set(stubs.components(separatedBy: "func ").dropFirst().map { String($0.prefix { $0.isLetter || $0.isNumber || $0 == "_" }) })
            for name in used.intersection(engine).subtracting(defined).sorted()
            where !toolbox.contains(name) && !stubs.contains(name) && Self.leftToDiscover[name] == nil {
                missing.append("\(lesson.folder): \(name)")
            }
        }
        #expect(missing.isEmpty, "engine calls of the answers that neither TOOLBOX.md nor the stubs name: \(missing.joined(separator: ", "))")
    }
}
