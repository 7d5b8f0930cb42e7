# End to end: private feeds and a proxy.  A feed behind HTTP Basic (the
# login from username/password_file, or from the url's userinfo) and one
# behind an X-Api-Key header are fetched, their pages on their own host
# with the same credentials, pages on other hosts and redirects elsewhere
# without them; a proxy on 127.0.0.1 (the fixture server's proxy mode, and
# http_proxy from the environment) carries feeds and pages with the
# address guard on, and still refuses what it is asked to reach when that
# is private.  The secrets are nowhere: spool, logs at debug level,
# status, status --json, metrics, state.
. "$(dirname "$0")/lib.sh"
[ -n "${KEEP:-}" ] && trap "echo kept $T" EXIT

PW1=s3cretPW1x
PW2=pa55WORD2y
KEY=k3yV4lueZ
SITE_ROOT=$T/site
mkdir -p "$T/site/feeds" "$T/site/news" || fail "mkdir"
start_server --auth "/basic=alice:$PW1" --auth "/ui=bob:$PW2" \
    --require-header "/hdr=X-Api-Key:$KEY"
OTHER="http://localhost:$PORT"

# feed FILE ITEM-URL...: an RSS feed of one item per url
feed() {
	f_file=$1
	shift
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<rss version="2.0"><channel><title>Private</title>'
		echo '<link>http://example.org/</link><description>d</description>'
		f_n=0
		for f_url; do
			f_n=$((f_n + 1))
			echo "<item><title>Story $f_n of $f_file</title>"
			echo "<link>$f_url</link><guid isPermaLink=\"false\">$f_file-$f_n</guid>"
			echo "<description>The feed's own text of story $f_n of $f_file, about $f_url.</description>"
			echo "<pubDate>Mon, 01 Jan 2024 0$f_n:00:00 GMT</pubDate></item>"
		done
		echo '</channel></rss>'
	} >"$T/site/feeds/$f_file" || fail "cannot write $f_file"
}
# Each page another article, or the duplicate check would drop them.
for p in a1:blinken-beijing a2:chess-final a3:glacier-survey u1:harbour-reopens \
    h1:library-archive h2:rail-strike-talks h3:river-cleanup p1:solar-farm \
    p2:summit-wire p3:summit-wire p4:summit-wire p5:blinken-beijing; do
	cp "$FIXTURES/site/news/${p#*:}.html" "$T/site/news/${p%%:*}.html" || fail cp
done
feed basic.xml "$BASE/basic/news/a1.html" "$OTHER/news/a2.html" \
    "$BASE/basic/redirect-to/localhost:$PORT/news/a3.html"
feed ui.xml "$BASE/ui/news/u1.html"
feed hdr.xml "$BASE/hdr/news/h1.html" "$OTHER/news/h2.html" \
    "$BASE/hdr/redirect-to/localhost:$PORT/news/h3.html"
printf '%s\n' "$PW1" >"$T/pw.txt"

story_of() {	# GUID: the story file
	jq -r --arg g "$1" 'select(.guid == $g) | input_filename' \
	    "$T"/spool/new/* | head -n 1
}
text_source() {
	s=$(story_of "$1")
	[ -n "$s" ] || fail "no story $1"
	jq -r .text_source "$s"
}

# 1. Logins and headers, straight to the server.
CONFIG_EXTRA="allow_private_articles = yes
log_level = debug
timeout = 5
metrics_file = $T/metrics.prom"
write_config "$T/feedspool.conf"
cat >>"$T/feedspool.conf" <<EOF

[basic]
url = $BASE/basic/feeds/basic.xml
username = alice
password_file = pw.txt

[userinfo]
url = http://bob:$PW2@127.0.0.1:$PORT/ui/feeds/ui.xml

[hdr]
url = $BASE/hdr/feeds/hdr.xml
header = X-Api-Key: $KEY

[nologin]
url = $BASE/basic/feeds/basic.xml
EOF
"$FEEDSPOOL" check-config -c "$T/feedspool.conf" >"$T/check.out" 2>&1 ||
	fail "check-config: $(cat "$T/check.out")"
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run1.out" 2>"$T/run1.err"
[ -s "$T/metrics.prom" ] || fail "no metrics: $(cat "$T/run1.err")"

assert_eq 1 "$(count_log "^GET	/basic/feeds/basic.xml	200	.*	authz=Basic ")" "basic feed with its login"
assert_eq 1 "$(count_log "^GET	/basic/feeds/basic.xml	401	.*	authz=-	")" "basic feed without a login"
assert_eq 1 "$(count_log "^GET	/ui/feeds/ui.xml	200	.*	authz=Basic ")" "userinfo feed"
assert_eq 1 "$(count_log "^GET	/hdr/feeds/hdr.xml	200	.*	apikey=$KEY\$")" "header feed"
# Its pages: with the login on the feed's host, without it elsewhere.
assert_eq article "$(text_source basic.xml-1)" "a1 page behind the login"
assert_eq 1 "$(count_log "^GET	/basic/news/a1.html	200	.*	authz=Basic ")" "a1 request"
assert_eq article "$(text_source basic.xml-2)" "a2 page on another host"
assert_eq 1 "$(count_log "^GET	/news/a2.html	200	.*host=localhost:$PORT	.*	authz=-	apikey=-\$")" "a2 request"
# curl drops the login on a redirect to another host
assert_eq article "$(text_source basic.xml-3)" "a3 page"
assert_eq 1 "$(count_log "^GET	/news/a3.html	200	.*host=localhost:$PORT	.*	authz=-	apikey=-\$")" "a3 request"
assert_eq article "$(text_source ui.xml-1)" "u1 page"
assert_eq 1 "$(count_log "^GET	/ui/news/u1.html	200	.*	authz=Basic ")" "u1 request"
assert_eq article "$(text_source hdr.xml-1)" "h1 page"
assert_eq 1 "$(count_log "^GET	/hdr/news/h1.html	200	.*	apikey=$KEY\$")" "h1 request"
assert_eq 1 "$(count_log "^GET	/news/h2.html	200	.*	apikey=-\$")" "h2 request"
# A redirect away from a feed with headers is not followed.
assert_eq feed "$(text_source hdr.xml-3)" "h3 page"
assert_eq 0 "$(count_log "^GET	/news/h3.html")" "h3 requests"
grep -q "feed hdr: page .*redirect to another host not followed" "$T/run1.err" ||
	fail "h3 refusal not logged: $(grep h3 "$T/run1.err")"
grep -q "feed nologin: .*401" "$T/run1.err" || fail "nologin's 401 not logged"
# The story names the feed by its url without the login.
s=$(story_of ui.xml-1)
assert_eq "http://127.0.0.1:$PORT/ui/feeds/ui.xml" "$(jq -r .feed.url "$s")" "feed.url"

"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status.txt" 2>&1
"$FEEDSPOOL" status -c "$T/feedspool.conf" --json >"$T/status.json" 2>&1
grep -q "^userinfo .* ok (200) .*http://127.0.0.1:$PORT/ui/feeds/ui.xml" "$T/status.txt" ||
	fail "status: $(cat "$T/status.txt")"
assert_eq "http://127.0.0.1:$PORT/ui/feeds/ui.xml" \
    "$(jq -r 'select(.feed == "userinfo") | .url' "$T/status.json")" "status --json url"
grep -q "^nologin .*FAILING" "$T/status.txt" || fail "nologin not failing"
"$FEEDSPOOL" export-opml -c "$T/feedspool.conf" >"$T/run1-export.out" 2>&1 ||
	fail "export-opml: $(cat "$T/run1-export.out")"
grep -q "xmlUrl=\"http://127.0.0.1:$PORT/ui/feeds/ui.xml\"" "$T/run1-export.out" ||
	fail "export-opml: $(cat "$T/run1-export.out")"
grep -q 'level=debug\|^<7>' "$T/run1.err" || fail "no debug lines in the log"

# A state from before: the feed's url stored with its login keeps its state.
cp "$T/state.db" "$T/old.db" || fail cp
sqlite3 "$T/old.db" "UPDATE feeds SET url = 'http://bob:$PW2@127.0.0.1:$PORT/ui/feeds/ui.xml' WHERE name = 'userinfo';" ||
	fail "sqlite3"
sed "s|^state = .*|state = $T/old.db|" "$T/feedspool.conf" >"$T/old.conf"
"$FEEDSPOOL" status -c "$T/old.conf" >"$T/old.status" 2>&1
grep -q "^userinfo .* ok (200)" "$T/old.status" ||
	fail "the state of a url with userinfo was lost: $(cat "$T/old.status")"
grep -q "$PW2" "$T/old.status" && fail "old state's password in status"

# No secret anywhere feedspool writes or shows.
B1=$(printf 'alice:%s' "$PW1" | base64)
B2=$(printf 'bob:%s' "$PW2" | base64)
no_secrets() {
	for secret in "$PW1" "$PW2" "$KEY" "$B1" "$B2"; do
		[ -n "$secret" ] || fail "empty secret"
		if grep -rlaF -- "$secret" "$T/spool" "$T"/run*.err "$T"/run*.out \
		    "$T/status.txt" "$T/status.json" "$T"/metrics*.prom \
		    "$T/old.status" "$T/state.db"* "$T/check.out"; then
			fail "a secret was written or shown"
		fi
	done
}
no_secrets

# 2. Through a proxy on 127.0.0.1, the guard on: feeds and pages by a name
# that resolves only at the proxy; a private target is still refused.
mv "$T/requests.log" "$T/origin1.log"
ORIGIN_PORT=$PORT
ORIGIN_PID=$SERVER_PID
SERVER_PID=
# The origin goes on logging to origin1.log; the proxy to requests.log.
start_server --proxy-map "news.example=127.0.0.1:$ORIGIN_PORT"
PROXY=$PORT
PORT=$ORIGIN_PORT
BASE=http://127.0.0.1:$PORT
feed px.xml "http://news.example/news/p1.html" "http://127.0.0.1:$PORT/news/p2.html" \
    "http://news.example/redirect-to/127.0.0.1:$PORT/news/p3.html" \
    "http://localhost:$PORT/news/p4.html"
feed px2.xml "http://news.example/news/p5.html"
proxy_log() {
	grep -cE -- "$1" "$T/requests.log"
}
rm -rf "$T/spool" "$T/state.db"*
CONFIG_EXTRA="log_level = debug
timeout = 5
proxy = http://127.0.0.1:$PROXY
metrics_file = $T/metrics2.prom"
write_config "$T/proxy.conf" viaproxy=http://news.example/feeds/px.xml
cp "$T/proxy.conf" "$T/none.conf"
feed hdr2.xml
cat >>"$T/proxy.conf" <<EOF

[pxhdr]
url = http://news.example/hdr/feeds/hdr2.xml
header = X-Api-Key: $KEY
EOF
"$FEEDSPOOL" run -c "$T/proxy.conf" --once >"$T/run2.out" 2>"$T/run2.err"
# The feed's header lines go through the proxy to the server.
assert_eq 1 "$(proxy_log "^GET	http://news.example/hdr/feeds/hdr2.xml	200	.*apikey=$KEY\$")" \
    "header through the proxy"
assert_eq 1 "$(proxy_log "^GET	http://news.example/feeds/px.xml	200	")" "feed through the proxy"
assert_eq 1 "$(proxy_log "^GET	http://news.example/news/p1.html	200	")" "page through the proxy"
assert_eq article "$(text_source px.xml-1)" "p1 page"
for p in p2 p3 p4; do
	assert_eq 0 "$(proxy_log "^GET	http://[^/	]*/news/$p.html")" "$p requests at the proxy"
done
assert_eq feed "$(text_source px.xml-2)" "p2 page"
assert_eq feed "$(text_source px.xml-3)" "p3 page"
assert_eq feed "$(text_source px.xml-4)" "p4 page"
grep -q "feed viaproxy: page http://127.0.0.1:$PORT/news/p2.html: refused: 127.0.0.1" "$T/run2.err" ||
	fail "p2 refusal not logged: $(cat "$T/run2.err")"
grep -q "feed viaproxy: page http://localhost:$PORT/news/p4.html: refused: localhost" "$T/run2.err" ||
	fail "p4 refusal not logged"
assert_eq 1 "$(proxy_log "^GET	http://news.example/redirect-to/")" "p3's first request"

# proxy = none in the feed: no proxy, so news.example does not resolve.
no_secrets
rm -rf "$T/spool" "$T/state.db"*
cat >>"$T/none.conf" <<EOF
proxy = none
EOF
before=$(proxy_log .)
"$FEEDSPOOL" run -c "$T/none.conf" --once >"$T/run3.out" 2>"$T/run3.err"
assert_eq "$before" "$(proxy_log .)" "requests at the proxy with proxy = none"

# 3. The proxy from the environment (http_proxy), with the guard on.
rm -rf "$T/spool" "$T/state.db"*
CONFIG_EXTRA="log_level = debug
timeout = 5"
write_config "$T/env.conf" envproxy=http://news.example/feeds/px2.xml
# (tests/run sets no_proxy='*', which would keep the feed from the proxy)
env -u no_proxy -u NO_PROXY http_proxy="http://127.0.0.1:$PROXY" "$FEEDSPOOL" run -c "$T/env.conf" --once \
    >"$T/run4.out" 2>"$T/run4.err"
assert_eq 1 "$(proxy_log "^GET	http://news.example/news/p5.html	200	")" "page through http_proxy"
assert_eq article "$(text_source px2.xml-1)" "p5 page"
# A no_proxy of the usual kind: the feed on 127.0.0.1 straight, its page on
# news.example through the proxy, one in a no_proxy domain not.
rm -rf "$T/spool" "$T/state.db"*
cp "$FIXTURES/site/news/chess-final.html" "$T/site/news/p6.html" || fail cp
feed px3.xml "http://news.example/news/p6.html" "http://www.direct.test/news/p7.html"
write_config "$T/env.conf" envproxy=/feeds/px3.xml
before=$(count_log "^GET	/feeds/px3.xml	200	.*host=127.0.0.1:$PORT	")
env -u NO_PROXY no_proxy="localhost, 127.0.0.1,.direct.test" \
    http_proxy="http://127.0.0.1:$PROXY" "$FEEDSPOOL" run -c "$T/env.conf" \
    --once >"$T/run5.out" 2>"$T/run5.err"
grep -q "^GET	/feeds/px3.xml	200	.*host=127.0.0.1:$PORT	" "$T/origin1.log" ||
	fail "px3 not fetched straight: $(cat "$T/run5.err")"
assert_eq 0 "$(proxy_log "px3.xml")" "px3 at the proxy"
assert_eq 1 "$(proxy_log "^GET	http://news.example/news/p6.html	200	")" "p6 through the proxy"
assert_eq article "$(text_source px3.xml-1)" "p6 page"
assert_eq 0 "$(proxy_log "direct.test")" "p7 at the proxy"
assert_eq feed "$(text_source px3.xml-2)" "p7 page"

# 4. The guard looks a name up here once, not once per page: on a network
# whose resolver knows only the proxy each lookup may take seconds, in the
# loop.  Six pages on news.example; /etc/hosts is read per lookup.
if command -v strace >/dev/null 2>&1; then
	rm -rf "$T/spool" "$T/state.db"*
	set --
	for n in 1 2 3 4 5 6; do
		cp "$FIXTURES/site/news/solar-farm.html" "$T/site/news/m$n.html" ||
			fail cp
		set -- "$@" "http://news.example/news/m$n.html"
	done
	feed many.xml "$@"
	CONFIG_EXTRA="proxy = http://127.0.0.1:$PROXY
timeout = 5"
	write_config "$T/many.conf" many=/feeds/many.xml
	# LeakSanitizer cannot run under ptrace (as in crash.sh).
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq \
	    -e trace=openat -o "$T/many.strace" "$FEEDSPOOL" run \
	    -c "$T/many.conf" --once >"$T/run6.out" 2>"$T/run6.err" ||
		fail "many: exit $?: $(cat "$T/run6.err")"
	assert_eq 6 "$(proxy_log "^GET	http://news.example/news/m[1-6].html	200	")" \
	    "pages through the proxy"
	lookups=$(grep -c '"/etc/hosts"' "$T/many.strace")
	[ "$lookups" -le 1 ] || fail "news.example looked up $lookups times"
fi

no_secrets
stop_server
SERVER_PID=$ORIGIN_PID
stop_server
exit 0
