# End to end: one story in three feeds (the wire, a tracked link to the
# same page, a light rewrite on another site) is one story file with
# duplicates = drop, or one plus two marked copies with duplicates = mark,
# across restarts; a related but different story stays; an item whose own
# text changes gives a revision with updates = emit; a wire brief and its
# full story in two feeds, in both orders: the brief after the full story
# is a duplicate of it, the full story after the brief supersedes it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/site" && cp -R "$FIXTURES/site/." "$T/site/" || fail "cannot copy the site"
SITE_ROOT="$T/site"
start_server
CONFIG_EXTRA="allow_private_articles = yes"

run_once() {	# CONFIG LOGNAME
	"$FEEDSPOOL" run -c "$1" --once >"$T/$2.out" 2>"$T/$2.err" ||
		fail "$2: exit $?: $(cat "$T/$2.err")"
}
stories() { jq -r "$1" "$T"/spool/new/* | sort; }

# 1. drop: the wire alone first, then (after a restart) all three feeds.
write_config "$T/wire.conf" wire=/feeds/dup-wire.xml
write_config "$T/all.conf" wire=/feeds/dup-wire.xml \
    tracked=/feeds/dup-tracked.xml rewrite=/feeds/dup-rewrite.xml
run_once "$T/wire.conf" drop1
assert_file_count "$T/spool/new" 1
wire=$(jq -r .id "$T"/spool/new/*)
run_once "$T/all.conf" drop2
# The wire story, and the rewrite site's other (distinct) story.
assert_file_count "$T/spool/new" 2
assert_eq "Pacific ministers agree on fisheries patrol pact
Tuna fleets wary of new Pacific patrol pact" "$(stories .title)" "titles with drop"
grep -q "feed rewrite: story .* is a duplicate, recorded, not spooled" "$T/drop2.err" ||
	fail "the rewrite was not logged as a duplicate: $(cat "$T/drop2.err")"
# Same URL (tracking parameters and all): no page fetched for it.
assert_eq 0 "$(count_log '^GET	/news/summit-wire.html\?utm')" "page requests for the tracked link"
# Every place the story was seen.
"$FEEDSPOOL" story -c "$T/all.conf" "$wire" >"$T/story.out" || fail "story: $(cat "$T/story.out")"
grep -q '^(3 sightings)$' "$T/story.out" || fail "story sightings: $(cat "$T/story.out")"
grep -Eq ' tracked +http://127.0.0.1:[0-9]+/news/summit-wire.html\?utm_source=rss' "$T/story.out" ||
	fail "tracked sighting: $(cat "$T/story.out")"
grep -Eq ' rewrite +http://127.0.0.1:[0-9]+/other/summit-rewrite.html' "$T/story.out" ||
	fail "rewrite sighting: $(cat "$T/story.out")"
"$FEEDSPOOL" story -c "$T/all.conf" 0000000000000000 >/dev/null 2>&1
assert_eq 1 "$?" "story of an unknown id"
# A third start changes nothing.
run_once "$T/all.conf" drop3
assert_file_count "$T/spool/new" 2

# compare agrees, on the spool's own files and on plain text.
jq -r 'select(.title | startswith("Pacific")) | .text' "$T"/spool/new/* >"$T/a.txt"
jq -r 'select(.title | startswith("Tuna")) | .text' "$T"/spool/new/* >"$T/b.txt"
"$FEEDSPOOL" extract --text "$T/site/other/summit-rewrite.html" >"$T/c.txt" || fail "extract"
"$FEEDSPOOL" compare "$T/a.txt" "$T/c.txt" >"$T/cmp1" || fail "compare: rewrite not a duplicate: $(cat "$T/cmp1")"
grep -q 'decision: duplicate' "$T/cmp1" || fail "compare output: $(cat "$T/cmp1")"
"$FEEDSPOOL" compare "$T/a.txt" "$T/b.txt" >"$T/cmp2"
assert_eq 1 "$?" "compare: related story"

# 2. mark: the same, from a fresh state: one story and two marked copies.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="allow_private_articles = yes
duplicates = mark"
write_config "$T/wire.conf" wire=/feeds/dup-wire.xml
write_config "$T/all.conf" wire=/feeds/dup-wire.xml \
    tracked=/feeds/dup-tracked.xml rewrite=/feeds/dup-rewrite.xml
run_once "$T/wire.conf" mark1
wire=$(jq -r .id "$T"/spool/new/*)
run_once "$T/all.conf" mark2
assert_file_count "$T/spool/new" 4
assert_eq "$wire
$wire" "$(jq -r 'select(.duplicate_of != null) | .duplicate_of' "$T"/spool/new/*)" "marked copies"
assert_eq "rewrite
tracked" "$(jq -r 'select(.duplicate_of != null) | .feed.name' "$T"/spool/new/* | sort)" "feeds of the copies"
n=$(jq -r 'select(.duplicate_of == null) | .title' "$T"/spool/new/* | grep -c .)
assert_eq 2 "$n" "originals with mark"
run_once "$T/all.conf" mark3
assert_file_count "$T/spool/new" 4

# 3. updates = emit: the item's text changes, a revision supersedes it.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="updates = emit
fetch_articles = no"
write_config "$T/upd.conf" wire=/feeds/dup-wire.xml
run_once "$T/upd.conf" upd1
first=$(jq -r .id "$T"/spool/new/*)
run_once "$T/upd.conf" upd2
assert_file_count "$T/spool/new" 1
sed -i 's|pool their patrol boats.</description>|pool their patrol boats and aircraft, officials said.</description>|' \
    "$T/site/feeds/dup-wire.xml"
run_once "$T/upd.conf" upd3
assert_file_count "$T/spool/new" 2
r=$(jq -r 'select(.revision == 2) | input_filename' "$T"/spool/new/*)
[ -n "$r" ] || fail "no revision 2"
assert_eq "$first" "$(jq -r .supersedes "$r")" "supersedes"
jq -r .text "$r" | grep -q 'and aircraft, officials said' || fail "revision text"
# ...and with updates = ignore, a further change is not emitted.
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/upd.conf" wire=/feeds/dup-wire.xml
sed -i 's|and aircraft, officials said.|and aircraft.|' "$T/site/feeds/dup-wire.xml"
run_once "$T/upd.conf" upd4
assert_file_count "$T/spool/new" 2

# 4. A brief (the first 37% of the story, from the wire) and the full
# story (from the city's paper), by their feeds' texts.
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/full.conf" full=/feeds/dup-full.xml
write_config "$T/brief.conf" brief=/feeds/dup-brief.xml
write_config "$T/both.conf" full=/feeds/dup-full.xml brief=/feeds/dup-brief.xml
by_feed() { jq -r "select(.feed.name == \"$1\") | $2" "$T"/spool/new/*; }

# Full story first: the brief is a duplicate of it, recorded and dropped.
rm -rf "$T/spool" "$T"/state.db*
run_once "$T/full.conf" fb1
full=$(jq -r .id "$T"/spool/new/*)
run_once "$T/both.conf" fb2
assert_file_count "$T/spool/new" 1
# Its file, written ahead by a worker, went with it.
assert_file_count "$T/spool/tmp" 0
grep -q "feed brief: story .* is a duplicate, recorded, not spooled" "$T/fb2.err" ||
	fail "the brief was not a duplicate: $(cat "$T/fb2.err")"
"$FEEDSPOOL" story -c "$T/both.conf" "$full" >"$T/story.out" || fail "story: $(cat "$T/story.out")"
grep -q '^(2 sightings)$' "$T/story.out" || fail "brief sighting: $(cat "$T/story.out")"
# ... or spooled marked, saying why.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="fetch_articles = no
duplicates = mark"
write_config "$T/full.conf" full=/feeds/dup-full.xml
write_config "$T/both.conf" full=/feeds/dup-full.xml brief=/feeds/dup-brief.xml
run_once "$T/full.conf" fb3
full=$(jq -r .id "$T"/spool/new/*)
run_once "$T/both.conf" fb4
assert_file_count "$T/spool/new" 2
assert_file_count "$T/spool/tmp" 0
assert_eq "$full" "$(by_feed brief .duplicate_of)" "the brief's duplicate_of"
assert_eq "contained" "$(by_feed brief .duplicate_reason)" "the brief's reason"
assert_eq "null" "$(by_feed full .supersedes)" "the full story supersedes nothing"

# Brief first: the full story comes as a new story superseding it, with
# duplicates = drop too: a desk wants the fuller text.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/both.conf" full=/feeds/dup-full.xml brief=/feeds/dup-brief.xml
run_once "$T/brief.conf" bf1
brief=$(jq -r .id "$T"/spool/new/*)
run_once "$T/both.conf" bf2
assert_file_count "$T/spool/new" 2
assert_file_count "$T/spool/tmp" 0
assert_eq "$brief" "$(by_feed full .supersedes)" "the full story supersedes the brief"
assert_eq "null" "$(by_feed full .duplicate_of)" "the full story is no duplicate"
assert_eq "contains" "$(by_feed full .duplicate_reason)" "why it supersedes"
assert_eq 1 "$(by_feed full .revision)" "the full story's item revision"
grep -q "feed full: story .* is a fuller text of story $brief, spooled superseding it" "$T/bf2.err" ||
	fail "no log of the fuller text: $(cat "$T/bf2.err")"
# A restart changes nothing, and with no new story the duplicate index is
# not even read (it is, in the run that judged the full story).
run_once "$T/both.conf" bf3
assert_file_count "$T/spool/new" 2
grep -q "duplicate index: 1 stories" "$T/bf2.err" ||
	fail "the index was not read to judge the full story: $(cat "$T/bf2.err")"
! grep -q "duplicate index:" "$T/bf3.err" ||
	fail "the index was read with nothing to judge: $(grep 'duplicate index' "$T/bf3.err")"
stop_server
exit 0
