#!/bin/sh
# killstore.sh: kill -9 `drmbench run` at random moments, then check the
# store (issue 17 item 4).
#
#   sh bench/tests/killstore.sh [-n KILLS]      (default 20; the note's run: -n 200)
#
# Each round starts `drmbench run -r 50 --no-canary null syscall` into one
# temporary store and SIGKILLs it after a random delay between 0 and 1.2
# times the length of a whole run (measured first), so kills land in start
# up, in the runs and in the commit; a run that finished first is simply
# stored.  Then one more run completes normally (the "next run") and the
# store is counted:
#   torn       a stored .txt the reader refuses (drmbench table), or whose
#              .samples sidecar is missing or unreadable (drmbench hist)
#   leftovers  hidden temporaries (.*), or a .samples without its .txt
# Both must be 0 after the next run.  The temporaries the kills left before
# it are counted too: none would mean no kill hit a writer and the check
# proved nothing.  Prints the figures; asserts behaviour, never a timing.
set -u

# shellcheck source=bench/tests/lib.sh
. "$(dirname "$0")/lib.sh"

kills=20
while [ $# -gt 0 ]; do
	case $1 in
	-n) kills=${2:?-n needs a number}; shift 2 ;;
	-h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) printf 'usage: %s [-n KILLS]\n' "${0##*/}" >&2; exit 2 ;;
	esac
done
case $kills in
''|*[!0-9]*) printf '%s: -n %s: not a number\n' "${0##*/}" "$kills" >&2; exit 2 ;;
esac

if [ ! -x "$DRMBENCH" ]; then
	printf '%s: %s is not built (run make)\n' "${0##*/}" "$DRMBENCH" >&2
	printf '0 passed, 1 failed\n'
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/drmb-killstore.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
S=$T/store

set -- run -r 50 --no-canary --no-mlock --no-dma-latency -O "$S" null syscall

now_ms() {
	date +%s%N | cut -c1-13
}

# hidden files and sidecars without a result file, one per line
leftovers() {
	find "$S" -type f -name '.*'
	find "$S" -type f -name '*.samples' | while IFS= read -r f; do
		[ -e "${f%.samples}.txt" ] || printf '%s\n' "$f"
	done
}

t0=$(now_ms)
"$DRMBENCH" "$@" >/dev/null 2>&1
t1=$(now_ms)
span=$(( (t1 - t0) * 12 / 10 ))
[ "$span" -gt 0 ] || span=1

mid=0
hit=0
i=0
while [ "$i" -lt "$kills" ]; do
	i=$((i + 1))
	delay=$(awk -v s="$$$i" -v span="$span" 'BEGIN { srand(s); printf "%.3f", rand() * span / 1000 }')
	"$DRMBENCH" "$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -9 "$pid" 2>/dev/null; then
		mid=$((mid + 1))
	fi
	wait "$pid" 2>/dev/null
	# each run cleans what the kill before it left: count them here
	[ "$(leftovers | wc -l)" -eq 0 ] || hit=$((hit + 1))
done
before=$(leftovers | wc -l)

"$DRMBENCH" "$@" >/dev/null 2>&1
check "the next run completes" test $? -eq 0

torn=0
stored=0
find "$S" -type f -name '*.txt' ! -name '.*' >"$T/stored"
while IFS= read -r f; do
	stored=$((stored + 1))
	if ! "$DRMBENCH" table "$f" >/dev/null 2>&1 ||
	   ! "$DRMBENCH" hist -b Null "${f%.txt}.samples" >/dev/null 2>&1; then
		torn=$((torn + 1))
		printf '     | torn: %s\n' "$f"
	fi
done <"$T/stored"
left=$(leftovers | wc -l)
leftovers | head -n 10 | sed 's/^/     | leftover: /'

printf '     | %d kills (%d while running, %d ms window); %d of them left temporaries, %d were left before the next run\n' \
	"$kills" "$mid" "$span" "$hit" "$before"
printf '     | after the next run: %d stored files, %d torn, %d leftovers\n' "$stored" "$torn" "$left"
check "kills landed while the run was alive ($mid of $kills)" test "$mid" -gt 0
check "kills left temporaries for the next run to clean ($hit of $kills)" test "$hit" -gt 0
check "no torn result file ($torn of $stored)" test "$torn" -eq 0
check "no leftovers after the next run ($left)" test "$left" -eq 0
finish
