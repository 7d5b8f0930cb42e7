# End to end: a feed whose DTD declares entities of every kind, nested ones
# among them (tests/fixtures/feeds/entities.xml).  Every item is spooled,
# the entities left out are missing from the text, and the poll is logged
# as a warning that names the feed and the first entity dropped.
. "$(dirname "$0")/lib.sh"

SITE_ROOT=$FIXTURES
start_server
write_config "$T/feedspool.conf" ents=/feeds/entities.xml

"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out" 2>"$T/err" ||
	fail "exit status $?: $(cat "$T/err")"
assert_file_count "$T/spool/new" 7
assert_file_count "$T/spool/tmp" 0
grep -q '^ents: 200, .*rss20, 7 items, 7 new' "$T/out" ||
	fail "summary: $(cat "$T/out")"
grep -q '^<4>feed ents: 200, .*rss20, 7 items, 7 new, .*; entity &c; dropped (refers to another entity), 6 references left out$' "$T/err" ||
	fail "no warning for the entities: $(cat "$T/err")"
! grep -q '^<6>feed ents:' "$T/err" || fail "the poll logged at info too"

jq -r .title "$T"/spool/new/* | sort >"$T/titles"
cat >"$T/want" <<'TITLES'
Five: [] []
Four: Smith & Sons © 2024
One: plain
Seven: last
Six: declared through a parameter entity
Three: []
Two: []
TITLES
diff -u "$T/want" "$T/titles" || fail "titles"
