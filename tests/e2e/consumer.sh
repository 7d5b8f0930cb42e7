# The README's example consumer, run as the README has it (the text between
# its "consumer example" markers, never a copy): every story out of new/
# into cur/ under its own name, one digest line each; run again after a
# run that stopped between processing a story and moving it, the story is
# moved and not processed twice.  lib.sh then validates the stories in
# cur/ against the schema.
. "$(dirname "$0")/lib.sh"

sed -n '/^<!-- consumer example: begin -->$/,/^<!-- consumer example: end -->$/p' \
    "$TOP_DIR/README.md" | sed -e '1,2d' -e '$d' | sed '$d' >"$T/consume"
head -n 1 "$T/consume" | grep -q '^#!/bin/sh$' ||
	fail "no consumer example in README.md: $(head -n 3 "$T/consume")"
[ "$(tail -n 1 "$T/consume")" = done ] ||
	fail "the README's consumer example ends with: $(tail -n 1 "$T/consume")"

start_server
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml \
    rdf=/feeds/rdf.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run.out" 2>"$T/run.err" ||
	fail "run exited $?: $(cat "$T/run.err")"
stop_server
assert_file_count "$T/spool/new" 7
ls "$T/spool/new" >"$T/names"

sh "$T/consume" "$T/spool" 2>"$T/consume.err" ||
	fail "consume exited $?: $(cat "$T/consume.err")"
assert_file_count "$T/spool/new" 0
assert_file_count "$T/spool/cur" 7
ls "$T/spool/cur" | cmp -s - "$T/names" || fail "cur/ holds other names"
assert_eq 7 "$(wc -l <"$T/spool/digest.tsv" | tr -d ' ')" "digest lines"
assert_eq 7 "$(cut -f1 "$T/spool/digest.tsv" | sort -u | wc -l | tr -d ' ')" \
    "ids in the digest"
id=$(jq -r .id "$T/spool/cur/$(head -n 1 "$T/names")")
grep -q "^$id	" "$T/spool/digest.tsv" || fail "no digest line for $id"

# A run stopped after processing a story, before its mv: the story is
# still in new/.  The next run moves it without a second digest line.
mv "$T/spool/cur/$(head -n 1 "$T/names")" "$T/spool/new/"
sh "$T/consume" "$T/spool" 2>"$T/consume.err" ||
	fail "consume exited $?: $(cat "$T/consume.err")"
assert_file_count "$T/spool/new" 0
assert_file_count "$T/spool/cur" 7
assert_eq 7 "$(wc -l <"$T/spool/digest.tsv" | tr -d ' ')" "digest lines after a rerun"

# Nothing new: nothing done.
sh "$T/consume" "$T/spool" 2>"$T/consume.err" || fail "consume on an empty new/"
assert_eq 7 "$(wc -l <"$T/spool/digest.tsv" | tr -d ' ')" "digest lines, nothing new"

# feedspool story finds a story the consumer moved.
"$FEEDSPOOL" story -c "$T/feedspool.conf" --json "$id" >"$T/story.json" ||
	fail "story $id exited $?"
jq -r .file "$T/story.json" | grep -q "/cur/" ||
	fail "story: $(cat "$T/story.json")"
