#!/bin/sh
# null.sh: every benchmark that needs a device, on the null backend.
#
#   sh bench/tests/null.sh      (from the top of the tree, after make)
#
# The null backend (bench/backends/null.c) has no device: its queues, user
# queues and page tables live in the process. So each device benchmark's
# setup, runs and teardown run here, on any host, each case with a few
# samples and one run: no case may fail, and a case may only SKIP naming a
# capability group null does not have (sync-file, dmabuf-fence). Its result
# must say it is null's, and compare must refuse to pair it with a file
# that is not. null is used only when -b names it. Behaviour only: nothing
# here judges a timing. One line per check, then "N passed, N failed, N
# skipped"; exit 1 on any failure.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

setup null "$DRMBENCH"

"$DRMBENCH" list >"$T/list" 2>&1
benches=$(sed -n '/^benchmarks:/,/^backends:/p' "$T/list" | sed -n 's/^  \([a-z0-9-]*\) .*/\1/p')
check "list: the null backend is in the table, used only with -b" \
	grep -q '^    groups: .*(only with -b)$' "$T/list"

# ---- every device benchmark ----------------------------------------------------

ndev=0
nran=0
for b in $benches; do
	"$DRMBENCH" list "$b" >"$T/one" 2>&1
	grep -q '^  needs: *no device' "$T/one" && continue
	ndev=$((ndev + 1))
	# Few samples, one run, no canary: the paths, not their figures.
	"$DRMBENCH" run -b null --no-canary -n 10 -r 1 -t 5 -o "$T/$b.txt" "$b" \
		>"$T/out" 2>"$T/err"
	rc=$?
	ran=$(grep -cE '^  [A-Z][^ ]* +[0-9]+ runs ' "$T/out")
	skips=$(grep -cE '^  [A-Z][^ ]* +SKIP: ' "$T/out")
	fails=$(grep -cE '^  [A-Z][^ ]* +FAIL: ' "$T/out")
	odd=$(grep -E '^  [A-Z][^ ]* +SKIP: ' "$T/out" | grep -cvE 'SKIP: backend null has no (sync-file|dmabuf-fence)$')
	if [ "$fails" -eq 0 ] && [ "$odd" -eq 0 ] && [ ! -s "$T/err" ] &&
		{ [ "$rc" -eq 0 ] || { [ "$rc" -eq 4 ] && [ "$ran" -eq 0 ]; }; }; then
		pass "$b: $ran cases ran on null, $skips skipped for a group null lacks (exit $rc)"
	else
		fail "$b: exit $rc, $ran ran, $fails failed, $odd skipped for another reason: $(grep -E 'SKIP|FAIL' "$T/out" | head -n 3) $(head -c 300 "$T/err")"
	fi
	if [ "$ran" -gt 0 ]; then
		nran=$((nran + 1))
		say="$b: its result says backend null"
		says "$say" "$T/$b.txt" '^backend: null$' '^null-backend: ' "^Benchmark[A-Za-z]*/backend=null/"
	elif [ "$skips" -gt 0 ]; then
		pass "$b: every case needs a group null does not have (nothing to store)"
	else
		fail "$b: neither ran nor skipped"
	fi
done
check "device benchmarks found ($ndev)" test "$ndev" -gt 0
printf '     %d of %d device benchmarks ran on null\n' "$nran" "$ndev"

# ---- never mistaken for a device's results ---------------------------------------

one=$(find "$T" -name 'submit-latency.txt' | head -n 1)
if [ -n "$one" ]; then
	# The same lines without what marks them as null's: compare must refuse.
	grep -v '^null-backend: ' "$one" | sed 's/^backend: null$/backend: auto/' >"$T/device.txt"
	"$DRMBENCH" compare "$T/device.txt" "$one" >"$T/cmp" 2>&1
	rc=$?
	check "compare refuses a null result against one that is not (exit $rc)" \
		test "$rc" -eq 2
	says "compare names the null-backend key" "$T/cmp" 'null-backend'
else
	fail "submit-latency stored no result on null"
fi

"$DRMBENCH" run --no-canary -n 10 -r 1 drm-ioctl >"$T/out" 2>&1
if [ -e /dev/dri ]; then
	skip "auto never picks null: this host has /dev/dri"
else
	check "auto never picks null: without a device drm-ioctl SKIPs" \
		grep -qE '^  DrmIoctl/backend=drm +SKIP: ' "$T/out"
fi

finish
