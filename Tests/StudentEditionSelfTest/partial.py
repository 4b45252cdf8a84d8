#!/usr/bin/env python3
"""A lesson file with only some exercises done, as a student part-way through has it.

    partial.py STUB REFERENCE DONE OUT

STUB is the lesson's stub file (Lessons/NN-Topic/X.swift), REFERENCE the answer file of the same
name (Solutions/NN-Topic/X.swift), DONE a comma-separated list of exercise numbers ("8.6,8.7").
Writes OUT: the reference file in which every exercise *not* in DONE has its stub's body back
(`throw notStarted("N.M")`), so the done ones are the reference's bodies and may call the
lesson's own earlier functions, exactly as a student's would. Used by run.sh.
"""
import re
import sys


def exercise_functions(stub_text):
    """{function name: exercise number} from the stub: `public func NAME(` … `throw notStarted("N.M")`."""
    found, current = {}, None
    for line in stub_text.splitlines():
        m = re.match(r"public func (\w+)\(", line)
        if m:
            current = m.group(1)
        m = re.search(r'throw notStarted\("([^"]+)"\)', line)
        if m and current:
            found[current] = m.group(1)
            current = None
    return found


def body_span(lines, name):
    """(first, last) line indices of `public func NAME(`'s body: from the line that ends the
    signature with `{` to the `}` in column 0 that closes it."""
    start = next(i for i, l in enumerate(lines) if l.startswith(f"public func {name}("))
    opener = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith("{"))
    closer = next(i for i in range(opener + 1, len(lines)) if lines[i].rstrip() == "}")
    return opener, closer


def main():
    stub_path, reference_path, done, out = sys.argv[1:5]
    done = set(filter(None, done.split(",")))
    functions = exercise_functions(open(stub_path, encoding="utf-8").read())
    unknown = done - set(functions.values())
    if unknown:
        sys.exit(f"partial.py: {stub_path} has no exercise {sorted(unknown)}")
    lines = open(reference_path, encoding="utf-8").read().split("\n")
    # Later functions first, so earlier indices stay valid.
    spans = sorted(((body_span(lines, name), number) for name, number in functions.items() if number not in done), reverse=True)
    for (opener, closer), number in spans:
        lines[opener + 1:closer] = [f'    throw notStarted("{number}")']
    if "import LessonSupport" not in lines:
        lines.insert(0, "import LessonSupport")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


main()
