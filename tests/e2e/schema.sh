# etc/story.schema.json: a valid schema; the daemon's stories pass it (as
# lib.sh checks for every test); stories with a field of the wrong type,
# a field it does not name, a value outside an enum or a field missing do
# not, each reported with its file; and a test that leaves such a story
# in a spool fails, though it passed.
. "$(dirname "$0")/lib.sh"

SCHEMA=$TOP_DIR/etc/story.schema.json
CHECK=$E2E_DIR/story_schema.py
python3 -c 'import jsonschema' 2>/dev/null ||
	fail "python3-jsonschema is missing (scripts/deps installs it)"
python3 "$CHECK" --check "$SCHEMA" || fail "the schema is not a valid schema"

start_server
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run.out" 2>"$T/run.err" ||
	fail "run exited $?: $(cat "$T/run.err")"
stop_server
good=$(ls "$T"/spool/new/*.json | head -n 1)
python3 "$CHECK" "$SCHEMA" "$T"/spool/new/*.json || fail "the daemon's stories"

mkdir -p "$T/bad"
# jq FILTER NAME: a copy of the good story, changed, must be refused.
refused() {
	jq "$1" "$good" >"$T/bad/$2.json" || fail "jq $1"
	if python3 "$CHECK" "$SCHEMA" "$T/bad/$2.json" >"$T/bad/$2.out" 2>&1; then
		fail "accepted: $1"
	fi
	grep -q "^$T/bad/$2.json: " "$T/bad/$2.out" ||
		fail "$1: no error naming the file: $(cat "$T/bad/$2.out")"
}
refused '.word_count = "12"' type
refused '.title = 3' type2
refused '.feed.url = ["x"]' nested
refused '. + {"flagged": true}' unknown
refused '.feed += {"extra": 1}' unknown2
refused '.language_source = "guessed"' enum
refused '.text_source = "page"' enum2
refused '.duplicate_reason = "similar"' enum3
refused '.published = "14 June 2023"' date
refused '.id = "XYZ"' id
refused '.schema = 2' schema
refused 'del(.content)' missing
refused '.watch = [{"name": "taiwan", "terms": ["Taiwan"], "where": ["body"]}]' watch
grep -q "word_count: '12' is not of type 'integer'" "$T/bad/type.out" ||
	fail "the message: $(cat "$T/bad/type.out")"
grep -q "Additional properties are not allowed ('flagged'" "$T/bad/unknown.out" ||
	fail "the message: $(cat "$T/bad/unknown.out")"

# What the schema allows that these fixtures do not show.
jq '.watch = [{"name": "taiwan", "terms": ["Taiwan", "Strait"],
    "where": ["title", "text", "categories"]}] | .duplicate_reason = null |
    .language = "de" | .language_source = "detected" | .content = null' \
    "$good" >"$T/bad/allowed.json"
python3 "$CHECK" "$SCHEMA" "$T/bad/allowed.json" || fail "a story with watch"

# lib.sh fails a passing test that leaves a bad story in a spool.
cat >"$T/leaves-bad.sh" <<EOS
E2E_DIR=$E2E_DIR
. "$E2E_DIR/lib.sh"
mkdir -p "\$T/spool/new"
cp "$T/bad/unknown.json" "\$T/spool/new/1.0123456789abcdef.json"
exit 0
EOS
if sh "$T/leaves-bad.sh" >"$T/leaves-bad.out" 2>&1; then
	fail "a test leaving a bad story passed"
fi
grep -q "/spool/new/1.0123456789abcdef.json: (top): Additional properties" \
    "$T/leaves-bad.out" || fail "lib.sh said: $(cat "$T/leaves-bad.out")"
