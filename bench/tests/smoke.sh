#!/bin/sh
# smoke.sh: one quick pass (-q) of every benchmark through the `quick` suite.
#
#   sh bench/tests/smoke.sh      (from the top of the tree, after make)
#
# Every benchmark `drmbench list` shows must appear in the run: the host
# benchmarks (null and the floors) run, never fail; a benchmark that needs
# a DRM device SKIPs with a reason when the host has no /dev/dri.  The exit
# status must match what ran (0 something ran, 4 all skipped, 1 a failure),
# and the stored file must parse back with the null benchmark's per-sample
# overhead and futex-wake's p50 in it.
#
# benchstat cannot be installed here (no Go module proxy), so the file is
# checked by bench/tests/test_gofmt against the Go benchmark format grammar
# (proposal 14313, as golang.org/x/perf/benchfmt reads it) and by
# drmbench's own reader, sidecar included.  Behaviour only: nothing here
# judges a timing.  One line per check, then "N passed, N failed, N
# skipped"; exit 1 on any failure.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

setup smoke "$DRMBENCH" "$GOFMT"

have_dri=no
[ -e /dev/dri ] && have_dri=yes

# ---- what there is to run ---------------------------------------------------

"$DRMBENCH" list >"$T/list" 2>&1
benches=$(sed -n '/^benchmarks:/,/^backends:/p' "$T/list" | sed -n 's/^  \([a-z0-9-]*\) .*/\1/p')
check "list: names benchmarks" test -n "$benches"

# ---- the run ------------------------------------------------------------------

# -t 120: a run cut short by the 5 s default before its 200 samples has no
# p50, which a loaded host can cause; this test checks behaviour, not time.
"$DRMBENCH" run -q -t 120 -O "$T/store" quick >"$T/out" 2>"$T/err"
rc=$?
sed 's/^/     | /' "$T/out"
check "run: nothing on stderr" test ! -s "$T/err"

# Case lines: "  NAME   3 runs ...", "  NAME   SKIP: why", "  NAME   FAIL: why".
nran=$(grep -cE '^  [A-Z][^ ]* +[0-9]+ runs ' "$T/out")
nskip=$(grep -cE '^  [A-Z][^ ]* +SKIP: ' "$T/out")
nfail=$(grep -cE '^  [A-Z][^ ]* +FAIL: ' "$T/out")
if [ "$nfail" -gt 0 ]; then
	want=1
elif [ "$nran" -eq 0 ]; then
	want=4
else
	want=0
fi
check "run: exit $rc matches what happened ($nran ran, $nskip skipped, $nfail failed: want $want)" \
	test "$rc" -eq "$want"
check "run: the closing count agrees ($nran ran, $nskip skipped, $nfail failed)" \
	grep -q "^$nran ran, $nskip skipped, $nfail failed" "$T/out"

# ---- per benchmark ------------------------------------------------------------

for b in $benches; do
	"$DRMBENCH" list "$b" >"$T/one" 2>&1
	id=$(sed -n 's/^  result name: Benchmark\([A-Za-z0-9]*\).*/\1/p' "$T/one")
	if [ -z "$id" ]; then
		fail "$b: 'list $b' gives no result name"
		continue
	fi
	lines=$(grep -E "^  ${id}[/ ]" "$T/out")
	ran=$(printf '%s\n' "$lines" | grep -cE ' [0-9]+ runs ')
	skips=$(printf '%s\n' "$lines" | grep -cE ' SKIP: ')
	fails=$(printf '%s\n' "$lines" | grep -cE ' FAIL: ')
	reasonless=$(printf '%s\n' "$lines" | grep -cE ' SKIP: *$')
	if [ -z "$lines" ]; then
		fail "$b: not in the quick suite's run (every benchmark must be)"
		continue
	fi
	check "$b: no case failed" test "$fails" -eq 0
	check "$b: every SKIP gives a reason" test "$reasonless" -eq 0
	if grep -q '^  needs: *no device' "$T/one"; then
		# Null and the floors run on any Linux host.
		check "$b: host benchmark ran ($ran cases)" test "$ran" -gt 0
	elif [ "$have_dri" = no ]; then
		check "$b: needs a DRM device, none here: every case SKIPs ($skips of $((ran + skips)))" \
			test "$ran" -eq 0 -a "$skips" -gt 0
	else
		pass "$b: ran $ran, skipped $skips cases (this host has /dev/dri)"
	fi
done

# ---- the stored file -------------------------------------------------------------

result=$(sed -n 's/.*result: \(.*\)$/\1/p' "$T/out")
if [ "$nran" -eq 0 ]; then
	check "no file stored when nothing ran" test -z "$(find "$T/store" -type f 2>/dev/null)"
elif [ -z "$result" ] || [ ! -f "$result" ]; then
	fail "the run names the stored file, and it exists ('$result')"
else
	pass "the run names the stored file, and it exists"
	check "one result and its sidecar in the store, no temporaries" \
		test "$(find "$T/store" -type f | wc -l)" -eq 2 -a -f "${result%.txt}.samples"
	if "$GOFMT" -r Null:ns/op -r FutexWake:ns/op "$result" >"$T/gofmt" 2>&1; then
		pass "the file parses back: Go format grammar, drmbench's reader, sidecar; Null and FutexWake have ns/op (p50)"
	else
		fail "the file parses back:"
		grep FAIL "$T/gofmt" | sed 's/^/     /'
	fi
	# Each case that ran has one result line per run (-q: 3 runs).
	bad=$(grep -E '^  [A-Z][^ ]* +[0-9]+ runs ' "$T/out" | while read -r name n _; do
		got=$(grep -c "^Benchmark$name " "$result")
		[ "$got" -eq "$n" ] || printf ' %s(%s/%s)' "$name" "$got" "$n"
	done)
	check "every case that ran has one result line per run${bad:+:$bad}" test -z "$bad"
	if [ "$have_dri" = no ]; then
		check "skipped cases are recorded as '# skip' comments with the reason" \
			test "$(grep -cE '^# skip Benchmark[^ ]+: .+' "$result")" -eq "$nskip"
	fi
fi
check "null: the summary prints the per-sample overhead" \
	grep -qE '^  Null +[0-9]+ runs +overhead/sample +[0-9.]+ [nu]s' "$T/out"
check "futex-wake: the summary prints p50 and the ratio to the floor" \
	grep -qE '^  FutexWake[/ ].* p50 +[0-9.]+ [nu]s .* x[0-9.]+ floor' "$T/out"

finish
