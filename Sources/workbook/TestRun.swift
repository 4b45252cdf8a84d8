import Foundation

/// Runs `swift test` in a child process (so a crash or an endless loop cannot take the caller
/// down) and reads Swift Testing's per-test result lines.
struct TestRun {
    enum Status: String, Codable { case passed, failed, notStarted = "not started" }

    struct Result: Codable {
        let name: String
        let status: Status
        /// The issue lines recorded for a failed test, or the reason a test was cancelled.
        let messages: [String]
    }

    let results: [Result]
    /// False when the process crashed, timed out, or printed no summary line.
    let completed: Bool
    let timedOut: Bool
    let exitCode: Int32
    let output: String
    let seconds: Double

    /// The exercise a test belongs to: "Exercise 2.3: …" → "2.3".
    static func exercise(of testName: String) -> String? {
        guard testName.hasPrefix("Exercise "), let colon = testName.firstIndex(of: ":") else { return nil }
        return String(testName[testName.index(testName.startIndex, offsetBy: 9)..<colon])
    }

    /// `swift test --skip-build --filter <filter>` with extra environment, killed after `timeout`.
    static func run(filter: String, environment extra: [String: String], timeout: Double, root: URL) throws -> TestRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "test", "--skip-build", "--filter", "^\(filter)\\."]
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        for key in ["WORKBOOK_SOLUTIONS", "WORKBOOK_MISTAKE"] { environment[key] = nil }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if finished.wait(timeout: .now() + 5) == .timedOut { Platform.forceKill(process.processIdentifier); finished.wait() }
        }
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let results = parse(output)
        let summary = output.contains("Test run with")
        return TestRun(results: results, completed: summary && !timedOut && process.terminationReason == .exit,
                       timedOut: timedOut, exitCode: process.terminationStatus, output: output,
                       seconds: Date().timeIntervalSince(start))
    }

    /// Reads lines such as `✔ Test "Exercise 1.1: …" passed after …`, `✘ Test "…" failed after …`,
    /// `➜ Test "…" was cancelled after … : "reason"` and the issue lines before a failure.
    static func parse(_ output: String) -> [Result] {
        var issues: [String: [String]] = [:]
        var results: [Result] = []
        var seen = Set<String>()
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard let open = line.range(of: "Test \""), let close = line.range(of: "\" ", range: open.upperBound..<line.endIndex) else { continue }
            let name = String(line[open.upperBound..<close.lowerBound])
            let rest = line[close.upperBound...]
            if rest.hasPrefix("recorded an issue") {
                issues[name, default: []].append(String(rest))
            } else if rest.hasPrefix("passed") || rest.hasPrefix("with") && rest.contains("passed after") {
                if seen.insert(name).inserted { results.append(Result(name: name, status: .passed, messages: [])) }
            } else if rest.hasPrefix("failed") || rest.hasPrefix("with") && rest.contains("failed after") {
                if seen.insert(name).inserted { results.append(Result(name: name, status: .failed, messages: issues[name] ?? [])) }
            } else if rest.hasPrefix("was cancelled") || rest.hasPrefix("skipped") {
                let reason = rest.range(of: ": \"").map { String(rest[$0.upperBound...].dropLast()) } ?? ""
                if seen.insert(name).inserted { results.append(Result(name: name, status: .notStarted, messages: [reason])) }
            }
        }
        return results
    }
}
