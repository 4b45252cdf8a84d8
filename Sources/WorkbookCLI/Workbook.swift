import Foundation
import TensorEngine

/// The course's command line. Each subcommand lives in its own file.
public enum Workbook {
    /// Both editions: the methods on the student's code (the reference's too in the full edition),
    /// models, data, grading and handouts.
    nonisolated(unsafe) static let shared: [any Command.Type] = [
        ExplainCommand.self, VisualizeCommand.self, DreamCommand.self, EmbedCommand.self, RankCommand.self, TrainCommand.self, EvaluateCommand.self, DatasetCommand.self, SummaryCommand.self,
        PredictCommand.self, ImportCommand.self, DiagramCommand.self, GradeCommand.self, InsightsCommand.self, ReportCommand.self,
    ]
    #if FULL_EDITION
    /// The instructors' edition adds what needs `Solutions/`: benchmarks, reference figures, the
    /// proof of the mistake catalogue, recorded references, the student edition and the autograder.
    nonisolated(unsafe) static let commands: [any Command.Type] = shared + [
        BenchCommand.self, FiguresCommand.self, VerifyCommand.self, AutograderCommand.self, RecordReferencesCommand.self, StudentEditionCommand.self,
    ]
    #else
    nonisolated(unsafe) static let commands: [any Command.Type] = shared
    #endif

    static func usage() -> String {
        var text = "usage: workbook <command> [options]   (workbook <command> --help for its options)\n\ncommands:\n"
        for c in commands { text += "  " + padded(c.name, 12) + c.summary + "\n" }
        return text
    }

    /// Runs `workbook ARGUMENTS` and returns its exit status: 0 done, 1 the work failed (one
    /// line on standard error), 2 the arguments are wrong (the line and the command's usage).
    /// Outputs are written only when everything succeeded.
    /// For the executable: SIGINT, SIGTERM and SIGHUP remove the temporary files of a write in
    /// progress before they end the process (see `Platform.watchTerminationSignals`).
    public static func watchTerminationSignals() { Platform.watchTerminationSignals() }

    /// For the executable: the processes a test run leaves behind (a new session, a double fork) are
    /// re-parented to this process and killed (see `ProcessGroup`). Call before `run`.
    public static func superviseRuns() { ProcessGroup.reapsOrphans = true }

    public static func run(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            print(usage())
            return arguments.isEmpty ? 2 : 0
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            printError("workbook: unknown command '\(first)'\n\n" + usage())
            return 2
        }
        var rest = Array(arguments.dropFirst())
        if let option = command.positional, let word = rest.first, !word.hasPrefix("-") { rest = ["--\(option)", word] + rest.dropFirst() }
        if rest.contains("--help") || rest.contains("-h") {
            print(command.usage)
            return 0
        }
        do {
            let options = try ParsedOptions(rest, specification: command.options)
            try command.run(options)
            return 0
        } catch let error as CommandLineError {
            printError("workbook \(command.name): \(error)\n\n" + command.usage)
            return 2
        } catch let error as ExitStatus {
            return error.code
        } catch {
            printError("workbook \(command.name): error: \(Workbook.describe(error))")
            return 1
        }
    }

    /// One line for any error: Foundation's file errors by their reason, not an NSError dump.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
            let reason = (ns.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? ns.localizedDescription
            return path.map { "\($0): \(reason)" } ?? reason
        }
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}

extension Workbook {
    /// Where error lines go instead of standard error, and whether normal output is dropped:
    /// set by the tests that run thousands of command lines in-process.
    @TaskLocal static var errorSink: (@Sendable (String) -> Void)?
    @TaskLocal static var silenced = false
}

/// `print` within the command line: dropped while `Workbook.silenced` (the in-process tests).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    guard !Workbook.silenced else { return }
    Swift.print(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}

/// Ends a command with an exit status after it has printed its own report (e.g. `verify`).
struct ExitStatus: Error { let code: Int32 }

/// A failure of the work itself (not of the command line): one line, exit status 1, no usage.
struct WorkFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }
