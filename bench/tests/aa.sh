#!/bin/sh
# aa.sh: scripts/aa-under-load's logic, with a stand-in for vm-run (VM_RUN)
# that writes result files and boots nothing.
#
#   sh bench/tests/aa.sh      (from the top of the tree, after make)
#
# The stand-in measures FutexWake the same on A and B in deterministic mode
# and 1.5x slower on B in wall-clock mode, with a per-side canary note; a
# stand-in for `drmbench compare` (the agreed ENVIRONMENT CHANGED interface,
# merged from another branch later) exits 3 when the canaries differ.
# Checked: both verdicts pass; a deterministic B that moved fails; a
# wall-clock comparison that hands out REGRESSION fails; the busy loops run
# during B only and are gone at the end; SKIP and usage exits.
# One line per check, then "N passed, N failed, N skipped"; exit 1 on any
# failure.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"
AA=$TOP/scripts/aa-under-load

expect() {
	if [ "$1" -eq "$2" ]; then
		pass "$3 (exit $1)"
	else
		fail "$3: exit $1, want $2: $(tail -n 5 "$tmp/out" 2>/dev/null | tr '\n' ' ')"
	fi
}

if [ ! -x "$DRMBENCH" ]; then
	fail "$DRMBENCH not built (make)"
	finish; exit
fi
if ! command -v pgrep >/dev/null 2>&1; then
	skip "aa-under-load: pgrep is not installed (apt-get install -y procps)"
	finish; exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drmb-aa.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/vm-run" <<'EOF'
#!/bin/sh
set -eu
accel=tcg results=''
while [ $# -gt 0 ]; do
	case $1 in
	-d) accel=tcg-icount ;;
	-r) results=$2; shift ;;
	-k | --timeout) shift ;;
	--) shift; break ;;
	esac
	shift
done
side=${results##*/}
mode=wallclock
[ "$accel" != tcg-icount ] || mode=deterministic
# The busy loops the script runs beside this guest: its children.
loops=$(pgrep -P "$PPID" -f 'while :; do :; done' | tr '\n' ' ')
printf '%s %s loops=%s args=%s\n' "$mode" "$side" "$loops" "$*" >>"$FAKE_LOG"
[ "${FAKE_VM_EXIT:-0}" -eq 0 ] || exit "$FAKE_VM_EXIT"
scale=1.0 canary=1
if [ "$side" = B ]; then
	if [ "$mode" = deterministic ]; then
		scale=${FAKE_DET_B_SCALE:-1.0}
	else
		scale=1.5 canary=2
	fi
fi
f=$results/host-qemu-$accel/6.12.0/$side.txt
mkdir -p "${f%/*}"
awk -v s="$scale" -v a="$accel" -v c="$canary" 'BEGIN {
	print "kernel-release: 6.12.0\ncpu-model: test\naccel: " a
	if (a == "tcg-icount") print "icount: shift=0,sleep=off"
	print "note: canary=" c
	for (i = 0; i < 10; i++)
		printf "BenchmarkFutexWake/placement=same-llc 1000 %.1f ns/op\n", 3000 * s * (1 + 0.001 * ((i * 3) % 10 - 5))
}' >"$f"
echo "vm-run: result: $f" >&2
EOF
chmod +x "$tmp/vm-run"

# A stand-in for `drmbench compare` with the agreed ENVIRONMENT CHANGED
# interface: the two sides' `note: canary=` differ -> the block, REGRESSION
# and IMPROVEMENT rows UNKNOWN ("environment changed"), exit 3.
cat >"$tmp/fake-compare" <<'EOF'
#!/bin/sh
[ "$1" = compare ] || exec "$REAL_DRMBENCH" "$@"
tsv=$3 old=$4 new=$5
c_old=$(cat "$old"/*/*/*.txt | sed -n 's/^\(# \)\{0,1\}note: canary=//p' | head -n 1)
c_new=$(cat "$new"/*/*/*.txt | sed -n 's/^\(# \)\{0,1\}note: canary=//p' | head -n 1)
st=0
"$REAL_DRMBENCH" "$@" >"$FAKE_TMP.out" || st=$?
if [ "$st" -le 1 ] && [ "$c_old" != "$c_new" ]; then
	printf 'ENVIRONMENT CHANGED: canary-ns %s vs %s\n\n' "$c_old" "$c_new"
	cat "$FAKE_TMP.out"
	awk -F '\t' -v OFS='\t' 'NR > 1 && ($19 == "REGRESSION" || $19 == "IMPROVEMENT") {
		$19 = "UNKNOWN"; $22 = "environment changed" } { print }' "$tsv" >"$FAKE_TMP.tsv" && mv "$FAKE_TMP.tsv" "$tsv"
	exit 3
fi
cat "$FAKE_TMP.out"
exit "$st"
EOF
chmod +x "$tmp/fake-compare"
REAL_DRMBENCH=$DRMBENCH FAKE_TMP=$tmp/fake FAKE_LOG=$tmp/vm.log VM_RUN=$tmp/vm-run
export REAL_DRMBENCH FAKE_TMP FAKE_LOG VM_RUN

DRMBENCH=$tmp/fake-compare "$AA" -o "$tmp/r1" >"$tmp/out" 2>&1
expect $? 0 "deterministic A = B and wall-clock ENVIRONMENT CHANGED: both hold"
says "each mode's verdict, row counts and the result directory are printed" "$tmp/out" \
	'deterministic: A [0-9][0-9]* s (exit 0, loadavg 1m' \
	'B [0-9][0-9]* s (exit 0, 3 busy loops' \
	'; compare exit 0: 0 REGRESSION, 0 IMPROVEMENT, 1 SAME, 0 UNKNOWN -> PASS (want exit 0 and no REGRESSION' \
	'wallclock: .*compare exit 3 ENVIRONMENT CHANGED: 0 REGRESSION, 0 IMPROVEMENT, 0 SAME, 1 UNKNOWN -> PASS' \
	"results in $tmp/r1" 'aa-under-load: PASS'
says "the summary and the comparisons stay in the directory" "$tmp/r1/summary.txt" 'deterministic: ' 'wallclock: '
check "(compare tables of both modes)" test -s "$tmp/r1/deterministic/compare.txt" -a -s "$tmp/r1/wallclock/compare.tsv"
says "A in deterministic mode first, then B, then wall-clock, with the default benchmarks" "$tmp/vm.log" \
	'^deterministic A loops= args=run -r 10 -n 1000 -p op=map,unmap -p size=4k -p batch=64 -p mode=sync -p wait=syncobj,eventfd drm-ioctl submit-latency vm-bind-throughput$'
n_a=$(grep -c '^[a-z]* A loops= args' "$tmp/vm.log")
n_b=$(sed -n 's/^[a-z]* B loops=\([0-9 ]*\) args.*/\1/p' "$tmp/vm.log" | awk '{ print NF }' | sort -u | tr '\n' ' ')
check "no busy loop during A, 3 during B, in both modes" test "$n_a" -eq 2 -a "$n_b" = '3 '
alive=0
for p in $(sed -n 's/^[a-z]* B loops=\([0-9 ]*\) args.*/\1/p' "$tmp/vm.log" | tr '\n' ' '); do
	! kill -0 "$p" 2>/dev/null || alive=$((alive + 1))
done
check "the busy loops are gone when the script ends" test "$alive" -eq 0

: >"$tmp/vm.log"
DRMBENCH=$tmp/fake-compare "$AA" -l 2 -m deterministic -o "$tmp/r2" -- -r 5 futex-wake >"$tmp/out" 2>&1
expect $? 0 "-l 2 -m deterministic with benchmarks of one's own"
says "B ran beside 2 busy loops, deterministic only, with the given arguments" "$tmp/vm.log" \
	'^deterministic B loops=[0-9]* [0-9]* *args=run -r 5 futex-wake$'
check "(and nothing in wall-clock mode)" test "$(grep -c . "$tmp/vm.log")" -eq 2

FAKE_DET_B_SCALE=1.05 DRMBENCH=$tmp/fake-compare "$AA" -m deterministic -o "$tmp/r3" >"$tmp/out" 2>&1
expect $? 1 "a deterministic B that moved 5% under load fails"
says "and says why" "$tmp/out" 'deterministic: .*compare exit 1: 1 REGRESSION, .* -> FAIL' 'aa-under-load: FAIL'

"$AA" -m wallclock -o "$tmp/r4" >"$tmp/out" 2>&1
expect $? 1 "a wall-clock comparison that hands out REGRESSION (no environment guard) fails"
says "and says why" "$tmp/out" 'wallclock: .*compare exit 1: 1 REGRESSION, .* -> FAIL (want exit 3 ENVIRONMENT CHANGED and no REGRESSION'

FAKE_VM_EXIT=4 "$AA" -o "$tmp/r5" >"$tmp/out" 2>&1
expect $? 4 "guests whose benchmarks all skipped: SKIP"
FAKE_VM_EXIT=1 "$AA" -m deterministic -o "$tmp/r6" >"$tmp/out" 2>&1
expect $? 1 "a failed guest fails"
says "naming its log" "$tmp/out" "A: the guest or a benchmark failed, vm-run exit 1 (see $tmp/r6/deterministic/vm-run-A.log)"

"$AA" -l x >"$tmp/out" 2>&1
expect $? 2 "--loads x: usage"
"$AA" -m fast >"$tmp/out" 2>&1
expect $? 2 "--modes fast: usage"
"$AA" -o "$tmp/r1" >"$tmp/out" 2>&1
expect $? 1 "an existing output directory is refused"

mkdir -p "$tmp/cache"
DRMBENCH_CACHE=$tmp/cache VM_RUN='' "$AA" -k 6.12 >"$tmp/out" 2>&1
expect $? 4 "without QEMU or a fetched kernel: SKIP"
says "with the reason" "$tmp/out" '^SKIP aa-under-load: \(qemu-system-x86_64 is not installed\|kernel 6.12 is not fetched\)'
finish
