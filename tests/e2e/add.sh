# End to end: `feedspool add` finds the feed behind a web page (its
# <link rel="alternate">, resolved against <base href>; a JSON Feed; the
# site's common paths when the page names none), checks it and writes one
# file in the include directory; refuses a name in use; without an include
# directory prints the section instead; `remove` deletes what add wrote but
# not a feed of the main file; a running daemon is told (SIGHUP).
. "$(dirname "$0")/lib.sh"

SITE_ROOT="$FIXTURES/discover"
start_server
CONFIG_EXTRA="fetch_articles = no
include = feeds.d/*.conf"
write_config "$T/feedspool.conf" local=/atom.xml
conf="$T/feedspool.conf"

# 1. A page with <base href> and two alternates: the first is gone (404),
#    the second is the feed; the name comes from its title.
"$FEEDSPOOL" add -c "$conf" "$BASE/page.html" >"$T/add.out" 2>"$T/add.err" ||
	fail "add from page.html: $(cat "$T/add.err")"
file="$T/feeds.d/discovered-news-views.conf"
[ -f "$file" ] || fail "no $file: $(cat "$T/add.out" "$T/add.err")"
grep -qx "url = $BASE/b/news.xml" "$file" || fail "wrong url in $file: $(cat "$file")"
grep -qx '\[discovered-news-views\]' "$file" || fail "wrong section in $file"
grep -q "trying $BASE/b/missing.xml" "$T/add.err" || fail "the 404 alternate was not tried first"
[ "$(count_log "GET /b/style.css|GET /b/fr.html")" -eq 0 ] ||
	fail "a stylesheet or an HTML alternate was fetched as a feed"
grep -q 'must reload\|told the daemon' "$T/add.out" || fail "add does not say the daemon must reload"
ua=$(grep "GET	/page.html" "$T/requests.log" | tr '\t' '\n' | sed -n 's/^ua=//p')
case $ua in
"feedspool/"*"(+https://example.org/feedspool-e2e)") ;;
*) fail "add's User-Agent is '$ua', not the daemon's" ;;
esac
"$FEEDSPOOL" check-config -c "$conf" | grep -q '2 feeds' || fail "the configuration does not load the added feed"

# 2. The same feed again, or a name in use: refused, nothing written.
"$FEEDSPOOL" add -c "$conf" "$BASE/b/news.xml" other >"$T/o" 2>"$T/e" &&
	fail "the same feed was added twice"
grep -q 'configured already' "$T/e" || fail "no word of the feed configured already: $(cat "$T/e")"
"$FEEDSPOOL" add -c "$conf" "$BASE/j/index.html" local >"$T/o" 2>"$T/e" &&
	fail "a name in use (local, in the main file) was accepted"
grep -q 'feed \[local\] exists' "$T/e" || fail "no word of the name in use: $(cat "$T/e")"
"$FEEDSPOOL" add -c "$conf" "$BASE/j/index.html" 'bad name' >"$T/o" 2>"$T/e" &&
	fail "a bad name was accepted"
assert_file_count "$T/feeds.d" 1

# 3. A JSON Feed linked as application/feed+json, under a name given.
"$FEEDSPOOL" add -c "$conf" --category 'Tests/JSON' "$BASE/j/index.html" jf \
    >"$T/o" 2>"$T/e" || fail "add of the JSON Feed: $(cat "$T/e")"
grep -qx "url = $BASE/j/feed.json" "$T/feeds.d/jf.conf" || fail "wrong JSON Feed url"
grep -qx "category = Tests/JSON" "$T/feeds.d/jf.conf" || fail "no category in jf.conf"

# 4. No feed link: the common paths, in order, until /atom.xml answers.
rm -f "$T/feeds.d/"*.conf
: >"$T/requests.log"
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/fb.conf"
printf 'include = fb.d/*.conf\n' >>"$T/fb.conf"
"$FEEDSPOOL" add -c "$T/fb.conf" "$BASE/plain.html" >"$T/o" 2>"$T/e" ||
	fail "fallback: $(cat "$T/e")"
grep -qx "url = $BASE/atom.xml" "$T/fb.d/fallback-atom.conf" ||
	fail "fallback: wrong file: $(ls "$T/fb.d"; cat "$T/o" "$T/e")"
tried=$(cut -f2 "$T/requests.log" | tr '\n' ' ')
assert_eq "/plain.html /feed /rss /feed.xml /atom.xml " "$tried" "fallback requests"

# 5. Nothing at all: exit 1, no file.
rm -f "$T/fb.d/"*.conf
"$FEEDSPOOL" add -c "$T/fb.conf" "$BASE/b/none.html" >"$T/o" 2>"$T/e" &&
	fail "a missing page was added"
assert_file_count "$T/fb.d" 0

# 6. No include directory: not added, the section printed.
write_config "$T/noinc.conf"
"$FEEDSPOOL" add -c "$T/noinc.conf" "$BASE/page.html" >"$T/o" 2>"$T/e" &&
	fail "added without an include directory"
grep -q 'has no include' "$T/e" || fail "no word of the missing include: $(cat "$T/e")"
grep -qx '\[discovered-news-views\]' "$T/o" || fail "no section printed: $(cat "$T/o")"
grep -qx "url = $BASE/b/news.xml" "$T/o" || fail "no url printed"

# 7. A running daemon is told; remove deletes the file, not the main file.
"$FEEDSPOOL" run -c "$conf" 2>"$T/daemon.err" &
dpid=$!
i=0
until grep -q 'feed local' "$T/daemon.err" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -le 100 ] || { kill "$dpid"; fail "the daemon did not start: $(cat "$T/daemon.err")"; }
	nap
done
"$FEEDSPOOL" add -c "$conf" "$BASE/page.html" news >"$T/o" 2>"$T/e" ||
	{ kill "$dpid"; fail "add with a daemon: $(cat "$T/e")"; }
grep -q "told the daemon (pid $dpid)" "$T/o" || { kill "$dpid"; fail "the daemon was not told: $(cat "$T/o")"; }
i=0
until grep -q 'feed news: added' "$T/daemon.err"; do
	i=$((i + 1))
	[ "$i" -le 100 ] || { kill "$dpid"; fail "the daemon did not reload: $(cat "$T/daemon.err")"; }
	nap
done
"$FEEDSPOOL" remove -c "$conf" news >"$T/o" 2>"$T/e" || { kill "$dpid"; fail "remove: $(cat "$T/e")"; }
[ ! -e "$T/feeds.d/news.conf" ] || { kill "$dpid"; fail "remove left the file"; }
i=0
until grep -q 'feed news: removed' "$T/daemon.err"; do
	i=$((i + 1))
	[ "$i" -le 100 ] || { kill "$dpid"; fail "the daemon did not drop the feed: $(cat "$T/daemon.err")"; }
	nap
done
kill -TERM "$dpid"
wait "$dpid" || fail "the daemon exited with $?"

"$FEEDSPOOL" remove -c "$conf" local >"$T/o" 2>"$T/e" && fail "a feed of the main file was removed"
grep -q "defined in $conf:" "$T/e" || fail "remove does not say where the feed is: $(cat "$T/e")"
grep -q '^\[local\]' "$conf" || fail "the main file was changed"
"$FEEDSPOOL" remove -c "$conf" nosuch >"$T/o" 2>"$T/e" && fail "an unknown feed was removed"
stop_server
exit 0
