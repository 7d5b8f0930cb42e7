# End to end: an item's link written with a space (as some feeds do) still
# leads to its page: sent as %20, as browsers send it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/site/feeds" "$T/site/news" || fail "cannot make the site"
cp "$FIXTURES/site/news/harbour-reopens.html" "$T/site/news/harbour reopens.html" ||
	fail "cannot copy the page"
cat >"$T/site/feeds/spaced.xml" <<'XML' || fail "cannot write the feed"
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Spaced</title><link>@BASE@/</link>
<item><title>Old harbour reopens</title><guid>spaced-1</guid>
<link>@BASE@/news/harbour reopens.html</link>
<description>The harbour reopens.</description></item>
</channel></rss>
XML
SITE_ROOT="$T/site"
CONFIG_EXTRA="allow_private_articles = yes"
start_server
write_config "$T/feedspool.conf" spaced=/feeds/spaced.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run.out" 2>"$T/run.err" ||
	fail "run exited $?: $(cat "$T/run.err")"
assert_file_count "$T/spool/new" 1
assert_eq 1 "$(count_log '^GET	/news/harbour%20reopens.html	200')" "page requests"
s=$(ls "$T"/spool/new/*)
assert_eq article "$(jq -r .text_source "$s")" "text_source"
assert_eq "$BASE/news/harbour reopens.html" "$(jq -r .url "$s")" "url as the feed wrote it"
stop_server
exit 0
