# Power-loss order of a delivery, read off the system calls (strace): a
# power cut keeps only what was flushed, so for every story file
#   its bytes are flushed (syncfs of the spool, or fsync of the file) after
#   its last write and before its rename into new/, and the state
#   database's WAL is flushed after that and before the rename (a pending
#   row without the story's JSON may be durable only once the file that
#   stands for it is, and it is the commit that lets the file go to new/;
#   a worker may write the file of a later batch while one commits, so a
#   WAL flush between a file's write and its flush is not itself wrong);
#   new/ is fsynced after the rename and before the state database's WAL is
#   next flushed (the flush that makes "delivered" durable);
# and the stories of one document share their flushes (a batch), so a feed
# of 300 items costs a handful of flushes, not 300; so do the pages that
# come in together (60 pages, 8 at a time: a few batches, not 60); and a
# re-poll that only hears "304 Not Modified" costs no flush per feed.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 || fail "strace is not installed (scripts/deps)"
# LeakSanitizer cannot work under ptrace: leaks are checked by the other tests.
ITEMS=300
start_server
CONFIG_EXTRA="fetch_articles = no"
feeds="big=/gen/$ITEMS.xml"
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	feeds="$feeds f$n=/gen/$n.xml"
done
# shellcheck disable=SC2086
write_config "$T/feedspool.conf" $feeds
# (their items are the first ones of big: duplicates, recorded, not spooled)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -y -o "$T/trace" \
    -e trace=write,pwrite64,fsync,fdatasync,syncfs,rename,renameat,renameat2 \
    "$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out" 2>"$T/err" ||
	fail "run: $(tail -n 5 "$T/err")"
assert_file_count "$T/spool/new" "$ITEMS"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -y -o "$T/trace304" \
    -e trace=fsync,fdatasync,syncfs \
    "$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/out304" 2>"$T/err304" ||
	fail "re-poll: $(tail -n 5 "$T/err304")"
stop_server
n304=$(grep -c '304 not modified' "$T/err304")
assert_eq 21 "$n304" "feeds answered 304"
flushes=$(grep -cE '^[0-9]+ +(fsync|fdatasync|syncfs)\(' "$T/trace304")
# Closing the database checkpoints its WAL: a few flushes in all.
[ "$flushes" -le 4 ] || fail "$flushes flushes for a re-poll of 21 feeds that all answered 304"
echo "re-poll of 21 feeds, all 304: $flushes flushes"

# One line per verdict; "ok N FLUSHES" at the end when every rule held.
awk -v spool="$T/spool" '
function path(s) {	# the path strace -y prints in <...> after an fd
	if (match(s, /<[^>]*>/))
		return substr(s, RSTART + 1, RLENGTH - 2)
	return ""
}
{
	call = $2
	sub(/\(.*/, "", call)
	p = path($2)
}
call == "write" && index(p, spool "/tmp/") == 1 {
	name = substr(p, length(spool "/tmp/") + 1)
	written[name] = NR
	synced[name] = 0
}
(call == "fsync" || call == "fdatasync") && index(p, spool "/tmp/") == 1 {
	synced[substr(p, length(spool "/tmp/") + 1)] = NR
}
call == "syncfs" {
	for (n in written)
		synced[n] = NR
	flushes++
}
call ~ /^rename/ && index($0, spool "/new") {
	if (!match($0, /"[^"]*"/))
		next
	name = substr($0, RSTART + 1, RLENGTH - 2)
	if (!(name in written))
		{ print "rename of a file never written: " name; bad = 1 }
	else if (synced[name] < written[name])
		{ print "renamed before its bytes were flushed: " name; bad = 1 }
	else if (lastwal < synced[name])
		{ print "state committed before the bytes of " name; bad = 1 }
	undirsynced[name] = 1
	renamed++
}
(call == "fsync" || call == "fdatasync") && p == spool "/new" {
	for (n in undirsynced)
		delete undirsynced[n]
	flushes++
}
(call == "fsync" || call == "fdatasync") && p ~ /-wal$/ {
	for (n in undirsynced)
		{ print "WAL flushed before new/ held " n " durably"; bad = 1 }
	lastwal = NR
	walsyncs++
}
(call == "fsync" || call == "fdatasync") && index(p, spool "/tmp/") == 1 {
	flushes++
}
END {
	if (renamed == 0)
		{ print "no rename into new/ seen"; bad = 1 }
	if (walsyncs == 0)
		{ print "no flush of the state WAL seen"; bad = 1 }
	if (!bad)
		print "ok", renamed, flushes + 0
}' "$T/trace" >"$T/verdict"
grep -q '^ok ' "$T/verdict" || fail "$(head -n 5 "$T/verdict")"
set -- $(cat "$T/verdict")
assert_eq "$ITEMS" "$2" "files renamed into new/"
# One document, one batch: a syncfs and an fsync of new/ (and a few more
# only if the daemon splits a batch); never one per story.
[ "$3" -le 10 ] || fail "$3 spool flushes for $ITEMS stories of one document"
echo "$ITEMS stories, $3 spool flushes"

# Pages fetched 8 at a time are delivered in batches too: the spool's
# syncfs calls, one a batch, are far fewer than the pages.
PAGES=60
rm -rf "$T/spool" "$T/state.db" "$T/state.db-wal" "$T/state.db-shm" \
    "$T/requests.log"
start_server
CONFIG_EXTRA="fetch_articles = yes
allow_private_articles = yes
per_host = 8
max_transfers = 8"
HOST_GAP=0 write_config "$T/pages.conf" "gen=/gen/$PAGES.xml"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o "$T/tpages" \
    -e trace=syncfs \
    "$FEEDSPOOL" run -c "$T/pages.conf" --once >"$T/outp" 2>"$T/errp" ||
	fail "run with pages: $(tail -n 5 "$T/errp")"
stop_server
assert_file_count "$T/spool/new" "$PAGES"
assert_eq "$PAGES" "$(count_log '/gen-article/')" "pages fetched"
batches=$(grep -c 'syncfs(' "$T/tpages")
[ "$batches" -le $((PAGES / 4)) ] ||
	fail "$batches spool flushes for $PAGES pages: not batched"
echo "$PAGES pages, $batches spool flushes"

# The files of one document sort as its items came, oldest first (the
# feed lists gen-50 first), whoever wrote them: the workers name them as
# the store would.
rm -rf "$T/spool" "$T/state.db" "$T/state.db-wal" "$T/state.db-shm"
start_server
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/order.conf" gen=/gen/50.xml
"$FEEDSPOOL" run -c "$T/order.conf" --once >"$T/outo" 2>"$T/erro" ||
	fail "run for the order: $(tail -n 5 "$T/erro")"
stop_server
assert_file_count "$T/spool/new" 50
got=$(cd "$T/spool/new" && ls | sort | xargs jq -r .guid | tr '\n' ' ')
want=$(seq 1 50 | sed 's/^/gen-/' | tr '\n' ' ')
assert_eq "$want" "$got" "the guids in the order of the files' names"
exit 0
