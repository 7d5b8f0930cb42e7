# End to end: `feedspool extract` on the seed page and the fixture pages.
. "$(dirname "$0")/lib.sh"

page="$FIXTURES/site/news/blinken-beijing.html"

# --text: the seed's body, one paragraph per line, no blank lines.
"$FEEDSPOOL" extract --text "$page" >"$T/text.out" 2>"$T/text.err" ||
	fail "extract --text exited $?: $(cat "$T/text.err")"
awk 'NR > 2 && NF' "$FIXTURES/seed/blinken.txt" >"$T/want.txt"
cmp -s "$T/want.txt" "$T/text.out" ||
	fail "extract --text: $(diff "$T/want.txt" "$T/text.out" | head -5)"

# The same page from stdin, as JSON, with its URL.
"$FEEDSPOOL" extract --url http://news.example/news/b.html - <"$page" \
    >"$T/page.json" || fail "extract - exited $?"
assert_eq "LTC Actualités" "$(jq -r .site_name "$T/page.json")" "site_name"
assert_eq "2023-06-14T18:05:00Z" "$(jq -r .published "$T/page.json")" "published"
assert_eq "null" "$(jq -r .modified "$T/page.json")" "modified"
assert_eq "en" "$(jq -r .language "$T/page.json")" "language"
assert_eq "By the LTC newsroom · June 14, 2023 · 4 min read" \
    "$(jq -r .byline "$T/page.json")" "byline"
jq -r .text "$T/page.json" | head -n 3 | tail -n 1 |
	grep -q '^The State Department announced on Wednesday' || fail "text"
jq -r .html "$T/page.json" | grep -q '^<p>Blinken plans' || fail "html"
n=$(jq -r 'keys | length' "$T/page.json")
assert_eq 9 "$n" "number of keys"

# The metadata page resolves its canonical link against --url.
"$FEEDSPOOL" extract --url https://news.example/a/b.html \
    "$FIXTURES/pages/metadata.html" >"$T/meta.json" || fail "extract metadata"
assert_eq "https://news.example/sciences/glacier-recul.html" \
    "$(jq -r .canonical_url "$T/meta.json")" "canonical_url"

# An unreadable input: exit 1, a message on stderr, nothing on stdout.
if "$FEEDSPOOL" extract "$T/missing.html" >"$T/bad.out" 2>"$T/bad.err"; then
	fail "extract of a missing file exited 0"
fi
grep -q 'missing.html' "$T/bad.err" || fail "no error message: $(cat "$T/bad.err")"
[ -s "$T/bad.out" ] && fail "output for a missing file"

"$FEEDSPOOL" extract --help | grep -q '^usage: feedspool extract' ||
	fail "extract --help"
exit 0
