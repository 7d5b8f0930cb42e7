#!/bin/sh
# poll.sh: the polling benchmark.  N synthetic feeds (gen_feeds' corpus, as
# bench_parse uses) and a web page for every item are served by nginx on
# 127.0.0.1; curl and feedspool poll them side by side:
#
#   feeds    first poll of the feeds: curl --parallel (16 at once, gzip,
#            --etag-save/--etag-compare per URL) against feedspool run
#            --once with fetch_articles = no, a fresh spool and state
#   pages    first poll with every article page: curl over the feed and
#            page URLs against feedspool with fetch_articles = yes
#   repoll   every feed again, all answered 304: curl with --etag-compare
#            on the saved ETags against a second run --once on the state
#            of "feeds"
#
# After each first poll, a third row: the spool floor (spool_floor), the
# same number of files with the same bytes as feedspool's new/ holds,
# written into a Maildir as feedspool writes them (tmp/, one syncfs per
# 256, the renames, one fsync of new/) and nothing else, with its ratio
# to curl: the part of the time that writing every story durably costs
# whoever does it.
#
# For each it prints wall time, CPU time (user + sys) and peak RSS of each
# client, and feedspool/curl.  Counts are checked (stories in the spool's
# new/ against items generated, HTTP statuses in nginx's access log) and
# the script fails when one is off.
#
#   sh bench/poll.sh
#   BENCH_POLL_N="300 2000"        numbers of feeds (default), one run each
#   BENCH_POLL_CASES="feeds repoll"  which cases (default all three)
#   BENCH_POLL_KEEP=1              keep the temp directory (path printed)
#   BENCH_POLL_LIMIT=1800          seconds one client run may take
#   BENCH_POLL_WORKERS=auto        feedspool's workers = (0: the loop alone)
#   FEEDSPOOL, POLL_GEN, SPOOL_FLOOR, NGINX, CURL  the programs (defaults:
#                                  the build's)
#
# Needs nginx and GNU time (scripts/deps --bench).  Run by `make bench`.
set -u

FEEDSPOOL=${FEEDSPOOL:-build/rel/feedspool}
POLL_GEN=${POLL_GEN:-build/rel/bench/poll_gen}
SPOOL_FLOOR=${SPOOL_FLOOR:-build/rel/bench/spool_floor}
CURL=${CURL:-curl}
NS=${BENCH_POLL_N:-300 2000}
CASES=${BENCH_POLL_CASES:-feeds pages repoll}
# The floor's batch: daemon.c's DAEMON_FLUSH_STORIES.
FLOOR_BATCH=256
# One client run may take this long (seconds) before it is killed.
LIMIT=${BENCH_POLL_LIMIT:-1800}
WORKERS=${BENCH_POLL_WORKERS:-auto}
PARALLEL=16
TIME=/usr/bin/time

if [ -z "${NGINX:-}" ]; then
	NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi
die() {
	echo "poll.sh: $*" >&2
	exit 1
}
[ -x "$NGINX" ] || die "no nginx (install it with: sh scripts/deps --bench)"
[ -x "$TIME" ] || die "no GNU time in $TIME (sh scripts/deps --bench)"
[ -x "$FEEDSPOOL" ] || die "no $FEEDSPOOL (make)"
[ -x "$POLL_GEN" ] || die "no $POLL_GEN (make bench)"
[ -x "$SPOOL_FLOOR" ] || die "no $SPOOL_FLOOR (make bench)"
case $FEEDSPOOL in /*) ;; *) FEEDSPOOL=$PWD/$FEEDSPOOL ;; esac
case $POLL_GEN in /*) ;; *) POLL_GEN=$PWD/$POLL_GEN ;; esac
case $SPOOL_FLOOR in /*) ;; *) SPOOL_FLOOR=$PWD/$SPOOL_FLOOR ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/feedspool-poll.XXXXXX") ||
	die "cannot make a temp directory"
nginx_pid=""

# nginx goes whatever happens: TERM, a few seconds' grace, then KILL.
stop_nginx() {
	[ -n "$nginx_pid" ] || return 0
	kill -TERM "$nginx_pid" 2>/dev/null
	i=0
	while kill -0 "$nginx_pid" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$nginx_pid" 2>/dev/null
	wait "$nginx_pid" 2>/dev/null
	nginx_pid=""
}
cleanup() {
	stop_nginx
	if [ "${BENCH_POLL_KEEP:-0}" = 1 ]; then
		echo "poll.sh: kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- the server ----

# A private nginx: one process in the foreground, every path in $T, gzip
# for the feed and page types, ETags (nginx's default for static files).
write_nginx_conf() {
	user=""
	[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
	cat >"$T/nginx.conf" <<EOF
$user
daemon off;
master_process off;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log warn;
events { worker_connections 1024; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	log_format bench '\$status \$request_method \$uri "\$http_user_agent"';
	access_log $T/access.log bench;
	client_body_temp_path $T/tmp/body;
	proxy_temp_path $T/tmp/proxy;
	fastcgi_temp_path $T/tmp/fastcgi;
	uwsgi_temp_path $T/tmp/uwsgi;
	scgi_temp_path $T/tmp/scgi;
	sendfile on;
	keepalive_requests 100000;
	etag on;
	gzip on;
	gzip_types text/xml application/xml application/rss+xml
	    application/atom+xml application/rdf+xml application/json;
	server {
		listen 127.0.0.1:$port;
		root $T/www;
	}
}
EOF
}

# Start nginx on a free port: try a few, and make sure the one answering
# is ours (it serves a token only this run knows).
start_nginx() {
	mkdir -p "$T/www" "$T/tmp"
	token="feedspool-poll-$$-$(date +%s)"
	echo "$token" >"$T/www/token.txt"
	base=$((20000 + $$ % 20000))
	for try in 0 1 2 3 4 5 6 7 8 9; do
		port=$((base + try * 997))
		write_nginx_conf
		"$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/error.log" \
		    2>>"$T/nginx.err" &
		nginx_pid=$!
		i=0
		while [ "$i" -lt 50 ] && kill -0 "$nginx_pid" 2>/dev/null; do
			got=$("$CURL" -s --max-time 1 \
			    "http://127.0.0.1:$port/token.txt" 2>/dev/null)
			[ "$got" = "$token" ] && return 0
			sleep 0.1
			i=$((i + 1))
		done
		stop_nginx
	done
	die "nginx did not start: $(tail -n 3 "$T/error.log" "$T/nginx.err" 2>/dev/null)"
}

# ---- measuring ----

# measure NAME CMD...: run CMD under GNU time (and a time limit), its
# output in $T/NAME.out and $T/NAME.err; its wall, CPU and peak RSS go to
# $T/NAME.time as "wall cpu rss_kb".  What the one before wrote (the
# corpus, curl's copies of it) is written back first: feedspool's syncfs
# flushes its whole file system, and would otherwise pay for it.
measure() {
	name=$1
	shift
	sync
	timeout -k 10 "$LIMIT" "$TIME" -f '%e %U %S %M' -o "$T/$name.rusage" \
	    "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	[ "$rc" -eq 0 ] || die "$name: exit status $rc (see $T/$name.err)"
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$T/$name.rusage" \
	    >"$T/$name.time"
}

# Lines of the access log so far, and what came after a mark.
log_mark() {
	if [ -f "$T/access.log" ]; then
		wc -l <"$T/access.log" | tr -d ' '
	else
		echo 0
	fi
}
# log_count MARK STATUS PREFIX: requests since MARK for /PREFIX/... so
# answered.
log_count() {
	tail -n "+$(($1 + 1))" "$T/access.log" |
	    awk -v s="$2" -v p="/$3/" '$1 == s && index($3, p) == 1 { n++ }
	    END { print n + 0 }'
}
# What nginx saw since MARK, for the table: "f200 f304 a200 other".
log_summary() {
	tail -n "+$(($1 + 1))" "$T/access.log" | awk '
	    index($3, "/f/") == 1 && $1 == 200 { f200++; next }
	    index($3, "/f/") == 1 && $1 == 304 { f304++; next }
	    index($3, "/a/") == 1 && $1 == 200 { a200++; next }
	    { other++ }
	    END { printf "feeds %d x 200, %d x 304; pages %d x 200; other %d\n",
	        f200, f304, a200, other }'
}

# check WHAT WANT GOT
check() {
	[ "$2" -eq "$3" ] || die "$1: expected $2, got $3"
}

# ---- the clients ----

# A curl config: one transfer per URL of LIST, each with OPTIONS (lines of
# the config syntax where %N is the URL's file name) and the status
# written out, so that codes can be counted.
curl_config() {
	list=$1 out=$2 opts=$3
	awk -v out="$out" -v opts="$opts" '{
	    name = $0; sub(/^http:\/\/[^\/]*\//, "", name); gsub(/\//, "_", name)
	    if (NR > 1) print "next"
	    printf "url = \"%s\"\noutput = \"%s/%s\"\n", $0, out, name
	    printf "compressed\nsilent\nshow-error\n"
	    printf "write-out = \"%%{http_code}\\n\"\n"
	    o = opts; gsub(/%N/, name, o); if (o != "") printf "%s\n", o
	}' "$list"
}

# measure_curl NAME CONFIG
measure_curl() {
	measure "$1" "$CURL" --parallel --parallel-max "$PARALLEL" -s -S \
	    --max-time 60 -K "$2"
}

# curl_codes NAME CODE: how many transfers of NAME were answered CODE.
curl_codes() {
	grep -c "^$2\$" "$T/$1.out"
}

feedspool_config() {
	dir=$1 articles=$2
	mkdir -p "$dir"
	{
		echo "[feedspool]"
		echo "spool = $dir/spool"
		echo "state = $dir/state.db"
		echo "interval = 1h"
		echo "max_transfers = $PARALLEL"
		echo "per_host = $PARALLEL"
		echo "; one host, like curl: no gap between two requests"
		echo "host_gap = 0"
		echo "timeout = 60"
		echo "max_body = 8M"
		echo "workers = $WORKERS"
		echo "user_agent = http://127.0.0.1/feedspool-poll-bench"
		echo "fetch_articles = $articles"
		echo "allow_private_articles = yes"
		echo "; every item spooled, so the count of new/ is exact"
		echo "duplicates = mark"
		awk '{ printf "\n[f%d]\nurl = %s\n", NR - 1, $0 }' \
		    "$T/www/feeds.txt"
	} >"$dir/feedspool.conf"
}

# measure_feedspool NAME DIR
measure_feedspool() {
	measure "$1" "$FEEDSPOOL" run --once -c "$2/feedspool.conf"
}

spool_count() {
	if [ -d "$1/spool/new" ]; then
		find "$1/spool/new" -type f | wc -l | tr -d ' '
	else
		echo 0
	fi
}

# ---- one N ----

row() {
	# row CASE CLIENT NAME REQUESTS
	read -r wall cpu rss <"$T/$3.time"
	printf '%-8s %-10s %8.2f %8.2f %9.1f   %s\n' "$1" "$2" "$wall" "$cpu" \
	    "$(echo "$rss" | awk '{ print $1 / 1024 }')" "$4"
}
# ratio BASE NAME [LABEL]: NAME's figures over BASE's.
ratio() {
	read -r w1 c1 r1 <"$T/$1.time"
	read -r w2 c2 r2 <"$T/$2.time"
	awk -v w1="$w1" -v c1="$c1" -v r1="$r1" -v w2="$w2" -v c2="$c2" \
	    -v r2="$r2" -v l="${3:-ratio}" \
	    'function q(a, b) { return b > 0 ? a / b : 0 }
	    BEGIN { printf "%-8s %-10s %7.1fx %7.1fx %8.1fx\n", "", l,
	        q(w2, w1), q(c2, c1), q(r2, r1) }'
}

# floor CURL NAME DIR: the spool floor for what feedspool wrote in DIR's
# spool, its row and its ratio to curl's run CURL.
floor() {
	set -- "$1" "$2" "$3" "$(spool_count "$3")" \
	    "$(find "$3/spool/new" -type f -printf '%s\n' |
	    awk '{ b += $1 } END { printf "%.0f\n", b }')"
	[ "$4" -gt 0 ] && [ "$5" -gt 0 ] || die "$2: no stories to copy"
	rm -rf "$T/$2"
	mkdir -p "$T/$2"
	measure "$2" "$SPOOL_FLOOR" "$T/$2/spool" "$4" "$5" "$FLOOR_BATCH"
	check "spool floor: files in new/" "$4" "$(spool_count "$T/$2")"
	row "" floor "$2" "$4 files, $5 bytes, $FLOOR_BATCH a flush"
	ratio "$1" "$2" floor/curl
	rm -rf "$T/$2"
}

case_feeds() {
	mkdir -p "$T/curl-feeds" "$T/etag"
	curl_config "$T/www/feeds.txt" "$T/curl-feeds" \
	    "etag-save = \"$T/etag/%N\"
etag-compare = \"$T/etag/%N\"" >"$T/feeds.curl"
	m=$(log_mark)
	measure_curl curl-feeds "$T/feeds.curl"
	check "curl, first poll: 200s" "$n" "$(curl_codes curl-feeds 200)"
	row feeds curl curl-feeds "$(log_summary "$m")"

	feedspool_config "$T/fs-feeds" no
	m=$(log_mark)
	measure_feedspool fs-feeds "$T/fs-feeds"
	check "feedspool, first poll: feeds answered 200" "$n" \
	    "$(log_count "$m" 200 f)"
	check "feedspool, first poll: stories in new/" "$items" \
	    "$(spool_count "$T/fs-feeds")"
	row "" feedspool fs-feeds "$(log_summary "$m")"
	ratio curl-feeds fs-feeds
	floor curl-feeds floor-feeds "$T/fs-feeds"
}

case_pages() {
	mkdir -p "$T/curl-pages"
	cat "$T/www/feeds.txt" "$T/www/pages.txt" >"$T/all.txt"
	curl_config "$T/all.txt" "$T/curl-pages" "" >"$T/pages.curl"
	m=$(log_mark)
	measure_curl curl-pages "$T/pages.curl"
	check "curl, feeds and pages: 200s" "$((n + items))" \
	    "$(curl_codes curl-pages 200)"
	row pages curl curl-pages "$(log_summary "$m")"

	feedspool_config "$T/fs-pages" yes
	m=$(log_mark)
	measure_feedspool fs-pages "$T/fs-pages"
	check "feedspool, with pages: feeds answered 200" "$n" \
	    "$(log_count "$m" 200 f)"
	check "feedspool, with pages: pages answered 200" "$items" \
	    "$(log_count "$m" 200 a)"
	check "feedspool, with pages: stories in new/" "$items" \
	    "$(spool_count "$T/fs-pages")"
	row "" feedspool fs-pages "$(log_summary "$m")"
	ratio curl-pages fs-pages
	floor curl-pages floor-pages "$T/fs-pages"
}

case_repoll() {
	[ -d "$T/fs-feeds" ] && [ -d "$T/etag" ] ||
		die "the repoll case needs the feeds case first"
	curl_config "$T/www/feeds.txt" "$T/curl-feeds" \
	    "etag-compare = \"$T/etag/%N\"" >"$T/repoll.curl"
	m=$(log_mark)
	measure_curl curl-repoll "$T/repoll.curl"
	check "curl, repoll: 304s" "$n" "$(curl_codes curl-repoll 304)"
	row repoll curl curl-repoll "$(log_summary "$m")"

	before=$(spool_count "$T/fs-feeds")
	m=$(log_mark)
	measure_feedspool fs-repoll "$T/fs-feeds"
	check "feedspool, repoll: feeds answered 304" "$n" \
	    "$(log_count "$m" 304 f)"
	check "feedspool, repoll: stories in new/" "$before" \
	    "$(spool_count "$T/fs-feeds")"
	row "" feedspool fs-repoll "$(log_summary "$m")"
	ratio curl-repoll fs-repoll
}

bench_n() {
	n=$1
	rm -rf "$T/www/f" "$T/www/a" "$T"/curl-* "$T"/fs-* "$T/etag"
	gen=$("$POLL_GEN" "$T/www" "$n" "$port") || die "poll_gen failed"
	items=$(echo "$gen" | awk '{ print $4 }')
	bytes=$(echo "$gen" | awk '{ print $6 }')
	echo
	echo "N = $n feeds, $items items (a page each), $(echo "$bytes" |
	    awk '{ printf "%.1f", $1 / 1048576 }') MB on 127.0.0.1:$port;" \
	    "$PARALLEL transfers at once"
	printf '%-8s %-10s %8s %8s %9s   %s\n' case client "wall s" "cpu s" \
	    "rss MB" "requests seen by nginx"
	for c in $CASES; do
		case $c in
		feeds) case_feeds ;;
		pages) case_pages ;;
		repoll) case_repoll ;;
		*) die "unknown case $c (feeds, pages, repoll)" ;;
		esac
	done
}

start_nginx
echo "feedspool $("$FEEDSPOOL" --version 2>&1 | head -n 1), $("$CURL" --version |
    head -n 1 | cut -d' ' -f1-2), nginx $("$NGINX" -v 2>&1 | sed 's/.*\///')"
echo "feedspool's workers = $WORKERS, on $(getconf _NPROCESSORS_ONLN) CPUs"
for n in $NS; do
	bench_n "$n"
done
