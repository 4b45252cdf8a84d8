// The lesson runner: the only process in which a student's code runs when the graders use it
// (`WORKBOOK_RUNNER`, the Gradescope bundle). It links the lessons (`Lessons/`) and the grading
// wire, never the graders, the recorded references or the scoreboard; it answers one exercise
// call at a time (`LessonRunnerServer`), and the judge decides what the answers are worth.
//
// Usage (by the judge, `LessonRunnerClient`): lesson-runner --directory DIR, requests on
// descriptor 0, responses on descriptor 3, anything printed on 1 and 2.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GradingWire

// Before any student code can run: no descriptor but the wire's and the output's stays open (a
// judge's results file, had one leaked, is out of reach), and the working folder is the empty one
// the judge made for this runner.
var descriptors = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &descriptors)
for fd in 4..<Int32(clamping: min(UInt64(descriptors.rlim_cur), 1 << 16)) { close(fd) }
let arguments = CommandLine.arguments
if let flag = arguments.firstIndex(of: "--directory"), flag + 1 < arguments.count {
    guard chdir(arguments[flag + 1]) == 0 else {
        StandardError.line("lesson-runner: cannot enter \(arguments[flag + 1])")
        exit(2)
    }
}
if arguments.contains("--list") {
    for key in RunnerTable.entries.keys.sorted() { print(key) }
    exit(0)
}
LessonRunnerServer.serve(RunnerTable.entries)

enum StandardError {
    static func line(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
    }
}
