// The instructors' edition only: this command needs Solutions/ (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import Course
import Foundation
import LessonSupport
import ModelZoo

/// `workbook autograder`: grading a whole class where courses already grade, not on the
/// instructor's laptop.
///
/// - `--gradescope DIR`: a Gradescope autograder bundle — `setup.sh` (installs the Swift toolchain
///   on Gradescope's Ubuntu image and builds a pristine copy of the course once), `run_autograder`
///   (copies only the submitted `Lessons/NN-Topic/*.swift` files into a fresh copy of that build,
///   runs `workbook grade` with its crash and time isolation, and writes Gradescope's
///   `results.json`), `course/` (the student edition of the committed course, no `Solutions/`: the
///   student's lessons are built there, into the lesson runner) and `judge/` (the full committed
///   course: setup.sh builds the judge from it, which grades every exercise against the live
///   reference, held-out inputs drawn at grading time included). The bundle holds the answers:
///   keep it private. Zip the folder's contents and upload them as the assignment's autograder.
/// - `--github-classroom DIR`: `.github/workflows/classroom.yml` (one grading run, then one
///   command-grader step per exercise with its points, and the reporter) and the older
///   `.github/classroom/autograding.json` with the same tests; copy both into the template repository.
enum AutograderCommand: Command {
    static let name = "autograder"
    static let summary = "Write a Gradescope autograder bundle (--gradescope DIR) or GitHub Classroom autograding (--github-classroom DIR)."
    static let options = [
        OptionSpecification(name: "gradescope", valueName: "DIR", help: "write setup.sh, run_autograder and course/ into DIR"),
        OptionSpecification(name: "github-classroom", valueName: "DIR", help: "write .github/workflows/classroom.yml and .github/classroom/autograding.json into DIR"),
        OptionSpecification(name: "swift-version", valueName: "X.Y[.Z]", help: "the toolchain setup.sh installs (default \(defaultSwiftVersion))"),
        OptionSpecification(name: "timeout", valueName: "SECONDS", help: "grade's time limit for one lesson's test process (default 600)", integers: 1...86_400),
    ]

    /// The toolchain the course is developed and tested with.
    static let defaultSwiftVersion = "6.3.1"

    static func run(_ options: ParsedOptions) throws {
        let gradescope = options.string("gradescope"), classroom = options.string("github-classroom")
        guard gradescope != nil || classroom != nil else { throw CommandLineError(message: "give --gradescope DIR or --github-classroom DIR (or both)") }
        let version = options.string("swift-version") ?? defaultSwiftVersion
        guard version.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
              (2...3).contains(version.split(separator: ".").count) else {
            throw CommandLineError(message: "--swift-version takes a release like 6.2 or 6.3.1, got '\(version)'")
        }
        let timeout = try options.int("timeout", default: 600)!
        let root = try DatasetFiles.root()
        if let gradescope {
            let folder = URL(fileURLWithPath: gradescope)
            // The student edition of the committed course (git archive HEAD, never the working tree:
            // an instructor's locally solved stub is never graded for the class), graded against the
            // recorded references: no Solutions/ in the image, so no reference code a submission
            // could call (by symbol name) or link to, and nothing of the answers to read.
            _ = try trackedFiles(root: root)     // a git checkout, or one line saying why not
            let committed = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-course-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: committed, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: committed) }
            _ = try StudentEditionCommand.stage(root: root, into: committed, classroom: false)
            let course = regularFiles(in: committed)
            var files: [(url: URL, data: Data)] = [
                (folder.appendingPathComponent("setup.sh"), Data(gradescopeSetup(swiftVersion: version).utf8)),
                (folder.appendingPathComponent("run_autograder"), Data(gradescopeRun(timeout: timeout).utf8)),
            ]
            for path in course {
                let data = try Data(contentsOf: committed.appendingPathComponent(path))
                files.append((folder.appendingPathComponent("course").appendingPathComponent(path), data))
            }
            // The judge's source: the full committed course, Solutions/ included. setup.sh builds the
            // judge from it, so held-out inputs (drawn at grading time) are graded against the live
            // reference; the student's code is built from course/ (no reference to call) and runs
            // as a user who cannot enter either folder. The bundle is the instructor's, never a student's.
            let full = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-judge-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: full) }
            try StudentEditionCommand.extractCommitted(root: root, into: full)
            let judgeFiles = regularFiles(in: full)
            for path in judgeFiles {
                files.append((folder.appendingPathComponent("judge").appendingPathComponent(path), try Data(contentsOf: full.appendingPathComponent(path))))
            }
            try writeTree(files, folder: folder)
            for script in ["setup.sh", "run_autograder"] {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent(script).path)
            }
            print("wrote \(folder.path): setup.sh, run_autograder, course/ (the student edition, \(course.count) files) and judge/ (the full course, "
                  + "\(judgeFiles.count) files: keep the bundle private); zip the folder's contents for Gradescope")
        }
        if let classroom {
            let folder = URL(fileURLWithPath: classroom)
            let exercises = Course.lessons.flatMap { lesson in lesson.exercises.map { (lesson.folder, $0.number, $0.title) } }
            try writeTree([
                (folder.appendingPathComponent(".github/workflows/classroom.yml"), Data(classroomWorkflow(exercises, swiftVersion: version, timeout: timeout).utf8)),
                (folder.appendingPathComponent(".github/classroom/autograding.json"), Data(classroomConfiguration(exercises, timeout: timeout).utf8)),
            ], folder: folder)
            print("wrote \(folder.path)/.github: the workflow and autograding.json, one test per exercise (\(exercises.count) tests, 1 point each)")
        }
    }

    /// The files (not folders) under `folder`, as sorted relative paths.
    static func regularFiles(in folder: URL) -> [String] {
        (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? [])
            .filter { path in
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isFolder) && !isFolder.boolValue
            }.sorted()
    }

    /// The files git tracks in the checkout (what a pristine clone holds).
    static func trackedFiles(root: URL) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root.path, "ls-files", "-z"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw CommandLineError(message: "--gradescope copies the course with git ls-files: git is not available") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandLineError(message: "--gradescope copies the course with git ls-files: \(root.path) is not a git checkout")
        }
        return output.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }.sorted()
    }

    /// Creates the folders, then writes every file or none (`AtomicFiles.writeTree`).
    static func writeTree(_ files: [(url: URL, data: Data)], folder: URL) throws {
        try AtomicFiles.writeTree(files, folder: folder)
    }

    static func gradescopeSetup(swiftVersion: String) -> String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this once when the autograder image is built (Ubuntu 22.04 or 24.04):
        # the Swift toolchain's packages, the toolchain from swift.org, then two debug builds.
        # - The judge, from judge/ (the full course, the reference included): the graders' test
        #   executable and `workbook`, saved in course/.judge. It decides every verdict, runs no
        #   student code and grades held-out inputs drawn at grading time against the live reference.
        # - The lesson runner's dependencies, from course/ (the student edition: no reference a
        #   submission could call), so grading a submission recompiles only Lessons/.
        # WORKBOOK_SKIP_TOOLCHAIN=1 skips the packages and the toolchain (a machine that has them);
        # WORKBOOK_COURSE and WORKBOOK_JUDGE_SOURCE override the two folders.
        # Written by `workbook autograder --gradescope`.
        set -euo pipefail
        SWIFT_VERSION=${SWIFT_VERSION:-\(swiftVersion)}
        SOURCE=${WORKBOOK_COURSE:-/autograder/source/course}
        JUDGE_SOURCE=${WORKBOOK_JUDGE_SOURCE:-$(dirname "$SOURCE")/judge}
        if [ -z "${WORKBOOK_SKIP_TOOLCHAIN:-}" ]; then
        . /etc/os-release
        case "$VERSION_ID" in
          22.04) gcc=11 ;;
          24.04) gcc=13 ;;
          *) echo "setup.sh: Ubuntu 22.04 or 24.04 expected, found $PRETTY_NAME" >&2; exit 1 ;;
        esac
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends binutils ca-certificates curl git gnupg2 libc6-dev libcurl4-openssl-dev \\
          libedit2 libgcc-$gcc-dev libncurses-dev libpython3-dev libsqlite3-0 libstdc++-$gcc-dev libxml2-dev libz3-dev \\
          pkg-config python3 tzdata unzip zlib1g-dev
        platform="ubuntu${VERSION_ID/./}"
        release="swift-$SWIFT_VERSION-RELEASE"
        curl -fsSL "https://download.swift.org/swift-$SWIFT_VERSION-release/$platform/$release/$release-ubuntu$VERSION_ID.tar.gz" -o /tmp/swift.tar.gz
        mkdir -p /opt/swift
        tar -xzf /tmp/swift.tar.gz -C /opt/swift --strip-components=1
        rm /tmp/swift.tar.gz
        ln -sf /opt/swift/usr/bin/* /usr/local/bin/
        swift --version
        fi
        cd "$JUDGE_SOURCE"
        swift build --build-tests
        swift build --product workbook
        rm -rf "$SOURCE/.judge" && mkdir "$SOURCE/.judge"
        cp .build/debug/workbook "$SOURCE/.judge/workbook"
        cp .build/debug/*PackageTests.xctest "$SOURCE/.judge/judge.xctest"
        cd "$SOURCE"
        swift build --product lesson-runner

        """
    }

    static func gradescopeRun(timeout: Int) -> String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this for each submission, in a fresh container holding the pristine course
        # setup.sh built. Only the submitted lesson files count: every `Lessons/NN-Topic/*.swift`
        # (or `NN-Topic/*.swift` at the top of the submission) is copied over the course's stubs,
        # so only the Lessons modules recompile; nothing else of the submission is used. `workbook grade` then grades every lesson with its crash and time isolation and
        # its results.json (Gradescope's format) is copied to the results folder. A submission
        # that does not compile gets a score of 0 and the compiler's first errors.
        # Every path can be overridden (to run this locally):
        #   WORKBOOK_SUBMISSION (default /autograder/submission)  the student's files
        #   WORKBOOK_COURSE     (default /autograder/source/course) the pristine, built course
        #   WORKBOOK_WORK       (default: the course itself)     grade in a copy instead (a full build)
        #   WORKBOOK_RESULTS    (default /autograder/results)    where results.json goes
        #   WORKBOOK_GRADE_OPTIONS  extra options for `workbook grade` (e.g. "--lesson 1")
        #   WORKBOOK_RUNNER_USER (default nobody)  the user the student's code runs as (when root)
        #   WORKBOOK_JUDGE_SOURCE (default: judge/ beside the course)  the judge's full course
        # With the judge setup.sh saved (course/.judge), only the lesson runner is built from the
        # submission; `workbook grade --judge` decides the verdicts in a process that runs no student
        # code (it adds held-out inputs drawn now, graded against the live reference), and the
        # student's code runs as WORKBOOK_RUNNER_USER, who cannot enter the course (its recorded
        # references), the judge's full course, the results or the judge's files.
        # Written by `workbook autograder --gradescope`.
        set -uo pipefail
        SUBMISSION=${WORKBOOK_SUBMISSION:-/autograder/submission}
        COURSE=${WORKBOOK_COURSE:-/autograder/source/course}
        JUDGE_SOURCE=${WORKBOOK_JUDGE_SOURCE:-$(dirname "$COURSE")/judge}
        WORK=${WORKBOOK_WORK:-$COURSE}
        RESULTS=${WORKBOOK_RESULTS:-/autograder/results}
        mkdir -p "$RESULTS"
        fail() {   # fail MESSAGE-FILE: a zero score whose output is the file's first lines
          python3 - "$1" "$RESULTS/results.json" <<'PY'
        import json, sys
        text = open(sys.argv[1], errors="replace").read()
        lines = [l for l in text.splitlines() if "error:" in l][:20] or text.splitlines()[-40:]
        json.dump({"score": 0, "output": "Grading failed:\\n" + "\\n".join(lines)}, open(sys.argv[2], "w"), indent=1)
        PY
          exit 0
        }
        if [ "$WORK" != "$COURSE" ]; then
          rm -rf "$WORK" && mkdir -p "$WORK" && cp -a "$COURSE/." "$WORK/" && rm -rf "$WORK/.build" \
            || { echo "cannot copy $COURSE to $WORK" > "$RESULTS/log.txt"; fail "$RESULTS/log.txt"; }
        fi
        lessons="$SUBMISSION/Lessons"
        [ -d "$lessons" ] && [ ! -L "$lessons" ] || lessons="$SUBMISSION"
        # Only regular files named like Swift sources, inside a real (not linked) lesson folder, are
        # used: a link (to the course's Solutions/, to /etc/passwd) or an odd name is skipped and
        # listed, never fatal to the rest. Copies never follow links.
        copied=0; skipped=()
        for folder in "$WORK"/Lessons/[0-9][0-9]-*/; do
          name=$(basename "$folder")
          [ -e "$lessons/$name" ] || continue
          if [ -L "$lessons/$name" ] || [ ! -d "$lessons/$name" ]; then skipped+=("Lessons/$name (not a folder)"); continue; fi
          while IFS= read -r -d '' file; do
            base=${file##*/}
            if [ -L "$file" ] || [ ! -f "$file" ]; then skipped+=("Lessons/$name/$base (not a regular file)"); continue; fi
            if ! [[ "$base" =~ ^[A-Za-z0-9][A-Za-z0-9_+-]{0,80}\\.swift$ ]]; then skipped+=("Lessons/$name/<odd name> (not NAME.swift)"); continue; fi
            cp --no-dereference "$file" "$folder" && copied=$((copied + 1))
          done < <(find "$lessons/$name" -mindepth 1 -maxdepth 1 -name '*.swift' -print0 2>/dev/null)
        done
        echo "copied $copied lesson files from the submission"
        for item in "${skipped[@]+"${skipped[@]}"}"; do echo "skipped $item"; done
        cd "$WORK"
        JUDGE="$COURSE/.judge"
        rm -rf grade-report
        if [ -x "$JUDGE/judge.xctest" ] && [ -x "$JUDGE/workbook" ]; then
          # Build the lesson runner only (the judge is never rebuilt), so a compile error is
          # reported as such; it runs from a folder its user can enter.
          if ! swift build --product lesson-runner > "$RESULTS/build.txt" 2>&1; then fail "$RESULTS/build.txt"; fi
          bin=$(mktemp -d /tmp/workbook-runner-bin.XXXXXX)
          cp .build/debug/lesson-runner "$bin/" && chmod 755 "$bin" "$bin/lesson-runner"
          user=""
          if [ "$(id -u)" = 0 ]; then
            user=${WORKBOOK_RUNNER_USER:-nobody}
            chmod 700 "$COURSE" "$WORK" "$RESULTS"
            [ -d "$JUDGE_SOURCE" ] && chmod 700 "$JUDGE_SOURCE"
          else
            echo "not root: the student's code runs as $(id -un), in a process of its own"
          fi
          "$JUDGE/workbook" grade --skip-build --judge "$JUDGE/judge.xctest" --runner "$bin/lesson-runner" ${user:+--runner-user "$user"} \\
            --timeout \(timeout) --out grade-report ${WORKBOOK_GRADE_OPTIONS:-} > "$RESULTS/grade.txt" 2>&1
          rm -rf "$bin"
        else
          # No judge (an older setup): build and grade in one process per lesson, as `swift test` does.
          if ! swift build --build-tests > "$RESULTS/build.txt" 2>&1; then fail "$RESULTS/build.txt"; fi
          swift run --skip-build workbook grade --skip-build --timeout \(timeout) --out grade-report ${WORKBOOK_GRADE_OPTIONS:-} > "$RESULTS/grade.txt" 2>&1
        fi
        if [ -f grade-report/results.json ]; then
          cp grade-report/results.json "$RESULTS/results.json"
          cat "$RESULTS/grade.txt"
        else
          fail "$RESULTS/grade.txt"
        fi

        """
    }

    /// A step id GitHub accepts: `exercise-1-2`.
    static func stepID(_ number: String) -> String { "exercise-" + number.replacingOccurrences(of: ".", with: "-") }

    /// The name `workbook grade` gives the exercise in results.json (what each test looks up).
    static func testName(_ lesson: String, _ number: String, _ title: String) -> String {
        "Lesson \(lesson) — Exercise \(number): \(title)"
    }

    /// The command that passes when results.json says the exercise passed.
    static func checkCommand(_ name: String) -> String {
        let quoted = name.replacingOccurrences(of: "'", with: "'\\''")
        return "python3 -c 'import json, sys; t = [x for x in json.load(open(\"grade-report/results.json\"))[\"tests\"] if x[\"name\"] == sys.argv[1]]; "
            + "print(t[0][\"output\"] if t else \"not graded\"); sys.exit(0 if t and t[0][\"status\"] == \"passed\" else 1)' '\(quoted)'"
    }

    static func yamlString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func classroomWorkflow(_ exercises: [(String, String, String)], swiftVersion: String, timeout: Int) -> String {
        var yaml = """
        # GitHub Classroom autograding, written by `workbook autograder --github-classroom`.
        # One grading run (crash and time isolation per exercise), then one test per exercise
        # worth 1 point that passes when grade-report/results.json says the exercise is done.
        name: Autograding Tests
        on: [push, workflow_dispatch, repository_dispatch]
        permissions:
          checks: write
          actions: read
          contents: read
        jobs:
          run-autograding-tests:
            runs-on: ubuntu-22.04
            if: github.actor != 'github-classroom[bot]'
            steps:
              - name: Checkout code
                uses: actions/checkout@v4
              - name: Install Swift \(swiftVersion)
                run: |
                  release=swift-\(swiftVersion)-RELEASE
                  curl -fsSL "https://download.swift.org/swift-\(swiftVersion)-release/ubuntu2204/$release/$release-ubuntu22.04.tar.gz" -o /tmp/swift.tar.gz
                  mkdir -p "$HOME/swift" && tar -xzf /tmp/swift.tar.gz -C "$HOME/swift" --strip-components=1
                  echo "$HOME/swift/usr/bin" >> "$GITHUB_PATH"
              - name: Grade every lesson
                # Fail closed: a grade-report/ committed to the repository is removed first, so only
                # results this run wrote count (none when the code does not compile: every check fails).
                run: |
                  rm -rf grade-report
                  swift run workbook grade --timeout \(timeout) --out grade-report || true

        """
        for (lesson, number, title) in exercises {
            let name = testName(lesson, number, title)
            yaml += """
                  - name: \(yamlString(name))
                    id: \(stepID(number))
                    uses: classroom-resources/autograding-command-grader@v1
                    with:
                      test-name: \(yamlString(name))
                      command: \(yamlString(checkCommand(name)))
                      timeout: 1
                      max-score: 1

            """
        }
        let ids = exercises.map { stepID($0.1) }
        yaml += """
              - name: Autograding Reporter
                uses: classroom-resources/autograding-grading-reporter@v1
                env:

        """
        for id in ids { yaml += "          \(id.uppercased())_RESULTS: \"${{steps.\(id).outputs.result}}\"\n" }
        yaml += "        with:\n          runners: \(ids.joined(separator: ","))\n"
        return yaml
    }

    /// The older autograding.json format (still read by GitHub Classroom's assignment editor).
    static func classroomConfiguration(_ exercises: [(String, String, String)], timeout: Int) -> String {
        let tests: [[String: Any]] = exercises.enumerated().map { i, exercise in
            let name = testName(exercise.0, exercise.1, exercise.2)
            return ["name": name, "setup": i == 0 ? "swift run workbook grade --timeout \(timeout) --out grade-report || true" : "",
                    "run": checkCommand(name), "input": "", "output": "", "comparison": "included", "timeout": 60, "points": 1]
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["tests": tests], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
#endif
