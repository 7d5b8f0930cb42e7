# End to end: the metrics (Prometheus text format 0.0.4) in metrics_file
# after one-shot runs, checked against the spool, the log and the server's
# request log; then over HTTP on metrics_listen from a running daemon; and
# bad metrics_listen values refused with file and line.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "no curl"

# metric FILE 'NAME{LABELS}': the value of that sample, "" when none.
# (A label value may hold a blank: the value is what follows the last.)
metric() {
	awk -v k="$2" '!/^#/ { v = $NF; sub(/ [^ ]*$/, "")
		if ($0 == k) { print v; exit } }' "$1"
}

# sum FILE NAME: the sum of the samples of NAME, whatever their labels.
sum() {
	awk -v k="$1{" 'index($0, k) == 1 { n += $NF } END { print n + 0 }' "$2"
}

# check_format FILE: every sample "name{labels} value" of a family whose
# HELP and TYPE came before it; feedspool_ names; counters end in _total;
# each histogram's buckets grow up to +Inf, which is its count.
check_format() {
	awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / {
		if (!($3 in help)) { print "TYPE before HELP: " $0; bad = 1 }
		type[$3] = $4
		if ($4 == "counter" && $3 !~ /_total$/) {
			print "counter without _total: " $3; bad = 1
		}
		next
	}
	/^#/ { print "stray comment: " $0; bad = 1; next }
	{
		if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? [-+]?([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|Inf|NaN)$/) {
			print "bad sample line: " $0; bad = 1; next
		}
		v = $NF; key = $0; sub(/ [^ ]*$/, "", key)
		name = key; sub(/\{.*/, "", name)
		fam = name
		if (!(fam in type)) sub(/_(bucket|sum|count)$/, "", fam)
		if (!(fam in type)) { print "no TYPE before: " $0; bad = 1 }
		if (name !~ /^feedspool_/) { print "not feedspool_: " $0; bad = 1 }
		if (name ~ /_bucket$/) {
			le = key; sub(/,?le="[^"]*"/, "", key); sub(/\{\}$/, "", key)
			if (key in last && v + 0 < last[key]) {
				print "bucket shrinks: " $0; bad = 1
			}
			last[key] = v + 0
			if (le ~ /le="\+Inf"/) inf[key] = v
		}
		if (name ~ /_count$/ && type[fam] == "histogram") {
			sub(/_count/, "_bucket", key)
			cnt[key] = v
		}
		n++
	}
	END {
		for (k in cnt)
			if (!(k in inf) || inf[k] != cnt[k]) {
				print "+Inf bucket is not the count: " k; bad = 1
			}
		if (n == 0) { print "no samples"; bad = 1 }
		exit bad
	}' "$1" || fail "$1: not Prometheus text format"
}

start_server
CONFIG_EXTRA="allow_private_articles = yes
metrics_file = $T/metrics.prom"
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml \
    rdf=/feeds/rdf.xml seed=/feeds/seed.xml missing=/status/404 \
    broken=/status/500 notafeed=/page.html \
    refused=http://127.0.0.1:1/feed.xml slow=/slow/5/feeds/world.xml
echo "timeout = 1s" >>"$T/feedspool.conf"	# of [slow], the last section

"$FEEDSPOOL" check-config -c "$T/feedspool.conf" >"$T/check.out" 2>&1 ||
	fail "check-config refused metrics_file: $(cat "$T/check.out")"

# First run: the good feeds answer 200, the others fail each its own way.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run1.out" 2>"$T/run1.err"
[ -s "$T/metrics.prom" ] || fail "no metrics_file after a run: $(cat "$T/run1.err")"
[ -e "$T/metrics.prom.tmp" ] && fail "metrics_file's temporary file left behind"
cp "$T/metrics.prom" "$T/m1"
check_format "$T/m1"

files=$(find "$T/spool/new" -type f | wc -l)
assert_eq $((files + 0)) "$(metric "$T/m1" feedspool_stories_delivered_total)" \
    "stories delivered, against the files in new/"
logged=$(grep -c 'is a duplicate' "$T/run1.err")
dups=$(sum feedspool_duplicates_total "$T/m1")
assert_eq "$logged" "$dups" "duplicates, against the log"
# Four seed items link to the pages of the atom and rdf items.
assert_eq 4 "$(metric "$T/m1" 'feedspool_duplicates_total{reason="same URL",action="dropped"}')" \
    "duplicates for the same URL"

n=$(count_log '^GET	/feeds/[a-z]+\.xml	200	')
assert_eq 4 "$n" "feeds answered 200 (server log)"
assert_eq "$n" "$(metric "$T/m1" 'feedspool_polls_total{result="ok"}')" "polls ok"
assert_eq 0 "$(metric "$T/m1" 'feedspool_polls_total{result="not_modified"}')" "polls 304"
assert_eq 1 "$(metric "$T/m1" 'feedspool_polls_total{result="http_4xx"}')" "polls 4xx"
assert_eq 1 "$(metric "$T/m1" 'feedspool_polls_total{result="http_5xx"}')" "polls 5xx"
assert_eq 1 "$(metric "$T/m1" 'feedspool_polls_total{result="parse"}')" "polls not a feed"
assert_eq 1 "$(metric "$T/m1" 'feedspool_polls_total{result="connect"}')" "polls refused connection"
assert_eq 1 "$(metric "$T/m1" 'feedspool_polls_total{result="timeout"}')" "polls timed out"
polls=$(sum feedspool_polls_total "$T/m1")
assert_eq 9 "$polls" "polls in all"
assert_eq 9 "$(metric "$T/m1" feedspool_feeds)" "feeds"
assert_eq 5 "$(metric "$T/m1" feedspool_feeds_failing)" "feeds failing"
assert_eq 0 "$(metric "$T/m1" feedspool_pending_stories)" "pending stories"
assert_eq 0 "$(metric "$T/m1" feedspool_transfers_in_flight)" "transfers in flight"
assert_eq 9 "$(metric "$T/m1" 'feedspool_transfer_seconds_count{kind="feed"}')" "feed transfers timed"
pages=$(count_log '^GET	/news/')
[ "$pages" -gt 0 ] || fail "no page was fetched"
assert_eq "$pages" "$(metric "$T/m1" 'feedspool_transfer_seconds_count{kind="page"}')" \
    "page transfers timed (server log)"
# The one that timed out took about its timeout.
[ "$(metric "$T/m1" 'feedspool_transfer_seconds_bucket{kind="feed",le="0.5"}')" -le 8 ] ||
	fail "the timed-out poll is in the 0.5 s bucket"
for k in feed page; do
	b=$(metric "$T/m1" "feedspool_received_bytes_total{kind=\"$k\"}")
	[ "${b:-0}" -gt 0 ] || fail "no bytes received for kind $k"
done

# Second run: 304s; the counters are the new process's own.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run2.out" 2>"$T/run2.err"
cp "$T/metrics.prom" "$T/m2"
check_format "$T/m2"
n=$(count_log '^GET	/feeds/[a-z]+\.xml	304	')
assert_eq 4 "$n" "feeds answered 304 (server log)"
assert_eq "$n" "$(metric "$T/m2" 'feedspool_polls_total{result="not_modified"}')" "polls 304"
assert_eq 0 "$(metric "$T/m2" 'feedspool_polls_total{result="ok"}')" "polls ok, second run"
assert_eq 0 "$(metric "$T/m2" feedspool_stories_delivered_total)" "delivered, second run"

# A running daemon serves GET /metrics on loopback (port 0: any free one,
# logged).
CONFIG_EXTRA="metrics_listen = 0
metrics_file = $T/metrics.prom"
write_config "$T/serve.conf" world=/feeds/world.xml atom=/feeds/atom.xml
# A short interval: the first pass is spread over it.
sed 's/^interval = 1m$/interval = 3s/' "$T/serve.conf" >"$T/serve.tmp" &&
    mv "$T/serve.tmp" "$T/serve.conf" || fail "cannot edit serve.conf"
"$FEEDSPOOL" run -c "$T/serve.conf" --spool "$T/spool3" --state "$T/state3.db" \
    >"$T/run3.out" 2>"$T/run3.err" &
pid=$!
# It polls every 3 s until told to stop: told on any way out.
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; e2e_cleanup' EXIT
i=0
mport=
while [ -z "$mport" ]; do
	mport=$(sed -n 's|.*metrics: http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics.*|\1|p' "$T/run3.err" 2>/dev/null)
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "no metrics address logged: $(cat "$T/run3.err")"
	kill -0 "$pid" 2>/dev/null || fail "daemon exited: $(cat "$T/run3.err")"
	nap
done
murl="http://127.0.0.1:$mport"
code=$(curl -s -o "$T/h1" -D "$T/h1.head" -w '%{http_code}' "$murl/metrics")
assert_eq 200 "$code" "GET /metrics"
tr -d '\r' <"$T/h1.head" | grep -qi '^content-type: text/plain; version=0.0.4' ||
	fail "content type: $(cat "$T/h1.head")"
check_format "$T/h1"
assert_eq 2 "$(metric "$T/h1" feedspool_feeds)" "feeds, over HTTP"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$murl/")" "GET /"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$murl/metrics/x")" "GET /metrics/x"
assert_eq 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$murl/metrics")" "POST /metrics"
assert_eq 405 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$murl/metrics")" "DELETE /metrics"
i=0
while curl -s -o "$T/h2" "$murl/metrics" &&
    [ "$(metric "$T/h2" 'feedspool_polls_total{result="ok"}')" != 2 ]; do
	i=$((i + 1))
	[ "$i" -le 300 ] || fail "the two feeds not polled in 30 s"
	nap
done
kill -TERM "$pid"
wait "$pid" || fail "daemon exited $? after SIGTERM: $(cat "$T/run3.err")"
trap e2e_cleanup EXIT
# At exit, the file has the last word.
check_format "$T/metrics.prom"
assert_eq 2 "$(metric "$T/metrics.prom" 'feedspool_polls_total{result="ok"}')" "polls ok, at exit"
files=$(find "$T/spool3/new" -type f | wc -l)
assert_eq $((files + 0)) "$(metric "$T/metrics.prom" feedspool_stories_delivered_total)" \
    "delivered at exit, against the files in new/"
[ "$(metric "$T/metrics.prom" feedspool_start_time_seconds)" -ge \
    "$(metric "$T/m2" feedspool_start_time_seconds)" ] || fail "start time went back"

# A port that is taken: the daemon says so and exits 1.
CONFIG_EXTRA="metrics_listen = 127.0.0.1:$PORT"
write_config "$T/taken.conf" world=/feeds/world.xml
"$FEEDSPOOL" run -c "$T/taken.conf" --once >/dev/null 2>"$T/taken.err"
assert_eq 1 "$?" "exit status with metrics_listen taken"
grep -q "metrics_listen 127.0.0.1:$PORT: cannot listen" "$T/taken.err" ||
	fail "port taken: $(cat "$T/taken.err")"
# A metrics_file that cannot be written: said once, exit 1.
CONFIG_EXTRA="metrics_file = $T/no/such/dir/feedspool.prom"
write_config "$T/nofile.conf" world=/feeds/world.xml
"$FEEDSPOOL" run -c "$T/nofile.conf" --once >/dev/null 2>"$T/nofile.err"
assert_eq 1 "$?" "exit status with metrics_file unwritable"
assert_eq 1 "$(grep -c "metrics_file $T/no/such/dir/feedspool.prom: No such file" "$T/nofile.err")" \
    "unwritable metrics_file reported once: $(cat "$T/nofile.err")"
stop_server

# Bad values: file and line named, as for every configuration error.
for bad in "99999" "127.0.0.1:" "metrics.example.org:9464" "[::1]9464" \
    "10.0.0.300:80" ":9464" "127.0.0.1:9464x"; do
	printf '[feedspool]\nmetrics_listen = %s\n' "$bad" >"$T/bad.conf"
	"$FEEDSPOOL" check-config -c "$T/bad.conf" >"$T/bad.out" 2>&1 &&
		fail "check-config took metrics_listen = $bad"
	grep -qF "$T/bad.conf:2: metrics_listen: '$bad' is not" "$T/bad.out" ||
		fail "metrics_listen = $bad: $(cat "$T/bad.out")"
done
for good in "9464" "127.0.0.1:9464" "0.0.0.0:9464" "[::1]:9464" "localhost:0"; do
	printf '[feedspool]\nmetrics_listen = %s\n' "$good" >"$T/good.conf"
	"$FEEDSPOOL" check-config -c "$T/good.conf" >"$T/good.out" 2>&1 ||
		fail "check-config refused metrics_listen = $good: $(cat "$T/good.out")"
done
exit 0
