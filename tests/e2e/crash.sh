# Crash safety: kill -9 the daemon at several moments while it spools a feed
# of 1000 items, restart it each time; new/ never holds a partial file, tmp/
# leftovers go at start, and in the end every item is there exactly once.
# Then the same in the middle of one batch, many times.
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

# Kills in the middle of a batch.  strace slows every rename into new/ down
# (5 ms each), so that the batch of one 400-item document takes seconds to
# land; the daemon is killed while files of the batch still wait in tmp/.
# No story may count as delivered before its whole batch is durable (its
# file in new/), and the next start delivers each exactly once.  After the
# first kill the stories are pending: the next starts are killed in the
# middle of delivering them again (in batches of at most 256).
command -v strace >/dev/null 2>&1 || fail "strace is not installed (scripts/deps)"
rm -rf "$T/spool" "$T"/state.db*
BATCH=400
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/batch.conf" batch=/gen/$BATCH.xml
# Every story the state counts delivered has its file in new/.
check_delivered() {
	sqlite3 "$T/state.db" "SELECT spool_name FROM items WHERE status = 'delivered'" |
	while read -r name; do
		[ -f "$T/spool/new/$name" ] ||
			{ echo "$name"; break; }
	done
}
# A pending row without its JSON stands for a file in tmp/ (durable before
# the row was) or already in new/: that file is the story.
check_unstored() {
	sqlite3 "$T/state.db" "SELECT spool_name FROM items WHERE status = 'pending' AND story IS NULL" |
	while read -r name; do
		[ -f "$T/spool/tmp/$name" ] || [ -f "$T/spool/new/$name" ] ||
			{ echo "$name"; break; }
	done
}
mid=0 mid_pending=0 tries=0 unstored=0
while { [ "$mid" -lt 5 ] || [ "$mid_pending" -lt 3 ]; } &&
    [ "$tries" -lt 20 ]; do
	tries=$((tries + 1))
	pending=0
	[ -f "$T/state.db" ] && pending=$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'pending'")
	before=$(find "$T/spool/new" -type f 2>/dev/null | wc -l)
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o /dev/null -e trace=renameat,renameat2 \
	    -e inject=renameat,renameat2:delay_enter=5000 \
	    "$FEEDSPOOL" run -c "$T/batch.conf" 2>>"$T/batch.err" &
	spid=$!
	n=0
	until [ -n "$(ls "$T/spool/tmp" 2>/dev/null)" ]; do
		n=$((n + 1))
		[ "$n" -le 300 ] || fail "no batch began: $(tail -n 3 "$T/batch.err")"
		sleep 0.02
	done
	# The rows are committed once every file of the batch is flushed in
	# tmp/ (slow under the sanitizers): the kill is to land among the
	# renames that follow, which strace slows down.
	n=0
	until [ "$(find "$T/spool/new" -type f | wc -l)" -gt "$before" ]; do
		n=$((n + 1))
		[ "$n" -le 1000 ] || fail "no rename began: $(tail -n 3 "$T/batch.err")"
		sleep 0.02
	done
	sleep "0.$((tries % 5 + 1))"
	pkill -9 -P "$spid" feedspool
	wait "$spid" 2>/dev/null
	check_spool
	left=$(find "$T/spool/tmp" -type f | wc -l)
	done_n=$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'delivered'")
	echo "batch kill $tries: $pending pending at start, $left files in tmp/, $done_n delivered"
	if [ "$left" -gt 0 ]; then
		mid=$((mid + 1))
		[ "$pending" -gt 0 ] && mid_pending=$((mid_pending + 1))
		lost=$(check_delivered)
		[ -z "$lost" ] || fail "story $lost counted delivered while its batch was cut"
	fi
	lost=$(check_unstored)
	[ -z "$lost" ] || fail "story $lost pending without its JSON, and its file in neither tmp/ nor new/"
	stored=$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'pending' AND story IS NULL")
	[ "$stored" -gt 0 ] && unstored=$((unstored + 1))
	# The batch ended before the kill: the next try begins a new one.
	if [ "$done_n" -eq "$BATCH" ]; then
		check_spool
		assert_file_count "$T/spool/new" "$BATCH"
		rm -rf "$T/spool" "$T"/state.db*
	fi
done
[ "$mid" -ge 5 ] || fail "only $mid kills landed in the middle of a batch"
[ "$mid_pending" -ge 3 ] ||
	fail "only $mid_pending kills landed while pending stories were delivered again"
[ "$unstored" -ge 1 ] ||
	fail "no kill left stories pending with their file in tmp/ standing for them"
"$FEEDSPOOL" run -c "$T/batch.conf" --once >"$T/batch.out" 2>>"$T/batch.err" ||
	fail "after the batch kills: $(tail -n 5 "$T/batch.err")"
check_spool
assert_file_count "$T/spool/tmp" 0
assert_file_count "$T/spool/new" "$BATCH"
ids=$(jq -r .guid "$T"/spool/new/* | sort -u | wc -l)
assert_eq "$BATCH" "$((ids + 0))" "distinct items after the batch kills"
assert_eq "$BATCH" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM items WHERE status = 'delivered'")" "delivered after the batch kills"
CONFIG_EXTRA=

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
