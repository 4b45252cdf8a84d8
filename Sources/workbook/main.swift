import Foundation
import TensorEngine

/// `workbook`: the course's command line. Each subcommand lives in its own file.
let commands: [any Command.Type] = [
    ExplainCommand.self, VisualizeCommand.self, DreamCommand.self, TrainCommand.self, EvaluateCommand.self, SummaryCommand.self, PredictCommand.self, BenchCommand.self,
    DiagramCommand.self, FiguresCommand.self, VerifyCommand.self, GradeCommand.self,
]

@MainActor
func mainUsage() -> String {
    var text = "usage: workbook <command> [options]   (workbook <command> --help for its options)\n\ncommands:\n"
    for c in commands { text += "  " + padded(c.name, 12) + c.summary + "\n" }
    return text
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
    print(mainUsage())
    Platform.exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == first }) else {
    printError("workbook: unknown command '\(first)'\n\n" + mainUsage())
    Platform.exit(2)
}
let rest = Array(arguments.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    print(command.usage)
    Platform.exit(0)
}
do {
    let options = try ParsedOptions(rest, specification: command.options)
    try command.run(options)
} catch let error as CommandLineError {
    printError("workbook \(command.name): \(error)\n\n" + command.usage)
    Platform.exit(2)
} catch {
    printError("workbook \(command.name): error: \(error)")
    Platform.exit(1)
}
