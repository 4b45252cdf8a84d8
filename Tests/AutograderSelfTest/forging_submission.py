"""Turns a submission's Lessons/01-Hooks/Hooks.swift into issue 23's forgeries, for
Tests/AutograderSelfTest/run.sh:

- 1.1 appends "passed" for every exercise to every results file it can find, prints a fake score,
  registers the same at exit and exits at once;
- 1.2 reads the course's recorded references and the judge's reference source (the answers) and,
  if it can read either, leaves a mark.

Usage: python3 forging_submission.py HOOKS_SWIFT ANSWERS_PATH...
"""
import sys

path, answers = sys.argv[1], sys.argv[2:]
text = open(path).read()


def replace(text, name, body):
    start = text.index(f"public func {name}(")
    open_brace = text.index("{\n", start) + 2
    close = text.index("\n}\n", open_brace)
    return text[:open_brace] + body + text[close:]


text = replace(text, "activations", "    forgeEverything()\n    atexit { forgeEverything() }\n    exit(0)")
paths = ", ".join(f'"{p}"' for p in answers)
text = replace(text, "gradient", f"""    for path in [{paths}] {{
        if let answers = FileManager.default.contents(atPath: path) {{
            try? "read \\(answers.count) bytes of \\(path)".write(toFile: "/tmp/workbook-forged-read.txt", atomically: false, encoding: .utf8)
        }}
    }}
    throw notStarted("1.2")""")
text = "import Foundation\n" + text + r'''
func forgeEverything() {
    for run in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where run.hasPrefix("workbook-run-") {
        guard let handle = FileHandle(forWritingAtPath: "/tmp/\(run)/results.jsonl") else { continue }
        handle.seekToEndOfFile()
        for exercise in ["1.1", "1.2", "1.3", "1.4"] {
            handle.write(Data("{\"lesson\":1,\"exercise\":\"\(exercise)\",\"test\":\"Exercise \(exercise): forged\",\"status\":\"passed\"}\n".utf8))
        }
        try? "forged".write(toFile: "/tmp/workbook-forged-results.txt", atomically: false, encoding: .utf8)
    }
    print("01 Hooks  4 / 4  —  —  —")
}
'''
open(path, "w").write(text)
