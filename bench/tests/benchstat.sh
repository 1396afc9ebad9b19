#!/bin/sh
# benchstat.sh: plain `benchstat old.txt new.txt` compares two drmbench
# result files of the same configuration (docs/results.md, "benchstat").
# Two runs of the same benchmarks differ in date, cmdline and host, which
# are written as "# key: value" comments, so benchstat keeps one table per
# unit with both files in it; a 0 of an ns unit (written "0 mad-sec/op")
# lands in the same table as the others.  A different kernel still splits.
# SKIPs without benchstat on PATH (golang.org/x/perf/cmd/benchstat).
#   sh bench/tests/benchstat.sh        (make check-benchstat)
set -eu
# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

if ! command -v benchstat >/dev/null 2>&1; then
	skip "benchstat not on PATH (go install golang.org/x/perf/cmd/benchstat@latest): not compared"
	finish; exit
fi
if [ ! -x "$DRMBENCH" ]; then
	fail "$DRMBENCH not built (make)"
	finish; exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drmb-benchstat.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM

# Two runs of the same command: only the informational keys differ.
for side in old new; do
	rc=0
	"$DRMBENCH" run -q -r 6 --no-canary -o "$tmp/$side.txt" null syscall >"$tmp/run-$side.log" 2>&1 || rc=$?
	check "drmbench run -q -r 6 null syscall -> $side.txt (exit $rc)" [ "$rc" -eq 0 ]
done

# table_ok OUT: every benchstat table header that names old.txt names
# new.txt too (a split configuration has tables of one file each), and no
# ns unit was left unrescaled (a table of its own).
table_ok() {
	awk '/old\.txt/ && !/new\.txt/ { bad = 1 } /new\.txt/ && !/old\.txt/ { bad = 1 }
	     /(^|[ -])ns\/op/ { bad = 1 } END { exit bad }' "$1"
}

benchstat "$tmp/old.txt" "$tmp/new.txt" >"$tmp/out" 2>"$tmp/err" && rc=0 || rc=$?
check "benchstat old.txt new.txt: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "benchstat old.txt new.txt: no parse error on stderr" [ ! -s "$tmp/err" ]
check "benchstat old.txt new.txt: one comparison, both files in every table" table_ok "$tmp/out"
says "benchstat old.txt new.txt: compares (vs base, p=, n=6)" "$tmp/out" 'vs base' 'n=6' 'sec/op'
check "benchstat: date and cmdline are comments, not configuration" \
	grep -q '^# date: ' "$tmp/old.txt"

# A zero as the writer writes it: in the table of the other values.
awk '!done && /^BenchmarkNull / { sub(/ [0-9.e+]+ mad-ns\/op/, " 0 mad-sec/op"); done = 1 } { print }' \
	"$tmp/new.txt" >"$tmp/zero.txt"
check "benchstat: the test file holds a '0 mad-sec/op'" grep -q ' 0 mad-sec/op' "$tmp/zero.txt"
benchstat "$tmp/old.txt" "$tmp/zero.txt" >"$tmp/out0" 2>"$tmp/err0" || :
sed 's/zero\.txt/new.txt/g' "$tmp/out0" >"$tmp/out0n"
check "benchstat: '0 mad-sec/op' joins the mad-sec/op table, no table of its own" table_ok "$tmp/out0n"
check "benchstat: one mad-sec/op table" [ "$(grep -c 'mad-sec/op' "$tmp/out0")" -eq 1 ]
"$DRMBENCH" compare --tsv - "$tmp/old.txt" "$tmp/zero.txt" >"$tmp/tsv" 2>/dev/null || :
check "drmbench reads '0 mad-sec/op' back as mad-ns/op" grep -q '^Null	mad-ns/op	' "$tmp/tsv"

# A comparable key that differs (another kernel) still splits the tables.
sed 's/^kernel-release: .*/kernel-release: 0.0.0-other/' "$tmp/new.txt" >"$tmp/other.txt"
benchstat "$tmp/old.txt" "$tmp/other.txt" >"$tmp/out1" 2>&1 || :
check "benchstat: a different kernel-release is still a different configuration" \
	grep -q 'kernel-release: 0.0.0-other' "$tmp/out1"

finish
