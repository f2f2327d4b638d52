#!/usr/bin/env bash
# Mutation run: plants each bug of scripts/mutants.tsv alone in a scratch worktree of HEAD, builds, runs the tests
# that check numbers, and writes which mutants the suite caught to docs/mutation.md. Not part of CI (about a minute
# per mutant on 2 cores). Exits 1 if a mutant was missed, 2 if one is stale (its text is no longer in the file).
#
#   scripts/mutate.sh              every mutant
#   scripts/mutate.sh ID [ID ...]  only these; the table keeps the other mutants' rows from their last run, each row
#                                  saying the commit it ran at
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
mutants="$repo/scripts/mutants.tsv"
report="$repo/docs/mutation.md"
# Every test that checks a number: the kernels, both engines, the generator's agreement, the run-time compiler.
# Not the example's training runs or the packaging tests, which check no kernel the others miss and take minutes.
filter='FullyQualifiedName!~LossDsl.Tests.Examples&FullyQualifiedName!~LossDsl.Tests.Packaging'

work=$(mktemp -d /tmp/lossdsl-mutate.XXXXXX)
cleanup() { git -C "$repo" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
git -C "$repo" worktree add --detach "$work/tree" HEAD >/dev/null
tree="$work/tree"
commit=$(git -C "$tree" rev-parse --short HEAD)

build() { dotnet build "$tree/tests/LossDsl.Tests" -c Release -nologo -v q >"$work/build.log" 2>&1; }
# Prints "failed total" from the test run's summary line.
run_tests() {
    dotnet test "$tree/tests/LossDsl.Tests" -c Release --no-build --filter "$filter" >"$work/test.log" 2>&1 || true
    sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+), Total: +([0-9]+).*/\1 \4/p' "$work/test.log" | tail -1
}

echo "baseline: building and testing $commit unmutated"
build || { cat "$work/build.log"; echo "the unmutated tree does not build"; exit 2; }
read -r failed total <<<"$(run_tests)"
[[ "${failed:-1}" == 0 ]] || { tail -40 "$work/test.log"; echo "the unmutated tree fails $failed tests"; exit 2; }

rows=()
missed=0
stale=0
while IFS=$'\t' read -r -u 3 id file find replace what; do
    [[ -z "$id" || "$id" == \#* ]] && continue
    if (($# > 0)) && [[ " $* " != *" $id "* ]]; then continue; fi
    # Replace every occurrence (a bug in a forward pass and its closed-form backward is one bug), none is stale.
    count=$(FIND="$find" REPLACE="$replace" python3 - "$tree/$file" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
count = text.count(os.environ["FIND"])
if count:
    open(path, "w", encoding="utf-8").write(text.replace(os.environ["FIND"], os.environ["REPLACE"]))
print(count)
PY
)
    if [[ "$count" == 0 ]]; then
        echo "$id: STALE, its text is not in $file"
        rows+=("| \`$id\` | $commit | $what | \`$file\` | stale: text not found | — |")
        stale=1
        continue
    fi

    started=$(date +%s)
    if build; then
        read -r failed total <<<"$(run_tests)"
        failed=${failed:-0}
        # A crash of the test host (an exception in a callback from native code) aborts the run, whose summary then counts
        # only the tests before it: the suite fails, so the mutant is caught.
        if grep -q "Test Run Aborted" "$work/test.log"; then
            verdict="caught"; result="the test host crashed"
        elif ((failed > 0)); then
            verdict="caught"; result="$failed of $total tests fail"
        else
            verdict="**missed**"; result="$failed of $total tests fail"; missed=1
        fi
        # The first few failing tests, to show what caught it.
        # (|| true: a missed mutant has no failing test, and grep's no-match must not end the run under pipefail.)
        by=$(grep -oE '^\s+Failed [^ (]+' "$work/test.log" | sed -E 's/^\s+Failed LossDsl\.Tests\.//; s/\.[^.]+$//' | sort | uniq -c | sort -rn | head -3 \
            | awk '{printf "%s%s (%d)", (NR > 1 ? ", " : ""), $2, $1}' || true)
        rows+=("| \`$id\` | $commit | $what | \`$file\` | $verdict: $result | $by |")
    else
        verdict="**does not build**"
        missed=1
        rows+=("| \`$id\` | $commit | $what | \`$file\` | $verdict | — |")
    fi
    echo "$id: $verdict ($(( $(date +%s) - started )) s)"
    git -C "$tree" checkout -q -- "$file"
done 3<"$mutants"

# With IDs, the rows of the other mutants still listed come from the report as it was (in the list's order).
if (($# > 0)) && [[ -f "$report" ]]; then
    mapfile -t rows < <(MUTANTS="$mutants" python3 - "$report" "${rows[@]}" <<'PY'
import os, re, sys
report, fresh = sys.argv[1], sys.argv[2:]
row_id = lambda row: re.match(r"\| `([^`]+)`", row).group(1)
by_id = {row_id(r): r for r in open(report, encoding="utf-8").read().splitlines() if r.startswith("| `")}
by_id.update({row_id(r): r for r in fresh})
order = [line.split("\t")[0] for line in open(os.environ["MUTANTS"], encoding="utf-8") if line.strip() and not line.startswith("#")]
print("\n".join(by_id[i] for i in order if i in by_id))
PY
)
fi

{
    echo "# Mutation run"
    echo
    echo "Generated by \`scripts/mutate.sh\`, last on $(date -u +%Y-%m-%d) at commit $commit; do not edit by hand. Each row"
    echo "gives the commit its mutant last ran at (\`scripts/mutate.sh ID ...\` reruns only those)."
    echo
    echo "Each mutant of [\`scripts/mutants.tsv\`](../scripts/mutants.tsv) plants one deliberate bug in a kernel; the"
    echo "script builds the mutated tree and runs every test that checks a number (all of \`tests/LossDsl.Tests\` but the"
    echo "example's training runs and the packaging tests). A mutant is caught when at least one test fails. Every"
    echo "mutant in the list must be caught: a missed one is a wrong number the suite would not notice."
    echo
    echo "| mutant | commit | the bug | file | result | failing test classes (tests) |"
    echo "| --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
} >"$report"
echo "wrote $report"

((stale == 0)) || exit 2
((missed == 0)) || exit 1
