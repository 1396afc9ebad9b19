#!/bin/sh
# scripts/sweep's shell logic without a guest: a stand-in for vm-run
# (SWEEP_VM_RUN) writes a result file per point as the guest would, so the
# test sees which boots the sweep asks for, how simgpu-only points share
# one boot (--reload-points), how results find their points, the resume
# after an interrupted sweep, and the table at the end.
# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup sweep "$DRMBENCH"

# The stand-in: one line per call in $T/calls; one result file per point
# (per --reload-points line, else one), labelled from its --label words;
# FAKE_FAIL_KERNEL=K: a boot of kernel K dies without results (exit 1);
# gpu_sched.sched_policy=2 on 6.12 is a SKIP (exit 4), as vm-run says.
cat >"$T/vm-run" <<'FAKE'
#!/bin/sh
set -eu
echo "$*" >>"$T/calls"
kernel= points= store= common=
while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=$2; shift ;;
	-r) store=$2; shift ;;
	--reload-points) points=$2; shift ;;
	-p) [ "$kernel $2" != "6.12 gpu_sched.sched_policy=2" ] || {
		echo "vm-run: SKIP: gpu_sched.sched_policy=2: kernel 6.12 has values 0 1 only"; exit 4; } ;;
	--) shift; break ;;
	esac
	shift
done
[ "$kernel" != "${FAKE_FAIL_KERNEL:-}" ] || { echo "vm-run: FAIL: the guest hung"; exit 1; }
shift	# run
common=$*
[ -n "$points" ] || { points=$T/one; echo "--" >"$points"; }
i=0
while read -r line; do
	i=$((i + 1))
	n=$(cat "$T/n" 2>/dev/null || echo 0)
	n=$((n + 1))
	echo "$n" >"$T/n"
	mkdir -p "$store"
	f=$store/r$n.txt
	{
		echo "kernel-release: $kernel"
		for w in ${line#*--} $common; do
			case $w in
			sweep.*=*) echo "${w%%=*}: ${w#*=}" ;;
			esac
		done
		echo "simgpu-params: ${line%%--*}"
		for r in 1 2 3 4 5 6; do
			echo "BenchmarkFake 1 $((100 * n + r)) ns/op"
		done
	} >"$f"
	echo "vm-run: result: $f"
done <"$points"
FAKE
chmod +x "$T/vm-run"
export T
SWEEP_VM_RUN=$T/vm-run
export SWEEP_VM_RUN

sweep() {
	rc=0
	"$TOP/scripts/sweep" "$@" >"$T/out" 2>&1 || rc=$?
}
calls() {
	wc -l <"$T/calls" 2>/dev/null || echo 0
}

# 2 kernels x 2 policies x 2 credit limits x 2 submit_wq: 16 points,
# 4 boots (kernel x policy), 4 points each by reloading simgpu.
sweep -o "$T/s1" -k 6.12,7.2 -p credit_limit=1,2 -p gpu_sched.sched_policy=0,1 \
	-p submit_wq=shared,per-sched -- run -r 6 null
check "sweep: exit 0 (got $rc)" test "$rc" -eq 0
check "sweep: one boot per kernel and gpu_sched setting: 4 for 16 points (got $(calls))" \
	test "$(calls)" -eq 4
check "sweep: each boot gets its 4 points as --reload-points, gpu_sched as -p" \
	test "$(grep -c -- '-p gpu_sched.sched_policy=[01] --reload-points' "$T/calls")" -eq 4
says "sweep: a reload point is simgpu's parameters, then its labels" \
	"$T/s1/boots/6.12_gpu_sched.sched_policy-1/points" \
	'^credit_limit=2 submit_wq=per-sched -- --label sweep.credit_limit=2 --label sweep.submit_wq=per-sched$'
check "sweep: the boot's labels are common, the points' their own" \
	grep -q -- '-- run --label sweep.gpu_sched.sched_policy=1 -r 6 null' "$T/calls"
check "sweep: every point ok, with its own result file" \
	test "$(cat "$T"/s1/points/*/status | grep -c '^ok$')" -eq 16 -a \
	"$(cat "$T"/s1/points/*/results | sort -u | wc -l)" -eq 16
p=$T/s1/points/7.2_credit_limit-2_gpu_sched.sched_policy-0_submit_wq-shared
check "sweep: a point's result carries its settings" \
	grep -qx 'simgpu-params: credit_limit=2 submit_wq=shared ' "$(cat "$p/results")"
check "sweep: the table has a row per point" \
	test "$(grep -c '^kernel=.*/sweep.credit_limit=.*/sweep.gpu_sched.sched_policy=.*/sweep.submit_wq=' "$T/s1/table.txt")" -eq 16
says "sweep: the summary counts the boots" "$T/out" '16 ran, 0 skipped, 0 failed; 4 boots this time for 16 points'

# Resume: nothing left to run, no boot.
: >"$T/calls"
sweep -o "$T/s1" -k 6.12,7.2 -p credit_limit=1,2 -p gpu_sched.sched_policy=0,1 \
	-p submit_wq=shared,per-sched -- run -r 6 null
check "sweep: resumed when finished: exit 0, no boot (got $rc, $(calls))" \
	test "$rc" -eq 0 -a "$(calls)" -eq 0

# -b: a boot per point, as before reloads.
: >"$T/calls"
sweep -b -o "$T/s2" -k 6.12 -p credit_limit=1,2 -p gpu_sched.sched_policy=0,1 -- run null
check "sweep -b: a boot per point: 4 (got $(calls))" test "$(calls)" -eq 4
check "sweep -b: simgpu parameters at load (-p), no --reload-points" \
	test "$(grep -c -- '-p credit_limit=[12] .*-p gpu_sched' "$T/calls")" -eq 4 -a \
	"$(grep -c -- '--reload-points' "$T/calls")" -eq 0

# An interrupted sweep: the 7.2 boot dies; its points fail, 6.12's stay;
# the rerun boots only 7.2.
: >"$T/calls"
FAKE_FAIL_KERNEL=7.2 sweep -o "$T/s3" -k 6.12,7.2 -p credit_limit=1,2 -- run null
check "sweep: a boot without results: exit 1, its 2 points failed (got $rc)" \
	test "$rc" -eq 1 -a "$(cat "$T"/s3/points/7.2_*/status | grep -c '^failed$')" -eq 2
: >"$T/calls"
sweep -o "$T/s3" -k 6.12,7.2 -p credit_limit=1,2 -- run null
check "sweep: the rerun boots 7.2 once and finishes (got $rc, $(calls) boots)" \
	test "$rc" -eq 0 -a "$(calls)" -eq 1 -a "$(grep -c -- '-k 7.2 ' "$T/calls")" -eq 1
check "sweep: ... every point ok" test "$(cat "$T"/s3/points/*/status | grep -c '^ok$')" -eq 4

# A SKIP of the boot's parameter skips the boot's points; one pending
# point boots without a reload.
: >"$T/calls"
sweep -o "$T/s4" -k 6.12 -p gpu_sched.sched_policy=1,2 -- run null
check "sweep: a skipped boot parameter: exit 0, 1 ok, 1 skip (got $rc)" \
	test "$rc" -eq 0 -a "$(cat "$T"/s4/points/*/status | sort | tr '\n' ' ')" = "ok skip "
check "sweep: a boot with one point takes no --reload-points" \
	test "$(grep -c -- '--reload-points' "$T/calls")" -eq 0
says "sweep: the SKIP's reason is listed" "$T/out" 'SKIP: gpu_sched.sched_policy=2: kernel 6.12 has values 0 1 only'

finish
