# Thousands of stories waiting on a full spool cost the daemon one page of
# them in memory, not all of them: at start-up and at each retry it reads
# back the pending rows a page at a time, and stops at the first page the
# spool refuses.  Before, every retry read back and parsed every waiting
# story: 136,911 of them took 1.5 GB, every 60 s, until the disk had room.
# Once the spool has room, every story arrives, once (more than one page).
#
# As in spoolfull.sh, the spool is a real tmpfs (of 64 inodes) in a mount
# namespace of the test's own; where none may be made the test is skipped.
# Peak RSS (VmHWM) is checked in the plain build only: the sanitizers'
# shadow memory and quarantine are no measure of the program's own.
if [ -z "${PENDBOUND_NS:-}" ]; then
	for u in "unshare -m" "unshare -rm"; do
		if $u sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt' \
		    >/dev/null 2>&1; then
			PENDBOUND_NS=1 exec $u sh "$0" "$@"
		fi
	done
	echo "SKIP: cannot mount a small filesystem here (unshare -m and" \
	    "unshare -rm refused): the test needs one" >&2
	exit 77
fi
. "$(dirname "$0")/lib.sh"

# Stories made to wait: a feed of the fixture server's largest size.
WAITING=5000
# What the second run may reach, in KiB: 19 MiB here now; before, the
# 5,000 stories read back at each retry took it to 35 MiB.
HWM_MAX=27648

FS="$T/fs"
small_fs "$FS" size=128k,nr_inodes=64

start_server
{
	echo "[feedspool]"
	echo "spool = $FS/spool"
	echo "state = $T/state.db"
	echo "interval = 1h"
	echo "host_gap = 0"
	echo "user_agent = https://example.org/feedspool-e2e"
	echo "fetch_articles = no"
	echo "duplicates = mark"
	printf '\n[a]\nurl = %s/gen/%s.xml\n' "$BASE" "$WAITING"
} >"$T/feedspool.conf" || fail "cannot write the configuration"

in_new() {
	find "$FS/spool/new" -mindepth 1 -maxdepth 1 -name '*.json' \
	    2>/dev/null | wc -l
}
pending() {
	"$FEEDSPOOL" status -c "$T/feedspool.conf" 2>&1 |
	    sed -n 's/.*spool full: \([0-9]*\) stories waiting.*/\1/p' | head -n 1
}

# 1. The first poll fills the spool: most stories wait in the state.
: >"$T/err"
"$FEEDSPOOL" run -c "$T/feedspool.conf" -v >"$T/out" 2>>"$T/err" &
DAEMON_PID=$!
wait_for 'grep -q "spool full" "$T/err" && grep -q "feed a: 200" "$T/err"' \
    1200 || fail "no full spool after the feed: $(tail -n 5 "$T/err")"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "the daemon exited with status $?"
DAEMON_PID=
got=$(in_new)
waiting=$(pending)
[ -n "$waiting" ] || fail "status shows no stories waiting"
assert_eq "$WAITING" "$((got + waiting))" "stories in new/ and waiting"
[ "$waiting" -gt 1000 ] || fail "only $waiting stories wait: the test proves nothing"

# 2. A start with the spool still full: the feeds are not due (1 h), so
# what it holds is the waiting stories' read-back, at start and at the
# retries after 1, 2 and 4 s.
: >"$T/err"
"$FEEDSPOOL" run -c "$T/feedspool.conf" -v >"$T/out" 2>>"$T/err" &
DAEMON_PID=$!
wait_for '[ "$(grep -c "spool full" "$T/err")" -ge 3 ]' 300 ||
	fail "not three full-spool attempts after the start: $(tail -n 5 "$T/err")"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$DAEMON_PID/status")
[ -n "$hwm" ] || fail "no VmHWM for the daemon"
echo "peak RSS with $waiting stories waiting: $hwm KiB"
if [ "${BUILD_KIND:-plain}" = plain ] && [ "$hwm" -gt "$HWM_MAX" ]; then
	fail "peak RSS $hwm KiB with $waiting stories waiting (at most $HWM_MAX)"
fi
assert_eq 0 "$(grep -c "feed a: 200" "$T/err")" "feeds polled again"

# 3. Room again: every story arrives, once, page after page.
mount -o remount,size=256m,nr_inodes=16384 "$FS" || fail "cannot grow $FS"
wait_for '[ "$(in_new)" -ge "$WAITING" ]' 600 ||
	fail "only $(in_new) of $WAITING stories in new/ 60 s after the spool had room: $(tail -n 3 "$T/err")"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "the daemon exited with status $?"
DAEMON_PID=
assert_eq "$WAITING" "$(sed -n 's/^  "id": "\([0-9a-f]*\)",$/\1/p' \
    "$FS"/spool/new/*.json | sort -u | grep -c .)" "distinct stories in new/"
assert_eq "" "$(pending)" "stories still waiting"
echo "$waiting stories waited on a full spool, read back a page at a time ($hwm KiB at most); all $WAITING arrived once"
