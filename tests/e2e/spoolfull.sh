# A spool that fills up, and one that turns read-only, lose nothing and
# hold nothing back: the stories wait in the state database, and once the
# spool takes files again every one arrives, without a restart and none
# twice.  While they wait the feed is asked without its validators (they
# are held until its stories are in), and `feedspool status` says so.
#
# The spool is a real small filesystem: a tmpfs of 128 KiB, mounted in a
# mount namespace of the test's own (unshare -m as root, or -rm in a user
# namespace), so the mount goes with the test whatever happens.  A real
# ENOSPC and EROFS from the kernel, on every call that can fail (create,
# write, close, syncfs, rename, fsync), are what a user's full disk does;
# an LD_PRELOAD shim would fake only the calls it knows of.  Where no
# namespace may be made the test is skipped, saying why.
if [ -z "${SPOOLFULL_NS:-}" ]; then
	for u in "unshare -m" "unshare -rm"; do
		if $u sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt' \
		    >/dev/null 2>&1; then
			SPOOLFULL_NS=1 exec $u sh "$0" "$@"
		fi
	done
	echo "SKIP: cannot mount a small filesystem here (unshare -m and" \
	    "unshare -rm refused): the full-spool test needs one" >&2
	exit 77
fi
. "$(dirname "$0")/lib.sh"

FS="$T/fs"
mkdir -p "$T/consumed" || fail "mkdir"
small_fs "$FS" size=128k,nr_inodes=4096

start_server
# The feeds of the configuration: NAME=PATH ...
configure() {
	{
		echo "[feedspool]"
		echo "spool = $FS/spool"
		echo "state = $T/state.db"
		echo "interval = 2s"
		echo "host_gap = 0"
		echo "user_agent = https://example.org/feedspool-e2e"
		echo "fetch_articles = yes"
		echo "allow_private_articles = yes"
		echo "duplicates = mark"
		for c_feed in "$@"; do
			printf '\n[%s]\nurl = %s%s\n' "${c_feed%%=*}" "$BASE" \
			    "${c_feed#*=}"
		done
	} >"$T/feedspool.conf" || fail "cannot write the configuration"
}
configure big=/gen/120.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" -v >"$T/out" 2>"$T/err" &
DAEMON_PID=$!

in_new() {
	find "$FS/spool/new" -mindepth 1 -maxdepth 1 -name '*.json' \
	    2>/dev/null | wc -l
}
consumed() {
	find "$T/consumed" -mindepth 1 -maxdepth 1 | wc -l
}
# A consumer: takes what is in new/ out of the spool.
consume() {
	for f in "$FS"/spool/new/*.json; do
		[ -e "$f" ] || continue
		mv "$f" "$T/consumed/" || fail "consumer: mv $f"
	done
}
# Every file ever delivered is a whole story; none came twice.
check_files() {
	: >"$T/ids"
	for f in "$T"/consumed/*.json "$FS"/spool/new/*.json; do
		[ -e "$f" ] || continue
		[ "$(tail -c 1 "$f")" = "}" ] || fail "$f: not a whole story file"
		sed -n 's/^  "id": "\([0-9a-f]*\)",$/\1/p' "$f" >>"$T/ids"
	done
	assert_eq "$1" "$(grep -c . "$T/ids")" "stories delivered"
	assert_eq "$1" "$(sort -u "$T/ids" | grep -c .)" \
	    "distinct stories delivered"
}

# 1. The spool fills up: the stories that do not fit wait.
wait_for 'grep -q "spool full" "$T/err"' 300 ||
	fail "no 'spool full' in the log: $(tail -n 5 "$T/err")"
grep "spool full" "$T/err" | head -n 1 |
    grep -q "stories waiting since .*feed big: story [0-9a-f]\{16\}: spool" ||
	fail "the first 'spool full' line names no story and feed: $(grep "spool full" "$T/err" | head -n 1)"
got=$(in_new)
[ "$got" -lt 120 ] || fail "all 120 stories fit in 128 KiB: the test proves nothing"
[ -z "$(find "$FS/spool/new" -name '.*' -o -name '*.tmp')" ] ||
	fail "a partial file in new/"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
grep -q "(spool) .*FAILING since .* spool full: [0-9]* stories waiting" \
    "$T/status" || fail "status does not show the full spool: $(cat "$T/status")"
# Polled meanwhile (every 2 s), the feed is asked without validators.
wait_for '[ "$(grep -c "^GET	/gen/120.xml	200	inm=-" "$T/requests.log")" -ge 2 ]' 100 ||
	fail "the feed was not asked again unconditionally while its stories waited"
assert_eq 0 "$(grep -c "^GET	/gen/120.xml	304" "$T/requests.log")" \
    "304s while stories wait"

# 2. A consumer takes the files away: every story arrives, once.
i=0
while [ $(($(in_new) + $(consumed))) -lt 120 ]; do
	consume
	i=$((i + 1))
	[ "$i" -le 600 ] || fail "only $(($(in_new) + $(consumed))) of 120 stories after 60 s: $(tail -n 3 "$T/err")"
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died"
	nap
done
consume
wait_for 'grep -q "spool: delivering again" "$T/err"' 100 ||
	fail "no 'delivering again' in the log"
check_files 120
# With its stories in, the feed has its validators: 304 from now on.
wait_for '[ "$(grep -c "^GET	/gen/120.xml	304" "$T/requests.log")" -ge 1 ]' 100 ||
	fail "the feed is not asked with its validators once its stories are in"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
grep -q "(spool)" "$T/status" && fail "status still shows the spool: $(cat "$T/status")"

# 3. The spool turns read-only; a new feed's stories wait, then arrive.
mount -o remount,ro "$FS" || fail "cannot remount $FS read-only"
configure big=/gen/120.xml small=/gen/30.xml
kill -HUP "$DAEMON_PID"
wait_for 'grep -q "spool read-only" "$T/err"' 300 ||
	fail "no 'spool read-only' in the log: $(tail -n 5 "$T/err")"
sleep 3
check_files 120
mount -o remount,rw "$FS" || fail "cannot remount $FS read-write"
i=0
while [ $(($(in_new) + $(consumed))) -lt 150 ]; do
	consume
	i=$((i + 1))
	[ "$i" -le 600 ] || fail "only $(($(in_new) + $(consumed))) of 150 stories 60 s after the spool came back"
	nap
done
consume
check_files 150

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "the daemon exited with status $?"
DAEMON_PID=

# 4. A start on a spool that is read-only already (a leftover in tmp/ it
# cannot remove): the daemon runs, polls, and delivers once it may.
echo '{"half": ' >"$FS/spool/tmp/1.deadbeefdeadbeef.json"
mount -o remount,ro "$FS" || fail "cannot remount $FS read-only"
configure big=/gen/120.xml small=/gen/30.xml third=/gen/40.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" -v >"$T/out" 2>"$T/err2" &
DAEMON_PID=$!
wait_for 'grep -q "spool read-only" "$T/err2"' 300 ||
	fail "no 'spool read-only' after a start on it: $(tail -n 5 "$T/err2")"
mount -o remount,rw "$FS" || fail "cannot remount $FS read-write"
i=0
while [ $(($(in_new) + $(consumed))) -lt 190 ]; do
	consume
	i=$((i + 1))
	[ "$i" -le 600 ] || fail "only $(($(in_new) + $(consumed))) of 190 stories 60 s after the spool came back"
	nap
done
consume
check_files 190
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "the daemon exited with status $?"
DAEMON_PID=
echo "spool full, then read-only, then read-only at start: 190 stories, each once, none lost"
