# End to end: every fault mode of the fixture server at once.  Each failing
# feed is logged by name, the good feeds' stories all arrive, exit 0.
. "$(dirname "$0")/lib.sh"

start_server
cat >"$T/feedspool.conf" <<CONF
[feedspool]
spool = $T/spool
state = $T/state.db
interval = 10m
max_transfers = 4
per_host = 4
; every feed is on 127.0.0.1: no gap, the faults come at once
host_gap = 0
timeout = 20
max_body = 256k
user_agent = https://example.org/feedspool-e2e

[good]
url = $BASE/feeds/world.xml

[notfound]
url = $BASE/status/404

[gone]
url = $BASE/status/410

[broken]
url = $BASE/status/500

; answered last: its Retry-After holds back the whole host (hostbudget.sh)
[limited]
# Its own host name: the wait its 429 asks holds that host back, in this
# run and (kept in the state) the next, not the feeds on 127.0.0.1.
url = http://localhost:$PORT/slow/5/status/429
interval = 1m

[moved]
url = $BASE/redirect/3/feeds/atom.xml

[toofar]
url = $BASE/redirect/9/feeds/atom.xml

[slow]
url = $BASE/slow/6/feeds/world.xml
timeout = 2

[huge]
url = $BASE/huge/8

[zipped]
url = $BASE/gzip/feeds/rdf.xml

[webpage]
url = $BASE/page.html

[truncated]
url = $BASE/truncated/feeds/world.xml

[nohost]
url = http://127.0.0.1:1/feed.xml
CONF

start=$(date +%s)
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc: $(cat "$T/err")"
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -lt 30 ] || fail "took ${elapsed}s"

expect_error() {	# FEED PATTERN: logged as a warning naming the feed
	grep -Eq "^<4>feed $1: error: $2" "$T/err" ||
		fail "$1: no error matching '$2' in the log: $(grep "feed $1:" "$T/err")"
	grep -Eq "^$1: error: $2" "$T/out" || fail "$1: summary: $(grep "^$1:" "$T/out")"
}
expect_error notfound 'HTTP 404 Not Found: check the url'
expect_error gone 'HTTP 410 Gone: the publisher removed it; remove it from the configuration'
expect_error broken 'HTTP 500 Internal Server Error'
expect_error limited 'HTTP 429 Too Many Requests, told to retry later'
expect_error toofar '.*[Rr]edirect'
expect_error slow '.*(timed out|[Tt]imeout)'
expect_error huge 'body larger than max_body'
expect_error webpage 'not a feed'
expect_error nohost '.*(onnect|refused)'

# The good ones all arrive: 3 (good) + 2 (moved) + 2 (zipped).
n=$(jq -r .feed.name "$T"/spool/new/* | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')
case $n in
*"good=3 "*"moved=2 "*) ;;
*) fail "stories per feed: $n" ;;
esac
case $n in
*"zipped=2 "*) ;;
*) fail "stories per feed: $n" ;;
esac
grep -q '^moved: 200, .*atom10, 2 items, 2 new' "$T/out" || fail "moved: $(grep '^moved' "$T/out")"
# The redirect chain was followed hop by hop.
assert_eq 1 "$(count_log '^GET	/redirect/0/feeds/atom.xml	302')" "last redirect hop"
# gzip was asked for and served compressed.
[ "$(count_log '^GET	/gzip/feeds/rdf.xml	200	.*ae=[^	]*gzip')" -ge 1 ] || fail "gzip request"
# A truncated document is recovered as far as it goes, or refused: logged either way.
grep -Eq '^truncated: (200, .*\(recovered\)|error: )' "$T/out" || fail "truncated: $(grep '^truncated' "$T/out")"
assert_file_count "$T/spool/tmp" 0

# The state store holds each failure; 429's Retry-After (120 s) wins over
# the feed's one-minute interval.
q() { sqlite3 "$T/state.db" "$1"; }
assert_eq "HTTP 404 Not Found: check the url" "$(q "SELECT last_error FROM feeds WHERE name = 'notfound'")" "notfound last_error"
assert_eq "404" "$(q "SELECT last_status FROM feeds WHERE name = 'notfound'")" "notfound last_status"
assert_eq "1" "$(q "SELECT failures FROM feeds WHERE name = 'notfound'")" "notfound failures"
assert_eq "" "$(q "SELECT last_error FROM feeds WHERE name = 'good'")" "good last_error"
wait_s=$(q "SELECT next_poll - last_poll FROM feeds WHERE name = 'limited'")
[ "$wait_s" -ge 119 ] && [ "$wait_s" -le 121 ] || fail "limited: next poll after ${wait_s}s, not Retry-After's 120"
wait_s=$(q "SELECT next_poll - last_poll FROM feeds WHERE name = 'good'")
[ "$wait_s" -ge 599 ] && [ "$wait_s" -le 631 ] || fail "good: next poll after ${wait_s}s"

# status names the broken feeds and why, and exits 3.
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status" 2>&1
assert_eq 3 "$?" "status exit"
grep -Eq '^notfound +FAILING +HTTP 404' "$T/status" || fail "status: $(cat "$T/status")"
grep -Eq '^good +ok \(200\)' "$T/status" || fail "status: $(cat "$T/status")"

# A second run: failures count up, good feeds answer 304.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out2" 2>"$T/err2" || fail "second run: $(cat "$T/err2")"
assert_eq "2" "$(q "SELECT failures FROM feeds WHERE name = 'notfound'")" "notfound failures after two polls"
grep -q '^good: 304 not modified' "$T/out2" || fail "good on the second run: $(grep '^good' "$T/out2")"
stop_server
exit 0
