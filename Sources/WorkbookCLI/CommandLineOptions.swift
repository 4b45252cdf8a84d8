import Foundation

/// A hand-written parser for `--name value` options and `--flag` switches.
///
/// Each command declares its options; anything else is an error that names the offending word
/// and shows the command's usage.
struct OptionSpecification {
    let name: String
    let valueName: String?      // nil for a switch
    let help: String
    /// Shown without brackets in the usage and marked "(required)".
    var required = false
    /// The values a whole-number option accepts (default: 0 and up — no option takes a negative
    /// number unless it says so).
    var integers: ClosedRange<Int>? = nil
    /// The values a decimal option accepts (default: any finite number).
    var numbers: ClosedRange<Double>? = nil
}

struct CommandLineError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The parsed words of one command line: every value is checked against its option's declared
/// range when it is read, so each command validates its numbers in one place (its option list).
struct ParsedOptions {
    private(set) var values: [String: String] = [:]
    private(set) var switches: Set<String> = []
    private let specification: [String: OptionSpecification]

    init(_ arguments: [String], specification: [OptionSpecification]) throws {
        self.specification = Dictionary(specification.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
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
                // One convention for switches: present or absent, never `--flag=false`.
                guard inlineValue == nil else { throw CommandLineError(message: "--\(name) is a switch: give it without a value") }
                switches.insert(name)
            } else if let inlineValue {
                values[name] = inlineValue
            } else {
                guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
                    throw CommandLineError(message: "--\(name) needs a value (\(option.valueName!))")
                }
                values[name] = arguments[i + 1]
                i += 1
            }
            i += 1
        }
        for option in specification where option.required && values[option.name] == nil && !switches.contains(option.name) {
            throw CommandLineError(message: "--\(option.name) is required")
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func requiredString(_ name: String) throws -> String {
        guard let v = values[name] else { throw CommandLineError(message: "--\(name) is required") }
        return v
    }

    /// The option's whole number, checked against its declared range (default 0 and up).
    func int(_ name: String, default value: Int? = nil) throws -> Int? {
        guard let text = values[name] else { return value }
        let range = specification[name]?.integers ?? 0...Int.max
        guard let v = Int(text) else { throw CommandLineError(message: "--\(name) expects a whole number in \(Self.describe(range)), got '\(text)'") }
        guard range.contains(v) else { throw CommandLineError(message: "--\(name) must be in \(Self.describe(range)), got \(v)") }
        return v
    }

    /// The option's number, finite and checked against its declared range.
    func float(_ name: String, default value: Float? = nil) throws -> Float? {
        guard let text = values[name] else { return value }
        let range = specification[name]?.numbers
        guard let v = Float(text), v.isFinite else {
            throw CommandLineError(message: "--\(name) expects a number\(range.map { " in \($0.lowerBound)...\($0.upperBound)" } ?? ""), got '\(text)'")
        }
        if let range, !range.contains(Double(v)) {
            throw CommandLineError(message: "--\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(v)")
        }
        return v
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound)..." : "\(range.lowerBound)...\(range.upperBound)"
    }

    func has(_ name: String) -> Bool { switches.contains(name) }
}

/// A subcommand of `workbook`.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var options: [OptionSpecification] { get }
    static func run(_ options: ParsedOptions) throws
    /// The option a first bare word fills (`workbook dataset shapes …` = `--kind shapes`), if any.
    static var positional: String? { get }
}

extension Command {
    static var positional: String? { nil }

    static var usage: String {
        var text = "usage: workbook \(name)" + options.map { option in
            let word = "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
            return option.required ? " \(word)" : " [\(word)]"
        }.joined() + "\n\n\(summary)\n"
        if !options.isEmpty {
            text += "\noptions:\n"
            for option in options {
                let left = "  --\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
                text += padded(left, 28) + option.help + (option.required && !option.help.contains("(required)") ? " (required)" : "") + "\n"
            }
        }
        return text
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    if let sink = Workbook.errorSink { sink(text); return }
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// `text` followed by spaces up to `width` characters (at least one space).
func padded(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(width - text.count, 1))
}

/// Prints a line to standard output and flushes it at once, so logs of long runs show progress
/// even when standard output is a file or a pipe (where `print` buffers).
func printNow(_ text: String) {
    guard !Workbook.silenced else { return }
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
