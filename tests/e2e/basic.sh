# End to end: the fixture feeds through the daemon into the spool, once, and
# again with conditional requests answered 304.
. "$(dirname "$0")/lib.sh"

start_server
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml \
    rdf=/feeds/rdf.xml seed=/feeds/seed.xml

"$FEEDSPOOL" check-config -c "$T/feedspool.conf" >"$T/check.out" ||
	fail "check-config refused a good configuration"
grep -q "^configuration OK" "$T/check.out" || fail "check-config: $(cat "$T/check.out")"

"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run1.out" 2>"$T/run1.err" ||
	fail "first run exited $?: $(cat "$T/run1.err")"
# 3 + 2 + 2 + 5 items, but four seed items link to the pages of the atom
# and rdf items: the same URL is one story, recorded twice.
assert_file_count "$T/spool/new" 8
assert_file_count "$T/spool/tmp" 0
grep -q '^world: 200, .*3 items, 3 new' "$T/run1.out" || fail "summary: $(cat "$T/run1.out")"
grep -q '^rdf: 200, .*rss10, 2 items, 2 new' "$T/run1.out" || fail "summary: $(cat "$T/run1.out")"
grep -q '^<6>feed atom: 200' "$T/run1.err" || fail "no log line for atom"

# File names sort by time: <unix-ms>.<id>.json, with the id inside.
for f in "$T"/spool/new/*; do
	name=$(basename "$f")
	echo "$name" | grep -Eq '^[0-9]{13}\.[0-9a-f]{16}\.json$' || fail "bad name $name"
	id=$(jq -r .id "$f")
	assert_eq "$(echo "$name" | cut -d. -f2)" "$id" "id in $name"
	assert_eq 3 "$(jq .schema "$f")" "schema of $name"
	jq -e '.fetched | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' "$f" >/dev/null ||
		fail "$name: fetched is not RFC 3339"
done

# One story, every field.
s=$(grep -l '"guid": "ltc-world-1001"' "$T"/spool/new/*) || fail "no story for ltc-world-1001"
assert_eq "world" "$(jq -r .feed.name "$s")" "feed.name"
assert_eq "$BASE/feeds/world.xml" "$(jq -r .feed.url "$s")" "feed.url"
assert_eq "$BASE/news/harbour-reopens.html" "$(jq -r .url "$s")" "url"
assert_eq "Old harbour reopens to ferries after two-year rebuild" "$(jq -r .title "$s")" "title"
assert_eq "2023-06-13T08:00:00Z" "$(jq -r .published "$s")" "published"
assert_eq "null" "$(jq -r .updated "$s")" "updated"
assert_eq "World" "$(jq -r '.categories[0]' "$s")" "categories"
assert_eq "en" "$(jq -r .language "$s")" "language"
assert_eq "feed" "$(jq -r .language_source "$s")" "language_source"
jq -r .text "$s" | grep -q "reopened to passenger ferries" || fail "text"
# A description and no content element: content null, as the feed gave it.
jq -e '.summary | test("reopened to passenger ferries")' "$s" >/dev/null ||
	fail "summary: $(jq .summary "$s")"
assert_eq "null" "$(jq -r .content "$s")" "content"

# Atom and RDF come through with their own fields.
n=$(jq -r 'select(.feed.name == "atom") | .title' "$T"/spool/new/* | grep -c .)
assert_eq 2 "$n" "atom stories"
n=$(jq -r 'select(.feed.name == "rdf") | .published' "$T"/spool/new/* | grep -c 'Z$')
assert_eq 2 "$n" "rdf stories with a date"
# The RDF feed declares no language: detected from the text.
n=$(jq -r 'select(.feed.name == "rdf") | "\(.language) \(.language_source)"' \
    "$T"/spool/new/* | grep -c '^en detected$')
assert_eq 2 "$n" "rdf stories with a detected language"
# An Atom entry with content and no summary: summary null.
n=$(jq -r 'select(.feed.name == "atom" and .summary == null) | .content' \
    "$T"/spool/new/* | grep -c .)
assert_eq 1 "$n" "atom stories with content and no summary"
n=$(jq -r 'select(.feed.name == "seed") | .url' "$T"/spool/new/* | grep -c "^$BASE/news/blinken-beijing.html$")
assert_eq 1 "$n" "seed story url"

# Politeness: truthful User-Agent, compression offered, no cookie, no Referer.
n=$(count_log "	ua=feedspool/[0-9.]+ \(\+https://example.org/feedspool-e2e\)	")
assert_eq 4 "$n" "requests with our User-Agent"
n=$(count_log "	ae=[^	]*gzip")
assert_eq 4 "$n" "requests offering gzip"
assert_eq 4 "$(count_log '	cookie=-	referer=-	')" "requests without cookie and referer"

# Second run: conditional requests, 304, nothing new.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run2.out" 2>"$T/run2.err" ||
	fail "second run exited $?: $(cat "$T/run2.err")"
assert_file_count "$T/spool/new" 8
grep -q '^world: 304 not modified' "$T/run2.out" || fail "second run: $(cat "$T/run2.out")"
n=$(count_log '^GET	/feeds/[a-z]+\.xml	304	inm="[^"]+"')
assert_eq 4 "$n" "304 answers to If-None-Match"

# The ETag goes back exactly as the server sent it.
etag=$(grep -E '^GET	/feeds/world.xml	304' "$T/requests.log" | cut -f4)
first=$(curl -sI "$BASE/feeds/world.xml" 2>/dev/null | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
if [ -n "$first" ]; then
	assert_eq "inm=$first" "$etag" "If-None-Match"
fi

# The status command reports each feed's last poll.
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status.out" ||
	fail "status: exit $? $(cat "$T/status.out")"
grep -q '^world .*ok (304)' "$T/status.out" || fail "status: $(cat "$T/status.out")"
# A state file that does not exist is an error, and is not made.
"$FEEDSPOOL" status -c "$T/feedspool.conf" --state "$T/typo.db" >"$T/typo.out" 2>&1 &&
	fail "status on a state file that does not exist succeeded"
grep -q "typo.db: No such file" "$T/typo.out" || fail "status on a typo: $(cat "$T/typo.out")"
[ -e "$T/typo.db" ] && fail "status made an empty state file"

# The state database is a real SQLite file in WAL mode.
if command -v sqlite3 >/dev/null 2>&1; then
	assert_eq wal "$(sqlite3 "$T/state.db" 'PRAGMA journal_mode')" "journal mode"
	assert_eq 12 "$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'delivered'")" "delivered items"
fi
stop_server
exit 0
