# End to end: what scripts and operators read.  run --once counts new,
# duplicate and spooled apart (the seed feed repeats 4 stories of the
# others: 12 new, 4 duplicates, 8 files), as text and as --json, checked
# against the spool's files and the server's log; status --json against
# the same; a feed silent for much longer than its cadence is flagged;
# story and compare --json; log_level and -v/-q filter the log.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed"
start_server
CONFIG_EXTRA="allow_private_articles = yes"
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml \
    rdf=/feeds/rdf.xml seed=/feeds/seed.xml

fresh() { rm -rf "$T/spool" "$T"/state.db*; }

# 1. Text: the per-feed fates and the total.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/text.out" 2>"$T/text.err" ||
	fail "run --once: exit $?: $(cat "$T/text.err")"
assert_file_count "$T/spool/new" 8
grep -q '^seed: 200, .*5 items, 5 new.*; 1 spooled, 4 duplicates$' "$T/text.out" ||
	fail "seed's line: $(cat "$T/text.out")"
grep -q '^world: 200, .*; 3 spooled, 0 duplicates$' "$T/text.out" ||
	fail "world's line: $(cat "$T/text.out")"
grep -q '^total: 4 of 4 feeds polled (0 failed): 12 new, 4 duplicates, 8 spooled$' \
    "$T/text.out" || fail "total: $(cat "$T/text.out")"

# ...and with duplicates = mark, the copies are spooled and said so.
fresh
CONFIG_EXTRA="allow_private_articles = yes
duplicates = mark"
write_config "$T/mark.conf" world=/feeds/world.xml atom=/feeds/atom.xml \
    rdf=/feeds/rdf.xml seed=/feeds/seed.xml
"$FEEDSPOOL" run -c "$T/mark.conf" --once >"$T/mark.out" 2>"$T/mark.err" ||
	fail "run --once, mark: exit $?: $(cat "$T/mark.err")"
assert_file_count "$T/spool/new" 12
grep -q '^seed: .*; 5 spooled, 4 duplicates (4 spooled marked)$' "$T/mark.out" ||
	fail "seed's line with mark: $(cat "$T/mark.out")"
grep -q '^total: .*: 12 new, 4 duplicates (4 spooled marked), 12 spooled$' "$T/mark.out" ||
	fail "total with mark: $(cat "$T/mark.out")"
CONFIG_EXTRA="allow_private_articles = yes"

# 2. --json, from an empty spool and state: every line an object.
fresh
: >"$T/requests.log"
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once --json >"$T/run.json" 2>"$T/run.err" ||
	fail "run --once --json: exit $?: $(cat "$T/run.err")"
jq -e . "$T/run.json" >/dev/null || fail "not JSON lines: $(cat "$T/run.json")"
assert_eq "" "$(grep -v '^{' "$T/run.json")" "lines that are not objects"
assert_file_count "$T/spool/new" 8
j() { jq -r "$1" "$T/run.json"; }
assert_eq 8 "$(j 'select(.type == "story" and .fate == "spooled") | .id' | wc -l | tr -d ' ')" \
    "stories spooled"
assert_eq 4 "$(j 'select(.type == "story" and .fate == "duplicate") | .id' | wc -l | tr -d ' ')" \
    "duplicates"
# Each spooled story is a file of the spool, and the files are those.
assert_eq "$(ls "$T/spool/new" | cut -d. -f2 | sort)" \
    "$(j 'select(.type == "story" and .fate == "spooled") | .id' | sort)" "spooled ids"
# The duplicates are seed's, and name the story they repeat.
assert_eq "seed" "$(j 'select(.fate == "duplicate") | .feed' | sort -u)" "feed of the duplicates"
for id in $(j 'select(.fate == "duplicate") | .duplicate_of'); do
	ls "$T/spool/new/"*".$id.json" >/dev/null 2>&1 ||
		fail "duplicate_of $id: no such file in the spool"
done
assert_eq "4 12 4 8 0 0" \
    "$(j 'select(.type == "summary") | "\(.feeds) \(.new) \(.duplicates) \(.spooled) \(.pending) \(.failed)"')" \
    "summary"
assert_eq "atom 2 2
rdf 2 2
seed 5 1
world 3 3" "$(j 'select(.type == "feed") | "\(.feed) \(.new) \(.spooled)"' | sort)" "feeds"
# Each feed's status is what the server answered, once.
for f in world atom rdf seed; do
	assert_eq 1 "$(count_log "^GET	/feeds/$f.xml	200	")" "requests of $f"
	assert_eq "ok 200" "$(j "select(.type == \"feed\" and .feed == \"$f\") | \"\(.result) \(.status)\"")" \
	    "result of $f"
done
# The spool's files per feed are those the feeds' objects count.
assert_eq "$(j 'select(.type == "feed" and .spooled > 0) | "\(.feed) \(.spooled)"' | sort)" \
    "$(jq -r .feed.name "$T"/spool/new/* | sort | uniq -c | awk '{ print $2, $1 }')" \
    "files per feed"

# 3. status --json: one object per feed, then the spool's.
"$FEEDSPOOL" status -c "$T/feedspool.conf" --json >"$T/status.json" ||
	fail "status --json: exit $?: $(cat "$T/status.json")"
s() { jq -r "$1" "$T/status.json"; }
assert_eq "feed feed feed feed spool" "$(s .type | tr '\n' ' ' | sed 's/ $//')" "object types"
# stories: the items recorded, duplicates too.
assert_eq "$(j 'select(.type == "feed") | "\(.feed) \(.new)"' | sort)" \
    "$(s 'select(.type == "feed") | "\(.feed) \(.stories)"' | sort)" "stories per feed"
assert_eq "ok 200 0 false" "$(s 'select(.type == "feed") | "\(.state) \(.http_status) \(.failures) \(.silent_alert)"' | sort -u)" \
    "feeds' health"
assert_eq "ok 0" "$(s 'select(.type == "spool") | "\(.state) \(.pending)"')" "spool"
now=$(date +%s)
for t in $(s 'select(.type == "feed") | .last_new'); do
	[ "$t" -le "$now" ] && [ "$t" -ge $((now - 300)) ] || fail "last_new $t, now $now"
done
# A typo in the state's path is refused, with --json too.
"$FEEDSPOOL" status -c "$T/feedspool.conf" --json --state "$T/typo.db" >/dev/null 2>&1
assert_eq 2 "$?" "status --json on a missing state"
[ ! -e "$T/typo.db" ] || fail "status created $T/typo.db"

# 4. Silence: world learned an hourly cadence, its last item is 3 days old.
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$T/state.db" "UPDATE feeds SET cadence = 3600 WHERE name = 'world';
	    UPDATE feeds SET cadence = 86400 WHERE name = 'atom';
	    UPDATE items SET first_seen = first_seen - 3 * 86400
	      WHERE feed IN ('world', 'atom');" || fail "sqlite3"
	"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status.txt" ||
		fail "status: exit $?: $(cat "$T/status.txt")"
	grep -q '^world .*ok (200) .*, SILENT 3d (usually every 1h: much longer than usual)' \
	    "$T/status.txt" || fail "world not flagged: $(cat "$T/status.txt")"
	grep -q '^atom .*ok (200) .*, silent 3d (usually every 24h)  ' "$T/status.txt" ||
		fail "atom: $(cat "$T/status.txt")"
	"$FEEDSPOOL" status -c "$T/feedspool.conf" --json >"$T/status.json" || fail "status --json"
	assert_eq "atom false 86400
rdf false null
seed false null
world true 3600" "$(s 'select(.type == "feed") | "\(.feed) \(.silent_alert) \(.cadence)"' | sort)" \
	    "silent_alert"
	w=$(s 'select(.feed == "world") | .silent')
	[ "$w" -ge $((3 * 86400)) ] && [ "$w" -lt $((3 * 86400 + 300)) ] || fail "world silent $w"
fi

# 5. story --json and compare --json.
id=$(j 'select(.fate == "duplicate") | .duplicate_of' | head -n 1)
"$FEEDSPOOL" story -c "$T/feedspool.conf" --json "$id" >"$T/story.json" ||
	fail "story --json: exit $?"
assert_eq "story $id true 2 seed" \
    "$(jq -r '"\(.type) \(.id) \(.delivered) \(.sightings | length) \(.sightings[1].feed)"' "$T/story.json")" \
    "story --json"
[ -f "$(jq -r .file "$T/story.json")" ] || fail "story --json: no file $(jq -r .file "$T/story.json")"
set -- "$T"/spool/new/*
"$FEEDSPOOL" compare --json "$1" "$2" >"$T/cmp.json"
assert_eq 1 "$?" "compare --json of two stories"
assert_eq "compare distinct" "$(jq -r '"\(.type) \(.decision)"' "$T/cmp.json")" "compare --json"
"$FEEDSPOOL" compare --json "$1" "$1" >"$T/cmp.json" || fail "compare --json of a story with itself"
assert_eq "duplicate 0" "$(jq -r '"\(.decision) \(.distance)"' "$T/cmp.json")" "compare --json, same"

# 6. --json is for --once only.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --json >/dev/null 2>&1
assert_eq 1 "$?" "run --json without --once"

# 7. log_level, and -v/-q over it.
levels() { grep -o '^<[0-9]>' "$1" | sort -u | tr -d '<>\n'; }
CONFIG_EXTRA="allow_private_articles = yes
log_level = warning"
write_config "$T/warn.conf" world=/feeds/world.xml missing=/status/404
"$FEEDSPOOL" run -c "$T/warn.conf" --once >/dev/null 2>"$T/warn.err"
assert_eq 4 "$(levels "$T/warn.err")" "levels logged with log_level = warning"
"$FEEDSPOOL" run -c "$T/warn.conf" --once -v >/dev/null 2>"$T/v.err"
case $(levels "$T/v.err") in
*7*) ;;
*) fail "-v did not log debug over log_level: $(head -5 "$T/v.err")" ;;
esac
CONFIG_EXTRA="log_level = debug"
write_config "$T/debug.conf" world=/feeds/world.xml missing=/status/404
"$FEEDSPOOL" run -c "$T/debug.conf" --once >/dev/null 2>"$T/d.err"
case $(levels "$T/d.err") in
*7*) ;;
*) fail "log_level = debug logged no debug line: $(head -5 "$T/d.err")" ;;
esac
"$FEEDSPOOL" run -c "$T/debug.conf" --once -q >/dev/null 2>"$T/q.err"
assert_eq 4 "$(levels "$T/q.err")" "levels logged with -q over log_level = debug"
CONFIG_EXTRA="log_level = loud"
write_config "$T/bad.conf" world=/feeds/world.xml
"$FEEDSPOOL" check-config -c "$T/bad.conf" >"$T/bad.out" 2>&1 && fail "log_level = loud accepted"
grep -q "bad.conf:[0-9]*: log_level: 'loud' is not one of err|warning|notice|info|debug" "$T/bad.out" ||
	fail "log_level error: $(cat "$T/bad.out")"

# 8. A feed that fails says why in --json, the others carry no error.
fresh
CONFIG_EXTRA=
write_config "$T/gone.conf" world=/feeds/world.xml gone=/status/404
"$FEEDSPOOL" run -c "$T/gone.conf" --once --json >"$T/gone.json" 2>"$T/gone.err"
g() { jq -r "$1" "$T/gone.json"; }
assert_eq "error 404" "$(g 'select(.type == "feed" and .feed == "gone") | "\(.result) \(.status)"')" \
    "result of the missing feed"
assert_eq "HTTP 404 Not Found: check the url" "$(g 'select(.feed == "gone") | .error')" \
    "the missing feed's error"
assert_eq "null" "$(g 'select(.type == "feed" and .feed == "world") | .error')" "error of world"

stop_server
exit 0
