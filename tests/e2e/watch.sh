# End to end: watch terms tag the stories that match them ("watch" in the
# file: name, the terms as configured, where), by words of the article page
# as well as of the feed; keep = watch and drop = WATCH leave stories out
# of the spool, record them all the same (a second run neither spools nor
# fetches them again), and the run's summary counts them; a pattern that
# does not compile is an error naming its file and line.
. "$(dirname "$0")/lib.sh"

start_server
HOST_GAP=0
WATCHES='
[watch glaciers]
terms = "ALPINE Glaciers", Gletscher

[watch aerial]
; only in the article page, never in the feed
terms = helicopter
where = text

[watch ports]
terms = port authority, "harbour, old"
patterns = \bferr(y|ies)\b
where = title, text

[watch strikes]
terms = strikes
exclude = night trains'

run_once() {	# CONFIG LOGNAME
	"$FEEDSPOOL" run -c "$1" --once >"$T/$2.out" 2>"$T/$2.err" ||
		fail "$2: exit $?: $(cat "$T/$2.err")"
}
# The story of the item whose title starts with $1: jq's $2 of it.
of() { jq -c "select(.title | startswith(\"$1\")) | $2" "$T"/spool/new/*; }

# 1. Tags alone: every story spooled, the matching ones tagged.
CONFIG_EXTRA="allow_private_articles = yes"
write_config "$T/tag.conf" world=/feeds/world.xml
printf '%s\n' "$WATCHES" >>"$T/tag.conf"
run_once "$T/tag.conf" tag
assert_file_count "$T/spool/new" 3
assert_eq '[{"name":"glaciers","terms":["ALPINE Glaciers"],"where":["text"]},{"name":"aerial","terms":["helicopter"],"where":["text"]}]' \
    "$(of Glacier .watch)" "the glacier story's watches"
assert_eq '[{"name":"ports","terms":["port authority","\\bferr(y|ies)\\b"],"where":["title","text"]}]' \
    "$(of Old .watch)" "the harbour story's watches"
# "strikes" is there, but so is "night trains": vetoed.  No watch, no field.
assert_eq false "$(of Rail 'has("watch")')" "the rail story has no watch field"

# 2. keep = watch everywhere, and this feed drops what matches ports: only
# the glacier story is spooled; the others are recorded.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="allow_private_articles = yes
keep = watch"
write_config "$T/keep.conf" world=/feeds/world.xml
printf 'drop = ports\n%s\n' "$WATCHES" >>"$T/keep.conf"
run_once "$T/keep.conf" keep1
assert_file_count "$T/spool/new" 1
assert_eq '"Glacier survey finds faster summer melt"' "$(of Glacier .title)" "the one kept"
grep -q '2 dropped by watch' "$T/keep1.out" || fail "summary: $(cat "$T/keep1.out")"
grep -q 'feed world: story .* matches watch ports, recorded, not spooled' "$T/keep1.err" ||
	fail "the harbour story's drop was not logged: $(cat "$T/keep1.err")"
grep -q 'feed world: story .* matches no watch (keep = watch), recorded, not spooled' "$T/keep1.err" ||
	fail "the rail story's drop was not logged: $(cat "$T/keep1.err")"
# The decision waits for the page: every page was fetched once more.
for p in glacier-survey rail-strike-talks harbour-reopens; do
	assert_eq 2 "$(count_log "^GET	/news/$p.html")" "requests for $p"
done

# A second run: nothing new, nothing fetched again, nothing spooled again.
run_once "$T/keep.conf" keep2
assert_file_count "$T/spool/new" 1
for p in glacier-survey rail-strike-talks harbour-reopens; do
	assert_eq 2 "$(count_log "^GET	/news/$p.html")" "requests for $p after a second run"
done
assert_eq 3 "$(sqlite3 "$T/state.db" "select count(*) from items where status = 'delivered'")" \
    "items recorded as handled"

# 3. keep = all for a feed overrides the default keep = watch; feeds without
# pages are matched on the feed's text alone.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="fetch_articles = no
keep = watch"
write_config "$T/none.conf" world=/feeds/world.xml
printf 'keep = all\n%s\n' "$WATCHES" >>"$T/none.conf"
run_once "$T/none.conf" none
assert_file_count "$T/spool/new" 3
# "helicopter" is only in the page, which was not fetched.
assert_eq '[{"name":"glaciers","terms":["ALPINE Glaciers"],"where":["text"]}]' \
    "$(of Glacier .watch)" "the glacier story's watches without its page"

# 4. Errors name the file and line.
printf '%s\n' '[feedspool]' 'drop = nosuch' '' '[watch bad]' 'patterns = (unclosed' \
    'terms = ok, ' 'where = title, body' >"$T/bad.conf"
"$FEEDSPOOL" check-config -c "$T/bad.conf" >"$T/bad.out" 2>&1 &&
	fail "check-config accepted a bad watch"
grep -q "bad.conf:5: patterns: '(unclosed': offset 9: missing closing parenthesis" "$T/bad.out" ||
	fail "pattern error: $(cat "$T/bad.out")"
grep -q "bad.conf:6: terms: an empty term after the last comma" "$T/bad.out" ||
	fail "terms error: $(cat "$T/bad.out")"
grep -q "bad.conf:7: where: 'body' is not title, text or categories" "$T/bad.out" ||
	fail "where error: $(cat "$T/bad.out")"
grep -q "bad.conf:2: drop: no \[watch nosuch\]" "$T/bad.out" ||
	fail "drop error: $(cat "$T/bad.out")"
stop_server
exit 0
