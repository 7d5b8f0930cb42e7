# A story waits in memory for its page: past max_page_queue stories
# waiting, the feeds that fetch pages wait to be polled until the pages
# catch up, so a first poll of many feeds holds a bounded number of
# stories, not every item of every feed (before, 2,000 feeds held 55,000
# stories and 351 MiB).  Checked from the fixture server's request log:
# when any feed is requested, the items of the feeds requested before it,
# less the pages requested before it, never exceed max_page_queue and the
# items of the polls that may be in flight at once (it was 260 of 600
# here before).  Every story arrives, once, its page fetched once.
. "$(dirname "$0")/lib.sh"

FEEDS=30
ITEMS=20
QUEUE=20
TRANSFERS=2

start_server
CONFIG_EXTRA="max_transfers = $TRANSFERS
per_host = $TRANSFERS
fetch_articles = yes
allow_private_articles = yes
duplicates = mark
max_page_queue = $QUEUE"
set --
i=0
while [ "$i" -lt "$FEEDS" ]; do
	set -- "$@" "f$i=/gen/$((i * 1000))+$ITEMS.xml"
	i=$((i + 1))
done
write_config "$T/feedspool.conf" "$@"

"$FEEDSPOOL" run -c "$T/feedspool.conf" --once -v >"$T/out" 2>"$T/err" ||
	fail "run: $(tail -n 5 "$T/err")"
assert_file_count "$T/spool/new" "$((FEEDS * ITEMS))"
assert_eq "$FEEDS" "$(count_log "^GET	/gen/[0-9]+\+$ITEMS\.xml	200")" \
    "feed requests"
assert_eq "$((FEEDS * ITEMS))" "$(count_log "^GET	/gen-article/[0-9]+\.html	200")" \
    "page requests"
assert_eq "$((FEEDS * ITEMS))" \
    "$(jq -r .url "$T"/spool/new/* | sort -u | wc -l | tr -d ' ')" \
    "stories, each once"
grep -q "feed polls wait for them" "$T/err" ||
	fail "no word of polls waiting: $(grep -c . "$T/err") lines of log"

# The most stories that waited when a feed was requested, as the log says.
most=$(awk -F '\t' -v items="$ITEMS" '
	$2 ~ /^\/gen\/[0-9]+\+/ { if (feeds * items - pages > most)
		most = feeds * items - pages; feeds++ }
	$2 ~ /^\/gen-article\// { pages++ }
	END { print most + 0 }' "$T/requests.log")
bound=$((QUEUE + TRANSFERS * ITEMS))
[ "$most" -le "$bound" ] ||
	fail "$most stories waited for their page when a feed was polled" \
	    "(at most $bound: max_page_queue $QUEUE and $TRANSFERS polls)"

validate_stories
stop_server
echo "PASS: pagequeue"
