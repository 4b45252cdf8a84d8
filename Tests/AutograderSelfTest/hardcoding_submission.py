"""Turns a submission's Lessons/01-Hooks/Hooks.swift into an answer hard-coded from the inputs the
graders showed it, for Tests/AutograderSelfTest/run.sh (issue 23: held-out inputs).

- `log DIR`: exercise 1.4 (softmax confidence) is the reference's body, and every call first writes
  a key of its input (shape and pixel sum) to a file of its own in DIR.
- `memorise DIR`: 1.4 answers with the reference's body only for the keys logged in DIR, and with a
  wrong constant for any other input: a student who memorised what the graders asked.

Usage: python3 hardcoding_submission.py HOOKS_SWIFT REFERENCE_HOOKS_SWIFT log|memorise DIR
"""
import os
import sys

path, reference_path, mode, folder = sys.argv[1:5]


def body(text, name):
    start = text.index(f"public func {name}(")
    open_brace = text.index("{\n", start) + 2
    close = text.index("\n}\n", open_brace)
    return open_brace, close


stub, reference = open(path).read(), open(reference_path).read()
s0, s1 = body(stub, "confidence")
r0, r1 = body(reference, "confidence")
key = '    let key = "\\(images.shape) \\(images.data.reduce(0.0) { $0 + Double($1) })"\n'
if mode == "log":
    prefix = key + f'    try? key.write(toFile: "{folder}/" + UUID().uuidString, atomically: false, encoding: .utf8)\n'
else:
    keys = sorted({open(os.path.join(folder, name)).read() for name in os.listdir(folder)})
    literal = ", ".join('"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in keys)
    prefix = key + f"    let known: Set<String> = [{literal}]\n" \
        + "    guard known.contains(key) else { return Array(repeating: (predicted: 0, probability: 0.5), count: images.shape.first ?? 0) }\n"
text = "import Foundation\n" + stub[:s0] + prefix + reference[r0:r1] + stub[s1:]
open(path, "w").write(text)
