# End to end: the page behind each new item is fetched once, under the
# feeds' host budget, its story extracted and cleaned; a page that fails
# leaves the story with the feed's text; private addresses are refused
# unless allowed.
. "$(dirname "$0")/lib.sh"

start_server
story_of() {	# FEED GUID-or-URL: the story file
	jq -r --arg f "$1" --arg g "$2" \
	    'select(.feed.name == $f and (.guid == $g or .url == $g)) | input_filename' \
	    "$T"/spool/new/* | head -n 1
}

# 1. Private addresses allowed (the fixture server is on 127.0.0.1).
CONFIG_EXTRA="allow_private_articles = yes
timeout = 3
max_body = 512k"
write_config "$T/feedspool.conf" seed=/feeds/seed.xml world=/feeds/world.xml \
    bad=/feeds/badpages.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out" 2>"$T/err" ||
	fail "run: $(cat "$T/err")"
assert_file_count "$T/spool/new" 13
assert_file_count "$T/spool/tmp" 0

# The seed story, whole.
s=$(story_of seed "$BASE/news/blinken-beijing.html")
[ -n "$s" ] || fail "no seed story"
assert_eq "Blinken plans to meet with top Chinese officials in Beijing" \
    "$(jq -r .title "$s")" "seed title"
assert_eq article "$(jq -r .text_source "$s")" "seed text_source"
jq -r .text "$s" >"$T/seed.txt"
if ! cmp -s "$T/seed.txt" "$E2E_DIR/../fixtures/seed/expected.txt"; then
	diff -u "$E2E_DIR/../fixtures/seed/expected.txt" "$T/seed.txt" | head -n 40 >&2
	fail "seed text differs from tests/fixtures/seed/expected.txt"
fi
head -c 44 "$T/seed.txt" | grep -q '^The State Department announced on Wednesday' || fail "seed text start"
if grep -q 'ltc-a' "$s"; then
	grep -n 'ltc-a' "$s" >&2
	fail "ltc-a left in the story"
fi
jq -r '.title, .text, .html' "$s" | grep -q '[«»]' && fail "guillemets left"
jq -r '.text, .html' "$s" | grep -q '\. \.' && fail "'. .' left"
# the html holds the text's paragraphs, and only them
assert_eq "$(grep -c . "$T/seed.txt")" "$(jq -r .html "$s" | grep -o '<p>' | wc -l)" \
    "seed html paragraphs"
for junk in 'Share this article' 'Sign up' 'newsletter' 'cookies' 'All rights reserved' \
    'Most read'; do
	jq -r .text "$s" | grep -qi "$junk" && fail "page boilerplate in the text: $junk"
done
assert_eq "LTC Actualités" "$(jq -r .site_name "$s")" "site_name"
assert_eq en "$(jq -r .language "$s")" "language"
[ "$(jq -r .word_count "$s")" -eq "$(wc -w <"$E2E_DIR/../fixtures/seed/expected.txt")" ] || fail "word_count $(jq -r .word_count "$s")"
jq -r .html "$s" | grep -q '^<p>' || jq -r .html "$s" | grep -q '<p>' || fail "no html"
jq -r .html "$s" | grep -qiE '<script|<nav|class=' && fail "html not clean"

# Every learned-tag title of the seed feed is clean.
n=$(jq -r 'select(.feed.name == "seed") | .title' "$T"/spool/new/* | grep -c 'ltc-a')
assert_eq 0 "$n" "seed titles still tagged"

# 2. Pages that fail: the feed's text, text_source feed, a warning naming the feed.
for g in bad-404 bad-xml bad-huge bad-slow bad-ftp; do
	s=$(story_of bad "$g")
	[ -n "$s" ] || fail "no story for $g"
	assert_eq feed "$(jq -r .text_source "$s")" "$g text_source"
	jq -r .text "$s" | grep -q "^The feed's own text" || fail "$g text: $(jq -r .text "$s")"
done
grep -q "^<4>feed bad: page $BASE/status/404: HTTP 404" "$T/err" || fail "404 page not logged"
grep -q "^<4>feed bad: page $BASE/feeds/world.xml: not an HTML page" "$T/err" || fail "xml page not logged"
grep -q "^<4>feed bad: page $BASE/huge/4: body larger than max_body" "$T/err" || fail "huge page not logged"
grep -Eq "^<4>feed bad: page $BASE/slow/6/news/chess-final.html: .*[Tt]imed? ?out" "$T/err" || fail "slow page not logged"

# 3. Each page once: a second run fetches no page again.
before=$(count_log '^GET	/news/')
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out2" 2>"$T/err2" || fail "second run"
assert_eq "$before" "$(count_log '^GET	/news/')" "page requests after a second run"
assert_file_count "$T/spool/new" 13
# The pages went out with our User-Agent and no Referer.
n=$(count_log '^GET	/news/blinken-beijing.html	200	.*ua=feedspool/[^	]*	.*referer=-	')
assert_eq 1 "$n" "seed page request"

# 4. Default: article links to private addresses are refused, stories kept.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA=
write_config "$T/private.conf" world=/feeds/world.xml
before=$(count_log '^GET	/news/')
"$FEEDSPOOL" run -c "$T/private.conf" --once >"$T/out3" 2>"$T/err3" || fail "private run"
assert_file_count "$T/spool/new" 3
assert_eq "$before" "$(count_log '^GET	/news/')" "page requests to a private address"
grep -q "^<4>feed world: page $BASE/news/harbour-reopens.html: refused: 127.0.0.1 is a loopback" "$T/err3" ||
	fail "refusal not logged: $(cat "$T/err3")"
n=$(jq -r .text_source "$T"/spool/new/* | grep -c '^feed$')
assert_eq 3 "$n" "stories with the feed's text"

# 5. fetch_articles = no: no page, no warning.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="fetch_articles = no
allow_private_articles = yes"
write_config "$T/nopages.conf" world=/feeds/world.xml
before=$(count_log '^GET	/news/')
"$FEEDSPOOL" run -c "$T/nopages.conf" --once >"$T/out4" 2>"$T/err4" || fail "nopages run"
assert_file_count "$T/spool/new" 3
assert_eq "$before" "$(count_log '^GET	/news/')" "page requests with fetch_articles = no"
grep -q 'page' "$T/err4" && fail "page messages with fetch_articles = no"
stop_server
exit 0
