# A permanent move followed, remembered over a restart, and undone when
# the new url fails while the configured one works again; read off the
# fixture server's own request log and `feedspool status`.
#
# The configured url A answers its first request with a 301 to B and
# serves the feed after that; B serves the feed, fails once with a 404 on
# its 6th request (the publisher removed the new location), and serves it
# again from its 7th.  A's 200s are served through B's path, so they
# count as B's requests too: the 404 falls on a direct request of B, and
# every request of A after it gets the feed.
#   - the daemon follows A -> B once, then asks B directly, A not at all;
#   - stopped and started again, it goes on asking B directly;
#   - B's 404 sends it back to A, which it asks from then on, B not at
#     all, and `status` no longer says the feed moved;
#   - A is asked again without B's validators (they are B's: here the
#     same document, so A would answer them 304), then with its own.
. "$(dirname "$0")/lib.sh"

DAEMON_PID=
trap 'if [ -n "$DAEMON_PID" ]; then kill -TERM "$DAEMON_PID" 2>/dev/null;
    wait "$DAEMON_PID" 2>/dev/null; fi; e2e_cleanup' EXIT

B=/seq/200,200,200,200,200,404,200/feeds/world.xml
A=/seq/301,200$B

start_server
{
	echo "[feedspool]"
	echo "spool = $T/spool"
	echo "state = $T/state.db"
	echo "interval = 1s"
	echo "adaptive = no"
	echo "host_gap = 0"
	echo "fetch_articles = no"
	echo "user_agent = https://example.org/feedspool-e2e"
	echo
	echo "[feed]"
	echo "url = $BASE$A"
} >"$T/feedspool.conf" || fail "cannot write the configuration"

# The GET requests of the log from line $1 on, one "URI STATUS" a line,
# A and B for the two urls.
requests() {
	awk -F '\t' -v from="$1" -v a="$A" -v b="$B" 'NR >= from && $1 == "GET" {
	    u = $2 == a ? "A" : $2 == b ? "B" : $2; print u, $3 }' "$T/requests.log"
}
lines() {
	wc -l <"$T/requests.log" | tr -d ' '
}
# Wait (at most 30 s) until the requests from line $1 on match the
# extended regular expression $2 (the lines joined by ";"), then stop
# the daemon.
run_until() {
	"$FEEDSPOOL" run -c "$T/feedspool.conf" 2>>"$T/daemon.err" &
	DAEMON_PID=$!
	ru_i=0
	until requests "$1" | tr '\n' ';' | grep -Eq "$2"; do
		ru_i=$((ru_i + 1))
		[ "$ru_i" -le 300 ] || fail "requests from line $1: $(requests "$1" |
		    tr '\n' ';'), not $2; daemon: $(tail -n 5 "$T/daemon.err")"
		kill -0 "$DAEMON_PID" 2>/dev/null ||
			fail "the daemon died: $(tail -n 5 "$T/daemon.err")"
		nap
	done
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "the daemon exited $?: $(tail -n 5 "$T/daemon.err")"
	DAEMON_PID=
}
status() {
	"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
}

# 1. Moved: the 301 is followed, then B is asked directly, twice.
run_until 1 '^A 301;B 200;B (200|304);B (200|304);'
before=$(($(lines) + 1))
requests 1 | tr '\n' ';' | grep -Eq '^A 301;B 200;(B (200|304);)+$' ||
	fail "before the restart: $(requests 1 | tr '\n' ';')"
status
grep -Eq "^feed +ok \\((200|304)\\) .* $BASE$A\$" "$T/status" ||
	fail "status, moved: $(cat "$T/status")"
grep -Fxq "                     moved permanently to $BASE$B: update its url in the configuration (polled there directly)" \
    "$T/status" || fail "status does not say where the feed is polled: $(cat "$T/status")"

# 2. Restarted: B still, directly, up to its 404; then A, twice, and
# nothing of B.
run_until "$before" 'B 404;A (200|304);A (200|304);'
requests "$before" | tr '\n' ';' |
    grep -Eq '^(B (200|304);)*B 404;(A (200|304);)+$' ||
	fail "after the restart: $(requests "$before" | tr '\n' ';')"
requests "$before" | head -n 1 | grep -q '^B ' ||
	fail "after the restart, A was asked first: $(requests "$before" | tr '\n' ';')"
assert_eq 1 "$(requests 1 | grep -c '^A 301')" "redirects of A"
back=$(awk -F '\t' -v a="$A" -v b="$B" '$2 == b && $3 == 404 { f = 1; next }
    f && $2 == a { print $3, $4, $5; exit }' "$T/requests.log")
assert_eq "200 inm=- ims=-" "$back" "A's first answer after B failed"
requests "$before" | tail -n 1 | grep -q '^A 304$' ||
	fail "A not asked with its own validators: $(requests "$before" | tr '\n' ';')"
status
grep -Eq "^feed +ok \\((200|304)\\) .* $BASE$A\$" "$T/status" ||
	fail "status, back: $(cat "$T/status")"
grep -q "moved" "$T/status" && fail "status still says moved: $(cat "$T/status")"
assert_file_count "$T/spool/new" 3
stop_server
echo "moved to B, kept over a restart, back to A when B failed"
exit 0
