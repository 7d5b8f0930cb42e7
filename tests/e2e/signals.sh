# End to end: the daemon (not --once) stops cleanly on SIGTERM, finishing the
# transfer in flight; SIGHUP adds feeds, and keeps the running configuration
# when the new one is broken.
. "$(dirname "$0")/lib.sh"

# wait_until SECONDS CMD...: poll CMD every 0.1 s.
wait_until() {
	wu_n=$(( $1 * 10 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		wu_n=$((wu_n - 1))
		[ "$wu_n" -gt 0 ] || return 1
		nap
	done
}
count_new() { find "$T/spool/new" -type f 2>/dev/null | wc -l; }
has_new() { [ "$(count_new)" -ge "$1" ]; }
alive() { kill -0 "$1" 2>/dev/null; }
# wait_exit PID SECONDS: the exit status, or fail when still running.
wait_exit() {
	wait_until "$2" sh -c "! kill -0 $1" || fail "pid $1 still running after $2 s"
	wait "$1"
}

start_server

# 1. SIGHUP: a feed added to the file is polled; a broken file is refused.
write_config "$T/feedspool.conf" world=/feeds/world.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" 2>"$T/daemon.err" &
pid=$!
wait_until 10 has_new 3 || fail "no stories from world: $(cat "$T/daemon.err")"
printf '\n[atom]\nurl = %s/feeds/atom.xml\n' "$BASE" >>"$T/feedspool.conf"
kill -HUP "$pid"
wait_until 10 has_new 5 || fail "the feed added by SIGHUP was not polled: $(cat "$T/daemon.err")"
grep -q 'feed atom: added' "$T/daemon.err" || fail "no log of the added feed"

cp "$T/feedspool.conf" "$T/good.conf"
printf '\n[rdf]\nurl = %s/feeds/rdf.xml\ncolour = blue\n' "$BASE" >>"$T/feedspool.conf"
line=$(grep -n '^colour' "$T/feedspool.conf" | cut -d: -f1)
kill -HUP "$pid"
wait_until 10 grep -q "reload: $T/feedspool.conf:$line: unknown key 'colour'" "$T/daemon.err" ||
	fail "broken reload not logged with its line: $(cat "$T/daemon.err")"
grep -q 'keeping the running configuration' "$T/daemon.err" || fail "no word of keeping the old configuration"
nap
alive "$pid" || fail "the daemon died on a broken reload"
assert_eq 5 "$(count_new)" "stories after the broken reload"

# ...and a feed removed by a reload stops being polled.
cp "$T/good.conf" "$T/feedspool.conf"
sed -i '/^\[atom\]/,$d' "$T/feedspool.conf"
kill -HUP "$pid"
wait_until 10 grep -q 'feed atom: removed' "$T/daemon.err" || fail "feed removal not logged"

kill -TERM "$pid"
wait_exit "$pid" 6
rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM"
grep -q 'stopped' "$T/daemon.err" || fail "no stop message"

# 2. SIGTERM while a transfer is in flight: it finishes, its stories land.
rm -rf "$T/spool" "$T/state.db"*
write_config "$T/slow.conf" slow=/slow/2/feeds/world.xml
"$FEEDSPOOL" run -c "$T/slow.conf" 2>"$T/slow.err" &
pid=$!
wait_until 10 grep -q 'feedspool .*: 1 feeds' "$T/slow.err" || fail "daemon did not start"
nap
kill -TERM "$pid"
wait_exit "$pid" 8
rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM with a transfer in flight"
assert_eq 3 "$(count_new)" "stories of the transfer in flight"
grep -q 'stopping, 1 transfer in flight' "$T/slow.err" || fail "$(cat "$T/slow.err")"

# 3. A bad configuration at start: exit 1, with file and line.
printf '[feedspool]\ninterval = soon\n' >"$T/bad.conf"
"$FEEDSPOOL" run -c "$T/bad.conf" --once 2>"$T/bad.err"
assert_eq 1 "$?" "exit status on a bad configuration"
grep -q "$T/bad.conf:2: interval" "$T/bad.err" || fail "bad config: $(cat "$T/bad.err")"
"$FEEDSPOOL" check-config -c "$T/bad.conf" 2>"$T/check.err"
assert_eq 1 "$?" "check-config exit status"
grep -q "$T/bad.conf:2: interval" "$T/check.err" || fail "check-config: $(cat "$T/check.err")"

# 4. An unusable spool: exit 2.
write_config "$T/nospool.conf" world=/feeds/world.xml
: >"$T/file"
"$FEEDSPOOL" run -c "$T/nospool.conf" --once --spool "$T/file/spool" 2>"$T/nospool.err"
assert_eq 2 "$?" "exit status with an unusable spool"
grep -q "spool $T/file/spool" "$T/nospool.err" || fail "$(cat "$T/nospool.err")"
stop_server
exit 0
