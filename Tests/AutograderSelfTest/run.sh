#!/usr/bin/env bash
# The Gradescope bundle exercised locally: `workbook autograder --gradescope` writes the bundle,
# its course/ is built as setup.sh would (the toolchain install is skipped: this machine has one),
# and the generated run_autograder grades a submission — a copy of Lessons/ where exercise 1.4
# (softmax confidence) is solved by pasting the reference body into the stub — with every
# /autograder path overridden. Checks results.json: Gradescope's keys, 1.4 passed with 1 point,
# 1.1 not started with 0, the total 1, that a file outside Lessons/ in the submission
# (a Package.swift) is ignored, that links and odd names inside Lessons/ are skipped and listed
# (the rest still graded), that a stub calling the reference's symbol (`@_silgen_name`) scores 0
# (the bundle is the student edition: no reference to link to), and that the bundle holds the
# committed course, not the working tree; that setup.sh saves the judge (built from the bundle's
# judge/, the full course), whose verdicts come from a process that runs no student code while the
# exercises run in the lesson runner (as `nobody` when root), that a submission forging results
# (issue 23's attacks) gets its honest grade, and that an answer memorised from the inputs the
# graders asked for fails on the held-out inputs of a new grading.
# Usage: bash Tests/AutograderSelfTest/run.sh   (from the repository root; the copy's first build
# takes several minutes). Exit status 0 when every check holds.
# With WORKBOOK_BUILT_EDITION=DIR (a built student edition with its stubs, as the student-edition
# self-test leaves it with WORKBOOK_EDITION_DIR) the bundle's course is checked to be that edition
# — the same files but the GitHub Classroom extras — and the grading runs there, without building
# the course again (`.ci/run` saves ~3 minutes that way).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/workbook-autograder.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
failures=0
check() {   # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "  ✔ $what"; else echo "  ✘ $what"; failures=$((failures + 1)); fi
}

cd "$root"
swift build --product workbook > "$work/build.txt" 2>&1 || { tail -20 "$work/build.txt"; exit 1; }
"$(swift build --show-bin-path)/workbook" autograder --gradescope "$work/bundle" || exit 1
check "the bundle has an executable setup.sh and run_autograder" test -x "$work/bundle/setup.sh" -a -x "$work/bundle/run_autograder"
check "the bundle's course is the student edition: the stubs and the recorded references, no Solutions/" test -f "$work/bundle/course/Lessons/01-Hooks/Hooks.swift" -a -s "$work/bundle/course/Tests/HooksLessonTests/Recorded/references.wbref" -a ! -e "$work/bundle/course/Solutions"
check "the bundle's judge/ is the full committed course (the reference, for held-out inputs)" \
    bash -c "cd '$work/bundle/judge' && [ \"\$(find . -type f | sed 's|^\./||' | sort)\" = \"\$(git -C '$root' ls-files | sort)\" ] && git -C '$root' ls-files -z | xargs -0 -I{} cmp -s '{}' '$root/{}'"

# A submission: Lessons/ with exercise 1.4 solved, plus a file that must be ignored.
mkdir -p "$work/submission"
cp -r "$root/Lessons" "$work/submission/"
python3 - "$work/submission/Lessons/01-Hooks/Hooks.swift" "$root/Solutions/01-Hooks/Hooks.swift" <<'PY'
import sys
stub_path, reference_path = sys.argv[1], sys.argv[2]
def body(text, name):
    start = text.index(f"public func {name}(")
    open_brace = text.index("{\n", start) + 2
    close = text.index("\n}\n", open_brace)
    return open_brace, close
stub, reference = open(stub_path).read(), open(reference_path).read()
s0, s1 = body(stub, "confidence")
r0, r1 = body(reference, "confidence")
open(stub_path, "w").write(stub[:s0] + reference[r0:r1] + stub[s1:])
PY
echo 'this is not Swift: a submission may not replace the package' > "$work/submission/Package.swift"
# Hostile extras, each of which would break the build (and so the grade) if it were used: a link to
# the course's reference (duplicate definitions), a link to a system file, a non-UTF-8 name and a
# 255-character name holding invalid Swift. They must be skipped and listed, the rest graded.
ln -s "$root/Solutions/01-Hooks/Hooks.swift" "$work/submission/Lessons/01-Hooks/Reference.swift"
ln -s /etc/passwd "$work/submission/Lessons/01-Hooks/Passwd.swift"
echo 'this is not Swift' > "$work/submission/Lessons/01-Hooks/"$'odd\xffname.swift'
echo 'this is not Swift' > "$work/submission/Lessons/01-Hooks/$(printf 'a%.0s' $(seq 249)).swift"

course="$work/bundle/course"
if [ -n "${WORKBOOK_BUILT_EDITION:-}" ]; then
    # The same course: every file but the README's GitHub Classroom section and .github/.
    check "the bundle's course is the built student edition given (README and .github/ aside)" \
        diff -rq --exclude=.build --exclude=.judge --exclude=.github --exclude=README.md --exclude=grade-report "$course" "$WORKBOOK_BUILT_EDITION"
    course="$WORKBOOK_BUILT_EDITION"
    echo "grading in the built edition $course (no second build of the same course)"
    # The judge's full course is this checkout, built (checked above to be the committed files).
    export WORKBOOK_JUDGE_SOURCE="$root"
    echo "building the judge in $root (already built: no second build of the full course)"
else
    export WORKBOOK_JUDGE_SOURCE="$work/bundle/judge"
fi
judge_source="$WORKBOOK_JUDGE_SOURCE"
# run_autograder closes the judge's course to other users (chmod 700): put this checkout's mode back.
root_mode=$(stat -c %a "$root")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work" "${hardcoded:-}"; chmod "$root_mode" "$root"' EXIT
# setup.sh's build of the pristine course and its judge (the toolchain install skipped).
echo "setup.sh: building the course and saving its judge"
WORKBOOK_SKIP_TOOLCHAIN=1 WORKBOOK_COURSE="$course" bash "$work/bundle/setup.sh" > "$work/setup.txt" 2>&1 || { tail -20 "$work/setup.txt"; exit 1; }
check "setup.sh saved the judge (the graders' test executable and workbook, built from the full course)" \
    test -x "$course/.judge/judge.xctest" -a -x "$course/.judge/workbook"
echo "running run_autograder on the submission (lesson 01 only)"
WORKBOOK_SUBMISSION="$work/submission" WORKBOOK_COURSE="$course" \
    WORKBOOK_RESULTS="$work/results" WORKBOOK_GRADE_OPTIONS="--lesson 1" "$work/bundle/run_autograder" > "$work/run.txt" 2>&1
check "run_autograder exits 0" test $? -eq 0
check "it wrote results/results.json" test -f "$work/results/results.json"
python3 - "$work/results/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
tests = {t["name"].split(":")[0].split("Exercise ")[-1]: t for t in r.get("tests", [])}
checks = [
    ("Gradescope's keys: score, max_score, tests", {"score", "max_score", "tests"} <= set(r)),
    ("lesson 01's four exercises graded", sorted(tests) == ["1.1", "1.2", "1.3", "1.4"]),
    ("1.4 passed with 1 point", tests.get("1.4", {}).get("status") == "passed" and tests["1.4"]["score"] == 1),
    ("1.1 failed as not started, 0 points", tests.get("1.1", {}).get("score") == 0 and tests["1.1"]["output"].startswith("not started")),
    ("total 1 of 4", r.get("score") == 1 and r.get("max_score") == 4),
]
bad = 0
for what, ok in checks:
    print(("  ✔ " if ok else "  ✘ ") + what)
    bad += not ok
sys.exit(bad)
PY
check "results.json holds what Gradescope needs (see above)" test $? -eq 0
check "the submitted Lessons/01-Hooks/Hooks.swift was graded" cmp -s "$work/submission/Lessons/01-Hooks/Hooks.swift" "$course/Lessons/01-Hooks/Hooks.swift"
check "the submission's Package.swift was not used" cmp -s "$root/Package.swift" "$course/Package.swift"
check "the linked and oddly named files were skipped and listed" bash -c "[ \$(grep -c '^skipped Lessons/01-Hooks/' '$work/run.txt') -eq 4 ]"
check "nothing of /etc/passwd reached the results" bash -c "! grep -rq 'root:' '$work/results'"

# A submission that calls the reference's 1.4 by its symbol (`@_silgen_name`, the name found with nm
# in a full build): the bundle has no reference to link to, so it does not build and scores 0 —
# with the full course inside, it scored 4 / 4 in issue 23.
symbol=$(nm -g "$root/.build/debug/HooksSolutions.build/Hooks.swift.o" 2>/dev/null | awk '$2 == "T" { print $3 }' | grep 'HooksSolutions10confidence' | head -1)
check "the reference's symbol for 1.4 is found in the full build" test -n "$symbol"
rm -rf "$work/submission2" && cp -r "$work/submission" "$work/submission2"
find "$work/submission2/Lessons/01-Hooks" -maxdepth 1 -name '*.swift' ! -name Hooks.swift -delete     # only the forging stub
python3 - "$work/submission2/Lessons/01-Hooks/Hooks.swift" "$symbol" <<'PY'
import sys
path, symbol = sys.argv[1], sys.argv[2]
text = open(path).read()
start = text.index("public func confidence(")
open_brace = text.index("{\n", start) + 2
close = text.index("\n}\n", open_brace)
text = text[:open_brace] + "    try forgedConfidence(of: model, for: images)" + text[close:]
text += f'\n@_silgen_name("{symbol}")\nfunc forgedConfidence(of model: Module, for images: Tensor) throws -> [(predicted: Int, probability: Float)]\n'
open(path, "w").write(text)
PY
WORKBOOK_SUBMISSION="$work/submission2" WORKBOOK_COURSE="$course" \
    WORKBOOK_RESULTS="$work/results2" WORKBOOK_GRADE_OPTIONS="--lesson 1" "$work/bundle/run_autograder" > "$work/run2.txt" 2>&1
check "calling the reference by its symbol scores 0: nothing to link to" \
    python3 -c "import json,sys; r=json.load(open('$work/results2/results.json')); sys.exit(0 if r['score'] == 0 and 'Grading failed' in r.get('output', '') else 1)"

# Issue 23's forgeries from inside a lesson (forging_submission.py): 1.1 writes "passed" for every
# exercise into every results file it finds, prints a fake score and exits; 1.2 reads the recorded
# references. The judge runs no student code and the runner runs as another user: 1.1 is graded
# crashed, nothing is forged or read, and the grade is the honest one (1.4 solved: 1 of 4).
rm -rf "$work/submission3" && cp -r "$work/submission" "$work/submission3"
find "$work/submission3/Lessons/01-Hooks" -maxdepth 1 -name '*.swift' ! -name Hooks.swift -delete
rm -f /tmp/workbook-forged-results.txt /tmp/workbook-forged-read.txt
python3 "$root/Tests/AutograderSelfTest/forging_submission.py" "$work/submission3/Lessons/01-Hooks/Hooks.swift" \
    "$course/Tests/HooksLessonTests/Recorded/references.wbref" "$judge_source/Solutions/01-Hooks/Hooks.swift"
WORKBOOK_SUBMISSION="$work/submission3" WORKBOOK_COURSE="$course" \
    WORKBOOK_RESULTS="$work/results3" WORKBOOK_GRADE_OPTIONS="--lesson 1" "$work/bundle/run_autograder" > "$work/run3.txt" 2>&1
check "the forging submission is graded by the judge" test -f "$work/results3/results.json"
check "its grade is the honest one: 1 of 4 (1.4), 1.1 crashed" \
    python3 -c "import json,sys; r=json.load(open('$work/results3/results.json')); t={x['name'].split(':')[0].split('Exercise ')[-1]: x for x in r['tests']}; sys.exit(0 if r['score'] == 1 and t['1.1']['score'] == 0 and 'crashed' in t['1.1'].get('output', '') else 1)"
check "no fake score reached the results" bash -c "! grep -q 'forged' '$work/results3/results.json'"
if [ "$(id -u)" = 0 ]; then
    check "the runner's user could not write any results file" test ! -e /tmp/workbook-forged-results.txt
    check "the runner's user could not read the recorded references nor the judge's reference" test ! -e /tmp/workbook-forged-read.txt
else
    echo "  (not root: the runner runs as this user, so the file permission checks are skipped)"
fi
rm -f /tmp/workbook-forged-results.txt /tmp/workbook-forged-read.txt

# Held-out inputs (issue 23): a 1.4 that memorised the inputs the graders asked for. First the
# reference's body logs every input it is given (graded with held-out seed 1), then a submission
# answers right only for those inputs. Graded with seed 1 again it passes (so it is right on what
# it saw); graded with seed 2, the held-out inputs are new and 1.4 fails there, and only there.
# The log is outside $work (which only this user may enter), open to the runner's user.
hardcoded=$(mktemp -d /tmp/workbook-hardcoded.XXXXXX) && chmod 1777 "$hardcoded"
submission_for() {   # submission_for STEP: lesson 01 of the submission with 1.4 made by hardcoding_submission.py STEP
    rm -rf "$work/submission-$1" && cp -r "$work/submission" "$work/submission-$1"
    find "$work/submission-$1/Lessons/01-Hooks" -maxdepth 1 -name '*.swift' ! -name Hooks.swift -delete
    cp "$root/Lessons/01-Hooks/Hooks.swift" "$work/submission-$1/Lessons/01-Hooks/Hooks.swift"
    python3 "$root/Tests/AutograderSelfTest/hardcoding_submission.py" "$work/submission-$1/Lessons/01-Hooks/Hooks.swift" \
        "$root/Solutions/01-Hooks/Hooks.swift" "$1" "$hardcoded"
}
submission_for log
WORKBOOK_SUBMISSION="$work/submission-log" WORKBOOK_COURSE="$course" \
    WORKBOOK_RESULTS="$work/results-log" WORKBOOK_GRADE_OPTIONS="--lesson 1 --held-out-seed 1" "$work/bundle/run_autograder" > "$work/run-log.txt" 2>&1
submission_for memorise
check "the logging submission saw the graders' inputs" bash -c "[ \$(ls '$hardcoded' | wc -l) -gt 1 ]"
for seed in 1 2; do
    WORKBOOK_SUBMISSION="$work/submission-memorise" WORKBOOK_COURSE="$course" \
        WORKBOOK_RESULTS="$work/results-seed$seed" WORKBOOK_GRADE_OPTIONS="--lesson 1 --held-out-seed $seed" "$work/bundle/run_autograder" > "$work/run-seed$seed.txt" 2>&1
done
check "the memorised 1.4 passes on the inputs it saw (held-out seed 1)" \
    python3 -c "import json,sys; r=json.load(open('$work/results-seed1/results.json')); t={x['name'].split(':')[0].split('Exercise ')[-1]: x for x in r['tests']}; sys.exit(0 if t['1.4']['status'] == 'passed' and 'seed 1 ' in r.get('output', '') else 1)"
check "it fails on new held-out inputs (seed 2), in the held-out test only, with the seed named" \
    python3 -c "import json,sys; r=json.load(open('$work/results-seed2/results.json')); t={x['name'].split(':')[0].split('Exercise ')[-1]: x for x in r['tests']}; o=t['1.4']['output']; sys.exit(0 if r['score'] == 0 and t['1.4']['status'] == 'failed' and o.count('failed: ') == 1 and 'held-out inputs drawn at grading time' in o and 'WORKBOOK_HELD_OUT_SEED=2' in o else 1)"

# The bundle holds the committed course, never the working tree: a clone with an uncommitted
# "solution" in a stub gives a bundle with the committed stub.
git clone -q "$root" "$work/clone"
echo '// an uncommitted local change' >> "$work/clone/Lessons/01-Hooks/Hooks.swift"
WORKBOOK_ROOT="$work/clone" "$(swift build --show-bin-path)/workbook" autograder --gradescope "$work/bundle2" > /dev/null || exit 1
check "the bundle's stub is the committed one, not the working tree's" cmp -s "$work/bundle2/course/Lessons/01-Hooks/Hooks.swift" <(git -C "$root" show HEAD:Lessons/01-Hooks/Hooks.swift)
# The built edition given is left with its stubs (run_autograder copied each submission over them).
if [ -n "${WORKBOOK_BUILT_EDITION:-}" ]; then
    rm -rf "$course/Lessons" && cp -r "$work/bundle/course/Lessons" "$course/Lessons"
fi
if [ "$failures" -ne 0 ]; then for log in run run3 run-log run-seed1 run-seed2; do echo "run_autograder's output ($log):"; tail -30 "$work/$log.txt"; done; fi
echo "autograder self-test: $failures failed check(s)"
exit $((failures > 0))
