#!/bin/sh
# plots.sh: scripts/plot-report end to end on result files written here.
#
#   sh bench/tests/plots.sh      (from the top of the tree, after make)
#
# Writes a small store (a +6% step in a nightly series, two sides to
# compare, three kernels, a parameter sweep) and one real run with raw
# samples, runs plot-report once over all of it, and checks that every
# plot exists as a PNG and an SVG that gnuplot wrote, that index.html shows
# each one with the comparison table, and that usage errors exit 2.
# Whether a plot reads well is judged by looking at it, not here.  One
# line per check, then "N passed, N failed, N skipped"; exit 1 on failure.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"
PLOT=$TOP/scripts/plot-report

# expect_status GOT WANT PASS-TEXT FAIL-TEXT
expect_status() {
	if [ "$1" -eq "$2" ]; then
		pass "$3"
	else
		fail "$4"
	fi
}

if ! command -v gnuplot >/dev/null 2>&1; then
	skip "gnuplot not installed (apt-get install gnuplot-nox): no plots"
	finish; exit
fi
if [ ! -x "$DRMBENCH" ]; then
	fail "$DRMBENCH not built (make)"
	finish; exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drmb-plots.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM

# night N of 30: a +6% step after night 20 in Wake, Flat stays flat
night=1
mkdir -p "$tmp/store" "$tmp/old" "$tmp/new"
while [ "$night" -le 30 ]; do
	awk -v n="$night" 'BEGIN {
		printf "kernel-release: 6.12.0\ncpu-model: test\ndate: 2026-10-%02dT03:00:00Z\n", n
		for (r = 0; r < 6; r++) {
			v = 3000 * (n > 20 ? 1.06 : 1) * (1 + 0.002 * ((n * 5 + r * 3) % 7 - 3))
			printf "BenchmarkWake 1000 %.1f ns/op\nBenchmarkFlat 1000 %.1f ns/op\n", v, 1000 + (n + r) % 5
		}
	}' >"$tmp/store/night$night.txt"
	night=$((night + 1))
done
for side in old new; do
	awk -v s="$side" 'BEGIN {
		print "kernel-release: 6.12.0\ncpu-model: test"
		for (r = 0; r < 10; r++) for (b = 0; b < 3; b++) {
			v = 1000 * (b + 1) * (s == "new" && b == 0 ? 1.05 : 1) * (1 + 0.001 * ((r * 7) % 10 - 5))
			printf "BenchmarkWake/placement=p%d 1000 %.1f ns/op %.0f ops/s\n", b, v, 1e9 / v
		}
	}' >"$tmp/$side/r.txt"
done
for k in 6.1.0 6.12.0 7.3.0-rc4; do
	mkdir -p "$tmp/kernels/$k"
	awk -v k="$k" 'BEGIN {
		print "kernel-release: " k "\ncpu-model: test\ndate: 2026-11-20"
		for (r = 0; r < 8; r++) for (b = 1; b <= 2; b++)
			printf "BenchmarkPath%d 1000 %.1f ns/op\n", b, 1000 * b * (k == "7.3.0-rc4" ? 1.1 : 1) + r
	}' >"$tmp/kernels/$k/r.txt"
done
awk 'BEGIN {
	print "kernel-release: 6.12.0\ncpu-model: test"
	for (c = 1; c <= 64; c *= 4) for (r = 0; r < 8; r++)
		printf "BenchmarkWaitMany/mode=any/count=%d 1000 %.1f ns/op\n", c, 4000 + 20 * c + r
}' >"$tmp/sweep.txt"
if "$DRMBENCH" run -q -o "$tmp/real.txt" null >/dev/null 2>&1; then
	pass "a real quick run of the null benchmark wrote samples"
else
	fail "drmbench run -q null failed"
fi
# stage metrics of the three breakdowns (their values in us: 1.5 36 ... 27)
cat >>"$tmp/real.txt" <<EOT
BenchmarkSubmitLatency/backend=simgpu/driver=simgpu/wait=syncobj 200 50000 ns/op 1500 entry-ns/op 36000 sched-ns/op 300 engine-ns/op 330 exec-ns/op 12500 wake-ns/op
BenchmarkUserSubmitLatency/backend=simgpu/driver=simgpu/fw-policy=busy 200 1300 ns/op 550 doorbell-ns/op 150 dispatch-ns/op 230 exec-ns/op 180 wake-ns/op
BenchmarkUserSubmitLatency/backend=simgpu/driver=simgpu/fw-policy=sleep 200 28000 ns/op 27000 doorbell-ns/op 190 dispatch-ns/op 270 exec-ns/op 260 wake-ns/op
BenchmarkVmBindThroughput/backend=simgpu/driver=simgpu/op=map/mode=sync 200 90000 ns/op 2000 entry-ns/bind 29000 ioctl-to-run-ns/bind 89000 run-to-pt-done-ns/bind 0 pt-done-to-signal-ns/bind 1800 signal-to-waiter-ns/bind
EOT

report=$tmp/report
if "$PLOT" -c "$tmp/old" "$tmp/new" -t "$tmp/store" -k "$tmp/kernels" \
	-s "$tmp/sweep.txt" -p count "$report" "$tmp/real.txt" "$tmp/real.txt" \
	>"$tmp/out" 2>&1; then
	pass "plot-report over compare, trend, kernels, sweep and samples: exit 0"
else
	fail "plot-report exit $?: $(tail -n 3 "$tmp/out")"
fi

for p in trend-1 compare-ratio-ns_op compare-ns_op compare-ops_s kernels-ns_op sweep dist-cdf dist-tail \
	stages-submit stages-userq stages-bind; do
	if [ -s "$report/$p.png" ] && [ "$(head -c 4 "$report/$p.png" | od -An -c | tr -d ' ')" = '211PNG' ] &&
		grep -q '<svg' "$report/$p.svg" 2>/dev/null; then
		pass "$p: PNG and SVG written"
	else
		fail "$p: PNG or SVG missing or not an image"
	fi
	if grep -q "src=\"$p.png\"" "$report/index.html" 2>/dev/null; then
		pass "$p: shown in index.html"
	else
		fail "$p: not in index.html"
	fi
done
if grep -q 'REGRESSION' "$report/index.html" 2>/dev/null; then
	pass "index.html holds the comparison table with its verdicts"
else
	fail "index.html lacks the comparison table"
fi
# a row per benchmark line (same-named files pool runs), stages in us,
# rows named by the parameters that differ
if grep -qxF "$(printf 'real.txt: fw-policy=sleep\t27\t0.19\t0.27\t0.26')" "$report/stages-userq.tsv" 2>/dev/null &&
	grep -qxF "$(printf 'real.txt: wait=syncobj\t1.5\t36\t0.3\t0.33\t12.5')" "$report/stages-submit.tsv" &&
	[ "$(wc -l <"$report/stages-bind.tsv")" -eq 1 ]; then
	pass "stage tables: medians in us per benchmark line, one set per breakdown"
else
	fail "stage tables wrong: $(cat "$report"/stages-*.tsv 2>/dev/null | head -n 4)"
fi
if grep -q 'change point' "$report/trend.txt" 2>/dev/null && [ ! -e "$report/trend-2.png" ]; then
	pass "trend: only the series with a change point is plotted"
else
	fail "trend: expected exactly the series with the step"
fi

"$PLOT" >/dev/null 2>&1
st=$?
expect_status "$st" 2 "no REPORT-DIR: exit 2" "no REPORT-DIR: exit $st (want 2)"
"$PLOT" -s "$tmp/sweep.txt" "$tmp/r2" >/dev/null 2>&1
st=$?
expect_status "$st" 2 "-s without -p: exit 2" "-s without -p: exit $st (want 2)"
"$PLOT" "$tmp/empty-report" >/dev/null 2>&1
st=$?
expect_status "$st" 4 "nothing to plot: exit 4 (skip)" "nothing to plot: exit $st (want 4)"
finish
