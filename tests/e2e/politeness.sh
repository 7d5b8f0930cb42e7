# What a publisher asks is remembered, across restarts, and read off the
# fixture server's own request log:
#   - Retry-After (seconds, and as an HTTP date), Cache-Control max-age,
#     Expires and a feed's <ttl> hold across a restart of the daemon and
#     across one-shot runs;
#   - 429 without Retry-After waits at least twice the gap;
#   - 301 and 308 are followed: after moved_after polls the new url is
#     asked directly, in the run and after a restart;
#   - 410 Gone stops the polls, status says so, `feedspool resume` and
#     a reload bring the feed back;
#   - an article two feeds bring at once is fetched once.
. "$(dirname "$0")/lib.sh"

start_server
conf() {
	{
		echo "[feedspool]"
		echo "spool = $T/spool"
		echo "state = $T/state.db"
		echo "interval = 1s"
		echo "fetch_articles = ${ARTICLES:-no}"
		echo "user_agent = https://example.org/feedspool-e2e"
		[ -z "${1:-}" ] || printf '%s\n' "$1"
		cat
	} >"$T/feedspool.conf" || fail "cannot write the configuration"
}
# Run the daemon for $1 seconds, then stop it.
run_for() {
	"$FEEDSPOOL" run -c "$T/feedspool.conf" 2>>"$T/daemon.err" &
	rf_pid=$!
	sleep "$1"
	kill -TERM "$rf_pid"
	wait "$rf_pid" || fail "the daemon exited $?: $(tail -n 5 "$T/daemon.err")"
}
# Requests of the fixture server's log for path $1 (exact).
asked() {
	awk -F '\t' -v p="$1" '$1 == "GET" && $2 == p { n++ } END { print n + 0 }' \
	    "$T/requests.log"
}

# 1. Waits a feed was told, over restarts.  A one-shot run asks every
# feed once; then the daemon runs four seconds at a 1 s interval, is
# restarted, and runs three more.  (All at once: no gap, per_host 8.)
conf "host_gap = 0
per_host = 8" <<CONF
[maxage]
url = $BASE/cache/3600/feeds/world.xml
[expires]
url = $BASE/expires/3600/feeds/atom.xml
[ttl]
url = $BASE/feeds/ttl.xml
[gone]
url = $BASE/seq/410,200/feeds/world.xml
[control]
url = http://localhost:$PORT/feeds/world.xml
CONF
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/once0.out" 2>"$T/daemon.err" ||
	fail "the first run --once: $(tail -n 5 "$T/daemon.err")"
run_for 4
run_for 3
for f in /cache/3600/feeds/world.xml /expires/3600/feeds/atom.xml \
    /feeds/ttl.xml /seq/410,200/feeds/world.xml; do
	assert_eq 1 "$(asked "$f")" "requests of $f over restarts"
done
n=$(asked /feeds/world.xml)
[ "$n" -ge 4 ] || fail "the control feed was asked $n times in 7 s"
grep -q "feed gone: 410 Gone: no longer polled" "$T/daemon.err" ||
	fail "the 410 was not logged"
assert_eq 1 "$(grep -c "feed gone: 410 Gone" "$T/daemon.err")" "410 logged once"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
grep -Eq '^gone +GONE .*feedspool resume gone' "$T/status" ||
	fail "status on the gone feed: $(cat "$T/status")"
grep -Eq '^maxage +ok \([0-9]+\).* \(cache lifetime\)' "$T/status" ||
	fail "status on the max-age feed: $(cat "$T/status")"
grep -Eq "^ttl +ok \\([0-9]+\\).* \\(feed's ttl\\)" "$T/status" ||
	fail "status on the ttl feed: $(cat "$T/status")"
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/once1.out" 2>>"$T/daemon.err" ||
	fail "run --once"
assert_eq 1 "$(asked /seq/410,200/feeds/world.xml)" "410 after --once"
grep -q "^gone: not polled: gone (HTTP 410)" "$T/once1.out" ||
	fail "--once does not say gone was not polled: $(cat "$T/once1.out")"
# Resumed, the gone feed is asked again (its next answer is a 200).
"$FEEDSPOOL" resume -c "$T/feedspool.conf" gone >"$T/resume.out" ||
	fail "resume: $(cat "$T/resume.out")"
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/once2.out" 2>>"$T/daemon.err" ||
	fail "run --once after resume"
assert_eq 2 "$(asked /seq/410,200/feeds/world.xml)" "requests of the resumed feed"
"$FEEDSPOOL" resume -c "$T/feedspool.conf" nosuch >/dev/null 2>&1 &&
	fail "resume of a feed not configured succeeded"

# 2. What a server asked with 429 and 503 (Retry-After in seconds, as an
# HTTP date, or none) holds the feed, and its whole host, over a restart:
# the other feed of the host is not asked again either.
rm -rf "$T/state.db"* "$T/spool"
: >"$T/requests.log"
conf "host_gap = 0
per_host = 8" <<CONF
[ra]
url = $BASE/seq/429ra600,200/feeds/world.xml
[radate]
url = $BASE/seq/503rd600,200/feeds/atom.xml
[bare]
url = $BASE/seq/429/feeds/world.xml
[neighbour]
url = $BASE/feeds/atom.xml
CONF
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/once3.out" 2>"$T/daemon.err" ||
	fail "run --once: $(tail -n 5 "$T/daemon.err")"
q() { sqlite3 "$T/state.db" "$1"; }
assert_eq "rate-limited" "$(q "SELECT next_why FROM feeds WHERE name = 'bare'")" \
    "why the bare 429 waits"
gap=$(q "SELECT next_poll - last_poll FROM feeds WHERE name = 'bare'")
[ "$gap" -ge 2 ] || fail "429 without Retry-After: next poll after $gap s"
gap=$(q "SELECT retry_until - last_poll FROM feeds WHERE name = 'radate'")
[ "$gap" -ge 590 ] && [ "$gap" -le 601 ] ||
	fail "Retry-After as a date: waits $gap s, not 600"
run_for 3
for f in /seq/429ra600,200/feeds/world.xml /seq/503rd600,200/feeds/atom.xml \
    /seq/429/feeds/world.xml /feeds/atom.xml; do
	assert_eq 1 "$(asked "$f")" "requests of $f after the host's 429"
done
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/once4.out" 2>>"$T/daemon.err" ||
	fail "run --once"
assert_eq 1 "$(asked /seq/429ra600,200/feeds/world.xml)" "Retry-After after --once"
grep -q "^ra: not polled: the server asked to wait until " "$T/once4.out" ||
	fail "--once does not say why ra was not polled: $(cat "$T/once4.out")"
grep -q "^neighbour: not polled: its host asked to wait" "$T/once4.out" ||
	fail "--once does not say why neighbour was not polled: $(cat "$T/once4.out")"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
grep -Eq '^ra +FAILING +HTTP 429.*next .* \(retry-after\), rate-limited until ' \
    "$T/status" || fail "status on the rate-limited feed: $(cat "$T/status")"

# 5. Permanent moves: 301 and a chain of 308s, followed after one poll;
# with moved_after = 2, after two.
rm -rf "$T/state.db"* "$T/spool"
: >"$T/requests.log"
conf "moved_after = 1" <<CONF
[m301]
url = $BASE/moved/1/feeds/world.xml
[m308]
url = $BASE/moved308/2/feeds/atom.xml
CONF
for i in 1 2 3; do
	"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/m$i.out" 2>"$T/m$i.err" ||
		fail "moved run $i: $(tail -n 3 "$T/m$i.err")"
done
assert_eq 1 "$(asked /moved/1/feeds/world.xml)" "requests of the old url after a 301"
assert_eq 3 "$(asked /feeds/world.xml)" "requests of the new url"
assert_eq 1 "$(asked /moved308/2/feeds/atom.xml)" "requests of the old url after 308s"
assert_eq 3 "$(asked /feeds/atom.xml)" "requests at the end of the 308s"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
grep -q "moved permanently to $BASE/feeds/world.xml: update its url in the configuration (polled there directly)" \
    "$T/status" || fail "status on the followed move: $(cat "$T/status")"
rm -rf "$T/state.db"* "$T/spool"
: >"$T/requests.log"
conf "moved_after = 2" <<CONF
[m301]
url = $BASE/moved/1/feeds/world.xml
CONF
for i in 1 2 3 4; do
	"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/n$i.out" 2>"$T/n$i.err" ||
		fail "moved_after = 2, run $i"
done
assert_eq 2 "$(asked /moved/1/feeds/world.xml)" "old url asked with moved_after = 2"
assert_eq 4 "$(asked /feeds/world.xml)" "new url with moved_after = 2"

# 6. One article linked from two feeds that come in together: its page is
# fetched once (the pages take 3 s, the second feed arrives meanwhile),
# and the second story is the first's duplicate, by its link.
rm -rf "$T/state.db"* "$T/spool"
: >"$T/requests.log"
ARTICLES=yes conf "allow_private_articles = yes
duplicates = mark
per_host = 4" <<CONF
[first]
url = $BASE/feeds/slowpages.xml
[second]
url = $BASE/gzip/feeds/slowpages.xml
CONF
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/twice.out" 2>"$T/twice.err" ||
	fail "two feeds, one article: $(tail -n 3 "$T/twice.err")"
for page in harbour-reopens rail-strike-talks glacier-survey; do
	assert_eq 1 "$(asked "/slow/3/news/$page.html")" "requests of $page"
done
assert_file_count "$T/spool/new" 6
assert_eq 3 "$(jq -r 'select(.duplicate_of != null) | .id' "$T"/spool/new/* | wc -l | tr -d ' ')" \
    "stories marked duplicates of the first feed's"
assert_eq 3 "$(jq -r 'select(.text_source == "article") | .id' "$T"/spool/new/* | wc -l | tr -d ' ')" \
    "stories with their article"

stop_server
echo "waits kept over restarts, 429 slowed, moves followed, 410 stopped, one fetch per article"
