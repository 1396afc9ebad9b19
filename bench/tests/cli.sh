#!/bin/sh
# cli.sh: bench/drmbench used the way a user uses it.
#
#   sh bench/tests/cli.sh        (from the top of the tree, after make)
#
# Every usage error must exit 2 with a message naming what was wrong and
# write nothing; `list` and `info` must say what they promise; a run where
# everything is skipped exits 4 with the reasons and stores no file; a
# quick run stores one file that parses back.  Behaviour only: nothing here
# looks at a timing.  One line per check, then "N passed, N failed, N
# skipped"; exit 1 on any failure.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

setup cli "$DRMBENCH"
USTORE=$T/usage-store

# drmb ARGS...: run drmbench; output in $T/out and $T/err, status in $rc.
drmb() {
	"$DRMBENCH" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# usage_error WHAT ARGS...: exit 2, WHAT in the message on stderr.
usage_error() {
	_want=$1
	shift
	drmb "$@"
	if [ "$rc" -eq 2 ] && grep -qF -- "$_want" "$T/err"; then
		pass "usage error exits 2 naming '$_want': drmbench $*"
	else
		fail "usage error: drmbench $* => exit $rc (want 2), stderr: $(head -c 300 "$T/err")"
	fi
}

# ---- usage errors ------------------------------------------------------------

printf 'count=1\n' >"$T/existing.txt"
cp "$T/existing.txt" "$T/existing.orig"
printf '# a suite\nnull\nno-such-bench\n' >"$T/bad.suite"

usage_error 'usage'
usage_error "'frobnicate'" frobnicate
usage_error 'usage' run
usage_error 'usage' run -q -O "$USTORE"
usage_error "'no-such-bench'" run -O "$USTORE" no-such-bench
usage_error "'no-such-backend'" run -O "$USTORE" -b no-such-backend null
usage_error "'cross-moon'" run -q -O "$USTORE" -c cross-moon futex-wake
usage_error "'cross-moon'" run -q -O "$USTORE" -p placement=cross-moon futex-wake
usage_error 'placement' run -q -O "$USTORE" -p placement=same-llc null
usage_error "'no-such-param'" run -q -O "$USTORE" -p no-such-param=1 futex-wake
usage_error "'abc'" run -q -O "$USTORE" -p count=abc syncobj-wait-many
usage_error "'sometimes'" run -q -O "$USTORE" -p mode=sometimes syncobj-wait-many
usage_error 'count' run -q -O "$USTORE" -p count=0 syncobj-wait-many
usage_error 'empty value' run -q -O "$USTORE" -p count=1,,8 syncobj-wait-many
usage_error "'count'" run -q -O "$USTORE" -p count syncobj-wait-many
usage_error "'0'" run -O "$USTORE" -r 0 null
usage_error "'abc'" run -O "$USTORE" -r abc null
usage_error "'257'" run -O "$USTORE" -r 257 null
usage_error "'abc'" run -O "$USTORE" -n abc null
usage_error "'0'" run -O "$USTORE" -n 0 null
usage_error "'-5'" run -O "$USTORE" -n -5 null
usage_error "'0'" run -O "$USTORE" -t 0 null
usage_error "'100'" run -O "$USTORE" --fifo=100 null
usage_error "'bad'" run -q -O "$USTORE" --label bad null
usage_error "'Bad=1'" run -q -O "$USTORE" --label Bad=1 null
usage_error "'a b=1'" run -q -O "$USTORE" --label 'a b=1' null
usage_error 'no-such-option' run -q -O "$USTORE" --no-such-option null
usage_error 'runs' run -O "$USTORE" -r
usage_error '-o' run -q -o "$T/x.txt" -O "$USTORE" null
usage_error "missing.suite" run -q -O "$USTORE" "$T/missing.suite"
usage_error "line 3" run -q -O "$USTORE" "$T/bad.suite"
usage_error "'no-such-bench'" list no-such-bench
usage_error 'usage' info extra

usage_error "$T/existing.txt" run -q -r 1 -n 10 -o "$T/existing.txt" null
check "an existing -o file is left untouched" cmp -s "$T/existing.txt" "$T/existing.orig"
check "a refused -o leaves no sidecar or temporary next to it" \
	test "$(find "$T" -maxdepth 1 -name '*existing*' | wc -l)" -eq 2

check "usage errors stored nothing" test -z "$(find "$T" -name '*.samples' -o -name '*.tmp.*')"
check "usage errors stored nothing in the store" test -z "$(find "$USTORE" -type f 2>/dev/null)"

# The user-submission benchmarks' parameters, refused before any device is opened.
usage_error "'spin' is not one of: default busy poll sleep" run -q -O "$USTORE" -p fw-policy=spin user-submit-latency
usage_error "'mixed' is not one of: kernel user-spin" run -q -O "$USTORE" -p model=mixed submit-models
usage_error 'ring: 0 is outside' run -q -O "$USTORE" -p ring=0 user-submit-throughput
usage_error 'poll-us: 0 is outside' run -q -O "$USTORE" -p poll-us=0 user-submit-latency

# ---- version, help -----------------------------------------------------------

drmb version
check "version: exit 0, prints 'drmbench VERSION'" \
	test "$rc" -eq 0 -a -n "$(grep -E '^drmbench [^ ]+' "$T/out")"
drmb run --help
check "run --help: exit 0, the options on stdout" \
	test "$rc" -eq 0 -a -n "$(grep -e '--runs' "$T/out")"

# ---- list ----------------------------------------------------------------------

drmb list
check "list: exit 0" test "$rc" -eq 0
cp "$T/out" "$T/list"
benches=$(sed -n '/^benchmarks:/,/^backends:/p' "$T/list" | sed -n 's/^  \([a-z0-9-]*\) .*/\1/p')
backends=$(sed -n '/^backends:/,/^suites/p' "$T/list" | sed -n 's/^  \([a-z0-9-]*\) .*/\1/p')
check "list: shows benchmarks (null, futex-wake among them)" \
	test -n "$(printf '%s\n' "$benches" | grep -x null)" -a \
	-n "$(printf '%s\n' "$benches" | grep -x futex-wake)"
check "list: shows backends" test -n "$backends"
for f in "$TOP"/workloads/*.suite; do
	s=${f##*/}
	s=${s%.suite}
	check "list: shows suite $s (workloads/$s.suite)" grep -qx "  $s" "$T/list"
done
for b in $benches; do
	drmb list "$b"
	if [ "$rc" -ne 0 ] || ! grep -q "^  result name: Benchmark[A-Z]" "$T/out" ||
		! grep -q '^  needs:' "$T/out"; then
		fail "list $b: exit 0 with its result name and needs (exit $rc)"
		continue
	fi
	pass "list $b: exit 0 with its result name and needs"
	# A group a benchmark needs must be one some backend of the table has.
	# shellcheck disable=SC2013 # the needs line is a list of words
	for g in $(sed -n 's/^  needs: *//p' "$T/out" | sed 's/([^)]*)//g; s/,/ /g'); do
		case $g in
		none | no | device | runs | on | any | Linux | host) continue ;;
		esac
		if grep -qE "^    groups: (.*,)?$g(,| |\$)" "$T/list"; then
			pass "list $b: group '$g' is offered by a backend of the table"
		else
			fail "list $b: needs group '$g', which no backend in 'list' has"
		fi
	done
done
drmb list futex-wake
check "list futex-wake: shows the placement parameter" grep -q '^  placement ' "$T/out"
drmb list syncobj-wait-many
check "list syncobj-wait-many: parameters with default and range" \
	grep -qE '^  count +default [^ ]+ .*\[[0-9]+\.\.[0-9]+\]' "$T/out"
check "list syncobj-wait-many: enum parameters list their choices" \
	grep -q 'one of: .*any' "$T/out"

# ---- info ------------------------------------------------------------------------

drmb info
cp "$T/out" "$T/info"
check "info: exit 0" test "$rc" -eq 0
check "info: every line is 'key: value' with a Go-format key" \
	test -z "$(grep -vE '^[a-z][a-z0-9._-]*:( |$)' "$T/info")"
for k in kernel-release cpu-model cpu-topology cpu-governor clocksource accel drm-devices \
	drmbench-version; do
	check "info: has $k" grep -q "^$k: ." "$T/info"
done
check "info: each key once" test -z "$(sed 's/:.*//' "$T/info" | sort | uniq -d)"

# ---- everything skipped -----------------------------------------------------------

if [ -e /dev/dri ]; then
	skip "all-skipped run: this host has /dev/dri, drm-ioctl would run"
else
	drmb run -q -O "$T/skip-store" drm-ioctl
	check "all skipped: 'run -q drm-ioctl' without /dev/dri exits 4 (got $rc)" test "$rc" -eq 4
	check "all skipped: prints SKIP with a reason" grep -qE 'SKIP: .{3,}' "$T/out"
	check "all skipped: no result file written" test -z "$(find "$T/skip-store" -type f 2>/dev/null)"
fi

# ---- a quick run that stores a file ---------------------------------------------------

drmb run -q -r 2 -O "$T/store" --label ci-job=cli-test null syscall
check "quick run: exit 0 (got $rc)" test "$rc" -eq 0
result=$(sed -n 's/.*result: \(.*\)$/\1/p' "$T/out")
nfiles=$(find "$T/store" -name '*.txt' | wc -l)
check "quick run: one result file in the store (got $nfiles)" test "$nfiles" -eq 1
check "quick run: the summary names the stored file ($result)" test -n "$result" -a -f "$result"
check "quick run: the sidecar is next to it" test -f "${result%.txt}.samples"
check "quick run: no temporaries left" test -z "$(find "$T/store" -name '*.tmp.*')"
case $result in
"$T/store/"*/*/*.txt) pass "quick run: stored as STORE/HOST/RELEASE/NAME.txt" ;;
*) fail "quick run: stored as STORE/HOST/RELEASE/NAME.txt (got $result)" ;;
esac
if [ -x "$GOFMT" ]; then
	if "$GOFMT" -r Null:ns/op -r Syscall:ns/op "$result" >"$T/gofmt" 2>&1; then
		pass "quick run: the file parses back (Go format grammar and drmbench's reader)"
	else
		fail "quick run: the file parses back: $(grep FAIL "$T/gofmt" | head -3)"
	fi
else
	skip "quick run: parse back: $GOFMT not built"
fi
if [ -f "$result" ]; then
	missing=$(sed "s/:.*//" "$T/info" | while read -r k; do
		grep -q "^\(# \)\{0,1\}$k: " "$result" || printf " %s" "$k"
	done)
	check "result file: has every key info prints${missing:+ (lacks$missing)}" test -z "$missing"
	for k in backend samples ci-job; do
		check "result file: has $k" grep -q "^$k: ." "$result"
	done
	# informational keys are comments, so benchstat does not split on them
	for k in cmdline date runs clock-overhead-ns host drmbench-version; do
		check "result file: has $k, as a '# $k: ' comment" grep -q "^# $k: ." "$result"
	done
	check "result file: the date is UTC" grep -qE '^# date: [0-9-]+T[0-9:]+Z$' "$result"
	check "result file: --label became a config line" grep -q '^ci-job: cli-test$' "$result"
fi

drmb run -q -r 1 -n 20 -o "$T/named.txt" null
check "-o: exit 0, writes exactly that file" test "$rc" -eq 0 -a -f "$T/named.txt"
check "-o: sidecar named after it" test -f "$T/named.samples"
cp "$T/named.txt" "$T/named.orig"
usage_error "$T/named.txt" run -q -r 1 -n 20 -o "$T/named.txt" null
check "-o: a second run leaves the first result untouched" cmp -s "$T/named.txt" "$T/named.orig"

DRMBENCH_STORE=$T/env-store "$DRMBENCH" run -q -r 1 -n 20 null >"$T/out" 2>"$T/err"
rc=$?
check "DRMBENCH_STORE: the result goes there" \
	test "$rc" -eq 0 -a "$(find "$T/env-store" -name '*.txt' | wc -l)" -eq 1

# ---- table: cases side by side --------------------------------------------------------

MODELS=$(dirname "$0")/data/submit-models-runs.txt
usage_error 'one result file or more' table
usage_error 'no-such-file' table "$T/no-such-file.txt"
usage_error 'NoSuchBench' table -b NoSuchBench "$MODELS"
usage_error 'no unit' table -u , "$MODELS"
drmb table -b SubmitModels "$MODELS"
check "table: exit 0 (got $rc)" test "$rc" -eq 0
check "table: the header names the accel and kernel" \
	grep -q '^# .*accel: tcg  kernel: 6.12.95+deb12-amd64' "$T/out"
check "table: shared parameters go above the table" \
	grep -q '^# every row: SubmitModels/backend=simgpu/duration=0$' "$T/out"
check "table: one row per case, named by what differs" \
	test "$(grep -c '^model=' "$T/out")" -eq 2
check "table: cells are medians over runs (kernel: 31000 ns/op, 21000 cpu-submit)" \
	grep -qE '^model=kernel +31000 +800000 +32000 +21000 +11000 +- +-$' "$T/out"
check "table: a unit a case lacks is '-'; columns in first-seen order" \
	grep -qE '^case +ns/op +p99-ns/op +mean-ns/op +cpu-submit-ns/op +cpu-other-ns/op +cpu-fw-ns/op +kicks/op$' "$T/out"
check "table: -b leaves other benchmarks out" test "$(grep -c Null "$T/out")" -eq 0
drmb table -u ns/op,cpu-fw-ns/op -b SubmitModels "$MODELS"
check "table -u: only the columns asked for" \
	grep -qE '^model=user-spin +2100 +2300$' "$T/out"

# Several files: a row per case per file, named by -k keys (what a sweep varied).
sed 's/^kernel-release: .*/kernel-release: 7.2.13+deb14-amd64/' "$MODELS" >"$T/models-7.2.txt"
drmb table -k kernel-release -u ns/op -b SubmitModels "$MODELS" "$T/models-7.2.txt"
check "table: several files: exit 0 (got $rc)" test "$rc" -eq 0
check "table: several files: a row per case and file, named by -k" \
	test "$(grep -cE '^kernel-release=(6.12.95\+deb12|7.2.13\+deb14)-amd64/model=(kernel|user-spin) ' "$T/out")" -eq 4
drmb table -c -u ns/op -b SubmitModels "$MODELS"
check "table -c: the median's 95% CI, '[-]' when the runs are too few for one" \
	grep -qE '^model=kernel +31000 \[-\]$' "$T/out"
# 6 and 10 runs: [x(1), x(6)] covers the median with 1 - 2/2^6 = 96.9%,
# [x(2), x(9)] of 10 with 1 - 2*11/2^10 = 97.9% (x(3), x(8): 89.1% < 95%).
{
	echo 'accel: tcg'
	for i in 1 2 3 4 5 6; do echo "BenchmarkCI/case=six 10 $((100 + i)) ns/op"; done
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "BenchmarkCI/case=ten 10 $((200 + i)) ns/op"; done
} >"$T/ci.txt"
drmb table -c -u ns/op "$T/ci.txt"
check "table -c: 6 runs: the interval is the extremes [x(1),x(6)]" \
	grep -qE '^case=six +104 \[101,106\]$' "$T/out"
check "table -c: 10 runs: the interval is [x(2),x(9)]" \
	grep -qE '^case=ten +206 \[202,209\]$' "$T/out"
check "table -c: the header gives the exact coverage per run count, not '95% CI'" \
	grep -qF '# [lo,hi]: the median'"'"'s order-statistic interval, coverage >= 95%, exactly 96.9% with 6 runs, 97.9% with 10 runs' "$T/out"
check "table -c: no header claims a plain 95% CI" \
	test "$(grep -c '95% CI' "$T/out")" -eq 0
drmb table -t -u ns/op -b SubmitModels "$MODELS"
check "table -t: tab-separated, no comment lines" \
	test "$(grep -c '^#' "$T/out")" -eq 0 -a "$(printf 'model=kernel\t31000')" = "$(grep '^model=kernel' "$T/out")"
usage_error 'no key' table -k , "$MODELS"

# ---- workloads: the built-in scheduler workloads and file checks ----------------

drmb workloads
check "workloads: exit 0 and every shipped workload listed (got $rc)" \
	test "$rc" -eq 0 -a "$(grep -c '^[a-z]' "$T/out")" -eq "$(find "$(dirname "$0")/../../workloads/sched" -name "*.wl" | wc -l)"
drmb workloads -v interactive-beside-hog
cp "$T/out" "$T/ibh.wl"
drmb workloads "$T/ibh.wl"
check "workloads: a workload printed in full parses back to itself" \
	test "$rc" -eq 0 -a "$(cat "$T/out")" = "$(cat "$T/ibh.wl")"
printf 'workload bad\nclient a\n\tsubmit 5\n' >"$T/bad.wl"
drmb workloads "$T/bad.wl"
check "workloads: a bad file exits 1 naming the line and what was expected" \
	test "$rc" -eq 1 -a "$(grep -c "bad.wl:3: submit: expected a duration" "$T/err")" -eq 1
drmb workloads -v compositor-rt
cp "$T/out" "$T/crt.wl"
drmb workloads "$T/crt.wl"
check "workloads: a time-cap is printed and parses back (compositor-rt: 10 s)" \
	test "$rc" -eq 0 -a "$(cat "$T/out")" = "$(cat "$T/crt.wl")" -a "$(grep -c '^time-cap 10000ms$' "$T/out")" -eq 1
printf 'workload bad\ntime-cap soon\nclient a\n\tsubmit 1ms\n' >"$T/bad.wl"
drmb workloads "$T/bad.wl"
check "workloads: a bad time-cap names the line" \
	test "$rc" -eq 1 -a "$(grep -c "bad.wl:2: time-cap: expected a duration such as 10s, got 'soon'" "$T/err")" -eq 1
drmb workloads no-such-workload
check "workloads: an unknown name exits 1 and says so" \
	test "$rc" -eq 1 -a "$(grep -c "no built-in workload 'no-such-workload'" "$T/err")" -eq 1
drmb run -q -p workload=nope sched-workload
check "run: an unknown workload is a usage error listing the workloads" \
	test "$rc" -eq 2 -a "$(grep -c 'many-clients' "$T/err")" -ge 1

finish
