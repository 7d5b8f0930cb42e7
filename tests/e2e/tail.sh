# End to end: `feedspool tail` lists the stories in new/, oldest first, as
# text or JSON Lines; `tail --follow --json`, started before a daemon run,
# prints the stories that run delivers, and exits 0 when told to stop or
# when the reader of its output goes away.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed"
start_server
CONFIG_EXTRA="fetch_articles = no"
write_config "$T/feedspool.conf" world=/feeds/world.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run1.out" 2>"$T/run1.err" ||
	fail "run exited $?: $(cat "$T/run1.err")"
assert_file_count "$T/spool/new" 3

# Oldest first, by mtime: set them against the order of their names.
i=0
for f in $(ls -r "$T"/spool/new/*); do
	i=$((i + 1))
	touch -d "2024-01-0$i 12:00:00" "$f"
done
ls -r "$T"/spool/new/* >"$T/expected.order"

"$FEEDSPOOL" tail "$T/spool" >"$T/list.out" 2>"$T/list.err" ||
	fail "tail exited $?: $(cat "$T/list.err")"
[ -s "$T/list.err" ] && fail "tail said: $(cat "$T/list.err")"
assert_eq 3 "$(wc -l <"$T/list.out" | tr -d ' ')" "lines"
# Time, feed, title, URL: four fields, in the order of the files.
while IFS= read -r f; do
	jq -r '[(.published // .fetched), .feed.name, .title, .url] | @tsv' "$f"
done <"$T/expected.order" >"$T/list.expected"
cmp -s "$T/list.expected" "$T/list.out" ||
	fail "tail: $(diff "$T/list.expected" "$T/list.out")"
awk -F'\t' 'NF != 4 { exit 1 }' "$T/list.out" || fail "not four fields: $(cat "$T/list.out")"

# The configured spool by default; --json: each file's JSON, one a line.
"$FEEDSPOOL" tail -c "$T/feedspool.conf" --json >"$T/json.out" 2>"$T/json.err" ||
	fail "tail --json exited $?: $(cat "$T/json.err")"
assert_eq 3 "$(wc -l <"$T/json.out" | tr -d ' ')" "JSON lines"
while IFS= read -r line; do
	printf '%s\n' "$line" | jq -e .id >/dev/null || fail "not JSON: $line"
done <"$T/json.out"
while IFS= read -r f; do jq -r .id "$f"; done <"$T/expected.order" >"$T/ids.expected"
jq -r .id "$T/json.out" >"$T/ids.out"
cmp -s "$T/ids.expected" "$T/ids.out" || fail "tail --json order: $(cat "$T/ids.out")"
# A file that is not a story is skipped, with a word.
echo 'not json' >"$T/spool/new/junk"
"$FEEDSPOOL" tail --json "$T/spool" >"$T/junk.out" 2>"$T/junk.err" ||
	fail "tail exited $? on a file that is not JSON"
assert_eq 3 "$(wc -l <"$T/junk.out" | tr -d ' ')" "lines with a junk file"
grep -q 'new/junk: not JSON' "$T/junk.err" || fail "no word of junk: $(cat "$T/junk.err")"
rm -f "$T/spool/new/junk"

# --follow, started before a run that delivers two more stories.
"$FEEDSPOOL" tail --follow --json "$T/spool" >"$T/follow.out" 2>"$T/follow.err" &
tpid=$!
i=0
until [ "$(wc -l <"$T/follow.out" | tr -d ' ')" = 3 ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "tail --follow did not list new/: $(cat "$T/follow.err")"
	nap
done
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run2.out" 2>"$T/run2.err" ||
	fail "second run exited $?: $(cat "$T/run2.err")"
assert_file_count "$T/spool/new" 5
i=0
until [ "$(wc -l <"$T/follow.out" | tr -d ' ')" -ge 5 ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "tail --follow missed stories: $(cat "$T/follow.out")"
	nap
done
kill -TERM "$tpid"
wait "$tpid" || fail "tail --follow exited $? on SIGTERM: $(cat "$T/follow.err")"
assert_eq 5 "$(wc -l <"$T/follow.out" | tr -d ' ')" "lines followed"
while IFS= read -r line; do
	printf '%s\n' "$line" | python3 -m json.tool >/dev/null 2>&1 ||
		printf '%s\n' "$line" | jq -e . >/dev/null || fail "not JSON: $line"
done <"$T/follow.out"
for id in $(jq -r 'select(.feed.name == "atom") | .id' "$T"/spool/new/*); do
	assert_eq 1 "$(jq -r .id "$T/follow.out" | grep -c "^$id\$")" "atom story $id followed"
done
[ -s "$T/follow.err" ] && fail "tail --follow said: $(cat "$T/follow.err")"

# SIGINT ends it as cleanly.
"$FEEDSPOOL" tail -f "$T/spool" >"$T/int.out" 2>"$T/int.err" &
tpid=$!
i=0
until [ "$(wc -l <"$T/int.out" | tr -d ' ')" = 5 ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "tail -f did not list new/"
	nap
done
kill -INT "$tpid"
wait "$tpid" || fail "tail -f exited $? on SIGINT: $(cat "$T/int.err")"

# The reader goes away: tail -f ends, exit 0, without waiting for a story.
( timeout 20 "$FEEDSPOOL" tail -f "$T/spool" 2>"$T/pipe.err"; echo $? >"$T/pipe.rc" ) |
    head -n 1 >"$T/pipe.out"
assert_eq 0 "$(cat "$T/pipe.rc")" "tail -f exit when its reader went"
assert_eq 1 "$(wc -l <"$T/pipe.out" | tr -d ' ')" "lines read through the pipe"

# No spool: exit 2.
"$FEEDSPOOL" tail "$T/nowhere" >/dev/null 2>&1
assert_eq 2 "$?" "tail of a spool that does not exist"
echo PASS
