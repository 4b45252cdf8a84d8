// The instructors' edition only: this command needs Solutions/ (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import Course
import Foundation
import LessonSupport
import ModelZoo

/// `workbook student-edition --out DIR`: writes the repository a class is given — the committed
/// course (`git archive HEAD`) without `Solutions/` and without what needs it (the instructors'
/// commands, the command line's tests, the grading self-tests, CI), with a README for students.
/// Its command line runs the student's own exercises (`Implementations.student`). Its graders compare with the
/// recorded references (`Tests/<Topic>LessonTests/Recorded`), so it builds and grades offline with
/// no access to this edition.
///
/// Before anything is written, every Swift file of the edition is searched for code of
/// `Solutions/` (any three consecutive significant lines of an answer, a mistake, a variant or a
/// reference figure): one found stops the command and names the file and line. The edition
/// appears complete or not at all (built in a sibling folder, renamed once).
enum StudentEditionCommand: Command {
    static let name = "student-edition"
    static let summary = "Write the student edition: the committed course without Solutions/, graded against recorded references."
    static let options = [
        OptionSpecification(name: "out", valueName: "DIR", help: "the folder to create (must not exist)", required: true),
        OptionSpecification(name: "github-classroom", valueName: nil,
                            help: "also GitHub Classroom's autograding (.github/): the edition is then the assignment's template repository"),
    ]

    /// What the student edition leaves out: the answers, and what cannot build or run without them.
    static let excluded = ["Solutions/", "Tests/WorkbookCLITests/", "Tests/GradingSelfTest/", "Tests/AutograderSelfTest/",
                           "Tests/StudentEditionSelfTest/", ".ci/", "BENCHMARKS.md"]
        + fullEditionCommandLine.map { "Sources/WorkbookCLI/\($0).swift" }

    /// The command line's files that are compiled only with `FULL_EDITION` (they name `Solutions/`):
    /// left out rather than shipped as dead code.
    static let fullEditionCommandLine = ["ReferenceImplementations", "FullEdition", "BenchCommand", "FiguresCommand", "VerifyCommand",
                                         "RecordReferencesCommand", "StudentEditionCommand", "AutograderCommand"]

    /// The files of `folder` (the staged edition) that check or compute the reference itself and so
    /// spell out answers: the tests of the reference against independent derivations and other
    /// libraries (`Tests/**/…ReferenceChecks.swift`, full edition only by design), the Python
    /// scripts that computed the lessons' PyTorch, captum and scikit-learn fixtures (the fixtures
    /// stay), and the PyTorch benchmark scripts.
    static func fullEditionOnly(in folder: URL) -> [URL] {
        let base = folder.standardizedFileURL.path + "/"
        return (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []).filter { url in
            let path = url.standardizedFileURL.path.replacingOccurrences(of: base, with: "")
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 2 else { return false }
            if parts[0] == "Tests", path.hasSuffix("ReferenceChecks.swift") { return true }
            if parts[0] == "Tests", url.pathExtension == "py", parts[1].hasSuffix("LessonTests") || parts[1] == "ColourFixtures" { return true }
            if path.hasPrefix("Datasets/models/"), url.pathExtension == "py", url.lastPathComponent.contains("bench") { return true }
            return false
        }.sorted { $0.path < $1.path }
    }

    static func run(_ options: ParsedOptions) throws {
        let root = try DatasetFiles.root()
        let out = URL(fileURLWithPath: options.string("out")!).standardizedFileURL
        guard !FileManager.default.fileExists(atPath: out.path) else {
            throw CommandLineError(message: "--out \(out.path) exists: name a folder to create")
        }
        let start = Date()
        let staging = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).\(UUID().uuidString).partial")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        let commit = try stage(root: root, into: staging, classroom: options.has("github-classroom"))
        let dirty = try shell(["git", "-C", root.path, "status", "--porcelain", "--untracked-files=no"], root: root)
            .split(separator: "\n").count
        try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: staging, to: out)
        let files = FileManager.default.enumerator(atPath: out.path)?.allObjects.count ?? 0
        printNow("wrote the student edition of \(commit) to \(out.path): \(files) files and folders, no code of Solutions/ in any Swift file, "
                 + String(format: "%.1f s", Date().timeIntervalSince(start))
                 + (dirty > 0 ? " (the committed course: \(dirty) file(s) with uncommitted changes are not in it)" : ""))
    }

    /// Writes `root`'s committed course (`git archive HEAD`, never the working tree) into `folder`.
    static func extractCommitted(root: URL, into folder: URL) throws {
        _ = try shell(["sh", "-c", "git -C \"$0\" archive --format=tar HEAD | tar -x -C \"$1\"", root.path, folder.path], root: root)
    }

    /// Writes the edition of `root`'s committed course into the empty folder `staging`: `git
    /// archive HEAD`, without `excluded` and `fullEditionOnly`, with the students' README (and the
    /// Classroom workflow), then searched for answers' code. Returns the commit's short hash. What
    /// `student-edition` publishes and the Gradescope bundle grades with.
    static func stage(root: URL, into staging: URL, classroom: Bool) throws -> String {
        let commit = try shell(["git", "-C", root.path, "rev-parse", "--short", "HEAD"], root: root).trimmingCharacters(in: .whitespacesAndNewlines)
        try extractCommitted(root: root, into: staging)
        for path in excluded { try? FileManager.default.removeItem(at: staging.appendingPathComponent(path)) }
        for file in fullEditionOnly(in: staging) { try FileManager.default.removeItem(at: file) }
        try Data(readme(commit: commit, classroom: classroom).utf8).write(to: staging.appendingPathComponent("README.md"))
        if classroom {
            // The same workflow `workbook autograder --github-classroom` writes: one grading run,
            // one check per exercise, failing closed (only results this run wrote count).
            let exercises = Course.lessons.flatMap { lesson in lesson.exercises.map { (lesson.folder, $0.number, $0.title) } }
            let version = AutograderCommand.defaultSwiftVersion
            for (path, text) in [(".github/workflows/classroom.yml", AutograderCommand.classroomWorkflow(exercises, swiftVersion: version, timeout: 600)),
                                 (".github/classroom/autograding.json", AutograderCommand.classroomConfiguration(exercises, timeout: 600))] {
                let url = staging.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
        }

        let leaks = try AnswerSearch.leaks(of: root.appendingPathComponent("Solutions"), in: staging)
        guard leaks.isEmpty else {
            throw WorkFailure(message: "the edition would contain code of Solutions/ (\(leaks.count) place(s)), first: \(leaks[0])\(leaks.count > 1 ? "; " + leaks.dropFirst().prefix(4).joined(separator: "; ") : "")")
        }
        return commit
    }

    /// Runs a command, returns its standard output; its failure is a work failure.
    static func shell(_ arguments: [String], root: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = root
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WorkFailure(message: "\(arguments.prefix(3).joined(separator: " ")) failed: "
                              + String(decoding: message, as: UTF8.self).split(separator: "\n").prefix(1).joined())
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func readme(commit: String, classroom: Bool = false) -> String {
        let autograding = classroom ? """

        ## Autograding on GitHub

        Every push runs `.github/workflows/classroom.yml`: one `workbook grade` run, then one check
        per exercise. It runs on your repository's runner, with your code, so its points are
        feedback for you; your course's grades of record come from its Gradescope assignment.

        """ : ""

        let rows = Course.lessons.map { "| [\($0.folder.prefix(2)) \($0.title)](Lessons/\($0.folder)/README.md) | \($0.exercises.count) | `\($0.testTarget)` |" }
        return """
        # CNN interpretability workbook, in Swift — student edition

        A test-driven course on how a convolutional network can be made to explain itself: hooks,
        saliency maps, occlusion, CAM, Grad-CAM, guided backpropagation, adversarial examples, what a
        network has learned, embeddings, and whether the explanations are right. You implement each
        method in `Lessons/NN-Topic/*.swift`; `swift test` grades every exercise with gradient checks
        and golden images against the reference's recorded answers.

        Swift 6.2 or later, Linux or macOS, no package dependencies, no network.

        ## How to work

        ```sh
        swift test                                   # grade every lesson: the last lines are your score
        swift test --filter '^HooksLessonTests'      # one lesson
        ```

        Read the lesson's `README.md` first, fill in the stubs of its Swift file in order, and keep
        [the toolbox](Lessons/TOOLBOX.md) open. An exercise you have not started is reported *not
        started*; a wrong one fails with a short message at your stub that says what differs and,
        for a map, where your map, the reference and their difference were written as PNGs
        (`test-output/`). Work in `Lessons/` only: everything else is the course.

        | lesson | exercises | tests |
        | --- | --- | --- |
        \(rows.joined(separator: "\n"))

        ## What this edition is

        The course without its answers. Where a test needs the reference's result, it reads the
        answer recorded for exactly the inputs the test uses
        (`Tests/<Topic>LessonTests/Recorded/references.wbref`, checksummed); everything else a
        test checks — gradients against central differences, small networks worked out by hand,
        properties such as shapes and ranges, the golden figures — is computed here, on your code.
        The fixtures from PyTorch, captum and scikit-learn are here; the Python scripts that made
        them, and the tests of the reference itself, are in the instructors' edition.

        Your grade of record may also test each exercise on *held-out inputs*: images, classes,
        layers and sizes drawn when it is graded (`Tests/<Topic>LessonTests/HeldOutTests.swift`
        says what each draws; they need the reference, so they run only where it is). Write each
        exercise for any input, not for the visible tests' — an answer that only fits them fails
        there, and the message names the inputs it was given (test image numbers, classes, sizes),
        so you can try your code on them.

        ## The workbook on your code

        The `workbook` command line runs **your** implementation of every method that is an
        exercise: an explanation of a test digit with every method you have written, the explorer,
        a ranking of your maps, class images, DeepDream, embeddings.

        ```sh
        swift run -c release workbook explain --all --index 0     # every method, on test image 0
        swift run -c release workbook explain --method gradcam    # one method
        swift run -c release workbook insights --n 20 --out insights && open insights/index.html
        swift run -c release workbook --help                      # every command
        ```

        A method whose exercise you have not done stops with one line naming it ("gradcam needs
        exercise 5.2, which is not started"). `embed` runs your exact t-SNE and N × N scores, so it
        takes at most 5,000 images (2,000 by default). The commands the lesson READMEs show for
        instructors (`figures`, `verify`, `bench`, `record-references`, `autograder`) and
        `--implementation reference` belong to the instructors' edition; the reference's figures
        are in each lesson's `figures/` folder, to compare with yours.

        \(autograding)Made by `workbook student-edition` from version \(commit) of the course.

        """
    }
}

/// Finds the answers' code in a folder: any three consecutive significant lines (not blank, not a
/// comment, not only punctuation, at least 12 characters once trimmed) of an answer file of
/// `Solutions/` — the reference of every exercise, the mistakes, the correct variants; not the
/// declarations' bindings, the reference figures or the reference engine's library code, which
/// are no exercise's answer — that stand, consecutively, in a Swift file there.
enum AnswerSearch {
    /// Files of `Solutions/` that hold no exercise's answer.
    static let notAnswers: Set<String> = ["Exercises.swift", "Figures.swift", "BarnesHutTSNE.swift", "QuadTree.swift", "UMAP.swift",
                                          "NearestNeighbours.swift", "FastPCA.swift", "RightReasons.swift"]

    static func significantLines(_ text: String) -> [(line: Int, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.count >= 12, !line.hasPrefix("//"), !line.hasPrefix("import "),
                  line.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            return (index + 1, line.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
    }

    static func swiftFiles(in folder: URL) -> [URL] {
        (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    /// `file:line (from Solutions/…)` for each place in `edition` that repeats code of `answers`.
    static func leaks(of answers: URL, in edition: URL) throws -> [String] {
        var windows: [String: String] = [:]
        for file in swiftFiles(in: answers) where !notAnswers.contains(file.lastPathComponent) {
            let lines = significantLines(try String(contentsOf: file, encoding: .utf8))
            guard lines.count >= 3 else { continue }
            for i in 0...(lines.count - 3) {
                windows[lines[i..<(i + 3)].map(\.text).joined(separator: "\n"), default: file.lastPathComponent] = file.lastPathComponent
            }
        }
        var found: [String] = []
        for file in swiftFiles(in: edition) {
            let lines = significantLines(try String(contentsOf: file, encoding: .utf8))
            guard lines.count >= 3 else { continue }
            for i in 0...(lines.count - 3) {
                if let source = windows[lines[i..<(i + 3)].map(\.text).joined(separator: "\n")] {
                    found.append("\(file.path.replacingOccurrences(of: edition.path + "/", with: "")):\(lines[i].line) repeats Solutions code (\(source))")
                    break
                }
            }
        }
        return found
    }
}
#endif
