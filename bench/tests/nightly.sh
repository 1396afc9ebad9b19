#!/bin/sh
# nightly.sh: scripts/compare-nightly, the nightly gate, on reports it writes.
#
#   sh bench/tests/nightly.sh      (from the top of the tree, after make)
#
# Two nights of one kernel (and a baseline kernel) as ci/nightly lays them
# out, with result files written here: an unchanged night passes; a night
# 5% slower is a first-stage REGRESSION that fails the gate only when the
# re-run (a stand-in for scripts/rerun-vm that writes result files) is slow
# too; a noisy first stage that the re-run does not confirm passes; a
# night whose files cannot be compared exits 2.  One line per check, then
# "N passed, N failed, N skipped"; exit 1 on any failure.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"
NIGHTLY=$TOP/scripts/compare-nightly

expect() {
	if [ "$1" -eq "$2" ]; then
		pass "$3 (exit $1)"
	else
		fail "$3: exit $1, want $2"
	fi
}

if [ ! -x "$DRMBENCH" ]; then
	fail "$DRMBENCH not built (make)"
	finish; exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drmb-nightly.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM

# result FILE KERNEL SCALE NIGHT: 10 runs of FutexWake (a real benchmark's
# result name, so the re-run can map it) around 3000 ns x SCALE
result() {
	mkdir -p "$(dirname "$1")"
	awk -v k="$2" -v s="$3" -v n="$4" 'BEGIN {
		printf "kernel-release: %s\ncpu-model: test\ndate: 2026-11-%02dT03:00:00Z\n", k, n
		for (r = 0; r < 10; r++)
			printf "BenchmarkFutexWake/placement=same-llc 1000 %.1f ns/op\n", 3000 * s * (1 + 0.001 * ((r * 7) % 10 - 5))
	}' >"$1"
}

# night REPORT STAMP SCALE: a report directory with kernels 6.12 and 7.2
night() {
	for k in 6.12 7.2; do
		mkdir -p "$1/$2/$k"
		result "$tmp/store/$k/$2.txt" "$k.0" "$3" "${2#2026112}"
		printf '%s\n' "$tmp/store/$k/$2.txt" >"$1/$2/$k/results.list"
	done
}

# a stand-in for scripts/rerun-vm: KERNEL OUTDIR RUNS BENCH...; the scale
# of the "re-measured" runs comes from $RERUN_SCALE
cat >"$tmp/rerun" <<'EOF'
#!/bin/sh
set -eu
[ "$4" = futex-wake ] || { echo "unexpected benchmark $4" >&2; exit 1; }
mkdir -p "$2"
awk -v s="$RERUN_SCALE" -v r="$3" -v k="$1" 'BEGIN {
	print "kernel-release: " k ".0\ncpu-model: test"
	for (i = 0; i < r; i++)
		printf "BenchmarkFutexWake/placement=same-llc 1000 %.1f ns/op\n", 3000 * s * (1 + 0.001 * ((i * 3) % 10 - 5))
}' >"$2/rerun-$1.txt"
EOF
chmod +x "$tmp/rerun"

# says DESC FILE PATTERN...: pass when FILE holds every PATTERN
says() {
	_desc=$1 _file=$2
	shift 2
	for _p in "$@"; do
		if ! grep -q -- "$_p" "$_file" 2>/dev/null; then
			fail "$_desc: '$_p' not in $_file: $(cat "$_file" 2>/dev/null)"
			return
		fi
	done
	pass "$_desc"
}

reports=$tmp/reports
night "$reports" 20261120 1.0
night "$reports" 20261121 1.0
"$NIGHTLY" "$reports/20261121" >"$tmp/out" 2>&1
expect $? 0 "an unchanged night passes"
says "compare.txt says there was no regression" "$reports/20261121/compare.txt" \
	'6.12: vs previous night: no regression' 'no confirmed regression'
says "the comparison table is in the report" "$reports/20261121/6.12/vs-previous.txt" 'ns/op (lower is better)'
says "7.2 is compared with the baseline kernel (informational)" "$reports/20261121/compare.txt" \
	'vs baseline 6.12'

night "$reports" 20261122 1.05
RERUN_SCALE=1.05 "$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "5% slower, confirmed by the re-run: the gate fails"
says "compare.txt names the confirmed regressions" "$reports/20261122/compare.txt" \
	'CONFIRMED REGRESSIONS: 2' '6.12: FutexWake/placement=same-llc' 're-run with 20 runs: 1 confirmed'

rm -rf "${reports:?}/20261122"
night "$reports" 20261122 1.05
RERUN_SCALE=1.0 "$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 0 "a first-stage hit the re-run does not confirm passes"
says "compare.txt says the re-run did not confirm it" "$reports/20261122/compare.txt" \
	're-run with 20 runs: 0 confirmed' 'no confirmed regression'

rm -rf "${reports:?}/20261122"
night "$reports" 20261122 1.05
"$NIGHTLY" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "without a re-run command a first-stage REGRESSION fails the gate"
says "and compare.txt says it was not re-run" "$reports/20261122/compare.txt" 'no re-run command (-R): taken as confirmed'

night "$reports" 20261123 1.0
printf 'garbage line\n' >>"$tmp/store/6.12/20261123.txt"
"$NIGHTLY" "$reports/20261123" >"$tmp/out" 2>&1
expect $? 2 "a night whose file is malformed exits 2"
says "compare.txt says which file and line stopped the comparison" "$reports/20261123/compare.txt" \
	'NOT COMPARED' '20261123.txt:14'

"$NIGHTLY" >/dev/null 2>&1
expect $? 2 "no report: usage"
finish
