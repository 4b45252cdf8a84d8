import Codecs
import Testing
import TestSupport
@testable import WorkbookCLI

/// Fuzzing the command-line option parser (issue 16, item 8b) with every command's real option
/// list: valid command lines, then words dropped, repeated, swapped, split at `=`, replaced by odd
/// values (huge, negative, NaN, empty, other scripts' digits) and damaged byte by byte. Parsing
/// and every accessor must return or throw `CommandLineError`, never trap, within the budget.
/// Set WORKBOOK_FUZZ_LONG=1 for 1,000,000 inputs.
@Suite(.maintainers) struct CommandLineFuzzTests {
    static var commandTypes: [any Command.Type] { Workbook.commands }

    static let oddValues = [
        "", "=", "--", "-", "-1", "0", "3", "-0", "+7", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "1e400", "-1e400", "nan", "NaN", "inf", "-inf", "0x10", " 3", "3 ", "٣", "१२",
        "3.5", "1_000", "mnist-gap", "/tmp/x.png", "yes", "no", "--help", "--model", "=--", "ü", "\u{0}",
        String(repeating: "9", count: 400),
    ]

    /// A command line as bytes (words separated by NUL), so the byte mutator can also damage it.
    static func encode(_ words: [String]) -> [UInt8] { Array(words.joined(separator: "\u{0}").utf8) }
    static func decode(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    static func validLine(_ command: any Command.Type, random: inout SplitMix64) -> [String] {
        command.options.flatMap { option -> [String] in
            guard random.next() % 2 == 0 else { return [] }
            guard option.valueName != nil else { return ["--\(option.name)"] }
            let value = ["3", "0.5", "mnist-gap", "conv3", "out.png"][Int(random.next() % 5)]
            return random.next() % 3 == 0 ? ["--\(option.name)=\(value)"] : ["--\(option.name)", value]
        }
    }

    static func mutated(_ words: [String], _ command: any Command.Type, random: inout SplitMix64) -> [String] {
        var words = words
        func position(_ extra: Int = 0) -> Int { Int(random.next() % UInt64(words.count + extra)) }
        for _ in 0..<(1 + random.next() % 3) {
            switch random.next() % 7 {
            case 0 where !words.isEmpty: words.remove(at: position())
            case 1 where !words.isEmpty: words.insert(words[position()], at: position(1))
            case 2 where !words.isEmpty: words[position()] = oddValues[Int(random.next() % UInt64(oddValues.count))]
            case 3:
                let option = command.options.isEmpty ? "help" : command.options[Int(random.next() % UInt64(command.options.count))].name
                let value = oddValues[Int(random.next() % UInt64(oddValues.count))]
                words.insert(random.next() % 2 == 0 ? "--\(option)=\(value)" : "--\(option)", at: position(1))
            case 4 where words.count >= 2: words.swapAt(position(), position())
            case 5: words.append(oddValues[Int(random.next() % UInt64(oddValues.count))])
            default: words.insert("--" + oddValues[Int(random.next() % UInt64(oddValues.count))], at: position(1))
            }
        }
        return words
    }

    /// Parses and reads every option in every way a command does.
    static func exercise(_ words: [String], _ command: any Command.Type) throws {
        let parsed = try ParsedOptions(words, specification: command.options)
        for option in command.options {
            _ = parsed.string(option.name)
            _ = parsed.has(option.name)
            for attempt in [{ _ = try parsed.int(option.name) }, { _ = try parsed.int(option.name, default: 1) },
                            { _ = try parsed.float(option.name) }, { _ = try parsed.float(option.name, default: 0.5) },
                            { _ = try parsed.requiredString(option.name) }] as [() throws -> Void] {
                do { try attempt() } catch is CommandLineError {}
            }
        }
    }

    @Test func optionParserSurvivesMutations() {
        var random = SplitMix64(seed: 51)
        var fuzzer = MutationFuzzer(seed: 52)
        var commandOf: [Int: any Command.Type] = [:]
        var otherErrors: [String] = []
        let report = MutationFuzzer.run(iterations: MutationFuzzer.iterations(default: 5000), input: { iteration in
            let command = Self.commandTypes[Int(random.next() % UInt64(Self.commandTypes.count))]
            commandOf = [iteration: command]
            let words = Self.mutated(Self.validLine(command, random: &random), command, random: &random)
            return random.next() % 4 == 0 ? fuzzer.mutate(Self.encode(words)) : Self.encode(words)
        }) { bytes in
            let (iteration, command) = commandOf.first!
            do {
                try Self.exercise(Self.decode(bytes), command)
            } catch let error as CommandLineError {
                throw error
            } catch {
                if otherErrors.count < 10 { otherErrors.append("input \(iteration): \(error)") }
                throw error
            }
        }
        print("command-line fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
        #expect(otherErrors.isEmpty, "\(otherErrors)")
        #expect(report.accepted > 0 && report.rejected > 0, "\(report)")
    }

    @Test func rangeChecksNameTheOption() throws {
        // --limit is declared 1... in `evaluate`, --top 1...1000 in `predict`.
        let top = try ParsedOptions(["--model", "m", "--top", "-1"], specification: PredictCommand.options)
        #expect(throws: CommandLineError.self) { try top.int("top", default: 3) }
        let limit = try ParsedOptions(["--model", "m", "--limit=-5"], specification: EvaluateCommand.options)
        do { _ = try limit.int("limit"); Issue.record("accepted --limit=-5") } catch {
            #expect("\(error)" == "--limit must be in 1..., got -5")
        }
    }
}
