#!/bin/sh
# The fixture server itself, exercised with the curl command-line tool.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"

# get URL [CURL ARGS]: body in $T/body, headers in $T/head, prints the status
get() {
	g_url=$1
	shift
	rm -f "$T/body" "$T/head"
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@" "$g_url" ||
	    fail "curl $g_url failed"
}

# hdr NAME: that header's value in $T/head (the last response)
hdr() {
	tr -d '\r' <"$T/head" | awk -v h="$1" 'BEGIN { h = tolower(h) ":" }
	    tolower($1) == h { sub(/^[^:]*:[ \t]*/, ""); v = $0 } END { print v }'
}

start_server

# files, Content-Type, validators
assert_eq 200 "$(get "$BASE/feeds/world.xml")" "GET world.xml"
assert_eq "application/rss+xml" "$(hdr Content-Type)" "world.xml type"
etag=$(hdr ETag)
lastmod=$(hdr Last-Modified)
case $etag in
'"'*'"') ;;
*) fail "world.xml: ETag '$etag' is not a quoted strong tag" ;;
esac
[ -n "$lastmod" ] || fail "world.xml: no Last-Modified"
assert_eq 200 "$(get "$BASE/feeds/world.xml")" "GET world.xml again"
assert_eq "$etag" "$(hdr ETag)" "ETag stable across requests"

# @BASE@ substitution
grep -q "<link>$BASE/news/harbour-reopens.html</link>" "$T/body" ||
    fail "world.xml: @BASE@ not replaced by $BASE"
grep -q '@BASE@' "$T/body" && fail "world.xml: @BASE@ left in the body"
[ "$(grep -c '<item>' "$T/body")" -eq 3 ] || fail "world.xml: not 3 items"

# conditional requests
assert_eq 304 "$(get "$BASE/feeds/world.xml" -H "If-None-Match: $etag")" \
    "If-None-Match"
[ -s "$T/body" ] && fail "304 with a body"
assert_eq 200 "$(get "$BASE/feeds/world.xml" -H 'If-None-Match: "other"')" \
    "If-None-Match mismatch"
assert_eq 304 "$(get "$BASE/feeds/world.xml" -H "If-Modified-Since: $lastmod")" \
    "If-Modified-Since"
assert_eq 200 "$(get "$BASE/feeds/world.xml" \
    -H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT')" \
    "If-Modified-Since in the past"

# HEAD: no body, the length of the GET
get "$BASE/feeds/atom.xml" >/dev/null
atomlen=$(($(wc -c <"$T/body")))
assert_eq 200 "$(get "$BASE/feeds/atom.xml" -I)" "HEAD atom.xml"
assert_eq "$atomlen" "$(hdr Content-Length)" "HEAD Content-Length"

# types
get "$BASE/feeds/atom.xml" >/dev/null
# by extension only: an Atom feed named .xml is labelled RSS, as on real sites
assert_eq "application/rss+xml" "$(hdr Content-Type)" "atom.xml type"
get "$BASE/news/blinken-beijing.html" >/dev/null
assert_eq "text/html; charset=utf-8" "$(hdr Content-Type)" "html type"
grep -q 'Blinken plans to meet with top Chinese officials in Beijing | ltc-a' \
    "$T/body" || fail "seed article: no tagged headline"

# errors and faults
assert_eq 404 "$(get "$BASE/feeds/missing.xml")" "missing file"
assert_eq 403 "$(get "$BASE/feeds/%2e%2e/page.html" --path-as-is)" "dot-dot"
assert_eq 410 "$(get "$BASE/status/410")" "/status/410"
assert_eq 503 "$(get "$BASE/status/503")" "/status/503"
assert_eq 429 "$(get "$BASE/status/429")" "/status/429"
assert_eq 120 "$(hdr Retry-After)" "429 Retry-After"
assert_eq 429 "$(get "$BASE/retry-after/3/status/429")" "/retry-after/3 429"
assert_eq 3 "$(hdr Retry-After)" "/retry-after/3 Retry-After"
assert_eq 503 "$(get "$BASE/retry-after/7/status/503")" "/retry-after/7 503"
assert_eq 7 "$(hdr Retry-After)" "/retry-after/7 Retry-After"
assert_eq 200 "$(get "$BASE/retry-after/0/feeds/world.xml")" \
    "/retry-after/0 of a file"
assert_eq 0 "$(hdr Retry-After)" "/retry-after/0 Retry-After"

# redirects
assert_eq 302 "$(get "$BASE/redirect/3/feeds/world.xml")" "redirect"
assert_eq "/redirect/2/feeds/world.xml" "$(hdr Location)" "redirect Location"
out=$(curl -s -o "$T/body" -w '%{http_code} %{num_redirects}' -L \
    "$BASE/redirect/3/feeds/world.xml")
assert_eq "200 4" "$out" "redirect chain"
grep -q '<rss' "$T/body" || fail "redirect chain: not the feed at the end"

# /seq/: a step per request, the last repeating; a redirect step goes to
# the path, whose own count includes the requests served through the old
assert_eq 308 "$(get "$BASE/seq/308,200/seq/200,404,200/feeds/world.xml")" "seq 308"
assert_eq "/seq/200,404,200/feeds/world.xml" "$(hdr Location)" "seq 308 Location"
assert_eq 200 "$(get "$BASE/seq/200,404,200/feeds/world.xml")" "seq target, 1st"
assert_eq 404 "$(get "$BASE/seq/200,404,200/feeds/world.xml")" "seq target, 2nd"
assert_eq 200 "$(get "$BASE/seq/308,200/seq/200,404,200/feeds/world.xml")" "seq 308, 2nd"
grep -q '<rss' "$T/body" || fail "seq: the old url does not serve the feed"
assert_eq 200 "$(get "$BASE/seq/308,200/seq/200,404,200/feeds/world.xml")" "seq 308, 3rd"
assert_eq 200 "$(get "$BASE/seq/200,404,200/feeds/world.xml")" "seq target, 5th"
assert_eq 301 "$(get "$BASE/seq/301/feeds/world.xml")" "seq 301"
assert_eq "/feeds/world.xml" "$(hdr Location)" "seq 301 Location"

# gzip
assert_eq 200 "$(get "$BASE/gzip/feeds/world.xml" -H 'Accept-Encoding: gzip')" \
    "gzip"
assert_eq gzip "$(hdr Content-Encoding)" "gzip Content-Encoding"
gzip -dc <"$T/body" | grep -q "$BASE/news/glacier-survey.html" ||
    fail "gzip: body does not decompress to the feed"
assert_eq 200 "$(get "$BASE/gzip/feeds/world.xml")" "gzip, not accepted"
assert_eq "" "$(hdr Content-Encoding)" "no Content-Encoding without gzip"
grep -q '<rss' "$T/body" || fail "gzip not accepted: body not plain"

# truncated
get "$BASE/feeds/world.xml" >/dev/null
full=$(wc -c <"$T/body")
get "$BASE/truncated/feeds/world.xml" >/dev/null
assert_eq "$((full / 2))" "$(($(wc -c <"$T/body")))" "truncated length"

# generated feed
assert_eq 200 "$(get "$BASE/gen/300.xml")" "/gen/300.xml"
assert_eq 300 "$(grep -c '<item>' "$T/body")" "/gen/300.xml items"
grep -q '<guid isPermaLink="false">gen-300</guid>' "$T/body" ||
    fail "/gen/300.xml: no gen-300"
grep -q "<link>$BASE/gen-article/17.html</link>" "$T/body" ||
    fail "/gen/300.xml: no link to article 17"
getag=$(hdr ETag)
[ -n "$getag" ] || fail "/gen/300.xml: no ETag"
assert_eq 304 "$(get "$BASE/gen/300.xml" -H "If-None-Match: $getag")" \
    "/gen ETag"
assert_eq 200 "$(get "$BASE/gen-article/17.html")" "/gen-article/17.html"
assert_eq 404 "$(get "$BASE/gen/5001.xml")" "/gen over the limit"
assert_eq 200 "$(get "$BASE/gen/1000+20.xml")" "/gen/1000+20.xml"
assert_eq 20 "$(grep -c '<item>' "$T/body")" "/gen/1000+20.xml items"
grep -q '<guid isPermaLink="false">gen-1001</guid>' "$T/body" &&
    grep -q '<guid isPermaLink="false">gen-1020</guid>' "$T/body" &&
    ! grep -q 'gen-1000<' "$T/body" && ! grep -q 'gen-1021<' "$T/body" ||
    fail "/gen/1000+20.xml: not items 1001 to 1020"
assert_eq 200 "$(get "$BASE/gen-article/1020.html")" "/gen-article/1020.html"
assert_eq 404 "$(get "$BASE/gen/1000001+1.xml")" "/gen first over the limit"
assert_eq 404 "$(get "$BASE/gen/5+5001.xml")" "/gen/K+N over the limit"
assert_eq 404 "$(get "$BASE/gen-article/5+5.html")" "/gen-article with K+"

# slow: the server answers others meanwhile
curl -s -o "$T/slow.body" -w '%{http_code}' "$BASE/slow/2/feeds/rdf.xml" \
    >"$T/slow.code" &
slow=$!
nap
assert_eq 200 "$(get "$BASE/page.html" -m 1)" "fast request during /slow"
assert_eq 200 "$(get "$BASE/page.html?other" -m 1 -H 'Host: other.example')" \
    "request to another host during /slow"
wait "$slow"
assert_eq 200 "$(cat "$T/slow.code")" "/slow"
grep -q 'rdf:RDF' "$T/slow.body" || fail "/slow: not the RDF feed"

# huge: a capped client gives up, the server goes on
curl -s -o /dev/null --max-filesize 1048576 -m 10 "$BASE/huge/64" || :
n=$(curl -s "$BASE/huge/64" | head -c 1048576 | wc -c)
assert_eq 1048576 "$((n))" "/huge gives at least 1 MiB"
assert_eq 200 "$(get "$BASE/feeds/world.xml")" "server alive after /huge"

# request log
assert_eq 1 "$(count_log '^GET	/redirect/0/feeds/world\.xml	302	')" \
    "log: redirect 0"
[ "$(count_log "	304	inm=$etag	")" -ge 1 ] || fail "log: no 304 with inm"
[ "$(count_log '	ae=gzip	')" -ge 1 ] || fail "log: no ae=gzip"
[ "$(count_log '^HEAD	/feeds/atom\.xml	200	')" -eq 1 ] || fail "log: no HEAD"
line=$(grep "^GET	/status/410	" "$T/requests.log" | head -n 1)
assert_eq "ua=curl/$(curl -V | awk 'NR == 1 { print $2 }')" \
    "$(printf '%s\n' "$line" | cut -f 6)" "log: ua field"
assert_eq "cookie=-" "$(printf '%s\n' "$line" | cut -f 8)" "log: cookie field"
assert_eq "host=127.0.0.1:$PORT" "$(printf '%s\n' "$line" | cut -f 10)" \
    "log: host field"
printf '%s\n' "$line" | cut -f 11 | grep -Eq '^t=[0-9]{13}$' ||
    fail "log: t field: $line"
assert_eq "inflight=1	hostflight=1" "$(printf '%s\n' "$line" | cut -f 12-13)" \
    "log: a request alone"
assert_eq "authz=-	apikey=-" "$(printf '%s\n' "$line" | cut -f 14-)" \
    "log: authz and apikey fields"
# in flight beside /slow: both to 127.0.0.1, or one to another Host
line=$(grep "^GET	/page\.html	200	" "$T/requests.log" | tail -n 1)
assert_eq "inflight=2	hostflight=2" "$(printf '%s\n' "$line" | cut -f 12-13)" \
    "log: a request beside /slow"
line=$(grep "^GET	/page\.html?other	200	" "$T/requests.log")
assert_eq "host=other.example	inflight=2	hostflight=1" \
    "$(printf '%s\n' "$line" | cut -f 10,12-13)" "log: another Host beside /slow"
# /slow came in first, and was logged when it was answered, 2 s later
slow_t=$(grep "^GET	/slow/2/feeds/rdf\.xml	200	" "$T/requests.log" |
    cut -f 11 | cut -c 3-)
page_t=$(printf '%s\n' "$line" | cut -f 11 | cut -c 3-)
[ "$slow_t" -le "$page_t" ] || fail "log: /slow at $slow_t, after $page_t"

stop_server
echo "PASS: server_test"
