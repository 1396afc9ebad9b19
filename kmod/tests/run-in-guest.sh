#!/bin/sh
# run-in-guest.sh [PARAM=VALUE...]: run simgpu's functional tests where the
# module can be loaded (a QEMU guest here; any machine with the module
# installed or depmod'ed).
#
# Loads simgpu with the given module parameters (modprobe pulls in drm,
# gpu-sched, ...), runs simgpu-test from this script's directory, unloads
# the module and scans the kernel log written meanwhile: a WARNING, BUG or
# Oops fails the run even if every test passed. Prints simgpu-test's lines,
# two more checks (rmmod, kernel-log) and one summary line
# "N passed, N failed, N skipped". Exit 0 all passed, 1 any failed,
# 4 nothing could run (kselftest convention).
set -u

usage() {
	cat <<USAGE
usage: $0 [-h] [PARAM=VALUE...]
  PARAM=VALUE   simgpu module parameters, e.g. engines=4 credit_limit=8
USAGE
	exit "$1"
}

while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage 0 ;;
	-*) usage 2 ;;
	*) break ;;
	esac
done

here=$(dirname "$0")
test_bin=$here/simgpu-test
log=${TMPDIR:-/tmp}/simgpu-test.$$

if [ ! -x "$test_bin" ]; then
	printf 'SKIP simgpu: %s not found (make -C kmod/tests)\n' "$test_bin"
	printf '0 passed, 0 failed, 1 skipped\n'
	exit 4
fi

before=$(dmesg | wc -l)
if ! modprobe simgpu "$@"; then
	printf 'SKIP simgpu: modprobe simgpu %s failed\n' "$*"
	printf '0 passed, 0 failed, 1 skipped\n'
	exit 4
fi

"$test_bin" >"$log" 2>&1
sed '$d' "$log"
summary=$(tail -n 1 "$log")
rm -f "$log"
# "N passed, N failed, N skipped": split on purpose, no glob characters
# shellcheck disable=SC2086
set -- $summary
passed=${1:-0} failed=${3:-1} skipped=${5:-0}

# A fence of simgpu holds the module until freed, which can be an RCU grace
# period or a scheduler work item after the test exited: retry a little.
tries=0
while ! rmmod simgpu 2>/dev/null && [ "$tries" -lt 10 ]; do
	tries=$((tries + 1))
	sleep 1
done
if ! grep -q '^simgpu ' /proc/modules; then
	printf 'ok rmmod\n'
	passed=$((passed + 1))
else
	printf 'FAIL rmmod: rmmod simgpu failed\n'
	failed=$((failed + 1))
fi

bad=$(dmesg | sed "1,${before}d" | grep -E 'WARNING:|BUG[: ]|Oops|general protection fault|refcount_t:|list_(add|del) corruption|KFENCE:|UBSAN:|Poison overwritten' | head -n 5)
if [ -n "$bad" ]; then
	printf 'FAIL kernel-log: %s\n' "$(printf '%s' "$bad" | tr '\n' '|')"
	failed=$((failed + 1))
else
	printf 'ok kernel-log\n'
	passed=$((passed + 1))
fi

printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] || exit 1
exit 0
