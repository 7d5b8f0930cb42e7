# End to end: OPML.  The bundled configuration exported, imported into an
# empty include directory and exported again gives the same feeds; outline
# nesting becomes a category key and comes back as the same nesting; a
# feed configured already is skipped; an external entity is refused.
. "$(dirname "$0")/lib.sh"

# fresh NAME: a configuration $T/NAME.conf with an empty NAME.d/
fresh() {
	mkdir -p "$T/$1.d"
	printf '[feedspool]\nspool = %s/spool\nstate = %s/state.db\ninclude = %s.d/*.conf\n' \
	    "$T" "$T" "$1" >"$T/$1.conf"
}
# The feeds of an OPML document, one sorted line each.
outlines() { grep 'xmlUrl=' "$1" | sed 's/^ *//' | sort; }

# 1. The bundled configuration, round trip.
"$FEEDSPOOL" export-opml -c "$TOP_DIR/etc/feedspool.conf" >"$T/a.opml" ||
	fail "export of etc/feedspool.conf"
n=$(grep -c '^\[' "$TOP_DIR/etc/feedspool.conf")
assert_eq "$((n - 1))" "$(grep -c 'xmlUrl=' "$T/a.opml")" "feeds exported"
grep -q '<opml version="2.0">' "$T/a.opml" || fail "not OPML 2.0"
fresh one
"$FEEDSPOOL" import-opml -c "$T/one.conf" "$T/a.opml" >"$T/o" 2>"$T/e" ||
	fail "import: $(cat "$T/e")"
grep -q "imported $((n - 1)) feeds" "$T/o" || fail "import count: $(cat "$T/o")"
grep -q 'must reload\|told the daemon' "$T/o" || fail "import does not say the daemon must reload"
assert_file_count "$T/one.d" "$((n - 1))"
"$FEEDSPOOL" export-opml -c "$T/one.conf" >"$T/b.opml" || fail "second export"
outlines "$T/a.opml" >"$T/a.lines"
outlines "$T/b.opml" >"$T/b.lines"
cmp -s "$T/a.lines" "$T/b.lines" || fail "round trip changed the feeds: $(diff "$T/a.lines" "$T/b.lines")"

# Importing it again adds nothing.
"$FEEDSPOOL" import-opml -c "$T/one.conf" "$T/a.opml" >"$T/o" 2>"$T/e" || fail "re-import: $(cat "$T/e")"
grep -q "imported 0 feeds into .*, $((n - 1)) skipped" "$T/o" || fail "re-import: $(cat "$T/o")"

# 2. Categories from nesting, and back.
fresh two
"$FEEDSPOOL" import-opml -c "$T/two.conf" "$FIXTURES/opml/nested.opml" >"$T/o" 2>"$T/e" ||
	fail "nested import: $(cat "$T/e")"
grep -q "skipped 'ftp://example.org/x'" "$T/e" || fail "an ftp URL was not skipped"
grep -qx 'category = News/Europe' "$T/two.d/le-monde-co.conf" || fail "no nested category: $(cat "$T/two.d/le-monde-co.conf")"
grep -qx 'category = News' "$T/two.d/wire.conf" || fail "no category for wire"
grep -qx 'category = Tech/Linux' "$T/two.d/tagged.conf" || fail "the category attribute was not used"
grep -q 'category' "$T/two.d/top-level.conf" && fail "a top-level feed got a category"
[ -f "$T/two.d/dw-2.conf" ] || fail "a second dw was not numbered: $(ls "$T/two.d")"
"$FEEDSPOOL" check-config -c "$T/two.conf" >/dev/null || fail "the imported files do not load"
"$FEEDSPOOL" export-opml -c "$T/two.conf" >"$T/c.opml" || fail "nested export"
fresh three
"$FEEDSPOOL" import-opml -c "$T/three.conf" "$T/c.opml" >"$T/o" 2>"$T/e" || fail "re-import: $(cat "$T/e")"
"$FEEDSPOOL" export-opml -c "$T/three.conf" >"$T/d.opml" || fail "third export"
cmp -s "$T/c.opml" "$T/d.opml" || fail "nesting not kept: $(diff "$T/c.opml" "$T/d.opml")"
grep -A2 '<outline text="News">' "$T/d.opml" | grep -q 'text="wire"' || fail "wire not under News"

# 3. An external entity: refused, nothing written, nothing read.
fresh four
"$FEEDSPOOL" import-opml -c "$T/four.conf" "$FIXTURES/opml/xxe.opml" >"$T/o" 2>"$T/e" &&
	fail "an OPML file with an external entity was imported"
assert_file_count "$T/four.d" 0
grep -q 'root:' "$T/o" "$T/e" && fail "/etc/passwd leaked"

# 4. Without an include directory: the sections, and exit 1.
printf '[feedspool]\n' >"$T/none.conf"
"$FEEDSPOOL" import-opml -c "$T/none.conf" "$FIXTURES/opml/nested.opml" >"$T/o" 2>"$T/e" &&
	fail "imported without an include directory"
grep -q 'has no include' "$T/e" || fail "no word of the missing include"
grep -qx 'url = https://example.org/wire.xml' "$T/o" || fail "no sections printed"
exit 0
