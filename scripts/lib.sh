#!/bin/sh
# shellcheck disable=SC2034 # constants used by the scripts that source this
# Shared helpers for drmbench's scripts: messages, exit codes, the cache,
# the kernel series table and the private apt configuration.
# Source it with:  . "${0%/*}/lib.sh"

PROG=${0##*/}
DRMBENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
DRMBENCH_CACHE=${DRMBENCH_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/drmbench}
DRMBENCH_MIRROR=${DRMBENCH_MIRROR:-http://deb.debian.org/debian}
DRMBENCH_SECURITY_MIRROR=${DRMBENCH_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# Exit codes, kselftest style.
EXIT_PASS=0
EXIT_FAIL=1
EXIT_USAGE=2
EXIT_SKIP=4

# The kernels the project knows by name, oldest first.  `make check` and
# `make run` use DEFAULT_KERNEL.
KERNEL_SERIES="6.1 6.12 7.2 7.3-rc"
DEFAULT_KERNEL=6.12
# Samples a run in virtual time (vm-run -d): its figures repeat to the
# instruction, so more buys nothing.  ci/nightly and run-default use it;
# scripts/vm.mk's DETERMINISTIC=1 says the same in make.
GATE_SAMPLES=1000

log() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

warn() {
	printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit "$EXIT_FAIL"
}

# skip MESSAGE: what was asked for cannot run here (kselftest exit 4).
skip() {
	printf '%s: SKIP: %s\n' "$PROG" "$*" >&2
	exit "$EXIT_SKIP"
}

# die_usage MESSAGE: bad command line.
die_usage() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	printf "Try '%s --help'.\n" "$PROG" >&2
	exit "$EXIT_USAGE"
}

# need_cmd CMD PACKAGE [CMD PACKAGE]...: die naming the apt-get command that
# installs every missing one, so a fresh machine is fixed in one step.
need_cmd() {
	_missing=
	while [ $# -ge 2 ]; do
		if ! command -v "$1" >/dev/null 2>&1; then
			case " $_missing " in
			*" $2 "*) ;;
			*) _missing="${_missing:+$_missing }$2" ;;
			esac
		fi
		shift 2
	done
	[ -z "$_missing" ] ||
		die "missing tools; install them with: apt-get install -y $_missing"
}

# need_space DIR MIB: die unless the filesystem holding DIR (or its nearest
# existing parent) has MIB MiB free.
need_space() {
	_ns_dir=$1
	while [ ! -d "$_ns_dir" ]; do
		_ns_dir=$(dirname "$_ns_dir")
	done
	_free=$(df -Pk "$_ns_dir" | awk 'NR == 2 { print int($4 / 1024) }')
	[ "${_free:-0}" -ge "$2" ] ||
		die "not enough space in $_ns_dir: ${_free} MiB free, $2 MiB needed"
}

# is_series NAME: true if NAME is one of KERNEL_SERIES.
is_series() {
	case " $KERNEL_SERIES " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# series_suites SERIES: the Debian suites a kernel series is taken from.
series_suites() {
	case $1 in
	6.1) echo "bookworm bookworm-security" ;;
	6.12) echo "bookworm-backports" ;;
	7.2) echo "sid" ;;
	7.3-rc) echo "experimental" ;;
	*) return 1 ;;
	esac
}

ALL_SUITES="bookworm bookworm-security bookworm-backports sid experimental"

# suite_toolchain SUITE: where modules for that suite's kernels are built.
# bookworm's gcc-12 fits 6.1 and 6.12; sid's kernels need gcc-16 and a newer
# glibc for their kbuild helpers, so they build in a sid chroot.
suite_toolchain() {
	case $1 in
	bookworm*) echo host ;;
	*) echo sid-chroot ;;
	esac
}

suite_mirror() {
	case $1 in
	*-security) echo "$DRMBENCH_SECURITY_MIRROR" ;;
	*) echo "$DRMBENCH_MIRROR" ;;
	esac
}

# apt_dir SUITE: the private apt tree for SUITE.
apt_dir() {
	echo "$DRMBENCH_CACHE/apt/$1"
}

# apt_setup SUITE: create SUITE's private apt tree.  The host's own apt
# configuration (sources, state, installed packages) is never read or written.
apt_setup() {
	_d=$(apt_dir "$1")
	mkdir -p "$_d/state/lists/partial" "$_d/cache/archives/partial"
	[ -f "$_d/status" ] || : >"$_d/status"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$(suite_mirror "$1")" "$1" >"$_d/sources.list"
}

# apt_private SUITE CMD ARGS...: run apt-get/apt-cache with SUITE's private tree.
apt_private() {
	_d=$(apt_dir "$1")
	shift
	_cmd=$1
	shift
	"$_cmd" -q \
		-o "Dir::Etc::SourceList=$_d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State=$_d/state" \
		-o "Dir::State::status=$_d/status" \
		-o "Dir::Cache=$_d/cache" \
		-o APT::Architecture=amd64 \
		-o APT::Architectures=amd64 \
		"$@"
}

# kernel_dir DEBIAN-VERSION: where a fetched kernel is unpacked.
kernel_dir() {
	echo "$DRMBENCH_CACHE/kernels/$1"
}

# newest_version V...: print the highest Debian version among the arguments.
newest_version() {
	_best=
	for _v in "$@"; do
		if [ -z "$_best" ] || dpkg --compare-versions "$_v" gt "$_best"; then
			_best=$_v
		fi
	done
	[ -n "$_best" ] && echo "$_best"
}

# series_of DEBIAN-VERSION: 6.12.95-1~bpo12+1 -> 6.12, 7.3~rc7-1~exp1 -> 7.3-rc.
series_of() {
	case $1 in
	*~rc*) echo "$1" | sed 's/^\([0-9]*\.[0-9]*\).*/\1-rc/' ;;
	*) echo "$1" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/' ;;
	esac
}

# need_device_name NAME: a LAVA device's name is its results' hostname and
# the store's host directory, so it must be one path component the store
# keeps as it is (bench/lib/result.c: letters, digits, '.', '_', '-');
# otherwise a usage error naming it.
need_device_name() {
	case $1 in
	'' | .* | *[!A-Za-z0-9._-]*)
		die_usage "device name '$1': letters, digits, '.', '_' and '-', not starting with '.'" ;;
	esac
}

# mktemp_dir TEMPLATE-PREFIX: a fresh directory under TMPDIR.
mktemp_dir() {
	mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX"
}

# sh_quote STRING: STRING single-quoted for sh (for files a shell sources).
sh_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# newc_archive DIR [NAME...]: DIR's files (or NAMEs, relative to DIR) as a
# newc cpio archive on stdout, the same bytes for the same contents: every
# mtime 0, owner root, inodes numbered in order (--reproducible).  The
# guest kernel parses every header: under virtual time (vm-run -d) a build
# stamp or host inode number there changed the boot's path, every later
# tick and the RNG, so two boots of the same files differed.
newc_archive() {
	(
		cd "$1" || exit 1
		shift
		if [ $# -eq 0 ]; then
			# shellcheck disable=SC2046 # our names, without blanks
			set -- $(find . | LC_ALL=C sort)
		fi
		touch -h -d @0 "$@" &&
			printf '%s\n' "$@" | cpio -o -H newc -R 0:0 --reproducible --quiet
	)
}

# A guest kernel line that makes a run a failure: oops, BUG, WARN(), panic,
# sanitizer reports, hung tasks.  Matched only on timestamped kernel lines
# so that program output never trips it.
FAULT_RE='^\[ *[0-9]+\.[0-9]+\] .*(Oops:|BUG:|BUG [^ ]+ \((Not t|T)ainted|WARNING: CPU:|Kernel panic|general protection fault|UBSAN:|KASAN:|kernel BUG at|list_(add|del) corruption|refcount_t:|blocked for more than)'

# --- self-built kernels ------------------------------------------------------

# What drmbench needs of a kernel given as a build tree (CONFIG_ names without
# the prefix), each =y or =m: modules; the DRM core and the helpers simgpu
# links against; vgem, the second backend; virtio-pci and 9p, which carry the
# results out of the guest; an initramfs, devtmpfs and a serial console to
# boot the guest at all.
KERNEL_NEEDS="MODULES BLK_DEV_INITRD DEVTMPFS SERIAL_8250_CONSOLE DRM DRM_SCHED
DRM_GEM_SHMEM_HELPER DRM_VGEM VIRTIO_PCI NET_9P NET_9P_VIRTIO 9P_FS"
# Needed when the kernel has them, as OPTION:HEADER: simgpu uses drm_gpuvm and
# drm_exec on the kernels whose headers have them (6.1 has neither).
KERNEL_NEEDS_IF_HEADER="DRM_GPUVM:drm/drm_gpuvm.h DRM_EXEC:drm/drm_exec.h"

# kernel_srctree BUILD: the tree whose include/ holds BUILD's headers: BUILD
# itself (an in-tree build), its 'source' link (make O=), or the common tree
# a Debian header package's Makefile includes.
kernel_srctree() {
	if [ -d "$1/include/drm" ]; then
		echo "$1"
	elif [ -d "$1/source/include/drm" ]; then
		(cd "$1/source" && pwd)
	else
		_inc=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$1/Makefile" 2>/dev/null | head -n 1)
		[ -n "$_inc" ] && [ -d "$_inc/include/drm" ] && echo "$_inc"
	fi
}

# kernel_missing_options CONFIG SRCTREE: print, on one line, the CONFIG_
# options drmbench needs (KERNEL_NEEDS, and KERNEL_NEEDS_IF_HEADER where
# SRCTREE has the header) that CONFIG sets neither y nor m.
kernel_missing_options() {
	_want=$KERNEL_NEEDS
	for _pair in $KERNEL_NEEDS_IF_HEADER; do
		[ ! -f "$2/include/${_pair#*:}" ] || _want="$_want ${_pair%%:*}"
	done
	_missing=
	for _o in $_want; do
		grep -Eq "^CONFIG_$_o=[ym]\$" "$1" || _missing="${_missing:+$_missing }CONFIG_$_o"
	done
	echo "$_missing"
}

# file_sha256 FILE: FILE's sha256 in hex.
file_sha256() {
	sha256sum "$1" | cut -d' ' -f1
}

# kernel_name KERNEL: a name for KERNEL (any argument kernel-fetch takes)
# that is safe as one file name, for vm-check's logs and ci/nightly's report
# directories.  A series, Debian version, release or registered
# local-RELEASE-HASH is its own name (7.3-rc stays 7.3-rc: split nothing on
# '-').  A build tree (anything with a /) is tree-BASENAME-HASH, HASH the
# first 8 hex digits of a sha256 of its absolute path: the same tree keeps
# its name when it is rebuilt (ci/nightly pairs nights by this name, while
# kernel-fetch's local-RELEASE-HASH changes with every build) and two trees
# never share one.  Anything else (kernel-fetch refuses it) is named the
# same way with the prefix kernel-, so that no argument ('..', '/x') can
# name a path outside the directory it is used in.
kernel_name() {
	case $1 in
	[A-Za-z0-9]*[!A-Za-z0-9._+~-]*) ;;
	[A-Za-z0-9]*)
		printf '%s\n' "$1"
		return 0
		;;
	esac
	_kn_path=$1 _kn_kind=kernel
	case $1 in
	*/*)
		_kn_kind=tree
		[ ! -d "$1" ] || _kn_path=$(cd "$1" && pwd)
		;;
	esac
	printf '%s-%s-%s\n' "$_kn_kind" \
		"$(printf '%s' "$(basename -- "$_kn_path")" | tr -c 'A-Za-z0-9._+~-' _)" \
		"$(printf '%s' "$_kn_path" | sha256sum | cut -c1-8)"
}
