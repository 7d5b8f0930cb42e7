# End to end: a feed that asks (<ttl>, sy:updatePeriod) to be polled at most
# hourly is not polled again within the configured 1 s interval; the same
# feed with follow_feed_schedule = no is.  Two host names (127.0.0.1 and
# localhost) keep the two feeds from being spread apart by the scheduler
# (they share one address's budget, per_host and no gap).
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || skip "no sqlite3"
start_server
cat >"$T/feedspool.conf" <<CONF || fail "cannot write the configuration"
[feedspool]
spool = $T/spool
state = $T/state.db
interval = 1s
fetch_articles = no
user_agent = https://example.org/feedspool-e2e
; both names are 127.0.0.1, one budget: no gap between their polls
host_gap = 0

[polite]
url = $BASE/feeds/ttl.xml

[eager]
url = http://localhost:$PORT/feeds/ttl.xml?eager
follow_feed_schedule = no
CONF

"$FEEDSPOOL" run -c "$T/feedspool.conf" 2>"$T/daemon.err" &
pid=$!
sleep 5
kill -TERM "$pid"
wait "$pid" || fail "daemon exited $?: $(cat "$T/daemon.err")"

polite=$(count_log '^GET	/feeds/ttl.xml	')
eager=$(count_log '^GET	/feeds/ttl.xml\?eager	')
assert_eq 1 "$polite" "polls of the feed that asks for an hour"
[ "$eager" -ge 3 ] || fail "follow_feed_schedule = no: $eager polls in 5 s"

# The next poll is an hour away (less the run's few seconds), not 1 s.
now=$(date +%s)
next=$(sqlite3 "$T/state.db" "SELECT next_poll FROM feeds WHERE name = 'polite'")
[ "$next" -ge $((now + 3590)) ] && [ "$next" -le $((now + 3700)) ] ||
	fail "next poll at $next, now $now"
exit 0
