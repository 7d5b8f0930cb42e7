# Crash safety: kill -9 the daemon at several moments while it spools a feed
# of 1000 items, restart it each time; new/ never holds a partial file, tmp/
# leftovers go at start, and in the end every item is there exactly once.
. "$(dirname "$0")/lib.sh"

ITEMS=1000
start_server
write_config "$T/feedspool.conf" big=/gen/$ITEMS.xml

# Every file in new/ is a whole story (one jq over all of them).
check_spool() {
	set -- "$T"/spool/new/*
	[ -e "$1" ] || return 0
	jq -e .id "$@" >/dev/null 2>&1 || fail "a partial or invalid file in new/"
}

# A leftover of an earlier crash: removed at start.
mkdir -p "$T/spool/tmp" "$T/spool/new" "$T/spool/cur"
echo '{"half": ' >"$T/spool/tmp/1.deadbeefdeadbeef.json"

kills=0
for delay in 0.1 0.2 0.3 0.2 0.4 0.3 0.5 0.6 0.8 1 1.5 2 3 4; do
	"$FEEDSPOOL" run -c "$T/feedspool.conf" 2>>"$T/daemon.err" &
	pid=$!
	sleep "$delay"
	if kill -9 "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	check_spool
	n=$(find "$T/spool/new" -type f | wc -l)
	echo "killed after ${delay}s: $n stories in new/"
	[ "$n" -ge "$ITEMS" ] && break
done
[ "$kills" -ge 3 ] || fail "only $kills kills landed"

# The last start finishes the job.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/last.out" 2>>"$T/daemon.err" ||
	fail "final run: $(tail -n 5 "$T/daemon.err")"
check_spool
assert_file_count "$T/spool/tmp" 0
assert_file_count "$T/spool/new" "$ITEMS"
ids=$(jq -r .id "$T"/spool/new/* | sort -u | wc -l)
assert_eq "$ITEMS" "$((ids + 0))" "distinct story ids"
guids=$(jq -r .guid "$T"/spool/new/* | sort -u | wc -l)
assert_eq "$ITEMS" "$((guids + 0))" "distinct items"
assert_eq "$ITEMS" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'delivered'")" "delivered in the state"
assert_eq 0 "$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'pending'")" "pending in the state"

# Stories whose pages were on their way when the daemon died get their
# pages at the next start, not just the feed's text.
rm -rf "$T/spool" "$T"/state.db*
CONFIG_EXTRA="allow_private_articles = yes"
write_config "$T/slow.conf" slow=/feeds/slowpages.xml
"$FEEDSPOOL" run -c "$T/slow.conf" 2>"$T/slow.err" &
pid=$!
n=0
until grep -q 'feed slow: 200' "$T/slow.err"; do
	n=$((n + 1))
	[ "$n" -le 100 ] || fail "the slow feed was not polled: $(cat "$T/slow.err")"
	nap
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
assert_file_count "$T/spool/new" 0
"$FEEDSPOOL" run -c "$T/slow.conf" --once >"$T/slow2.out" 2>"$T/slow2.err" ||
	fail "restart: $(cat "$T/slow2.err")"
grep -q '3 waiting for their page' "$T/slow2.err" || fail "no resumed pages: $(cat "$T/slow2.err")"
assert_file_count "$T/spool/new" 3
n=$(jq -r .text_source "$T"/spool/new/* | grep -c '^article$')
assert_eq 3 "$n" "stories with their page after the restart"
stop_server
exit 0
