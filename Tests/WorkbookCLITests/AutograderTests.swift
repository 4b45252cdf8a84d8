import Course
import Foundation
import Testing
import TestSupport
@testable import WorkbookCLI

/// `workbook autograder`: the bundles are complete, and the per-exercise check GitHub Classroom
/// runs passes exactly for the exercises results.json marks as passed. (The Gradescope
/// `run_autograder` itself is exercised on a submission by Tests/AutograderSelfTest/run.sh: it
/// builds a copy of the course, which does not belong inside `swift test`.)
@Suite("workbook autograder: Gradescope and GitHub Classroom bundles", .maintainers, .maintainers)
struct AutograderTests {
    static func shell(_ command: String, in folder: URL) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    @Test("--gradescope writes executable scripts that parse, and the course as its student edition (no Solutions/) without build products")
    func gradescope() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = folder.appendingPathComponent("bundle")
        let result = workbook(["autograder", "--gradescope", bundle.path, "--swift-version", "6.2"])
        #expect(result.status == 0, "\(result.error)")
        for script in ["setup.sh", "run_autograder"] {
            let path = bundle.appendingPathComponent(script).path
            #expect(FileManager.default.isExecutableFile(atPath: path))
            #expect(try Self.shell("bash -n '\(path)'", in: folder) == 0, "\(script) does not parse")
        }
        let setup = try String(contentsOf: bundle.appendingPathComponent("setup.sh"), encoding: .utf8)
        #expect(setup.contains("https://download.swift.org/swift-$SWIFT_VERSION-release/$platform/$release/$release-ubuntu$VERSION_ID.tar.gz"))
        #expect(setup.contains("SWIFT_VERSION=${SWIFT_VERSION:-6.2}"))
        let run = try String(contentsOf: bundle.appendingPathComponent("run_autograder"), encoding: .utf8)
        for variable in ["WORKBOOK_SUBMISSION", "WORKBOOK_COURSE", "WORKBOOK_WORK", "WORKBOOK_RESULTS"] { #expect(run.contains("${\(variable):-")) }
        #expect(run.contains("workbook grade --skip-build --timeout 600"))
        let course = bundle.appendingPathComponent("course")
        for path in ["Package.swift", "Lessons/01-Hooks/Hooks.swift", "Tests/HooksLessonTests/Recorded/references.wbref",
                     "Sources/WorkbookCLI/GradeCommand.swift", "Datasets/models/mnist-gap.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: course.appendingPathComponent(path).path), "missing \(path)")
        }
        // The student edition: no answers for a submission to call, link to or read.
        for path in ["Solutions", "Sources/WorkbookCLI/ReferenceImplementations.swift", "Tests/WorkbookCLITests"] {
            #expect(!FileManager.default.fileExists(atPath: course.appendingPathComponent(path).path), "\(path) is in the bundle")
        }
        #expect(!FileManager.default.fileExists(atPath: course.appendingPathComponent(".build").path))
        #expect(!FileManager.default.fileExists(atPath: course.appendingPathComponent(".git").path))
        // The judge's source: the full course (held-out inputs are graded against the live
        // reference), which setup.sh builds and run_autograder closes to the runner's user.
        let judge = bundle.appendingPathComponent("judge")
        for path in ["Package.swift", "Solutions/01-Hooks/Hooks.swift", "Tests/HooksLessonTests/HeldOutTests.swift"] {
            #expect(FileManager.default.fileExists(atPath: judge.appendingPathComponent(path).path), "judge/ lacks \(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: judge.appendingPathComponent(".build").path))
        #expect(setup.contains("JUDGE_SOURCE=${WORKBOOK_JUDGE_SOURCE:-") && setup.contains("cd \"$JUDGE_SOURCE\""))
        #expect(run.contains("chmod 700 \"$JUDGE_SOURCE\""))
    }

    @Test("--github-classroom: one test per exercise with 1 point, and each check passes only for its passed exercise",
          .enabled(if: AutograderTests.hasPython, "python3 runs the generated checks"))
    func githubClassroom() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(workbook(["autograder", "--github-classroom", folder.path]).status == 0)
        let exercises = Course.lessons.flatMap { lesson in lesson.exercises.map { (lesson.folder, $0.number, $0.title) } }
        #expect(exercises.count >= 40)
        let data = try Data(contentsOf: folder.appendingPathComponent(".github/classroom/autograding.json"))
        let tests = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["tests"] as? [[String: Any]])
        #expect(tests.count == exercises.count)
        #expect(tests.allSatisfy { $0["points"] as? Int == 1 })
        #expect(Set(tests.compactMap { $0["name"] as? String }).count == exercises.count)
        let workflow = try String(contentsOf: folder.appendingPathComponent(".github/workflows/classroom.yml"), encoding: .utf8)
        #expect(workflow.components(separatedBy: "uses: classroom-resources/autograding-command-grader@v1").count - 1 == exercises.count)
        #expect(workflow.contains("runners: exercise-1-1,exercise-1-2,"))
        // Fails closed: a grade-report/ committed by a student is removed before this run grades.
        let removal = try #require(workflow.range(of: "rm -rf grade-report"), "the workflow must remove grade-report/ before grading")
        let grading = try #require(workflow.range(of: "workbook grade"))
        #expect(removal.lowerBound < grading.lowerBound, "grade-report/ must be removed before workbook grade runs")

        // A results.json as `workbook grade` writes it: 1.1 done, 1.2 wrong; every other exercise absent.
        let report = folder.appendingPathComponent("grade-report")
        try FileManager.default.createDirectory(at: report, withIntermediateDirectories: true)
        let first = try #require(Course.lessons.first)
        let grades = zip(first.exercises.prefix(2), ["done", "wrong"]).map { exercise, status in
            GradeCommand.ExerciseGrade(lesson: first.folder, exercise: exercise.number, title: exercise.title, status: status, tests: [])
        }
        try GradeCommand.writeResults(grades, to: report.appendingPathComponent("results.json"))
        let statuses = try tests.prefix(3).map { try Self.shell(try #require($0["run"] as? String), in: folder) }
        #expect(statuses == [0, 1, 1])
    }

    @Test("without a target it says what to give and writes nothing")
    func refused() throws {
        let result = workbook(["autograder"])
        #expect(result.status == 2)
        #expect(result.error.hasSuffix("give --gradescope DIR or --github-classroom DIR (or both)"))
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = workbook(["autograder", "--gradescope", folder.appendingPathComponent("b").path, "--swift-version", "latest"])
        #expect(bad.error.hasSuffix("--swift-version takes a release like 6.2 or 6.3.1, got 'latest'"))
        #expect(contents(folder).isEmpty)
    }
}
