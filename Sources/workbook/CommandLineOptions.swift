import Foundation

/// A hand-written parser for `--name value` options and `--flag` switches.
///
/// Each command declares its options; anything else is an error that names the offending word
/// and shows the command's usage.
struct OptionSpecification {
    let name: String
    let valueName: String?      // nil for a switch
    let help: String
}

struct CommandLineError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

struct ParsedOptions {
    private(set) var values: [String: String] = [:]
    private(set) var switches: Set<String> = []

    init(_ arguments: [String], specification: [OptionSpecification]) throws {
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            guard word.hasPrefix("--") else { throw CommandLineError(message: "unexpected argument '\(word)'") }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = specification.first(where: { $0.name == name }) else {
                throw CommandLineError(message: "unknown option '--\(name)'")
            }
            if option.valueName == nil {
                switches.insert(name)
            } else if let inlineValue {
                values[name] = inlineValue
            } else {
                guard i + 1 < arguments.count else { throw CommandLineError(message: "--\(name) needs a value (\(option.valueName!))") }
                values[name] = arguments[i + 1]
                i += 1
            }
            i += 1
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func requiredString(_ name: String) throws -> String {
        guard let v = values[name] else { throw CommandLineError(message: "--\(name) is required") }
        return v
    }

    /// The whole number given for `--name`, or `value` when it is absent; with `range`, a value
    /// outside it is an error (so that no command turns a negative count into a trap).
    func int(_ name: String, default value: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let text = values[name] else { return value }
        guard let v = Int(text) else { throw CommandLineError(message: "--\(name) expects a whole number, got '\(text)'") }
        if let range, !range.contains(v) {
            let bounds = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "in \(range.lowerBound)...\(range.upperBound)"
            throw CommandLineError(message: "--\(name) must be \(bounds), got \(v)")
        }
        return v
    }

    func float(_ name: String, default value: Float? = nil) throws -> Float? {
        guard let text = values[name] else { return value }
        guard let v = Float(text), v.isFinite else { throw CommandLineError(message: "--\(name) expects a number, got '\(text)'") }
        return v
    }

    func has(_ name: String) -> Bool { switches.contains(name) }
}

/// A subcommand of `workbook`.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var options: [OptionSpecification] { get }
    static func run(_ options: ParsedOptions) throws
}

extension Command {
    static var usage: String {
        var text = "usage: workbook \(name)" + options.map { " [--\($0.name)\($0.valueName.map { " \($0)" } ?? "")]" }.joined() + "\n\n\(summary)\n"
        if !options.isEmpty {
            text += "\noptions:\n"
            for option in options {
                let left = "  --\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
                text += padded(left, 28) + option.help + "\n"
            }
        }
        return text
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// `text` followed by spaces up to `width` characters (at least one space).
func padded(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(width - text.count, 1))
}

/// Prints a line to standard output and flushes it at once, so logs of long runs show progress
/// even when standard output is a file or a pipe (where `print` buffers).
func printNow(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
