#!/bin/sh
# LAVA device farm tests (docs/farm.md), host only: job templates render
# and validate, bad input is refused with the reason, result files become
# lava-test-case lines, canned job logs (bench/tests/data/lava/) import
# into a store without overwriting, and the multi-host report hands out a
# real verdict and refuses to mix accels.  The real lava-run job is
# `make lava-selftest` (not part of make check).
set -u
# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

DATA=$TOP/bench/tests/data/lava
T=$(mktemp -d "${TMPDIR:-/tmp}/drmbench-lava-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export DRMBENCH

# runs NAME EXPECTED-STATUS CMD...: output in $T/NAME.out
runs() {
	_n=$1 _want=$2
	shift 2
	_rc=0
	"$@" >"$T/$_n.out" 2>&1 || _rc=$?
	if [ "$_rc" -eq "$_want" ]; then
		pass "$_n: exit $_rc"
	else
		fail "$_n: exit $_rc, want $_want: $(head -c 600 "$T/$_n.out")"
	fi
}

# ---- templates --------------------------------------------------------------
mkdir "$T/art"
sum=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
{
	echo KERNEL=6.12.95-1~bpo12+1
	echo KERNEL_RELEASE=6.12.95+deb12-amd64
	for f in KERNEL RAMDISK ROOTFS MODULES; do
		echo "${f}_FILE=$(echo "$f" | tr '[:upper:]' '[:lower:]').bin"
		echo "${f}_SHA256=$sum"
	done
	echo COMMIT=abc1234
} >"$T/art/job.env"
for t in qemu board-tftp board-nfs; do
	dt='' dev=lava-qemu-tcg
	[ "$t" = qemu ] || dt="-D x86-board" dev=x86-board
	# shellcheck disable=SC2086 # empty or two words
	runs "render $t" 0 "$TOP/scripts/lava-job" -a "$T/art" -t "$t" $dt -u https://farm.example/a -o "$T/$t.yaml"
	runs "validate $t" 0 "$DRMBENCH" lava validate "$T/$t.yaml"
	says "$t: artifact urls and sha256" "$T/$t.yaml" "url: \"https://farm.example/a/kernel.bin\"" "sha256sum: \"$sum\"" \
		"job_name: \"drmbench quick on 6.12.95-1~bpo12+1"
	says "$t: the step names the device (its hostname) and the kernel (its label)" "$T/$t.yaml" \
		"drmbench-lava-run -H $dev -K 6.12.95-1~bpo12+1 -- -q quick"
done
says "board-nfs: nfsrootfs" "$T/board-nfs.yaml" "nfsrootfs:" "rootfs.bin" "device_type: x86-board"
says "board-tftp: ramdisk and modules" "$T/board-tftp.yaml" "ramdisk.bin" "modules.bin"
runs "lava-job: board template without a device type" 2 "$TOP/scripts/lava-job" -a "$T/art" -t board-nfs
says "  names what is missing" "$T/lava-job: board template without a device type.out" "needs the farm's device type"
runs "lava-job: -d board-1 names the device" 0 "$TOP/scripts/lava-job" -a "$T/art" -t board-nfs -D x86 -d board-1
says "  in the step and the metadata" "$T/lava-job: -d board-1 names the device.out" \
	"drmbench-lava-run -H board-1 -K " "drmbench.device: \"board-1\""
runs "lava-job: a device name that is no store directory" 2 "$TOP/scripts/lava-job" -a "$T/art" -d 'a/b'
runs "lava-job: not an artifact directory" 1 "$TOP/scripts/lava-job" -a "$T"
runs "lava-job: unknown template" 2 "$TOP/scripts/lava-job" -a "$T/art" -t nope

printf 'job_name: "{{NAME}} {{OTHER}}"\n' >"$T/tpl.yaml"
runs "render: a placeholder without a value" 2 "$DRMBENCH" lava render -D NAME=x "$T/tpl.yaml"
says "  names it and its line" "$T/render: a placeholder without a value.out" "tpl.yaml:1: {{OTHER}} has no value"
runs "render: a -D the template lacks" 2 "$DRMBENCH" lava render -D NAME=x -D OTHER=y -D EXTRA=z "$T/tpl.yaml"
says "  names it" "$T/render: a -D the template lacks.out" "-D EXTRA"
runs "render: a quote in a value" 2 "$DRMBENCH" lava render -D 'NAME=a"b' -D OTHER=y "$T/tpl.yaml"
runs "render: not KEY=VALUE" 2 "$DRMBENCH" lava render -D NAME "$T/tpl.yaml"
runs "render: an incomplete job is invalid" 1 "$DRMBENCH" lava render -D NAME=x -D OTHER=y "$T/tpl.yaml"
echo keep >"$T/exists.yaml"
runs "render: -o onto an existing file" 2 "$TOP/scripts/lava-job" -a "$T/art" -o "$T/exists.yaml"
says "  leaves it as it was" "$T/exists.yaml" "^keep$"
runs "render: no such template file" 2 "$DRMBENCH" lava render /nonexistent.yaml

# A job with every problem validate knows.
sed -e 's/^\(        sha256sum: \).*/\1"abc"/' -e 's/^priority: medium/	priority: medium/' \
	-e '/^- test:/,$d' -e 's/^visibility: public/visibility: {{VIS}}/' "$T/qemu.yaml" >"$T/bad.yaml"
runs "validate: a broken job" 1 "$DRMBENCH" lava validate "$T/bad.yaml"
says "  says each problem" "$T/validate: a broken job.out" "a url without a sha256sum" "a tab in the indentation" \
	"a placeholder left unrendered" "need a deploy, a boot and a test action" "INVALID"
runs "validate: a directory" 2 "$DRMBENCH" lava validate "$T"

# ---- results as test cases ---------------------------------------------------
runs "import a1" 0 "$TOP/scripts/lava-import" -d board-a -r "$T/store" "$DATA/a1.log"
f=$(find "$T/store/board-a" -name '*.txt' | head -n 1)
cp "$f" "$T/cases.txt"
printf '# skip BenchmarkVmBind/op=map: drm_gpuvm is missing\n# fail BenchmarkSubmit/wait=x: ioctl failed\n' >>"$T/cases.txt"
runs "cases" 0 "$DRMBENCH" lava cases "$T/cases.txt"
says "cases: a test set per benchmark, the median with its unit" "$T/cases.out" \
	"^lava-test-set start Null$" "^lava-test-case default --result pass --measurement [0-9.]* --units ns/op$" \
	"^lava-test-set stop Syscall$" "^lava-test-case op-map --result skip$" "^lava-test-case wait-x --result fail$"
printf "not a result file\n" >"$T/not.txt"
runs "cases: not a result file" 2 "$DRMBENCH" lava cases "$T/not.txt"

# ---- import --------------------------------------------------------------------
says "import: under the device's name and kernel release" "$T/import a1.out" \
	"imported: $T/store/board-a/6.18.44-fc-v1045/20261201T020000Z-multi.txt"
check "import: the file is the job's, byte for byte" cmp -s "$f" \
	"$T/store/board-a/6.18.44-fc-v1045/20261201T020000Z-multi.txt"
runs "import a1 again" 0 "$TOP/scripts/lava-import" -d board-a -r "$T/store" "$DATA/a1-plain.log"
says "  already there: left alone" "$T/import a1 again.out" "already imported"
runs "import a2" 0 "$TOP/scripts/lava-import" -d board-a -r "$T/store" "$DATA/a2.log"
runs "import b1 (a server's YAML log)" 0 "$TOP/scripts/lava-import" -d qemu-b -r "$T/store" "$DATA/b1.log"
runs "import c1" 0 "$TOP/scripts/lava-import" -d board-c -r "$T/store" "$DATA/c1.log"
runs "import: a log the console mangled" 1 "$TOP/scripts/lava-import" -d board-m -r "$T/store" "$DATA/mangled.log"
says "  names the sha256 mismatch" "$T/import: a log the console mangled.out" "the log mangled it; not imported"
check "  and stores nothing" test ! -e "$T/store/board-m/6.18.44-fc-v1045/20261202T020000Z-multi.txt"
cp "$T/store/qemu-b/6.18.44-fc-v1045/20261201T030000Z-multi.txt" "$T/qb.txt"
sed 's/20261201T030000Z/20261201T020000Z/g' "$DATA/b1.log" >"$T/collide.log"
sum_b=$(sed -n 's/.*DRMBENCH-FILE-BEGIN \([0-9a-f]*\) .*/\1/p' "$DATA/b1.log")
runs "import: another file of a stored name" 1 "$TOP/scripts/lava-import" -d board-a -r "$T/store" "$T/collide.log"
says "  is refused" "$T/import: another file of a stored name.out" "exists with other content: not replaced"
check "  and the stored file is unchanged" cmp -s "$f" "$T/store/board-a/6.18.44-fc-v1045/20261201T020000Z-multi.txt"
[ -n "$sum_b" ] || fail "b1.log has no BEGIN marker"
printf 'no files here\n' >"$T/empty.log"
runs "import: a log without result files" 1 "$TOP/scripts/lava-import" -d x -r "$T/store" "$T/empty.log"
says "  says so" "$T/import: a log without result files.out" "holds no result file"
runs "import: a device name with a slash" 2 "$TOP/scripts/lava-import" -d ../x -r "$T/store" "$DATA/a1.log"

# console_log FILE REL: FILE as drmbench-lava-run prints it (ci/lava/init).
console_log() {
	printf 'DRMBENCH-FILE-BEGIN %s %s\n' "$(sha256sum "$1" | cut -d' ' -f1)" "$2"
	cat "$1"
	printf 'DRMBENCH-FILE-END %s\n' "$2"
}
# The kernel directory is the store's own (bench/lib/result.c): what
# drmbench run -O chose, here for this host's release, is where the
# import puts the file, so it sits beside the runner's files of that kernel.
if "$DRMBENCH" run -q -r 1 -n 20 -O "$T/dev" null >"$T/dev.out" 2>&1; then
	df=$(find "$T/dev" -name '*.txt' | head -n 1)
	console_log "$df" "${df#"$T/dev/"}" >"$T/dev.log"
	kd=$(basename "$(dirname "$df")")
	runs "import: a file drmbench run -O stored" 0 "$TOP/scripts/lava-import" -d dev-1 -r "$T/store2" "$T/dev.log"
	check "  lands in the kernel directory drmbench chose ($kd)" test -f "$T/store2/dev-1/$kd/${df##*/}"
else
	fail "drmbench run -O $T/dev null: $(tail -n 3 "$T/dev.out")"
fi
# The LAVA selftest's 6.12 file: kernel-release 6.12.95+deb12-amd64, which
# drmbench on the device stored under 6.12.95_deb12-amd64.
sed 's/^kernel-release: .*/kernel-release: 6.12.95+deb12-amd64/' "$f" >"$T/plus.txt"
console_log "$T/plus.txt" drmbench-lava/6.12.95_deb12-amd64/20261203T081840Z-quick.txt >"$T/plus.log"
runs "import: a release with '+'" 0 "$TOP/scripts/lava-import" -d lava-q -r "$T/store2" "$T/plus.log"
check "  under the store's name for it, 6.12.95_deb12-amd64, as vm-run stores 6.12" \
	test -f "$T/store2/lava-q/6.12.95_deb12-amd64/20261203T081840Z-quick.txt" -a ! -e "$T/store2/lava-q/6.12.95+deb12-amd64"
i=0
for bad in 20261203T081840Z-quick.txt drmbench-lava/..x/a.txt 'h/6.12+x/a.txt'; do
	i=$((i + 1))
	console_log "$T/plus.txt" "$bad" >"$T/badpath.log"
	runs "import: bad path $i, no drmbench kernel directory" 1 "$TOP/scripts/lava-import" -d lava-q -r "$T/store2" "$T/badpath.log"
done
says "  says what a path must be" "$T/import: bad path 1, no drmbench kernel directory.out" \
	"not HOST/KERNEL-DIR/FILE as drmbench run -O stores it"
check "  and stores nothing" test "$(find "$T/store2/lava-q" -type f | wc -l)" -eq 1

# ---- the test step (ci/lava/init as drmbench-lava-run), with stand-ins
# for the device's commands; its output is a console log lava-import reads.
mkdir -p "$T/bin"
ln -s "$TOP/ci/lava/init" "$T/bin/drmbench-lava-run"
for c in hostname modprobe lava-test-case lava-test-set; do
	# shellcheck disable=SC2016 # expanded by the stand-in, not here
	printf '#!/bin/sh\necho "%s $*" >>"$STEP_LOG"\n' "$c" >"$T/bin/$c"
done
# drmbench: run stores what drmbench run -O would (its host and kernel
# directory), cases prints nothing.
cat >"$T/bin/drmbench" <<'EOF'
#!/bin/sh
echo "drmbench $*" >>"$STEP_LOG"
[ "$1" = run ] || exit 0
mkdir -p "$3/board-1/6.12.95_deb12-amd64"
cp "$STEP_FILE" "$3/board-1/6.12.95_deb12-amd64/20261203T120000Z-quick.txt"
EOF
chmod +x "$T/bin/"*
runs "step: drmbench-lava-run" 0 env STEP_LOG="$T/step.log" STEP_FILE="$T/plus.txt" TMPDIR="$T" PATH="$T/bin:$PATH" \
	sh "$T/bin/drmbench-lava-run" -H board-1 -K 6.12.95-1~bpo12+1 -- -q quick
says "  sets the device's hostname, labels the kernel as vm-run does, runs the suite" "$T/step.log" \
	"^hostname board-1$" "^drmbench run -O $T/drmbench-results --label kernel=6.12.95-1~bpo12+1 -q quick$" \
	"^lava-test-case drmbench-run --result pass$"
runs "step: its console output imports" 0 "$TOP/scripts/lava-import" -d board-1 -r "$T/store3" \
	"$T/step: drmbench-lava-run.out"
check "  beside the runner's 6.12 files" test -f "$T/store3/board-1/6.12.95_deb12-amd64/20261203T120000Z-quick.txt"

runs "submit --from-log" 0 "$TOP/scripts/lava-submit" --from-log "$DATA/a1.log" -d board-a -r "$T/store"
says "  counts the test cases" "$T/submit --from-log.out" "job complete: 1 test cases in 1 test sets: 1 pass, 0 fail, 0 skip"

# ---- the multi-host report -------------------------------------------------------
runs "report" 1 "$TOP/scripts/lava-report" -r "$T/store" -o "$T/report"
says "report: a host's verdict" "$T/report/summary.txt" \
	"host board-a .* files   2  newest vs before: REGRESSION"
says "report: Syscall regressed on board-a" "$T/report/board-a/6.18.44-fc-v1045/compare.txt" "^Syscall .*+50.00%.*REGRESSION"
says "report: hosts of one accel compared" "$T/report/summary.txt" \
	"cross board-a vs board-c kernel 6.18.44-fc-v1045: compared (informational"
says "report: the cross file names the keys let go, each host's value" \
	"$T/report/cross/board-a--board-c--6.18.44-fc-v1045.txt" "^hosts compared: keys let go" \
	"^  cpu-model        differ: board-a .*, board-c " "^  vm-cpus          (unset on both hosts)" "^  clocksource      same: "
says "report: and the summary which of them differed" "$T/report/summary.txt" \
	"board-c kernel 6.18.44-fc-v1045: compared (informational: different machines); let go, differing: cpu-model"
says "report: TCG never compared with KVM" "$T/report/summary.txt" \
	"cross board-a vs qemu-b kernel 6.18.44-fc-v1045: not compared (accel kvm vs tcg)"
check "report: a trend per host" test -s "$T/report/board-c/6.18.44-fc-v1045/trend.txt"
runs "report: onto an existing report" 1 "$TOP/scripts/lava-report" -r "$T/store" -o "$T/report"
runs "report: one host" 0 "$TOP/scripts/lava-report" -r "$T/store" -o "$T/report-c" board-c
runs "report: an unknown host" 1 "$TOP/scripts/lava-report" -r "$T/store" -o "$T/report-x" nohost

if command -v shellcheck >/dev/null 2>&1; then
	check "shellcheck ci/lava/init" shellcheck -s sh "$TOP/ci/lava/init"
else
	skip "shellcheck ci/lava/init: shellcheck is not installed"
fi
finish
