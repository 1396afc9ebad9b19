#!/bin/sh
# bisect.sh: scripts/bisect on synthetic histories with a fake vm-run (and a
# fake kernel-build), so the whole loop runs in seconds on the host: it must
# name the commit that planted a slowdown, end a history without one in "no
# regression between these revisions", reuse what it measured when called
# again, skip a commit that stays UNKNOWN, and leave the tree it was given
# alone; the same over an ordered list of kernels (--kernels).  The real loop (guests, simgpu built per commit): make
# bisect-selftest.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

if [ ! -x "$DRMBENCH" ]; then
	fail "$DRMBENCH is not built (run make)"
	finish
	exit 1
fi
if ! command -v git >/dev/null 2>&1; then
	skip "git is not installed"
	finish
	exit 4
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/bisect-test.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT INT TERM
export DRMBENCH_CACHE="$T/cache"
export DRMBENCH_VM_RUN="$T/fake-vm-run"
export DRMBENCH_KERNEL_BUILD="$T/fake-kernel-build"
export FAKE_CALLS="$T/calls"
: >"$FAKE_CALLS"

# The fake guest: five runs of SubmitLatency whose cost is 20000 ns plus the
# number in the source's 'delay' file (and wildly noisy where a 'flaky' file
# exists), stored in -r DIR as vm-run stores them.
cat >"$DRMBENCH_VM_RUN" <<'EOF'
#!/bin/sh
set -eu
src= res= build=
while [ $# -gt 0 ]; do
	case $1 in
	--kmod-source) src=$2; shift ;;
	-k) build=$2; shift ;;
	-r) res=$2; shift ;;
	--) break ;;
	esac
	shift
done
[ -n "$src" ] || [ ! -f "$build/source-dir" ] || src=$(cat "$build/source-dir")
# --kernels: -k names a fake kernel, a directory with the same files.
[ -n "$src" ] || src=$build
id=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || basename "$src")
echo "vm-run $id" >>"$FAKE_CALLS"
delay=$(cat "$src/delay" 2>/dev/null || echo 0)
n=$(find "$res" -name '*.txt' 2>/dev/null | wc -l)
mkdir -p "$res/fakehost/fake-release"
{
	echo "accel: tcg-icount"
	echo "kernel: local-fake-$id"
	for i in 1 2 3 4 5; do
		v=$((20000 + delay))
		[ ! -f "$src/flaky" ] || v=$((15000 + (i * 7919 + n * 104729) % 15000))
		[ -f "$src/norow" ] ||
			echo "BenchmarkSubmitLatency/wait=syncobj 1000 $v ns/op"
		# Rows that never move: compare must not count them against the case.
		echo "BenchmarkOther 1000 500 ns/op 1 a-ns/op 2 b-ns/op 3 c-ns/op 4 d-ns/op 5 e-ns/op 6 f-ns/op 7 g-ns/op"
	done
} >"$res/fakehost/fake-release/boot$n.txt"
EOF
cat >"$DRMBENCH_KERNEL_BUILD" <<'EOF'
#!/bin/sh
set -eu
while [ $# -gt 0 ]; do
	case $1 in
	-C) src=$2; shift ;;
	-O) out=$2; shift ;;
	esac
	shift
done
echo "kernel-build $(git -C "$src" rev-parse --short HEAD)" >>"$FAKE_CALLS"
[ ! -f "$src/broken" ] || exit 1
mkdir -p "$out"
echo "$src" >"$out/source-dir"
EOF
chmod +x "$DRMBENCH_VM_RUN" "$DRMBENCH_KERNEL_BUILD"

# history DIR PLANT [SPECIAL-COMMIT SPECIAL-FILE]: 9 commits; commit PLANT
# (1-based, 0: none) sets delay to 3000 (+15%); SPECIAL-FILE is created in
# commit SPECIAL-COMMIT only (and removed after it).
history() {
	mkdir -p "$1"
	(
		cd "$1" && git init -q && echo 0 >delay && git add delay &&
			git -c user.name=t -c user.email=t@t commit -q -m "c0: base"
		i=1
		while [ "$i" -le 9 ]; do
			echo "line $i" >>notes
			[ "$i" -ne "$2" ] || echo 3000 >delay
			rm -f "${4:-none}"
			[ "$i" -ne "${3:-0}" ] || echo x >"$4"
			git add -A
			git -c user.name=t -c user.email=t@t commit -q -m "c$i: change $i"
			i=$((i + 1))
		done
	) >/dev/null 2>&1
}

calls() {
	wc -l <"$FAKE_CALLS"
}

BISECT=$TOP/scripts/bisect
ARGS="-r $T/results -b ^SubmitLatency/"

# --- the planted slowdown is found ------------------------------------------
history "$T/planted" 6
planted=$(git -C "$T/planted" rev-parse HEAD~3)
head_before=$(git -C "$T/planted" rev-parse HEAD)
rc=0
# shellcheck disable=SC2086 # ARGS: options without spaces
"$BISECT" --kmod -C "$T/planted" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
check "bisect exits 0 when it finds the commit" [ "$rc" -eq 0 ]
says "it names the planted commit" "$T/out" "first bad commit: $planted c6: change 6"
says "it prints the step with its CI" "$T/out" 'SubmitLatency/wait=syncobj: 20000 -> 23000 ns/op, +15.00% \[+15.00%, +15.00%\] n=5+5 REGRESSION'
first_calls=$(calls)
# good, bad, then log2(9) or so steps: never every commit.
if [ "$first_calls" -ge 4 ] && [ "$first_calls" -le 7 ]; then
	pass "it measured fewer commits than the history has ($first_calls boots)"
else
	fail "it measured fewer commits than the history has ($first_calls boots)"
fi
check "the given tree is left on its commit" [ "$(git -C "$T/planted" rev-parse HEAD)" = "$head_before" ]
check "the given tree is not bisecting" [ ! -f "$T/planted/.git/BISECT_LOG" ]
n_results=$(find "$T/results/bisect" -name 'boot*.txt' | wc -l)
check "every boot's result is in the store ($n_results)" [ "$n_results" -eq "$first_calls" ]

# --- a second call continues from the store ---------------------------------
rc=0
# shellcheck disable=SC2086
"$BISECT" --kmod -C "$T/planted" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out2" 2>"$T/err" || rc=$?
check "the second call boots nothing" [ "$(calls)" -eq "$first_calls" ]
says "and gives the same answer" "$T/out2" "first bad commit: $planted"

# --- interrupted: a half-measured bisect continues ---------------------------
history "$T/interrupted" 3
# A first call whose guests die after two boots (good and bad), as if killed.
cp "$DRMBENCH_VM_RUN" "$T/vm-run.real"
cat >"$DRMBENCH_VM_RUN" <<EOF
#!/bin/sh
[ "\$(grep -c . "$FAKE_CALLS")" -lt $(($(calls) + 2)) ] || exit 1
exec "$T/vm-run.real" "\$@"
EOF
# shellcheck disable=SC2086
"$BISECT" --kmod -C "$T/interrupted" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >/dev/null 2>&1 || :
cp "$T/vm-run.real" "$DRMBENCH_VM_RUN"
before=$(calls)
# shellcheck disable=SC2086
"$BISECT" --kmod -C "$T/interrupted" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || :
says "after an interruption the next call finds the commit" "$T/out" \
	"first bad commit: $(git -C "$T/interrupted" rev-parse HEAD~6)"
check "and measured good and bad only once" \
	[ "$(tail -n +$((before + 1)) "$FAKE_CALLS" | grep -c -e "$(git -C "$T/interrupted" rev-parse --short HEAD~9)" \
		-e "$(git -C "$T/interrupted" rev-parse --short HEAD)")" -eq 0 ]

# --- no change: a clean end -------------------------------------------------
history "$T/null" 0
rc=0
# shellcheck disable=SC2086
"$BISECT" --kmod -C "$T/null" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
check "a history without a change exits 0" [ "$rc" -eq 0 ]
says "and says so" "$T/out" 'no regression between these revisions' 'SAME'

# --- UNKNOWN earns more boots, then a skip ---------------------------------
history "$T/flaky" 6 5 flaky
before=$(calls)
rc=0
# shellcheck disable=SC2086
"$BISECT" --kmod -m 2 -C "$T/flaky" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
flaky=$(git -C "$T/flaky" rev-parse --short HEAD~4)
nflaky=$(tail -n +$((before + 1)) "$FAKE_CALLS" | grep -c " $flaky")
check "a commit that stays UNKNOWN is booted -m times ($nflaky), then skipped" [ "$nflaky" -eq 2 ]
# c5 skipped, c6 bad: git cannot tell which of the two it was.
if [ "$rc" -eq 1 ] &&
	grep -q "could be any of" "$T/out" &&
	grep -q "$(git -C "$T/flaky" rev-parse HEAD~3)" "$T/out" &&
	grep -q "$(git -C "$T/flaky" rev-parse HEAD~4)" "$T/out"; then
	pass "then the first bad commit is one of the two, exit 1"
else
	fail "then the first bad commit is one of the two, exit 1"
fi

# --- a failure inside a step aborts the bisect, never marks a commit bad ------
history "$T/norow" 6 5 norow
rc=0
# shellcheck disable=SC2086
"$BISECT" --kmod -C "$T/norow" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q "ended without a first bad commit" "$T/out" &&
	grep -q "no row of unit ns/op matches" "$T/out"; then
	pass "a step that cannot compare stops the bisect (exit 1), naming why"
else
	fail "a step that cannot compare stops the bisect: exit $rc, $(cat "$T/out")"
fi

# --- kernel mode: build per commit, a broken build is skipped ---------------
history "$T/kernel" 6 4 broken
before=$(calls)
rc=0
# shellcheck disable=SC2086
"$BISECT" -C "$T/kernel" -g HEAD~9 -B HEAD $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
says "kernel mode finds the planted commit" "$T/out" "first bad commit: $(git -C "$T/kernel" rev-parse HEAD~3)"
check "kernel mode builds before each boot" \
	[ "$(tail -n +$((before + 1)) "$FAKE_CALLS" | grep -c '^kernel-build')" -ge \
		"$(tail -n +$((before + 1)) "$FAKE_CALLS" | grep -c '^vm-run')" ]

# --- an ordered list of kernels (--kernels) ---------------------------------
# kernels DIR PLANT [SPECIAL SPECIAL-FILE]: ten fake kernels k0..k9 (what the
# fake vm-run reads for -k DIR/kN); from kPLANT on (0: none) 3000 ns slower;
# SPECIAL-FILE in kSPECIAL only.  Prints the list.
kernels() {
	_l=
	for _i in 0 1 2 3 4 5 6 7 8 9; do
		mkdir -p "$1/k$_i"
		if [ "$2" -gt 0 ] && [ "$_i" -ge "$2" ]; then echo 3000; else echo 0; fi >"$1/k$_i/delay"
		[ "$_i" -ne "${3:--1}" ] || echo x >"$1/k$_i/$4"
		_l="$_l $1/k$_i"
	done
	echo "$_l"
}
# kboots PATTERN: boots since $before of the kernels matching PATTERN.
kboots() {
	tail -n +$((before + 1)) "$FAKE_CALLS" | grep -c "^vm-run $1\$"
}
list=$(kernels "$T/kl" 6)
before=$(calls)
rc=0
# shellcheck disable=SC2086 # ARGS: options without spaces
"$BISECT" -K "$list" $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
check "--kernels exits 0 when it finds the kernel" [ "$rc" -eq 0 ]
says "it names the first slow kernel of the list and the last good one" "$T/out" \
	"first bad kernel: $T/kl/k6 (after $T/kl/k5)" \
	'SubmitLatency/wait=syncobj: 20000 -> 23000 ns/op, +15.00% \[+15.00%, +15.00%\] n=5+5 REGRESSION'
lcalls=$(($(calls) - before))
if [ "$lcalls" -ge 4 ] && [ "$lcalls" -le 6 ]; then
	pass "it booted fewer kernels than the list has ($lcalls boots)"
else
	fail "it booted fewer kernels than the list has ($lcalls boots)"
fi
lstate=$(sed -n 's/.*decisions in .* min; results: //p' "$T/out" | tail -n 1)
check "each kernel's results are in the store under its name" \
	[ "$(find "${lstate:-/nonexistent}" -path "*/tree-k[0-9]-*/*" -name 'boot*.txt' | wc -l)" -eq "$lcalls" ]
before=$(calls)
# shellcheck disable=SC2086
"$BISECT" -K "$list" $ARGS -- -r 5 submit-latency >"$T/out2" 2>"$T/err" || :
check "a second call boots nothing" [ "$(calls)" -eq "$before" ]
says "and gives the same answer" "$T/out2" "first bad kernel: $T/kl/k6 "

list=$(kernels "$T/kli" 3)
cat >"$DRMBENCH_VM_RUN" <<EOF
#!/bin/sh
[ "\$(grep -c . "$FAKE_CALLS")" -lt $(($(calls) + 2)) ] || exit 1
exec "$T/vm-run.real" "\$@"
EOF
# shellcheck disable=SC2086
"$BISECT" -K "$list" $ARGS -- -r 5 submit-latency >/dev/null 2>&1 || :
cp "$T/vm-run.real" "$DRMBENCH_VM_RUN"
before=$(calls)
# shellcheck disable=SC2086
"$BISECT" -K "$list" $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || :
says "after an interruption the next call finds the kernel" "$T/out" "first bad kernel: $T/kli/k3 "
check "and measured the first and last only once" [ "$(kboots 'k[09]')" -eq 0 ]

list=$(kernels "$T/kln" 0)
rc=0
# shellcheck disable=SC2086
"$BISECT" -K "$list" $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
check "a list without a change exits 0" [ "$rc" -eq 0 ]
says "and says so" "$T/out" "no regression between these kernels (kernel $T/kln/k9: SAME)"

list=$(kernels "$T/klf" 6 5 flaky)
before=$(calls)
rc=0
# shellcheck disable=SC2086
"$BISECT" -m 2 -K "$list" $ARGS -- -r 5 submit-latency >"$T/out" 2>"$T/err" || rc=$?
check "a kernel that stays UNKNOWN is booted -m times ($(kboots k5)), then skipped" [ "$(kboots k5)" -eq 2 ]
if [ "$rc" -eq 1 ] && grep -q "could be any of (after $T/klf/k4" "$T/out" &&
	grep -q "^  $T/klf/k5\$" "$T/out" && grep -q "^  $T/klf/k6\$" "$T/out"; then
	pass "then the first bad kernel is one of the two, exit 1"
else
	fail "then the first bad kernel is one of the two, exit 1: $(cat "$T/out")"
fi

rc=0
"$BISECT" -K "$T/kl/k0 $T/kl/k9" -b x -- -r 5 x >/dev/null 2>"$T/err" || rc=$?
check "a list of two is a usage error" [ "$rc" -eq 2 ]
rc=0
"$BISECT" -K "$T/kl/k0 $T/kl/k1 $T/kl/k0" -b x -- -r 5 x >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "kernel $T/kl/k0 is in the list twice" "$T/err"; then
	pass "a kernel twice in the list is named"
else
	fail "a kernel twice in the list is named: exit $rc, $(cat "$T/err")"
fi
rc=0
"$BISECT" -K "$list" -C "$T/planted" -g HEAD~9 -B HEAD -b x -- -r 5 x >/dev/null 2>"$T/err" || rc=$?
check "--kernels with a tree is a usage error" [ "$rc" -eq 2 ]

# --- bad input ---------------------------------------------------------------
rc=0
"$BISECT" --kmod -C "$T/planted" -g HEAD -B HEAD~9 -b x -- run >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q "is not an ancestor" "$T/err"; then
	pass "good after bad is refused"
else
	fail "good after bad is refused"
fi
rc=0
"$BISECT" --kmod -C "$T/planted" -g nosuchrev -B HEAD -b x -- run >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q "no revision .nosuchrev." "$T/err"; then
	pass "an unknown revision is named"
else
	fail "an unknown revision is named"
fi
rc=0
"$BISECT" --kmod -C "$T/planted" -g HEAD~9 -B HEAD -- run >/dev/null 2>"$T/err" || rc=$?
check "no --case is a usage error" [ "$rc" -eq 2 ]
rc=0
"$BISECT" --kmod -C "$T/planted" -g HEAD~9 -B HEAD -r "$T/results2" -b '^NoSuchRow' -- -r 5 x >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q "matches --case.*SubmitLatency/wait=syncobj" "$T/err"; then
	pass "a case matching no row is an error listing the rows"
else
	fail "a case matching no row is an error listing the rows"
fi

finish
