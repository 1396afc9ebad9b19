#!/bin/sh
# Shared by the shell tests in bench/tests/: where things are, their start
# (setup) and the pass/fail/skip counting that ends in "N passed, N failed,
# N skipped".
# Source it with:  . "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034 # TOP, DRMBENCH and GOFMT are for the sourcing test

TOP=$(cd "$(dirname "$0")/../.." && pwd)
DRMBENCH=${DRMBENCH:-$TOP/bench/drmbench}
GOFMT=$TOP/bench/tests/test_gofmt

passed=0
failed=0
skipped=0

pass() {
	passed=$((passed + 1))
	printf 'ok   %s\n' "$*"
}

fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$*"
}

skip() {
	skipped=$((skipped + 1))
	printf 'SKIP %s\n' "$*"
}

# check DESCRIPTION COMMAND...: one check from a command's status.
check() {
	_what=$1
	shift
	if "$@"; then
		pass "$_what"
	else
		fail "$_what"
	fi
}

# says DESC FILE PATTERN...: pass when FILE holds every PATTERN
says() {
	_desc=$1 _file=$2
	shift 2
	for _p in "$@"; do
		if ! grep -q -- "$_p" "$_file" 2>/dev/null; then
			fail "$_desc: '$_p' not in $_file: $(cat "$_file" 2>/dev/null)"
			return
		fi
	done
	pass "$_desc"
}

# finish: the closing counts line; the status is 1 on any failure.
finish() {
	printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	[ "$failed" -eq 0 ]
}

# setup NAME FILE...: stop with one failure unless every FILE is built,
# then make T, a temporary directory removed when the test exits.
setup() {
	_name=$1
	shift
	for _f in "$@"; do
		if [ ! -x "$_f" ]; then
			printf '%s: %s is not built (run make)\n' "${0##*/}" "$_f" >&2
			printf '0 passed, 1 failed\n'
			exit 1
		fi
	done
	T=$(mktemp -d "${TMPDIR:-/tmp}/drmb-$_name.XXXXXX") || exit 1
	trap 'rm -rf "$T"' EXIT
	trap 'exit 1' HUP INT TERM
}
