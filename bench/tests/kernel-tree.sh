#!/bin/sh
# kernel-tree.sh: a self-built kernel in scripts/kernel-fetch, on fake build
# trees (no compiler, no guest; seconds): registration as local-RELEASE-HASH
# with kernel.env as for Debian kernels, refusal of a tree that lacks what
# drmbench needs (naming the options), re-registration only when the image,
# .config or a module changed, one safe file name for any kernel argument
# (kernel-fetch --name) in scripts/vm-check's logs and ci/nightly's report
# directories, and scripts/kernel-build --dry-run.
# The same code path with a real kernel booted: scripts/selftest-tree.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/kernel-tree.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export DRMBENCH_CACHE="$T/cache"
FETCH=$TOP/scripts/kernel-fetch

# fake_tree DIR [OPTIONS-TO-LEAVE-OUT...]: a built tree as make O=DIR leaves
# it, with fake binaries: what kernel-fetch reads, nothing more.
fake_tree() {
	_d=$1
	shift
	mkdir -p "$_d/include/config" "$_d/include/drm" "$_d/arch/x86/boot" \
		"$_d/drivers/gpu/drm/vgem" "$_d/fs/9p"
	echo 6.1.999-drmbench >"$_d/include/config/kernel.release"
	echo 'struct drm_exec;' >"$_d/include/drm/drm_exec.h"
	echo bzImage >"$_d/arch/x86/boot/bzImage"
	echo symvers >"$_d/Module.symvers"
	echo vgem >"$_d/drivers/gpu/drm/vgem/vgem.ko"
	echo 9p >"$_d/fs/9p/9p.ko"
	: >"$_d/.config"
	for _o in MODULES BLK_DEV_INITRD DEVTMPFS SERIAL_8250_CONSOLE DRM DRM_SCHED \
		DRM_GEM_SHMEM_HELPER DRM_VGEM VIRTIO_PCI NET_9P NET_9P_VIRTIO 9P_FS DRM_EXEC; do
		case " $* " in
		*" $_o "*) printf '# CONFIG_%s is not set\n' "$_o" >>"$_d/.config" ;;
		*) printf 'CONFIG_%s=m\n' "$_o" >>"$_d/.config" ;;
		esac
	done
}

# --- a complete tree registers ----------------------------------------------
fake_tree "$T/good"
if dir=$("$FETCH" "$T/good" 2>"$T/err"); then
	pass "a built tree given as a path registers"
else
	fail "a built tree given as a path registers: $(cat "$T/err")"
	dir=/nonexistent
fi
env_of() {
	# shellcheck source=/dev/null # written by kernel-fetch
	(. "$dir/kernel.env" && eval "printf '%s\n' \"\$$1\"")
}
ver=$(env_of KERNEL_VERSION)
case $ver in
local-6.1.999-drmbench-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])
	pass "it is named local-RELEASE-HASH ($ver)" ;;
*) fail "it is named local-RELEASE-HASH, not '$ver'" ;;
esac
check "kernel.env has the release" [ "$(env_of KERNEL_RELEASE)" = 6.1.999-drmbench ]
check "kernel.env's headers are the build tree" [ "$(env_of KERNEL_HEADERS)" = "$T/good" ]
check "the image is copied into the cache" cmp -s "$(env_of KERNEL_IMAGE)" "$T/good/arch/x86/boot/bzImage"
check "the modules are copied below KERNEL_MODULES/kernel" \
	cmp -s "$(env_of KERNEL_MODULES)/kernel/drivers/gpu/drm/vgem/vgem.ko" "$T/good/drivers/gpu/drm/vgem/vgem.ko"
check "kernel.env records the .config's sha256" \
	[ "$(env_of KERNEL_CONFIG_SHA)" = "$(sha256sum "$T/good/.config" | cut -d' ' -f1)" ]
check "a tree outside git has no describe" [ -z "$(env_of KERNEL_DESCRIBE)" ]
check "the name resolves from the cache (vm-run, kmod-build)" \
	[ "$("$FETCH" "$ver" 2>/dev/null)" = "$dir" ]
check "--print-dir finds it (mkinitramfs)" [ "$("$FETCH" -p "$ver" 2>/dev/null)" = "$dir" ]
check "the same tree again is the same kernel" [ "$("$FETCH" "$T/good" 2>/dev/null)" = "$dir" ]
check "--kernel-build is the same as the path" \
	[ "$("$FETCH" --kernel-build "$T/good" 2>/dev/null)" = "$dir" ]

# --- what makes another kernel --------------------------------------------
# rebuilt FILE WHAT: after FILE changes the tree registers anew.
prev=$dir
rebuilt() {
	echo rebuilt >>"$T/good/$1"
	_new=$("$FETCH" "$T/good" 2>/dev/null || echo failed)
	if [ "$_new" != "$prev" ] && [ "$_new" != failed ]; then
		pass "a rebuilt $2 is another kernel"
	else
		fail "a rebuilt $2 is another kernel"
	fi
	prev=$_new
}
rebuilt drivers/gpu/drm/vgem/vgem.ko module
rebuilt arch/x86/boot/bzImage image
rebuilt .config .config

# --- given separately --------------------------------------------------------
mkdir -p "$T/inst/lib/modules/6.1.999-drmbench/kernel/drm" "$T/img"
echo other >"$T/inst/lib/modules/6.1.999-drmbench/kernel/drm/vgem.ko.xz"
echo image >"$T/img/vmlinuz"
if sep=$("$FETCH" --kernel-build "$T/good" --kernel-image "$T/img/vmlinuz" \
	--kernel-modules "$T/inst/lib/modules/6.1.999-drmbench" 2>"$T/err"); then
	check "image and modules given separately are taken" \
		cmp -s "$sep/modules/kernel/drm/vgem.ko.xz" "$T/inst/lib/modules/6.1.999-drmbench/kernel/drm/vgem.ko.xz"
else
	fail "image and modules given separately: $(cat "$T/err")"
fi

# --- a git checkout is described ----------------------------------------------
if command -v git >/dev/null 2>&1; then
	fake_tree "$T/git"
	(cd "$T/git" && git init -q && git add -A &&
		git -c user.name=t -c user.email=t@t commit -q -m base && git tag v6.1.999) >/dev/null 2>&1
	gdir=$("$FETCH" "$T/git" 2>/dev/null || echo /nonexistent)
	# shellcheck source=/dev/null # written by kernel-fetch
	check "a git tree's kernel.env has its describe" \
		[ "$(. "$gdir/kernel.env" 2>/dev/null && echo "$KERNEL_DESCRIBE")" = v6.1.999 ]
else
	skip "git describe: git is not installed"
fi

# --- refusals: before anything is copied -------------------------------------
expect_refusal() {
	_what=$1
	shift
	_pattern=$1
	shift
	_rc=0
	"$FETCH" "$@" >"$T/out" 2>"$T/err" || _rc=$?
	if [ "$_rc" -eq 1 ] && grep -q -- "$_pattern" "$T/err"; then
		pass "$_what"
	else
		fail "$_what: exit $_rc, stderr: $(cat "$T/err")"
	fi
}
fake_tree "$T/nodrm" DRM_VGEM 9P_FS DRM_EXEC
expect_refusal "a tree without VGEM, 9P_FS and DRM_EXEC is refused" \
	'set these to y or m: CONFIG_DRM_VGEM CONFIG_9P_FS CONFIG_DRM_EXEC' "$T/nodrm"
fake_tree "$T/nogpuvm"
echo 'struct drm_gpuvm;' >"$T/nogpuvm/include/drm/drm_gpuvm.h"
expect_refusal "a kernel with drm_gpuvm.h must enable DRM_GPUVM" 'CONFIG_DRM_GPUVM' "$T/nogpuvm"
fake_tree "$T/noimage"
rm "$T/noimage/arch/x86/boot/bzImage"
expect_refusal "a tree without a boot image is refused" 'no boot image' "$T/noimage"
fake_tree "$T/unbuilt"
rm "$T/unbuilt/include/config/kernel.release"
expect_refusal "an unbuilt tree is refused" 'build the kernel first' "$T/unbuilt"
expect_refusal "a missing tree is named" 'does not exist' "$T/nothere/linux"
check "nothing was registered for the refused trees" \
	[ "$(find "$DRMBENCH_CACHE/kernels" -name kernel.env | wc -l)" -eq 6 ]
rc=0
"$FETCH" local-6.1.999-drmbench-000000000000 >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q "no self-built kernel local-6.1.999-drmbench-000000000000" "$T/err"; then
	pass "an unknown local name is an error naming it"
else
	fail "an unknown local name is an error naming it"
fi
rc=0
"$FETCH" --kernel-image "$T/img/vmlinuz" >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "need --kernel-build" "$T/err"; then
	pass "--kernel-image alone is a usage error"
else
	fail "--kernel-image alone is a usage error"
fi

# --- one safe name per kernel argument (kernel_name, kernel-fetch --name) ----
name_of() {
	"$FETCH" --name -- "$1" 2>/dev/null || echo "--name failed"
}
check "a series keeps its name, '-' and all (7.3-rc)" [ "$(name_of 7.3-rc)" = 7.3-rc ]
check "a Debian version keeps its name" [ "$(name_of '6.12.95-1~bpo12+1')" = '6.12.95-1~bpo12+1' ]
check "a registered kernel keeps its name" [ "$(name_of "$ver")" = "$ver" ]
tname=$(name_of "$T/good")
case $tname in
tree-good-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])
	pass "a tree's path is named tree-BASENAME-HASH ($tname)" ;;
*) fail "a tree's path is named tree-BASENAME-HASH, not '$tname'" ;;
esac
check "the same tree by a relative path has the same name" \
	[ "$(cd "$T" && "$FETCH" --name ./good 2>/dev/null)" = "$tname" ]
mkdir -p "$T/other/good"
check "another tree of the same basename has another name" [ "$(name_of "$T/other/good")" != "$tname" ]
safe=1
for a in ../x /x .. . 'a b' -x "$T/good/"; do
	case $(name_of "$a") in
	'' | . | .. | */* | *' '* | -*) safe=0 ;;
	esac
done
check "no argument names a path outside one directory (../x, /x, .., 'a b', -x)" [ "$safe" -eq 1 ]

# --- vm-check takes a tree's path (it built its log name from the path) ------
rc=0
"$TOP/scripts/vm-check" --no-bench --timeout 60 "$T/good" >"$T/vmc.out" 2>"$T/vmc.err" || rc=$?
check "vm-check with a tree's absolute path fails in the build, not before (exit $rc)" [ "$rc" -eq 1 ]
if grep -q 'cannot create\|Directory nonexistent' "$T/vmc.err"; then
	fail "vm-check cannot create its log for a path: $(grep -m1 'cannot create' "$T/vmc.err")"
else
	pass "vm-check creates its log for a tree's path"
fi
says "its table names the tree and its registered version" "$T/vmc.out" \
	"^$tname local-6.1.999-drmbench-[0-9a-f]* .* FAIL"
check "its log is one file named after the tree" \
	[ -n "$(find "$DRMBENCH_CACHE/vm-check" -mindepth 2 -maxdepth 2 -name "$tname.log")" ]
check "and kernel-fetch's output is in it" \
	grep -q "registering $T/good\|local-6.1.999-drmbench" "$(find "$DRMBENCH_CACHE/vm-check" -name "$tname.log" | head -n 1)"

# --- ci/nightly: a tree's report directory is inside the report --------------
if [ -f "$TOP/bench/drmbench.static" ] && [ -x "$TOP/bench/drmbench" ]; then
	# A stand-in for vm-run: one result file and vm-run's report lines.
	cat >"$T/vm-run" <<'EOF'
#!/bin/sh
set -eu
kernel= results= accel=tcg
while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=$2; shift ;;
	-r) results=$2; shift ;;
	-d) accel=tcg-icount ;;
	--) break ;;
	esac
	shift
done
case $kernel in
*/*) version=local-6.1.999-drmbench-000000000000 ;;
*) version=$kernel ;;
esac
run=$(mktemp -d "$RUNS/run.XXXXXX")
f=$results/host-$accel/$version/$(basename "$run").txt
mkdir -p "${f%/*}"
{
	printf 'kernel: %s\naccel: %s\n' "$version" "$accel"
	[ "$accel" = tcg ] || echo 'icount: shift=0,sleep=off'
	for i in 1 2 3 4 5; do echo "BenchmarkFutexWake/placement=same-llc 1000 3000 ns/op"; done
} >"$f"
: >"$run/serial.log"
printf 'vm-run: kernel 6.1.999-drmbench (%s), %s, 1 s\n' "$version" "$accel" >&2
printf 'vm-run: result: %s\nvm-run: serial log: %s/serial.log\n' "$f" "$run" >&2
EOF
	chmod +x "$T/vm-run"
	mkdir -p "$T/runs" "$T/nightly"
	rc=0
	(cd "$T" && RUNS=$T/runs VM_RUN=$T/vm-run "$TOP/ci/nightly" --no-wallclock -b ./good \
		-o "$T/nightly/20261201T030000Z" -r "$T/store" ../"$(basename "$T")"/good 6.12) \
		>"$T/ni.out" 2>&1 || rc=$?
	check "ci/nightly runs a tree given by a relative path with ../ (exit $rc)" [ "$rc" -eq 0 ]
	check "its report directory is tree-BASENAME-HASH inside the report" \
		[ -s "$T/nightly/20261201T030000Z/$tname/deterministic/results.list" ]
	check "and nothing was written beside the report" \
		[ "$(find "$T/nightly" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
	check "the side keeps the registered kernel for a re-run" \
		[ "$(cat "$T/nightly/20261201T030000Z/$tname/side/kernel.version" 2>/dev/null)" = local-6.1.999-drmbench-000000000000 ]
	says "summary.txt names the tree" "$T/nightly/20261201T030000Z/summary.txt" "^$tname deterministic "
	says "compare-nightly gates it, and the baseline given as the tree's path is found" \
		"$T/nightly/20261201T030000Z/compare.txt" "^$tname deterministic (gate):" \
		"^6.12 deterministic (gate): no previous night to compare with. vs baseline $tname"
else
	skip "ci/nightly with a tree: bench/drmbench.static is not built (make)"
fi

# --- kernel-build plans without building --------------------------------------
if [ -x "$TOP/scripts/kernel-build" ]; then
	mkdir -p "$T/src/arch/x86/configs"
	echo 'VERSION = 6' >"$T/src/Makefile"
	: >"$T/src/Kconfig"
	rc=0
	"$TOP/scripts/kernel-build" --dry-run -C "$T/src" -O "$T/obj" >"$T/out" 2>&1 || rc=$?
	check "kernel-build --dry-run exits 0" [ "$rc" -eq 0 ]
	says "kernel-build --dry-run prints the config and build steps" "$T/out" \
		"O=$T/obj" 'defconfig' 'drmbench.config' 'olddefconfig' 'modules_install'
	check "kernel-build --dry-run builds nothing" [ ! -e "$T/obj" ]
	rc=0
	"$TOP/scripts/kernel-build" --dry-run -C "$T/nothere" -O "$T/obj" >"$T/out" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ] && grep -q "not a kernel source tree" "$T/out"; then
		pass "kernel-build refuses a directory that is no kernel source"
	else
		fail "kernel-build refuses a directory that is no kernel source"
	fi
fi

finish
