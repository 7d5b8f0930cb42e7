# Under WatchdogSec= the loop itself pings systemd (WATCHDOG=1) every half
# period, and says READY=1 and STOPPING=1: read off the notify messages the
# daemon sends (strace shows them even with no one listening).
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 || fail "strace is not installed (scripts/deps)"
start_server
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/feedspool.conf" world=/feeds/world.xml
# LeakSanitizer cannot work under ptrace: leaks are checked by the other tests.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
    NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=400000 \
    strace -f -qq -s 200 -o "$T/trace" -e trace=sendmsg \
    "$FEEDSPOOL" run -c "$T/feedspool.conf" 2>"$T/err" &
pid=$!
sleep 3
pkill -TERM -P "$pid" feedspool
wait "$pid"
stop_server
grep -q "watchdog: a ping every 200 ms" "$T/err" ||
	fail "no watchdog set up: $(cat "$T/err")"
grep -q 'READY=1' "$T/trace" || fail "no READY=1"
grep -q 'STOPPING=1' "$T/trace" || fail "no STOPPING=1"
n=$(grep -c 'WATCHDOG=1' "$T/trace")
[ "$n" -ge 5 ] || fail "$n watchdog pings in 3 s at 200 ms"
# Without WatchdogSec= there is none.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" NOTIFY_SOCKET="$T/notify" \
    strace -f -qq -s 200 -o "$T/trace2" -e trace=sendmsg \
    "$FEEDSPOOL" run -c "$T/feedspool.conf" --once >/dev/null 2>"$T/err2" ||
	fail "run --once: $(cat "$T/err2")"
grep -q 'WATCHDOG=1' "$T/trace2" && fail "pings without a watchdog"
echo "watchdog: $n pings in 3 s"
