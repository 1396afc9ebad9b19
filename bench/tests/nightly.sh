#!/bin/sh
# nightly.sh: scripts/compare-nightly (the nightly gate), scripts/rerun-vm
# and ci/nightly, on reports written here.
#
#   sh bench/tests/nightly.sh      (from the top of the tree, after make)
#
# Nights of two kernels in both modes (deterministic, the gate, and
# wall-clock, informational) as ci/nightly lays them out, with result files
# and side directories written here:
#  - an unchanged night passes, and both modes are reported;
#  - a deterministic night 5% slower is a first-stage REGRESSION, re-run
#    for both nights' sides interleaved (a stand-in for scripts/rerun-vm
#    that writes result files, slow or not per side): confirmed only when
#    the re-runs of the new side are slower than those of the old side;
#    a re-run whose old side is just as slow is not confirmed;
#  - a wall-clock night 5% slower never fails the job;
#  - a previous night without a side falls back to the one-sided re-run
#    and says so; a night from before the modes still reads as wall-clock;
#  - ENVIRONMENT CHANGED (compare's exit 3, from a stand-in for compare
#    that follows the agreed interface) is reported in the informational
#    mode, leaves the gate undecided (exit 3), and makes a confirmation
#    "not confirmed";
#  - ci/nightly with a stand-in for vm-run (VM_RUN) runs both modes, keeps
#    the side, pins the second mode to the first one's exact kernel, and
#    confirms through the real scripts/rerun-vm.
# One line per check, then "N passed, N failed, N skipped"; exit 1 on any
# failure.
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

# result FILE KERNEL SCALE NIGHT MODE [CANARY]: 10 runs of FutexWake (a real
# benchmark's result name, so the re-run can map it) around 3000 ns x SCALE,
# labelled as vm-run labels MODE; CANARY goes into a note (see fake_compare).
result() {
	mkdir -p "$(dirname "$1")"
	awk -v k="$2" -v s="$3" -v n="$4" -v m="$5" -v c="${6:-1}" 'BEGIN {
		printf "kernel-release: %s\ncpu-model: test\ndate: 2026-11-%02dT03:00:00Z\n", k, n
		if (m == "deterministic")
			printf "accel: tcg-icount\nicount: shift=0,sleep=off\n"
		else
			printf "accel: tcg\n"
		printf "note: canary=%s\n", c
		for (r = 0; r < 10; r++)
			printf "BenchmarkFutexWake/placement=same-llc 1000 %.1f ns/op\n", 3000 * s * (1 + 0.001 * ((r * 7) % 10 - 5))
	}' >"$1"
}

# night REPORT STAMP DET-SCALE WALL-SCALE [SIDE-SCALE|none]: a report
# directory with kernels 6.12 and 7.2 in both modes, and a side per kernel
# whose re-runs (by the stand-in below) measure SIDE-SCALE (default
# DET-SCALE); "none": a night that kept no side.
night() {
	for k in 6.12 7.2; do
		for m in deterministic wallclock; do
			scale=$3
			[ "$m" = deterministic ] || scale=$4
			f=$tmp/store/$k-$m/$2.txt
			result "$f" "$k.0" "$scale" "${2#2026112}" "$m"
			mkdir -p "$1/$2/$k/$m"
			printf '%s\n' "$f" >"$1/$2/$k/$m/results.list"
		done
		[ "${5:-}" != none ] || continue
		mkdir -p "$1/$2/$k/side/kmod"
		printf '%s.0-1\n' "$k" >"$1/$2/$k/side/kernel.version"
		: >"$1/$2/$k/side/drmbench.static"
		printf '%s\n' "${5:-$3}" >"$1/$2/$k/side/fake-scale"
	done
}

# A stand-in for scripts/rerun-vm: [-d --draw I] SIDE-DIR OUTDIR RUNS [-p K=V]... BENCH...; the
# runs measure SIDE-DIR/fake-scale (1.0 without one), or RERUN_SCALE when
# set; the canary note is RERUN_CANARY_<old|new> for the previous/tonight's
# side.  Every call is logged to $RERUN_LOG.
cat >"$tmp/rerun" <<'EOF'
#!/bin/sh
set -eu
mode=wallclock draw=-
if [ "$1" = -d ]; then mode=deterministic; shift; fi
if [ "$1" = --draw ]; then draw=$2; shift 2; fi
side=$1 out=$2 runs=$3
shift 3
# the regressed rows' parameters come first (compare-nightly's case_params)
params=
while [ "$1" = -p ]; do params="$params $2"; shift 2; done
[ "$params" = " placement=same-llc" ] || { echo "unexpected parameters:$params" >&2; exit 1; }
[ "$1" = futex-wake ] || { echo "unexpected benchmark $1" >&2; exit 1; }
[ -s "$side/kernel.version" ] || { echo "no kernel.version in $side" >&2; exit 1; }
scale=1.0
[ ! -f "$side/fake-scale" ] || scale=$(cat "$side/fake-scale")
scale=${RERUN_SCALE:-$scale}
which=new
case $side in "$PREVIOUS_NIGHT"/*) which=old ;; esac
eval "canary=\${RERUN_CANARY_$which:-1}"
printf '%s %s %s %s draw %s\n' "$mode" "$which" "$runs" "$(cat "$side/kernel.version")" "$draw" >>"$RERUN_LOG"
mkdir -p "$out"
awk -v s="$scale" -v r="$runs" -v k="$(cat "$side/kernel.version")" -v m="$mode" -v c="$canary" 'BEGIN {
	sub(/-1$/, "", k)
	print "kernel-release: " k "\ncpu-model: test"
	if (m == "deterministic")
		printf "accel: tcg-icount\nicount: shift=0,sleep=off\n"
	else
		printf "accel: tcg\n"
	printf "note: canary=%s\n", c
	for (i = 0; i < r; i++)
		printf "BenchmarkFutexWake/placement=same-llc 1000 %.1f ns/op\n", 3000 * s * (1 + 0.001 * ((i * 3) % 10 - 5))
}' >"$out/rerun.txt"
EOF
chmod +x "$tmp/rerun"
RERUN_LOG=$tmp/rerun.log
export RERUN_LOG

# A stand-in for `drmbench compare` with the agreed ENVIRONMENT CHANGED
# interface (not merged here yet): when the two sides' canaries (the
# `note: canary=` of their first files) differ, the table is printed after
# an ENVIRONMENT CHANGED: block, REGRESSION and IMPROVEMENT rows become
# UNKNOWN with the note "environment changed", and the status is 3.
cat >"$tmp/fake-compare" <<'EOF'
#!/bin/sh
[ "$1" = compare ] || exec "$REAL_DRMBENCH" "$@"
side=old old='' new='' tsv=''
prev=
for a in "$@"; do
	[ "$prev" != --tsv ] || tsv=$a
	prev=$a
	if [ "$a" = vs ]; then side=new; continue; fi
	[ -f "$a" ] || continue
	c=$(sed -n 's/^\(# \)\{0,1\}note: canary=//p' "$a" | head -n 1)
	if [ "$side" = old ]; then old=${old:-$c}; else new=${new:-$c}; fi
done
st=0
"$REAL_DRMBENCH" "$@" >"$FAKE_TMP.out" || st=$?
if [ "$st" -le 1 ] && [ "$old" != "$new" ]; then
	printf 'ENVIRONMENT CHANGED: the canaries differ beyond their noise\n'
	printf '  OLD canary-ns %s, host-cpu-pressure: psi some avg 1.0%%\n' "$old"
	printf '  NEW canary-ns %s, host-cpu-pressure: psi some avg 41.3%%\n\n' "$new"
	cat "$FAKE_TMP.out"
	[ -z "$tsv" ] || awk -F '\t' -v OFS='\t' 'NR > 1 && ($19 == "REGRESSION" || $19 == "IMPROVEMENT") {
		$19 = "UNKNOWN"; $22 = "environment changed" } { print }' "$tsv" >"$FAKE_TMP.tsv" && mv "$FAKE_TMP.tsv" "$tsv"
	exit 3
fi
cat "$FAKE_TMP.out"
exit "$st"
EOF
chmod +x "$tmp/fake-compare"
REAL_DRMBENCH=$DRMBENCH FAKE_TMP=$tmp/fake
export REAL_DRMBENCH FAKE_TMP

# lacks DESC FILE PATTERN: pass when FILE does not hold PATTERN
lacks() {
	if grep -q -- "$3" "$2" 2>/dev/null; then
		fail "$1: '$3' in $2: $(cat "$2")"
	else
		pass "$1"
	fi
}

# renight STAMP ARGS...: a fresh night STAMP (night's other arguments)
renight() {
	_s=$1
	shift
	rm -rf "${reports:?}/$_s"
	night "$reports" "$_s" "$@"
}

reports=$tmp/reports
PREVIOUS_NIGHT=$reports/20261121
export PREVIOUS_NIGHT
night "$reports" 20261120 1.0 1.0
night "$reports" 20261121 1.0 1.0
"$NIGHTLY" "$reports/20261121" >"$tmp/out" 2>&1
expect $? 0 "an unchanged night passes"
says "compare.txt reports both modes, the deterministic one as the gate" "$reports/20261121/compare.txt" \
	'gate: deterministic results; wallclock results are compared beside them' \
	'6.12 deterministic (gate): vs previous night: no regression' \
	'6.12 wallclock (informational): vs previous night: no regression' 'no confirmed regression'
says "the comparison table of each mode is in the report" "$reports/20261121/6.12/deterministic/vs-previous.txt" 'ns/op (lower is better)'
says "(wall-clock too)" "$reports/20261121/6.12/wallclock/vs-previous.txt" 'ns/op (lower is better)'
says "7.2 is compared with the baseline kernel in each mode (informational)" "$reports/20261121/compare.txt" \
	'7.2 deterministic (gate): vs previous night: no regression. vs baseline 6.12' \
	'7.2 wallclock (informational): vs previous night: no regression. vs baseline 6.12'

# ---- the paired confirmation
night "$reports" 20261122 1.05 1.0
: >"$RERUN_LOG"
"$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "deterministic 5% slower, the paired re-runs show it too: the gate fails"
says "compare.txt names the confirmed regressions and how they were decided" "$reports/20261122/compare.txt" \
	'CONFIRMED REGRESSIONS: 2' '6.12 deterministic: FutexWake/placement=same-llc' \
	'paired re-run (old, new interleaved, 3 boots a side, 10 runs each), pooled runs (3 boots x 10 runs a side; by file needs 5 boots a side): 1 confirmed'
for i in 1 2 3; do
	printf 'deterministic old 10 6.12.0-1 draw %s\ndeterministic new 10 6.12.0-1 draw %s\n' "$i" "$i"
done >"$tmp/want"
if head -n 6 "$RERUN_LOG" | cmp -s - "$tmp/want"; then
	pass "the re-runs alternate old, new, old, new, old, new boots, deterministic (-d), of the kept sides, pair I in draw I"
else
	fail "re-run order: $(head -n 6 "$RERUN_LOG" | tr '\n' ';')"
fi
check "both sides' re-run files are kept in the report" \
	test -s "$reports/20261122/6.12/deterministic/confirm-runs/old-3/rerun.txt" -a \
	-s "$reports/20261122/6.12/deterministic/confirm-runs/new-3/rerun.txt"
says "the confirmation compares the re-run old files with the re-run new files only" \
	"$reports/20261122/6.12/deterministic/confirm.txt" 'n=30+30'

renight 20261122 1.05 1.0
printf '1.05\n' >"$reports/20261121/6.12/side/fake-scale"
printf '1.05\n' >"$reports/20261121/7.2/side/fake-scale"
"$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 0 "5% slower, but the previous night's side re-runs just as slow: not confirmed"
says "compare.txt says the paired re-run did not confirm it" "$reports/20261122/compare.txt" \
	'6.12 deterministic (gate): vs previous night: 1 first-stage REGRESSION row(s); paired re-run' \
	'each), pooled runs (3 boots x 10 runs a side; by file needs 5 boots a side): 0 confirmed' 'no confirmed regression'
printf '1.0\n' >"$reports/20261121/6.12/side/fake-scale"
printf '1.0\n' >"$reports/20261121/7.2/side/fake-scale"

renight 20261122 1.05 1.0
"$NIGHTLY" -R "$tmp/rerun" -B 5 -n 3 "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "with 5 boots a side the confirmation decides by file"
says "and says so" "$reports/20261122/compare.txt" \
	'paired re-run (old, new interleaved, 5 boots a side, 3 runs each), by file, one value per boot (5 boots a side): 1 confirmed'

renight 20261122 1.05 1.0
"$NIGHTLY" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "without a re-run command a first-stage REGRESSION fails the gate"
says "and compare.txt says it was not re-run" "$reports/20261122/compare.txt" 'no re-run command (-R): taken as confirmed'

# ---- the wall-clock side is informational
renight 20261122 1.0 1.05
: >"$RERUN_LOG"
"$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 0 "wall-clock 5% slower, deterministic unchanged: the gate passes"
says "compare.txt reports the wall-clock regression, not gated" "$reports/20261122/compare.txt" \
	'6.12 deterministic (gate): vs previous night: no regression' \
	'6.12 wallclock (informational): vs previous night: 1 REGRESSION, 0 IMPROVEMENT row(s), not gated.'
check "nothing is re-run for the informational mode" test ! -s "$RERUN_LOG"

renight 20261122 1.0 1.05 1.05
"$NIGHTLY" -g wallclock -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "-g wallclock gates on the wall-clock files"
says "compare.txt says which mode gated" "$reports/20261122/compare.txt" \
	'gate: wallclock results; deterministic results are compared beside them' \
	'6.12 wallclock (gate): vs previous night: 1 first-stage REGRESSION row(s); paired re-run' \
	'6.12 wallclock: FutexWake/placement=same-llc'
check "and re-runs without -d" grep -q '^wallclock old 10 ' "$RERUN_LOG"

# ---- a previous night without a side: the one-sided fallback
rm -rf "${reports:?}/20261121/6.12/side" "${reports:?}/20261121/7.2/side"
renight 20261122 1.05 1.0
: >"$RERUN_LOG"
"$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 1 "previous night without a side: tonight's side re-run alone confirms"
says "compare.txt says the re-run was one-sided, and why" "$reports/20261122/compare.txt" \
	"one-sided re-run (tonight's side only, 30 runs, against the previous night's stored files: the previous night kept no side, missing kernel.version drmbench.static kmod/): 1 confirmed"
check "only tonight's side was re-run" test "$(grep -c ' old ' "$RERUN_LOG")" -eq 0

renight 20261122 1.05 1.0 1.0
"$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 0 "one-sided: a re-run back at the old speed is not confirmed"
says "and compare.txt says so" "$reports/20261122/compare.txt" \
	'missing kernel.version drmbench.static kmod/): 0 confirmed'

# ---- ENVIRONMENT CHANGED (compare's exit 3)
night "$reports" 20261121 1.0 1.0
renight 20261122 1.0 1.0
for k in 6.12 7.2; do
	sed -i 's/^\(# \)\{0,1\}note: canary=1$/\1note: canary=2/' "$tmp/store/$k-wallclock/20261122.txt"
done
DRMBENCH=$tmp/fake-compare "$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 0 "ENVIRONMENT CHANGED in the informational wall-clock mode does not fail the job"
says "it is reported as such, with the canary figures" "$reports/20261122/compare.txt" \
	'6.12 wallclock (informational): vs previous night: ENVIRONMENT CHANGED (the canaries differ beyond their noise), no verdicts.' \
	'OLD canary-ns 1' 'no confirmed regression'

renight 20261122 1.0 1.0
for k in 6.12 7.2; do
	sed -i 's/^\(# \)\{0,1\}note: canary=1$/\1note: canary=2/' "$tmp/store/$k-deterministic/20261122.txt"
done
DRMBENCH=$tmp/fake-compare "$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 3 "ENVIRONMENT CHANGED in the gate: undecided, exit 3"
says "compare.txt says the gate decided nothing" "$reports/20261122/compare.txt" \
	'6.12 deterministic (gate): vs previous night: ENVIRONMENT CHANGED (the canaries differ beyond their noise), no verdicts: the gate decided nothing.' \
	'UNDECIDED: the environment changed in 2 gate comparison(s)'

renight 20261122 1.05 1.0
RERUN_CANARY_new=2 DRMBENCH=$tmp/fake-compare "$NIGHTLY" -R "$tmp/rerun" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 0 "a confirmation whose re-runs saw the environment change confirms nothing"
says "compare.txt says: not confirmed, environment changed" "$reports/20261122/compare.txt" \
	'1 first-stage REGRESSION row(s); paired re-run' \
	'not confirmed, ENVIRONMENT CHANGED between the re-runs (see confirm.txt)' 'no confirmed regression'

# ---- other nights and inputs
mkdir -p "$reports/old/20261110/6.12" "$reports/old/20261111"
result "$tmp/store/legacy/20261110.txt" 6.12.0 1.0 10 wallclock
printf '%s\n' "$tmp/store/legacy/20261110.txt" >"$reports/old/20261110/6.12/results.list"
night "$reports/old" 20261111 1.0 1.0
"$NIGHTLY" "$reports/old/20261111" >"$tmp/out" 2>&1
expect $? 0 "a previous night from before the modes"
says "reads as wall-clock; deterministic has no previous night" "$reports/old/20261111/compare.txt" \
	'6.12 deterministic (gate): no previous night to compare with.' \
	'6.12 wallclock (informational): vs previous night: no regression'
mkdir -p "$reports/old/20261112/6.12"
result "$tmp/store/legacy/20261112.txt" 6.12.0 1.0 12 wallclock
printf '%s\n' "$tmp/store/legacy/20261112.txt" >"$reports/old/20261112/6.12/results.list"
"$NIGHTLY" -p "$reports/old/20261110" "$reports/old/20261112" >"$tmp/out" 2>&1
expect $? 2 "a night with no deterministic results gates nothing"
says "and compare.txt says so" "$reports/old/20261112/compare.txt" \
	'6.12 deterministic (gate): no deterministic results this night: nothing gated' 'NOTHING GATED'
"$NIGHTLY" -g wallclock -p "$reports/old/20261110" "$reports/old/20261112" >"$tmp/out" 2>&1
expect $? 0 "-g wallclock gates such a night"

renight 20261122 1.0 1.0
cp "$tmp/store/6.12-wallclock/20261122.txt" "$tmp/store/6.12-deterministic/20261122.txt"
"$NIGHTLY" "$reports/20261122" >"$tmp/out" 2>&1
expect $? 2 "wall-clock files in the deterministic list are refused"
says "compare.txt names the file" "$reports/20261122/compare.txt" \
	"NOT COMPARED ($tmp/store/6.12-deterministic/20261122.txt is not a deterministic result"

night "$reports" 20261123 1.0 1.0
printf 'garbage line\n' >>"$tmp/store/6.12-deterministic/20261123.txt"
"$NIGHTLY" "$reports/20261123" >"$tmp/out" 2>&1
expect $? 2 "a night whose gate file is malformed exits 2"
says "compare.txt says which file and line stopped the comparison" "$reports/20261123/compare.txt" \
	'NOT COMPARED' '20261123.txt:17'

"$NIGHTLY" >/dev/null 2>&1
expect $? 2 "no report: usage"
"$NIGHTLY" -g fast "$reports/20261123" >/dev/null 2>&1
expect $? 2 "an unknown gate mode: usage"

# ---- scripts/rerun-vm: the side it is given is what the guest runs
cat >"$tmp/fake-vm-run" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >"$FAKE_VM_ARGS"
EOF
chmod +x "$tmp/fake-vm-run"
mkdir -p "$tmp/side/kmod"
printf '6.12.95-1~bpo12+1\n' >"$tmp/side/kernel.version"
: >"$tmp/side/drmbench.static"
VM_RUN=$tmp/fake-vm-run FAKE_VM_ARGS=$tmp/vmargs "$TOP/scripts/rerun-vm" -d "$tmp/side" "$tmp/o" 20 futex-wake
expect $? 0 "rerun-vm runs a side"
says "with its exact kernel, drmbench, simgpu source and mode" "$tmp/vmargs" \
	"-k 6.12.95-1~bpo12+1 -d -q --drmbench $tmp/side/drmbench.static --kmod-source $tmp/side/kmod -r $tmp/o -- run -r 20 futex-wake"
rm -rf "$tmp/side/kmod" "$tmp/side/drmbench.static"
VM_RUN=$tmp/fake-vm-run FAKE_VM_ARGS=$tmp/vmargs "$TOP/scripts/rerun-vm" -d --draw 2 "$tmp/side" "$tmp/o" 20 futex-wake
says "a confirmation's boot takes its draw" "$tmp/vmargs" " -d --draw 2 -q "
VM_RUN=$tmp/fake-vm-run FAKE_VM_ARGS=$tmp/vmargs "$TOP/scripts/rerun-vm" "$tmp/side" "$tmp/o" 20 futex-wake
says "a side without copies runs this tree's" "$tmp/vmargs" "-k 6.12.95-1~bpo12+1 -q -r $tmp/o -- run -r 20 futex-wake"
VM_RUN=$tmp/fake-vm-run "$TOP/scripts/rerun-vm" "$tmp/nothing" "$tmp/o" 20 futex-wake 2>/dev/null
expect $? 2 "rerun-vm refuses a directory that is not a side"

# ---- ci/nightly, end to end with a stand-in for vm-run
if [ ! -f "$TOP/bench/drmbench.static" ]; then
	skip "ci/nightly: bench/drmbench.static is not built (make)"
	finish; exit
fi
# The stand-in boots nothing: it writes a result file (FutexWake x
# FAKE_SCALE, or x the fake-scale beside the side of an older night it is
# told to run) and vm-run's report lines, and logs its arguments.
cat >"$tmp/vm-run" <<'EOF'
#!/bin/sh
set -eu
kernel=6.12 accel=tcg results='' drmbench='' runs=10 test=0
while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=$2; shift ;;
	-d) accel=tcg-icount ;;
	-t) test=1 ;;
	-r) results=$2; shift ;;
	--drmbench) drmbench=$2; shift ;;
	--timeout | --kmod-source) shift ;;
	--) shift; break ;;
	esac
	shift
done
[ "$1" = run ] && shift
[ "$1" != -r ] || runs=$2
printf '%s %s test=%s drmbench=%s\n' "$kernel" "$accel" "$test" "$drmbench" >>"$FAKE_VM_LOG"
case $kernel in
6.12) version=6.12.95-1~bpo12+1 ;;
7.2) version=7.2.13-1 ;;
*) version=$kernel ;;
esac
release=${version%%-*}
scale=$FAKE_SCALE
night=${drmbench%/*/side/drmbench.static}
[ ! -f "$night/fake-scale" ] || scale=$(cat "$night/fake-scale")
run=$(mktemp -d "$FAKE_RUNS/run.XXXXXX")
f=$results/host-qemu-$accel/$release/$(basename "$run").txt
mkdir -p "${f%/*}"
awk -v s="$scale" -v r="$runs" -v k="$release" -v a="$accel" 'BEGIN {
	print "kernel-release: " k "\ncpu-model: test\naccel: " a
	if (a == "tcg-icount") print "icount: shift=0,sleep=off"
	for (i = 0; i < r; i++)
		printf "BenchmarkFutexWake/placement=same-llc 1000 %.1f ns/op\n", 3000 * s * (1 + 0.001 * ((i * 3) % 10 - 5))
}' >"$f"
: >"$run/serial.log"
printf 'vm-run: kernel %s (%s), %s, 3 s\n' "$release" "$version" "$accel" >&2
printf 'vm-run: result: %s\nvm-run: serial log: %s/serial.log\n' "$f" "$run" >&2
EOF
chmod +x "$tmp/vm-run"
mkdir -p "$tmp/runs"
FAKE_VM_LOG=$tmp/vm.log FAKE_RUNS=$tmp/runs VM_RUN=$tmp/vm-run
export FAKE_VM_LOG FAKE_RUNS VM_RUN
ci=$tmp/ci
FAKE_SCALE=1.0 "$TOP/ci/nightly" -o "$ci/20261201T030000Z" -r "$tmp/ci-store" 6.12 7.2 >"$tmp/out" 2>&1
expect $? 0 "ci/nightly: a first night runs both modes per kernel"
says "summary.txt shows both modes per kernel, tcg-icount read from vm-run" "$ci/20261201T030000Z/summary.txt" \
	'gate: deterministic' \
	'^6.12    deterministic 6.12.95-1~bpo12+1      tcg-icount ' \
	'^6.12    wallclock     6.12.95-1~bpo12+1      tcg ' \
	'^7.2     deterministic 7.2.13-1 ' 'comparison (gate: deterministic): no confirmed regression' \
	'6.12 deterministic (gate): no previous night'
check "the side keeps the exact kernel, the drmbench and the simgpu source" \
	test "$(cat "$ci/20261201T030000Z/6.12/side/kernel.version")" = '6.12.95-1~bpo12+1' -a \
	-s "$ci/20261201T030000Z/6.12/side/drmbench.static" -a -f "$ci/20261201T030000Z/6.12/side/kmod/Makefile" -a \
	-s "$ci/20261201T030000Z/7.2/side/commit"
says "the second mode boots the first one's exact kernel; simgpu-test once; the kept drmbench" "$tmp/vm.log" \
	"^6.12 tcg-icount test=1 drmbench=$ci/20261201T030000Z/6.12/side/drmbench.static" \
	"^6.12.95-1~bpo12+1 tcg test=0 "
printf '1.0\n' >"$ci/20261201T030000Z/fake-scale"
: >"$tmp/vm.log"
FAKE_SCALE=1.05 "$TOP/ci/nightly" -o "$ci/20261202T030000Z" -r "$tmp/ci-store" 6.12 >"$tmp/out" 2>&1
expect $? 1 "ci/nightly: a night 5% slower, confirmed by re-runs of both nights' sides through rerun-vm"
says "summary.txt has the verdict and both modes' comparisons" "$ci/20261202T030000Z/summary.txt" \
	'comparison (gate: deterministic): CONFIRMED REGRESSION' \
	'6.12 deterministic (gate): vs previous night: 1 first-stage REGRESSION row(s); paired re-run' \
	'6.12 wallclock (informational): vs previous night: 1 REGRESSION, 0 IMPROVEMENT row(s), not gated.'
check "the re-runs booted last night's and tonight's sides by turns, deterministic" \
	test "$(grep -c "^6.12.95-1~bpo12+1 tcg-icount test=0 drmbench=$ci/20261201T030000Z/6.12/side/drmbench.static" "$tmp/vm.log")" -eq 3 -a \
	"$(grep -c "^6.12.95-1~bpo12+1 tcg-icount test=0 drmbench=$ci/20261202T030000Z/6.12/side/drmbench.static" "$tmp/vm.log")" -eq 3
"$TOP/ci/nightly" --keep "$ci" -o "$ci/20261203T030000Z" -r "$tmp/ci-store" 6.12 >"$tmp/out" 2>&1
expect $? 2 "ci/nightly --keep the reports' own directory is refused"
check "and the nights there are kept, no report made" test -d "$ci/20261201T030000Z" -a -d "$ci/20261202T030000Z" -a ! -e "$ci/20261203T030000Z"

# ---- the GitLab pipeline's gate, night after night: each pipeline starts
# from a fresh checkout holding only the cache paths of ci/gitlab-ci.yml;
# its qemu-matrix job runs its ci/nightly line as written there.
yml=$TOP/ci/gitlab-ci.yml
gate_cmd=$(sed -n 's/^    - \(ci\/nightly .*\)$/\1/p' "$yml" | head -n 1)
cache_paths=$(awk '/^default:/ { d = 1; next } d && /^[^ ]/ { d = 0 }
	d && /^  cache:/ { c = 1; next } c && /^  [^ ]/ { c = 0 }
	c && /^      - / { print $2 }' "$yml")
ws=$tmp/pipeline
keep=$(printf '%s\n' "$gate_cmd" | sed -n 's/.* --keep \([^ ]*\).*/\1/p')
# pipeline SCALE N: night N's gate job, FutexWake x SCALE; its status
pipeline() {
	rm -rf "$ws"
	mkdir -p "$ws" "$tmp/cache"
	cp -R "$tmp/cache/." "$ws/"
	_rc=0
	# shellcheck disable=SC2034 # KERNELS is read by the eval'd pipeline line
	(cd "$ws" && KERNELS=6.12 FAKE_SCALE=$1 && export FAKE_SCALE && eval "$TOP/$gate_cmd") >"$tmp/out" 2>&1 || _rc=$?
	cp -R "$ws/report" "$tmp/report-$2" 2>/dev/null || :
	rm -rf "$tmp/cache"
	mkdir -p "$tmp/cache"
	for _p in $cache_paths; do
		_p=${_p%/}
		[ -e "$ws/$_p" ] || continue
		mkdir -p "$tmp/cache/$(dirname "$_p")"
		cp -R "$ws/$_p" "$tmp/cache/$_p"
	done
	return "$_rc"
}
if [ -z "$gate_cmd" ] || [ -z "$cache_paths" ]; then
	fail "ci/gitlab-ci.yml: no ci/nightly line or no cache paths found"
else
	: >"$tmp/vm.log"
	pipeline 1.0 1
	expect $? 0 "pipeline night 1 ($gate_cmd)"
	# The next night's re-runs of this night's side measure it unchanged.
	for d in "$tmp/cache/${keep:-none}"/20*; do
		[ -d "$d" ] && printf '1.0\n' >"$d/fake-scale"
	done
	pipeline 1.05 2
	expect $? 1 "pipeline night 2, 5% slower: the gate fires, the previous night coming from the cache alone"
	says "  compared with the previous night and confirmed" "$tmp/report-2/qemu/summary.txt" \
		'comparison (gate: deterministic): CONFIRMED REGRESSION' \
		'6.12 deterministic (gate): vs previous night: 1 first-stage REGRESSION row(s); paired re-run'
	check "  the cache keeps one night, tonight's" \
		test "$(find "$tmp/cache/${keep:-none}" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" -eq 1
fi

"$TOP/ci/nightly" --no-wallclock --no-deterministic 6.12 >/dev/null 2>&1
expect $? 2 "ci/nightly: the gate's mode cannot be skipped"
"$TOP/ci/nightly" --gate fast 6.12 >/dev/null 2>&1
expect $? 2 "ci/nightly: an unknown gate mode is a usage error"
: >"$tmp/vm.log"
FAKE_SCALE=1.0 "$TOP/ci/nightly" --no-wallclock -o "$ci/x/20261203T030000Z" -r "$tmp/ci-store" 6.12 >"$tmp/out" 2>&1
expect $? 0 "ci/nightly --no-wallclock"
check "runs the deterministic mode only" test "$(grep -c . "$tmp/vm.log")" -eq 1 -a \
	"$(grep -c tcg-icount "$tmp/vm.log")" -eq 1
finish
