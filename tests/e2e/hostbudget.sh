# End to end: the per-host budget, from the fixture server's own log.
# localhost and 127.0.0.1 are two names of one address (the server
# listens on 127.0.0.1 only): they share one budget, per_host = 1 at
# once and the default host_gap (1 s) between two starts, feeds and pages
# together; a 429 with Retry-After from one name holds back every feed of
# that name and of the address until the time it asked for.
#
# The first request to a name cannot know its address (it is learned
# when that request connects), so each part lets one name be learned
# before the requests it asserts on.  Margins are wide: a start is held
# back at least 1 s; 0.7 s is asserted, and a missing gap shows as a few
# milliseconds.
HOST_GAP=
. "$(dirname "$0")/lib.sh"

grep -Eq '^127\.0\.0\.1[[:space:]]+(.*[[:space:]])?localhost([[:space:]]|$)' \
    /etc/hosts || skip "localhost is not 127.0.0.1 in /etc/hosts"

# field NAME [FILE]: the value of NAME= on each line of the request log
field() {
	awk -F '	' -v k="$1=" '{ for (i = 1; i <= NF; i++)
	    if (index($i, k) == 1) print substr($i, length(k) + 1) }' \
	    "${2:-$T/requests.log}"
}

# start_of VAR PATTERN: VAR set to when the one request matching came in
start_of() {
	grep -E -- "$2" "$T/requests.log" >"$T/one" || fail "no request $2"
	[ "$(wc -l <"$T/one")" -eq 1 ] || fail "more than one request $2"
	so_t=$(field t "$T/one")
	case $so_t in
	''|*[!0-9]*) fail "request $2: no start time" ;;
	esac
	eval "$1=\$so_t"
}

SITE_ROOT="$T/site"
mkdir -p "$SITE_ROOT/feeds" || fail "cannot make the site"
start_server
LOCAL="http://localhost:$PORT"

# 1. A feed on localhost whose items link to pages on both names: once
# the feed is in, localhost is known to be 127.0.0.1, and its pages and
# those of 127.0.0.1 (a name that is an address) come under one budget.
# Some pages take a second (two budgets would overlap them), some none
# (without a gap they would come milliseconds apart).
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<rss version="2.0"><channel><title>Two names</title>'
	echo "<link>$LOCAL/</link><description>One server</description>"
	n=0
	for page in "$LOCAL/slow/1/gen-article/1.html" \
	    "$BASE/slow/1/gen-article/2.html" "$LOCAL/gen-article/3.html" \
	    "$BASE/gen-article/4.html" "$LOCAL/gen-article/5.html" \
	    "$BASE/gen-article/6.html"; do
		n=$((n + 1))
		echo "<item><guid>two-names-$n</guid><title>Story $n</title>"
		echo "<link>$page</link>"
		echo "<description>Story number $n of two names.</description>"
		echo "<pubDate>Mon, 01 Jan 2024 1$n:00:00 +0000</pubDate></item>"
	done
	echo '</channel></rss>'
} >"$SITE_ROOT/feeds/names.xml" || fail "cannot write the feed"
CONFIG_EXTRA="per_host = 1
max_transfers = 8
allow_private_articles = yes
duplicates = mark"
write_config "$T/names.conf" names="$LOCAL/feeds/names.xml"
"$FEEDSPOOL" run --once -c "$T/names.conf" >"$T/out" 2>"$T/err" ||
	fail "run: $(cat "$T/err")"
assert_eq 7 "$(count_log "	200	")" "the feed and its six pages: 200"
assert_eq 7 "$(field t | grep -c '^[0-9]')" "requests with a start time"
assert_eq 3 "$(count_log "gen-article.*	host=localhost:$PORT	")" \
    "pages asked of localhost"
# Never two at once to the address, though two names were asked.
assert_eq 1 "$(field inflight | sort -n | tail -n 1)" \
    "most in flight to 127.0.0.1"
# Every start at least the gap after the one before, whatever the name.
field t | sort -n | awk 'NR > 1 && $1 - prev < 700 { bad = 1
	printf "starts %.0f ms apart (at %.0f)\n", $1 - prev, $1 }
	{ prev = $1 } END { exit bad }' >&2 ||
	fail "requests closer than host_gap"
assert_file_count "$T/spool/new" 6

# 2. A 429 with Retry-After: 3 from localhost, while 127.0.0.1 is busy with
# a slow feed: localhost is found at 127.0.0.1, and no feed of either name
# starts before the 3 s are over.  Without the wait the feed of 127.0.0.1
# would start when the slow one ends (2 s), localhost's 1 s later.
stop_server
rm -rf "$T/spool" "$T/state.db"
: >"$T/requests.log"
SITE_ROOT=
start_server
LOCAL="http://localhost:$PORT"
CONFIG_EXTRA="per_host = 1
fetch_articles = no"
write_config "$T/wait.conf" slow=/slow/2/feeds/world.xml \
    busy="$LOCAL/retry-after/3/status/429" other=/feeds/atom.xml \
    same="$LOCAL/feeds/rdf.xml"
"$FEEDSPOOL" run --once -c "$T/wait.conf" >"$T/out" 2>"$T/err" ||
	fail "run: $(cat "$T/err")"
grep -q 'host localhost: HTTP 429: no request to it or to 127.0.0.1 for 3s' \
    "$T/err" || fail "no host-wide wait in the log: $(cat "$T/err")"
start_of t429 '^GET	/retry-after/3/status/429	429	'
start_of tslow '^GET	/slow/2/feeds/world\.xml	200	'
start_of tother '^GET	/feeds/atom\.xml	200	'
start_of tsame '^GET	/feeds/rdf\.xml	200	'
[ "$tother" -ge $((t429 + 2500)) ] ||
	fail "127.0.0.1 polled $((tother - t429)) ms after localhost's 429"
[ "$tsame" -ge $((t429 + 2500)) ] ||
	fail "localhost polled $((tsame - t429)) ms after its 429"
d=$((tsame - tother))
[ "${d#-}" -ge 700 ] || fail "the two waiting feeds started $d ms apart"
# Only the first requests of the two names overlapped: that is the limit.
[ "$tslow" -le "$t429" ] || [ $((tslow - t429)) -lt 1000 ] ||
	fail "the first two requests: $tslow and $t429"
exit 0
