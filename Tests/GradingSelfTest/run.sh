#!/usr/bin/env bash
# The grading loop as a student lives it, proven on a temporary copy of the repository whose
# Lessons/01-Hooks/Hooks.swift is edited the way students edit it:
#   A. 1.1 right (written differently from the reference), 1.2 wrong, 1.3 not started, 1.4 right
#      → `swift test` ends with the score table "2 / 4, not started 1.3, failing 1.2", the failure
#        points at the student's stub, and the failing map's PNGs are written and named;
#   B. 1.2 crashes (fatalError)
#      → `swift test` ends with one line naming exercise 1.2, its stub, file and line and the
#        crash message, then the table;
#   B2. 1.2 reads past an array's end (a bare trap in -O code, no runtime message)
#      → the crash line still ends with the trapping line, from the faulting address;
#   C. 1.2 crashes and 1.3 loops forever
#      → `workbook grade` finishes within its limit, gives 1.1 and 1.4 their grades, 1.2
#        "crashed", 1.3 "time limit", and leaves no process behind;
#   E. 1.2 starts a child in a new session (setsid) that holds the output and writes later
#      → `workbook grade` is not held up, the child is killed with the run, the grade is honest;
#   D. lesson 09 solved except 9.3 (P not symmetrised)
#      → 9.3 fails and 9.5, which calls it, *waits for 9.3* instead of failing too.
# Usage: bash Tests/GradingSelfTest/run.sh   (from the repository root; ~5 minutes, most of it
# the copy's first build). Exit status 0 when every check holds.
# With WORKBOOK_BUILT_EDITION=DIR (a built student edition with its stubs, as the student-edition
# self-test leaves it with WORKBOOK_EDITION_DIR) the loop runs there instead of in a fresh copy —
# the course a class receives, already built, so only the edited lessons rebuild (`.ci/run` saves
# the copy's first build, ~4 minutes) — and the edition is left as it was found: the stubs back,
# every log and output removed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
failures=0
check() {   # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "  ✔ $what"; else echo "  ✘ $what"; failures=$((failures + 1)); fi
}

if [ -n "${WORKBOOK_BUILT_EDITION:-}" ]; then
    work=$(cd "$WORKBOOK_BUILT_EDITION" && pwd) || exit 1
    test -x "$work/.build/debug/workbook" -a ! -e "$work/Solutions" || { echo "✘ $work is not a built student edition"; exit 1; }
    saved=$(mktemp -d /tmp/workbook-selftest-lessons.XXXXXX)
    cp -a "$work/Lessons" "$saved/Lessons" || exit 1
    leftovers="a.log b.log b2.log c.log d.log e.log build.log grade-out grade-e forged.txt test-output"
    trap 'pkill -KILL -f "$work/[.]build" 2>/dev/null; (cd "$work" && rm -rf $leftovers Lessons && cp -a "$saved/Lessons" Lessons) && rm -rf "$saved"' EXIT
    echo "grading in the built student edition $work (its lessons are put back afterwards)"
else
    work=$(mktemp -d /tmp/workbook-selftest.XXXXXX)
    trap 'pkill -KILL -f "$work/" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
    echo "copying the repository to $work"
    (cd "$root" && git ls-files -z | xargs -0 -I{} cp --parents {} "$work/") || exit 1
fi
stub="$work/Lessons/01-Hooks/Hooks.swift"

# Replaces the body of `func NAME(` (up to its closing brace at column 0) with BODY.
replace_body() {
    python3 - "$stub" "$1" "$2" <<'PY'
import sys, re
path, name, body = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
start = text.index(f"public func {name}(")
open_brace = text.index("{\n", start) + 2
close = text.index("\n}\n", open_brace)
text = text[:open_brace] + body.rstrip("\n") + text[close:]
open(path, "w").write(text)
PY
}

right_11='    // Found by walking the modules instead of module(named:); the hook removed in a defer.
    guard let module = model.namedModules().first(where: { $0.name == layer })?.module else {
        throw TensorError.invalidArgument(operation: "activations", message: "no layer \(layer)")
    }
    var seen: Tensor?
    let handle = module.registerForwardHook { _, _, output in seen = output }
    defer { handle.remove() }
    _ = try model(images)
    return try seen.orThrow()'
wrong_12='    // Wrong on purpose: backpropagates the sum of all logits.
    let module = try model.module(named: layer)
    var seen: Tensor?
    let handle = module.registerBackwardHook { _, _, gradOutput in seen = gradOutput }
    defer { handle.remove(); model.zeroGrad() }
    let logits = try model(images)
    try logits.backward(seed: .ones(logits.shape))
    return try seen.orThrow()'
right_14='    // The softmax written out with exp (no import Foundation needed in a lesson file).
    let logits = try withNoGrad { try model(images) }
    let classes = logits.shape[1]
    return (0..<logits.shape[0]).map { n in
        let row = Array(logits.data[(n * classes)..<((n + 1) * classes)])
        let best = row.indices.max { row[$0] < row[$1] }!
        let total = row.reduce(Float(0)) { $0 + exp($1 - row[best]) }
        return (best, 1 / total)
    }'
crash_12='    let values = [Float](repeating: 0, count: 3)
    if values.count < 10 { fatalError("boom in 1.2") }
    return try Tensor(shape: [3], data: values)'
hang_13='    var total = 0
    while images.count > 0 { total &+= 1 }
    return [("never", Tensor(scalar: Float(total)))]'

replace_body activations "$right_11"
replace_body gradient "$wrong_12"
replace_body confidence "$right_14"

cd "$work"
echo "building the copy (swift build --build-tests)…"
swift build --build-tests > build.log 2>&1 || { tail -30 build.log; exit 1; }

echo "A. a mix of right, wrong and not started"
swift test --skip-build --filter '^HooksLessonTests' > a.log 2>&1; status=$?
check "swift test fails (exit $status)" test "$status" -ne 0
check "the score table is the last lines" bash -c "tail -4 a.log | head -1 | grep -q '^Workbook score — your code in Lessons/'"
check "the row reads 2 / 4, not started 1.3, failing 1.2" bash -c "grep -Eq '^01 Hooks +2 / 4 +1\.3 +1\.2 +—$' a.log"
check "the total line" bash -c "tail -1 a.log | grep -q '^total: 2 of 4 exercises done'"
check "1.2's failure points at the student's stub" bash -c "grep -q 'recorded an issue at Hooks.swift:' a.log && grep -q 'Exercise 1.2 — gradient(of:at:for:targets:) (checked at Tests/' a.log"
check "the failing map's pictures are named" bash -c "grep -q 'pictures: test-output/exercise-1.2/.*-received.png' a.log"
check "and written" bash -c "ls test-output/exercise-1.2/*-received.png test-output/exercise-1.2/*-expected.png test-output/exercise-1.2/*-difference.png > /dev/null"
check "no failure line is longer than 400 characters" bash -c "! awk 'length > 400' a.log | grep -q ."

echo "B. a crash in 1.2"
replace_body gradient "$crash_12"
swift build --build-tests > build.log 2>&1 || { tail -30 build.log; exit 1; }
WORKBOOK_TEST_TIME_LIMIT=20 swift test --skip-build --filter '^HooksLessonTests' > b.log 2>&1; status=$?
check "swift test fails (exit $status)" test "$status" -ne 0
check "one line names the exercise, stub, file and line and the message" \
    bash -c "grep -Eq '^✘ Exercise 1\.2 crashed in gradient\(of:at:for:targets:\), Lessons/01-Hooks/Hooks.swift:[0-9]+ \(test \".*\"\): .*boom in 1\.2' b.log"
check "the table so far follows it" bash -c "grep -A3 '^✘ Exercise 1.2 crashed' b.log | grep -q '^Workbook score'"
echo "B2. an index out of range in 1.2: -O code traps with no message; the report still names the line"
trap_12='    let values: [Float] = [1, 2, 3]
    let past = values.count + images.shape.count
    return try Tensor(shape: [1], data: [values[past]])   // the trapping line'
replace_body gradient "$trap_12"
swift build --build-tests > build.log 2>&1 || { tail -30 build.log; exit 1; }
trap_line=$(grep -n 'the trapping line' "$stub" | cut -d: -f1)
WORKBOOK_TEST_TIME_LIMIT=20 swift test --skip-build --filter '^HooksLessonTests' > b2.log 2>&1
check "the crash line places the trap at Hooks.swift:$trap_line" \
    bash -c "grep -Eq '^✘ Exercise 1\.2 crashed in gradient\(of:at:for:targets:\), .*: a trap .* at Lessons/01-Hooks/Hooks.swift:$trap_line\$' b2.log || { grep crashed b2.log; false; }"
replace_body gradient "$crash_12"

echo "C. the crash in 1.2 and an endless loop in 1.3, graded by workbook grade"
# (Not by one swift test: two endless 1.3 tests can hold both worker threads, so the time
# limit, not the crash, ends that run — also correct, but not what B checks.)
replace_body convolutionActivations "$hang_13"
swift build --build-tests > build.log 2>&1 || { tail -30 build.log; exit 1; }
start=$(date +%s)
.build/debug/workbook grade --lesson 1 --skip-build --test-timeout 10 --timeout 120 --out grade-out > c.log 2>&1; status=$?
elapsed=$(( $(date +%s) - start ))
check "grade finishes (exit $status) within its limit (${elapsed} s)" test "$elapsed" -lt 150
check "the table: 2 done, 1 crashed, 1 time limit" bash -c "grep -Eq '^01-Hooks +2 +0 +0 +1 +1 +2 / 4$' c.log"
check "the crash message is reported with its exercise" bash -c "grep -q '01-Hooks exercise 1.2 crashed: .*boom in 1.2' c.log"
check "the endless loop is reported with its exercise" bash -c "grep -q '01-Hooks exercise 1.3 time limit: still running' c.log"
check "results.json gives 1.1 and 1.4 their points" \
    python3 -c "import json,sys; r=json.load(open('grade-out/results.json')); s={t['name'].split(' — ')[1].split(':')[0]: t['score'] for t in r['tests']}; sys.exit(0 if s=={'Exercise 1.1':1,'Exercise 1.2':0,'Exercise 1.3':0,'Exercise 1.4':1} and r['score']==2 else 1)"
check "the report uses relative paths only" bash -c "! grep -q 'src=\"/' grade-out/report.html"
sleep 1
no_leftovers() { ! pgrep -f "$work/[.]build" > /dev/null; }
check "no test process is left running" no_leftovers

echo "E. 1.2 starts a child in a new session that holds the test's output and would write after the run"
# The attack of issue 23: `setsid` escapes the process-group kill; while the child holds the pipe
# swift test reads, swift test (and grade) wait for it. The executable's orphan sweep kills it as
# soon as its parent has gone.
hostile_12='    // Hostile on purpose: a child in a new session, holding stdout, writing after the run.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/sh")
    child.arguments = ["-c", "setsid sh -c \"sleep 15; echo forged > \\\"$0\\\"\" \"$0\" &", FileManager.default.currentDirectoryPath + "/forged.txt"]
    try child.run()
    child.waitUntilExit()
    throw TensorError.invalidArgument(operation: "gradient", message: "not computed")'
sed -i '1i import Foundation' "$stub"
replace_body gradient "$hostile_12"
replace_body convolutionActivations '    throw notStarted("1.3")'
swift build --build-tests > build.log 2>&1 || { tail -30 build.log; exit 1; }
start=$(date +%s)
.build/debug/workbook grade --lesson 1 --skip-build --out grade-e > e.log 2>&1; status=$?
elapsed=$(( $(date +%s) - start ))
check "grade is not held by the escaped child (${elapsed} s, the child sleeps 15 s)" test "$elapsed" -lt 12
check "the honest grade: 1.1 and 1.4 done, 1.2 failing" bash -c "grep -Eq '^01-Hooks +2 +1 +1 +0 +0 +2 / 4$' e.log || { tail -5 e.log; false; }"
sleep $(( 17 - elapsed > 0 ? 17 - elapsed : 0 ))
check "the child never wrote (it was killed with the run)" test ! -e forged.txt
check "no process of the attack is left" bash -c "! pgrep -f 'sleep 1[5]; echo forged' > /dev/null"
sed -i '1d' "$stub"

echo "D. lesson 09 solved, but 9.3's P not symmetrised: 9.3 fails, 9.5 (which calls it) waits"
cp "$root/Solutions/09-Embeddings/Embeddings.swift" "$work/Lessons/09-Embeddings/Embeddings.swift"
sed -i 's/joint: joint(conditional))/joint: conditional)/' "$work/Lessons/09-Embeddings/Embeddings.swift"
swift build --build-tests > build.log 2>&1 || { tail -30 build.log; exit 1; }
swift test --skip-build --filter '^EmbeddingsLessonTests' > d.log 2>&1
check "the table: 5 / 7, 9.5 waits for 9.3, only 9.3 failing" \
    bash -c "grep -Eq '^09 Embeddings: PCA and t-SNE +5 / 7 +9\.5 \(waits for 9\.3\) +9\.3 ' d.log"
check "9.5's tests say why" bash -c "grep -q 'exercise 9.5 waits for 9.3: your 9.3 (the joint affinities P) differs' d.log"

if [ "$failures" -eq 0 ]; then echo "grading self-test: all checks hold"; else echo "grading self-test: $failures check(s) failed"; cat c.log | tail -20; exit 1; fi
