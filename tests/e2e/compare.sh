# End to end: `feedspool compare` on plain-text and story JSON files, its
# output and its exit status (0 duplicate, 1 distinct, 2 error).
. "$(dirname "$0")/lib.sh"

S="$TOP_DIR/tests/dupset/stories"
A="$S/05-kestonia-results.txt"
B="$S/06-kestonia-coalition.txt"

# A spool story carrying A's text under a tagged headline, and one with
# only a title and an HTML summary (the first paragraphs of A).
jq -n --rawfile t "$A" '{schema: 1, id: "0123456789abcdef",
    title: ("UPDATE 1-" + ($t | split("\n")[0])), text: $t}' >"$T/a.json" ||
	skip "jq is needed"
head -n 5 "$A" | sed 's/^$/<p>/' >"$T/summary.html"
jq -n --rawfile s "$T/summary.html" '{schema: 1, id: "fedcba9876543210",
    title: "Kestonia vote", summary: $s, text: ""}' >"$T/b.json"

"$FEEDSPOOL" compare "$A" "$T/a.json" >"$T/out" ||
	fail "same text: exit $?: $(cat "$T/out")"
grep -q '^distance: 0$' "$T/out" || fail "same text: $(cat "$T/out")"
grep -q '^similarity: 1.000$' "$T/out" || fail "same text: $(cat "$T/out")"
grep -q '^decision: duplicate (same-text)$' "$T/out" || fail "same text: $(cat "$T/out")"

# A shortened copy: a near duplicate.
head -n 9 "$A" >"$T/short.txt"
"$FEEDSPOOL" compare "$T/a.json" "$T/short.txt" >"$T/out" ||
	fail "shortened copy: exit $?: $(cat "$T/out")"
grep -q '^decision: duplicate (near)$' "$T/out" || fail "shortened: $(cat "$T/out")"
# ... which the thresholds can refuse.
"$FEEDSPOOL" compare --max-distance 0 --far-similarity 1.5 "$T/a.json" \
    "$T/short.txt" >"$T/out"
assert_eq 1 $? "exit status with strict thresholds"

# A brief, the first two paragraphs: a part of the story, either way round.
head -n 5 "$A" >"$T/brief.txt"
"$FEEDSPOOL" compare "$T/brief.txt" "$A" >"$T/out" ||
	fail "brief: exit $?: $(cat "$T/out")"
grep -q '^containment: 1\.000$' "$T/out" || fail "brief: $(cat "$T/out")"
grep -q '^decision: duplicate (contained)$' "$T/out" || fail "brief: $(cat "$T/out")"
"$FEEDSPOOL" compare "$A" "$T/brief.txt" >"$T/out" ||
	fail "full story: exit $?: $(cat "$T/out")"
grep -q '^decision: duplicate (contains)$' "$T/out" || fail "full story: $(cat "$T/out")"
# Near enough by similarity too (0.45), so both are turned off.
"$FEEDSPOOL" compare --min-containment 1.5 "$T/brief.txt" "$A" >"$T/out"
grep -q '^decision: duplicate (near)$' "$T/out" || fail "brief: $(cat "$T/out")"
"$FEEDSPOOL" compare --min-containment 1.5 --far-similarity 1.5 \
    "$T/brief.txt" "$A" >"$T/out"
assert_eq 1 $? "exit status with containment and far similarity off"

# Two stories on the same election: distinct.
"$FEEDSPOOL" compare "$A" "$B" >"$T/out"
assert_eq 1 $? "exit status for two stories"
grep -q '^decision: distinct (distinct)$' "$T/out" || fail "distinct: $(cat "$T/out")"
grep -q '^containment: 0\.[0-4]' "$T/out" || fail "distinct: $(cat "$T/out")"

# Title and summary stand in for a missing text.
"$FEEDSPOOL" compare "$T/b.json" "$T/short.txt" >"$T/out"
rc=$?
grep -q '^similarity: 0\.[3-9]' "$T/out" || fail "summary: $(cat "$T/out")"
assert_eq 0 "$rc" "summary against the shortened copy"

# Errors.
"$FEEDSPOOL" compare "$A" "$T/missing.txt" >"$T/out" 2>"$T/err"
assert_eq 2 $? "exit status for a missing file"
"$FEEDSPOOL" compare --min-similarity x "$A" "$B" >"$T/out" 2>"$T/err"
assert_eq 2 $? "exit status for a bad option"
"$FEEDSPOOL" compare "$A" >"$T/out" 2>"$T/err"
assert_eq 2 $? "exit status for one file"
exit 0
