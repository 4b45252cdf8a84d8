#!/usr/bin/env bash
# The student edition, proven the way a class receives it:
#   1. `workbook student-edition` writes it (the committed course, no Solutions/) into a fresh
#      folder; nothing of the full edition is reachable from there;
#   2. its `swift test` on the stubs: every exercise "not started", nothing fails or crashes,
#      the score table last;
#   2b. part-way through (lesson 01 done, some exercises of 05 and 08 done, the rest stubs): green,
#      nothing failing, the done ones counted;
#   3. the reference's answer files copied over the lessons' stubs (what a student who solved
#      everything hands in): `swift test` is green and reports every exercise done, graded from the recorded
#      references alone;
#   4. its command line runs the student's code: on the stubs `workbook explain` names the exercise
#      it needs; with the answers copied in, explain, visualize, dream, embed and rank draw from them,
#      and the instructors' commands are absent.
# Every catalogued mistake and correct variant is graded from the same recorded references by
# `workbook verify` in the full edition (same verdicts and messages as live grading), so this
# script does not rebuild the edition once per mistake.
# Usage: bash Tests/StudentEditionSelfTest/run.sh  (from the repository root; ~4 minutes, most of
# it the edition's first build). Exit status 0 when every check holds.
# With WORKBOOK_EDITION_DIR=DIR (a path that does not exist yet) the edition is written there and
# kept, built, with its lessons put back to the stubs at the end: `.ci/run` hands it to the
# autograder self-test, which grades in it instead of building the same course a second time.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/workbook-edition.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
failures=0
check() {   # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "  ✔ $what"; else echo "  ✘ $what"; failures=$((failures + 1)); fi
}

edition="${WORKBOOK_EDITION_DIR:-$work/edition}"
if [ -e "$edition" ]; then echo "✘ $edition exists: WORKBOOK_EDITION_DIR must name a new folder"; exit 1; fi
echo "writing the student edition to $edition"
start=$(date +%s)
(cd "$root" && swift run workbook student-edition --out "$edition" --github-classroom) || { echo "✘ student-edition failed"; exit 1; }
check "written in under 30 s" test $(( $(date +%s) - start )) -lt 30
check "no Solutions/ in the edition" test ! -e "$edition/Solutions"
cp -a "$edition/Lessons" "$work/stub-lessons"      # the lessons as written, put back at the end
check "the GitHub Classroom workflow is in the template, failing closed" bash -c "grep -q 'rm -rf grade-report' '$edition/.github/workflows/classroom.yml' && test -s '$edition/.github/classroom/autograding.json'"
check "the command line without its instructors' commands" bash -c "test -d '$edition/Sources/WorkbookCLI' && ! ls '$edition/Sources/WorkbookCLI' | grep -qE 'ReferenceImplementations|VerifyCommand|BenchCommand|StudentEditionCommand'"
check "no tests of the reference itself (…ReferenceChecks.swift)" bash -c "! find '$edition/Tests' -name '*ReferenceChecks.swift' | grep -q ."
check "no fixture or benchmark scripts that compute the methods" bash -c "! find '$edition/Tests' '$edition/Datasets' -name '*.py' | grep -E 'LessonTests/|ColourFixtures/|bench' | grep -q ."
check "every lesson has its recorded references" bash -c "for d in '$edition'/Lessons/[0-9][0-9]-*/; do t=\$(basename \$d); t=\${t#???}; test -s '$edition'/Tests/\${t}LessonTests/Recorded/references.wbref || exit 1; done"

echo "stubs: swift test in the edition"
(cd "$edition" && env -u WORKBOOK_SOLUTIONS -u WORKBOOK_MISTAKE -u WORKBOOK_VARIANT -u WORKBOOK_ROOT swift test > "$work/stubs.log" 2>&1)
status=$?
tail -14 "$work/stubs.log"
check "swift test passes on the stubs (exit 0)" test $status -eq 0
check "the score is 0, every exercise not started" grep -qE "total: 0 of [0-9]+ exercises done" "$work/stubs.log"
check "nothing crashed" bash -c "! grep -q 'crashed in' '$work/stubs.log'"
check "no reference module was built" bash -c "! find '$edition/.build' -name '*Solutions.swiftmodule' | grep -q ."
workbook="$edition/.build/debug/workbook"
(cd "$edition" && swift build --product workbook > "$work/cli-stubs.log" 2>&1) || { tail -20 "$work/cli-stubs.log"; echo "  ✘ the build of workbook failed"; failures=$((failures + 1)); }
check "workbook explain on the stubs names the exercise it needs (exit 1)" bash -c "cd '$edition' && '$workbook' explain --method gradcam --out '$work/x.png' 2>&1 >/dev/null | grep -q 'gradcam needs exercise 5.2, which is not started'; test \${PIPESTATUS[0]} -eq 1"
check "--implementation reference is refused in the student edition (exit 2)" bash -c "cd '$edition' && '$workbook' explain --method saliency --implementation reference --out '$work/x.png' 2>&1 | grep -q \"needs the instructors' edition\"; test \${PIPESTATUS[0]} -eq 2"
check "the instructors' commands are not offered" bash -c "'$workbook' --help | grep -q '^  explain' && ! '$workbook' --help | grep -qE '^  (verify|figures|bench|student-edition|autograder|record-references) '"

echo "part-way through: some exercises done, the rest stubs — swift test in the edition"
# Lesson 01 whole; in 05 only 5.1 and 5.3; in 08 only the last three (8.6–8.8, the case of a student
# who started at the end); the rest untouched. Bodies are the reference's (Tests/StudentEditionSelfTest/
# partial.py), calling the lesson's own earlier functions, stubs included.
cp "$root/Solutions/01-Hooks/Hooks.swift" "$edition/Lessons/01-Hooks/Hooks.swift"
python3 "$root/Tests/StudentEditionSelfTest/partial.py" "$edition/Lessons/05-GradCAM/GradCAM.swift" "$root/Solutions/05-GradCAM/GradCAM.swift" 5.1,5.3 "$work/GradCAM.swift" &&
python3 "$root/Tests/StudentEditionSelfTest/partial.py" "$edition/Lessons/08-FeatureVisualization/FeatureVisualization.swift" "$root/Solutions/08-FeatureVisualization/FeatureVisualization.swift" 8.6,8.7,8.8 "$work/FeatureVisualization.swift" ||
    { echo "  ✘ partial.py failed"; failures=$((failures + 1)); }
cp "$work/GradCAM.swift" "$edition/Lessons/05-GradCAM/GradCAM.swift"
cp "$work/FeatureVisualization.swift" "$edition/Lessons/08-FeatureVisualization/FeatureVisualization.swift"
(cd "$edition" && env -u WORKBOOK_SOLUTIONS -u WORKBOOK_MISTAKE -u WORKBOOK_VARIANT -u WORKBOOK_ROOT swift test > "$work/partial.log" 2>&1)
status=$?
tail -14 "$work/partial.log"
check "swift test is green part-way through (exit 0)" test $status -eq 0
check "nothing failing or crashed in the table" bash -c "awk '/^Workbook score/{t=1} t && /^[0-9][0-9] /' '$work/partial.log' | awk -F'  +' '{ if (\$4 != \"—\" || \$5 != \"—\") bad=1 } END { exit bad }'"
check "lesson 01 all done; 5.1, 5.3, 8.6 and 8.8 done; 8.7 (DeepDream, which jitters with 8.4) waits for 8.4" bash -c "grep -qE '^01 .* 4 / 4 ' '$work/partial.log' && grep -qE '^05 .* 2 / 4 ' '$work/partial.log' && grep -qE '^08 .* 2 / 8 .*8\.7 \(waits for 8\.4\)' '$work/partial.log'"

echo "the reference's answers copied into the lessons: swift test in the edition"
for dir in "$root"/Solutions/[0-9][0-9]-*/; do
    lesson=$(basename "$dir")
    for file in "$dir"*.swift; do
        case $(basename "$file") in
            Exercises.swift|Mistakes.swift|Variants.swift|Hints.swift|Figures.swift|BarnesHutTSNE.swift|QuadTree.swift|FastPCA.swift|LargeScaleScores.swift) ;;
            *) cp "$file" "$edition/Lessons/$lesson/" ;;
        esac
    done
done
(cd "$edition" && env -u WORKBOOK_SOLUTIONS -u WORKBOOK_MISTAKE -u WORKBOOK_VARIANT -u WORKBOOK_ROOT swift test > "$work/reference.log" 2>&1)
status=$?
tail -14 "$work/reference.log"
check "swift test passes with the reference's answers (exit 0)" test $status -eq 0
check "every exercise done, graded from the recorded references" grep -qE "total: ([0-9]+) of \1 exercises done" "$work/reference.log"

echo "the command line on the answers copied in"
# The debug build: its numeric modules are compiled with -O (Package.swift), fast enough here.
(cd "$edition" && swift build --product workbook > "$work/cli.log" 2>&1) || { tail -20 "$work/cli.log"; echo "  ✘ the build of workbook failed"; failures=$((failures + 1)); }
check "explain --all draws every method from the student's code" bash -c "cd '$edition' && '$workbook' explain --all --index 0 --out '$work/all.png' | grep '^guided-gradcam' >/dev/null && test -s '$work/all.png'"
check "visualize --class 3 (8.5)" bash -c "cd '$edition' && '$workbook' visualize --class 3 --steps 20 --out '$work/v.png' >/dev/null && test -s '$work/v.png'"
check "dream (8.7)" bash -c "cd '$edition' && '$workbook' dream --steps 3 --out '$work/d.png' >/dev/null && test -s '$work/d.png'"
check "embed: the exercises' PCA, exact t-SNE and scores on 300 images (9.1–9.7)" bash -c "cd '$edition' && '$workbook' embed --layer gap --method tsne --n 300 --iterations 300 --out '$work/e.png' | grep -q 'gap features, t-SNE: T(5) 0.9'"
check "grade in the edition: results.json with lesson 01's 4 exercises passed, and the workflow's check reads it" bash -c "cd '$edition' && '$workbook' grade --lesson 1 --skip-build --out grade-report >/dev/null && python3 -c 'import json; t = json.load(open(\"grade-report/results.json\"))[\"tests\"]; assert sum(x[\"status\"] == \"passed\" for x in t) == 4, t' && rm -rf grade-report"
check "rank on the student's maps and metrics (lesson 10)" bash -c "cd '$edition' && '$workbook' rank --model mnist-gap --n 3 --methods saliency,gradcam,random --out '$work/rank' >/dev/null && grep -q gradcam '$work/rank/ranking.txt'"

if [ -n "${WORKBOOK_EDITION_DIR:-}" ]; then
    rm -rf "$edition/Lessons" "$edition/grade-report" && cp -a "$work/stub-lessons" "$edition/Lessons"
    check "the kept edition's lessons are the stubs again" diff -rq "$work/stub-lessons" "$edition/Lessons"
fi
if [ $failures -eq 0 ]; then echo "student edition self-test: all checks hold"; else echo "student edition self-test: $failures check(s) failed"; exit 1; fi
