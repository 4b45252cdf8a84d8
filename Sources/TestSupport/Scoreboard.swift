import Foundation
import LessonSupport
import Testing

/// What the graded tests of this process found, exercise by exercise. Printed as the last lines
/// of `swift test` (at process exit, or when a crash or the time limit ends the process), and —
/// when `WORKBOOK_RESULTS` names a file — written there one JSON line per test, as it finishes,
/// for `workbook grade`.
final class Scoreboard: @unchecked Sendable {
    static let shared: Scoreboard = {
        let board = Scoreboard()
        ProcessGuard.install()
        return board
    }()

    enum Status: String, Codable, Sendable {
        case passed, failed, notStarted = "not started", skipped, crashed, timeLimit = "time limit"
        /// An earlier exercise this one calls differs from the reference (`WaitingForEarlierExercise`).
        case waiting
    }

    struct Record: Codable, Sendable {
        let lesson: Int
        let exercise: String
        let test: String
        var status: Status?
        var message: String?
        var started = Date()
    }

    private let lock = NSLock()
    private var lessons: [Int: LessonDeclaration] = [:]
    private var records: [String: Record] = [:]
    private var order: [String] = []
    private var aborted = false
    private let results: FileHandle?

    private init() {
        if let path = ProcessInfo.processInfo.environment["WORKBOOK_RESULTS"], !path.isEmpty {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            results = FileHandle(forWritingAtPath: path)
        } else {
            results = nil
        }
    }

    func register(_ lesson: LessonDeclaration) {
        lock.withLock { lessons[lesson.number] = lesson }
    }

    func lesson(_ number: Int) -> LessonDeclaration? { lock.withLock { lessons[number] } }

    func start(_ id: String, lesson: Int, exercise: String, test: String) {
        lock.withLock {
            if records[id] == nil { order.append(id) }
            records[id] = Record(lesson: lesson, exercise: exercise, test: test)
        }
    }

    /// Records a test's outcome. A test keeps its first failure message.
    func finish(_ id: String, _ status: Status, message: String? = nil) {
        let line: Data? = lock.withLock {
            guard var record = records[id], record.status == nil else { return nil }
            record.status = status
            record.message = message
            records[id] = record
            return try? JSONEncoder().encode(record)
        }
        if let line { write(line) }
    }

    private func write(_ line: Data) {
        guard let results else { return }
        results.write(line + Data("\n".utf8))
        try? results.synchronize()
    }

    /// The test running longest, if any.
    func longestRunning() -> (seconds: Double, id: String)? {
        lock.withLock {
            records.filter { $0.value.status == nil }.map { (Date().timeIntervalSince($0.value.started), $0.key) }.max { $0.0 < $1.0 }
        }
    }

    /// A crash or the time limit: names the exercise (the test on this thread, or the only one
    /// running), records it, prints the one-line report and the table so far.
    func abort(reason: Status, detail: String) {
        let onThisThread = Test.current.map { "\($0.id)" }
        let (victims, alreadyAborted): ([Record], Bool) = lock.withLock {
            let running = order.compactMap { id in records[id].flatMap { $0.status == nil ? (id, $0) : nil } }
            // Record ids are "<test id>#<case>": the test on the crashing thread, if the runtime knows it.
            var mine = running.filter { entry in onThisThread.map { entry.0.hasPrefix($0 + "#") } ?? false }
            // Or the stub the runtime's message names ("HooksLesson/Hooks.swift:57: Fatal error").
            if mine.isEmpty, let exercise = exerciseNamed(by: detail, among: running.map(\.1)) {
                mine = running.filter { $0.1.exercise == exercise }
            }
            let chosen = mine.isEmpty ? running : mine
            let wasAborted = aborted
            aborted = true
            for (id, _) in (reason == .timeLimit ? Array(chosen.prefix(1)) : chosen) { records[id]?.status = reason; records[id]?.message = detail }
            return (chosen.map(\.1), wasAborted)
        }
        guard !alreadyAborted else { return }
        var report = ""
        if victims.isEmpty {
            report = "✘ the test process \(reason == .crashed ? "crashed" : "hit its time limit") outside a graded exercise: \(detail)\n"
        }
        for victim in (reason == .timeLimit ? Array(victims.prefix(1)) : victims) {
            var record = victim
            record.status = reason
            record.message = detail
            if let line = try? JSONEncoder().encode(record) { write(line) }
            let place = stubLocation(lesson: victim.lesson, exercise: victim.exercise).map { " in \($0)" } ?? ""
            report += "✘ Exercise \(victim.exercise) \(reason == .crashed ? "crashed" : "hit the time limit")\(place) (test \"\(victim.test)\"): \(detail)\n"
        }
        if victims.count > 1 && reason == .crashed {
            report += "  (\(victims.count) tests were running; the crash is in one of them — run one exercise with --filter to tell)\n"
        }
        ProcessGuard.write("\n" + report + table())
    }

    /// The exercise whose stub holds the line a runtime message names: the last stub `func`
    /// at or above that line of that file. Called with the lock held.
    private func exerciseNamed(by message: String, among running: [Record]) -> String? {
        guard let range = message.range(of: #"[A-Za-z0-9_]+\.swift:[0-9]+"#, options: .regularExpression) else { return nil }
        let parts = message[range].split(separator: ":")
        guard parts.count == 2, let line = Int(parts[1]) else { return nil }
        var best: (line: Int, exercise: String)?
        for record in running {
            guard let lesson = lessons[record.lesson], let summary = lesson.exercises.first(where: { $0.number == record.exercise }),
                  let location = StubLocator.location(of: summary.stub, in: lesson.folder),
                  location.relativePath.hasSuffix("/" + parts[0]) else { continue }
            // Every stub of the file, to find the one the line falls in.
            for other in lesson.exercises {
                guard let stub = StubLocator.location(of: other.stub, in: lesson.folder), stub.path == location.path,
                      stub.line <= line, stub.line > (best?.line ?? 0) else { continue }
                best = (stub.line, other.number)
            }
        }
        return best?.exercise
    }

    /// At exit: the table, unless a crash or the time limit already printed it.
    func finish() {
        let done = lock.withLock { aborted || records.isEmpty }
        if !done { ProcessGuard.write("\n" + table()) }
        try? results?.close()
    }

    /// `1.2` → "gradient(of:at:for:targets:) — Lessons/01-Hooks/Hooks.swift:45".
    func stubLocation(lesson number: Int, exercise: String) -> String? {
        guard let lesson = lesson(number), let summary = lesson.exercises.first(where: { $0.number == exercise }) else { return nil }
        guard let location = StubLocator.location(of: summary.stub, in: lesson.folder) else { return summary.stub }
        return "\(summary.stub), \(location.relativePath):\(location.line)"
    }

    // MARK: The table

    /// One row per lesson that ran graded tests: done / total, not started, failing.
    func table() -> String {
        let (lessons, records) = lock.withLock { (self.lessons, order.compactMap { self.records[$0] }) }
        let byLesson = Dictionary(grouping: records, by: \.lesson)
        var rows: [[String]] = [["lesson", "done", "not started", "failing", "crashed / time limit"]]
        var done = 0, total = 0
        for number in byLesson.keys.sorted() {
            let tests = byLesson[number]!
            let exercises = lessons[number]?.exercises.map(\.number) ?? Array(Set(tests.map(\.exercise))).sorted()
            var status: [String: String] = [:], waitsFor: [String: String] = [:]
            for exercise in exercises {
                let mine = tests.filter { $0.exercise == exercise }
                let statuses = mine.map(\.status)
                if statuses.contains(.crashed) { status[exercise] = "crashed" }
                else if statuses.contains(.timeLimit) { status[exercise] = "time limit" }
                else if statuses.contains(.failed) { status[exercise] = "failing" }
                else if mine.isEmpty || statuses.contains(nil) { status[exercise] = "not run" }
                else if statuses.contains(.notStarted) || statuses.contains(.skipped) { status[exercise] = "not started" }
                else if let waiting = mine.first(where: { $0.status == .waiting }) {
                    status[exercise] = "not started"
                    waitsFor[exercise] = waiting.message.flatMap { m in
                        m.range(of: "waits for ").map { String(m[$0.upperBound...].prefix { $0 != ":" }) }
                    }
                }
                else { status[exercise] = "done" }
            }
            func list(_ what: String) -> String {
                let chosen = exercises.filter { status[$0] == what }
                if chosen.isEmpty { return "—" }
                if chosen.count == exercises.count && exercises.count > 1 && waitsFor.isEmpty { return "all" }
                return chosen.map { e in waitsFor[e].map { "\(e) (waits for \($0))" } ?? e }.joined(separator: ", ")
            }
            let count = exercises.filter { status[$0] == "done" }.count
            let ran = exercises.filter { status[$0] != "not run" }.count
            done += count; total += exercises.count
            let name = lessons[number].map { "\($0.folder.prefix(2)) \($0.title)" } ?? "Lesson \(number)"
            let crashed = [list("crashed"), list("time limit")].filter { $0 != "—" }.joined(separator: "; ")
            rows.append([name, "\(count) / \(exercises.count)" + (ran < exercises.count ? " (\(ran) run)" : ""),
                         list("not started"), list("failing"), crashed.isEmpty ? "—" : crashed])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        let mode: String
        switch WorkbookMode.current {
        case .student: mode = "your code in Lessons/"
        case .solutions: mode = "the reference in Solutions/"
        case let .mistake(e, id): mode = "catalogued mistake \(e)/\(id)"
        case let .variant(e, id): mode = "correct variant \(e)/\(id)"
        }
        var text = "Workbook score — \(mode)\n"
        for row in rows {
            text += zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        text += "total: \(done) of \(total) exercises done\n"
        return text
    }
}

/// Finds a stub's `func` line in its lesson folder, so failures point at the student's code.
enum StubLocator {
    /// Whether the student has replaced the stub's body: the function's lines (up to the next
    /// top-level declaration) no longer throw `notStarted("N.M")`. Read from the lesson's source, so
    /// an exercise that calls a not-started earlier one shows *waits for* it, not *not started*.
    /// Unknown (no source found): false.
    static func isWritten(_ stub: String, number: String, in folder: String) -> Bool {
        guard let location = location(of: stub, in: folder),
              let text = try? String(contentsOfFile: location.path, encoding: .utf8) else { return false }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(location.line)
        for line in lines {
            if line.hasPrefix("public func ") || line.hasPrefix("func ") || line.hasPrefix("///") { break }
            if line.contains("notStarted(\"\(number)\")") { return false }
        }
        return true
    }

    struct Location: Sendable { let path: String; let relativePath: String; let line: Int }
    private static let cache = Mutex<[String: Location?]>([:])

    static func location(of stub: String, in folder: String) -> Location? {
        let key = folder + "/" + stub
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let name = String(stub.prefix { $0 != "(" })
        let directory = LessonPaths.root.appendingPathComponent("Lessons/\(folder)")
        var found: Location?
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        search: for file in files {
            let url = directory.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("func \(name)(") && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                found = Location(path: url.path, relativePath: "Lessons/\(folder)/\(file)", line: index + 1)
                break search
            }
        }
        cache.withLock { $0[key] = .some(found) }
        return found
    }
}

/// A value behind a lock.
final class Mutex<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}
