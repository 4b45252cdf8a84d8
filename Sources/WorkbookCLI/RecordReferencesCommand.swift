// The instructors' edition only: this command needs Solutions/ (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import Course
import DataFormats
import Foundation
import LessonSupport
import ModelZoo

/// `workbook record-references`: writes each lesson's recorded references — every answer its
/// graders take from the reference, for the exact inputs the tests use — to
/// `Tests/<Topic>LessonTests/Recorded/references.wbref`, for the student edition (which has no
/// `Solutions/`) to grade against.
///
/// The graders run live, once with the reference (`WORKBOOK_SOLUTIONS=1`) and once per catalogued
/// mistake (a failing test asks the reference for more than a passing one: the answers its hints
/// compare with), each with `WORKBOOK_RECORD_REFERENCES` naming a scratch folder where every answer
/// is journalled. The journals are merged (one value per key: a key answered twice with two values
/// stops the command) and written sorted, so recording twice changes no byte. Lessons whose graders
/// take no reference through a `ReferenceBook` (no `Reference.swift` beside them) are skipped.
enum RecordReferencesCommand: Command {
    static let name = "record-references"
    static let summary = "Record every reference answer the lessons' graders use, for the student edition."
    /// `verify`'s options: `--lesson N`, `--timeout SECONDS`, `--skip-build`.
    static let options = VerifyCommand.options

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let timeout = Double(try options.int("timeout", default: 300)!)
        let lessons = try Course.selected(try options.int("lesson")).filter { recordsReferences($0, root: root) }
        guard !lessons.isEmpty else { throw WorkFailure(message: "no selected lesson takes its reference through a ReferenceBook (Tests/<Topic>LessonTests/Reference.swift)") }
        if !options.has("skip-build") { try TestRun.buildTests(root: root) }
        for lesson in lessons {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-references-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            var runs: [[String: String]] = [["WORKBOOK_SOLUTIONS": "1"]]
            runs += Course.mistakes(of: lesson).map { ["WORKBOOK_MISTAKE": "\($0.exercise)/\($0.id)"] }
            for environment in runs {
                let run = try TestRun.run(filter: lesson.testTarget, environment: environment.merging(["WORKBOOK_RECORD_REFERENCES": scratch.path]) { a, _ in a },
                                          timeout: timeout, root: root)
                guard run.completed else {
                    throw WorkFailure(message: "\(lesson.folder): the graders did not complete with \(environment.map { "\($0.key)=\($0.value)" }.joined()) — fix that first (workbook verify --lesson \(lesson.number))")
                }
            }
            var entries: [RecordedEntry] = []
            for name in try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() where name.hasSuffix(".journal") {
                entries += try RecordedReferences.journalEntries([UInt8](try Data(contentsOf: scratch.appendingPathComponent(name))))
            }
            let bytes = try RecordedReferences.encode(entries)
            let file = referencesFile(lesson, root: root)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFiles.write([(file, Data(bytes))])
            let answers = try RecordedReferences.decode(bytes).count
            printNow("\(lesson.folder): \(answers) reference answers from \(runs.count) runs, \(bytes.count.formatted()) bytes → \(file.path.replacingOccurrences(of: root.path + "/", with: ""))")
        }
    }

    static func referencesFile(_ lesson: LessonDeclaration, root: URL) -> URL {
        root.appendingPathComponent("Tests/\(lesson.testTarget)/Recorded/references.wbref")
    }

    /// Whether the lesson's graders take the reference through a `ReferenceBook`.
    static func recordsReferences(_ lesson: LessonDeclaration, root: URL) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("Tests/\(lesson.testTarget)/Reference.swift").path)
    }
}
#endif
