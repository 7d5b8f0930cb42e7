# End to end: exec = COMMAND runs once for each story spooled into new/,
# with the file's path as its last argument, without a shell; a failing
# hook is run again with backoff up to exec_tries; a hanging one is killed
# at exec_timeout while the daemon goes on; SIGTERM ends running hooks.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed"
start_server

# A hook that logs its story, its feed and its argument (the file).
cat >"$T/hook.sh" <<HOOK
#!/bin/sh
echo "\$FEEDSPOOL_STORY_ID \$FEEDSPOOL_FEED \$#:\$1" >>"$T/hook.log"
HOOK
cat >"$T/other.sh" <<HOOK
#!/bin/sh
echo "\$FEEDSPOOL_FEED \$1" >>"$T/other.log"
HOOK
chmod +x "$T/hook.sh" "$T/other.sh"

# 1. Once per story: the global hook, one feed without, one with its own.
CONFIG_EXTRA="exec = $T/hook.sh
fetch_articles = no"
write_config "$T/feedspool.conf" world=/feeds/world.xml atom=/feeds/atom.xml \
    rdf=/feeds/rdf.xml
cat >>"$T/feedspool.conf" <<CONF
[world2]
url = $BASE/feeds/seed.xml
exec = none
CONF
sed -i "/^\[atom\]/a exec = $T/other.sh" "$T/feedspool.conf"
"$FEEDSPOOL" check-config -c "$T/feedspool.conf" >/dev/null ||
	fail "check-config: $("$FEEDSPOOL" check-config -c "$T/feedspool.conf")"
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run1.out" 2>"$T/run1.err" ||
	fail "run exited $?: $(cat "$T/run1.err")"
[ -f "$T/hook.log" ] || fail "the hook never ran: $(cat "$T/run1.err")"
# What ran, against what is in new/: every world and rdf story, once.
for f in "$T"/spool/new/*; do
	feed=$(jq -r .feed.name "$f")
	id=$(jq -r .id "$f")
	case $feed in
	world|rdf)
		n=$(grep -c "^$id $feed 1:$f\$" "$T/hook.log")
		assert_eq 1 "$n" "hook runs for $feed story $id" ;;
	atom)
		n=$(grep -c "^atom $f\$" "$T/other.log")
		assert_eq 1 "$n" "atom's own hook for $id" ;;
	esac
done
expected=$(jq -r 'select(.feed.name == "world" or .feed.name == "rdf") | .id' \
    "$T"/spool/new/* | sort)
assert_eq "$expected" "$(cut -d' ' -f1 "$T/hook.log" | sort)" "hooked stories"
assert_eq 5 "$(wc -l <"$T/hook.log" | tr -d ' ')" "hook runs"
assert_eq 2 "$(wc -l <"$T/other.log" | tr -d ' ')" "atom hook runs"
grep -q world2 "$T/hook.log" "$T/other.log" && fail "exec = none ran a hook"

# A second run delivers nothing new: no hook runs.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run2.out" 2>"$T/run2.err" ||
	fail "second run exited $?: $(cat "$T/run2.err")"
assert_eq 5 "$(wc -l <"$T/hook.log" | tr -d ' ')" "hook runs after the second run"

# 2. Never a shell: ';', '$x', '>' and quotes reach the command as words
# (one hook at a time: two would interleave their lines in args.log).
rm -rf "$T/spool" "$T/state.db"
cat >"$T/args.sh" <<HOOK
#!/bin/sh
for a in "\$@"; do printf '[%s]\n' "\$a"; done >>"$T/args.log"
HOOK
chmod +x "$T/args.sh"
CONFIG_EXTRA="exec = $T/args.sh a;b \$HOME 'x y' \"q\\\"r\" \\\$z > out|cat
fetch_articles = no
exec_max = 1"
write_config "$T/feedspool.conf" rdf=/feeds/rdf.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run3.out" 2>"$T/run3.err" ||
	fail "run exited $?: $(cat "$T/run3.err")"
assert_eq '[a;b] [$HOME] [x y] [q"r] [$z] [>] [out|cat] ' \
    "$(sed -n 1,7p "$T/args.log" | tr '\n' ' ')" "arguments"
sed -n 8p "$T/args.log" | grep -q "^\[$T/spool/new/[0-9]*\.[0-9a-f]*\.json\]\$" ||
	fail "last argument: $(cat "$T/args.log")"
[ -e out ] && fail "a redirection was made"

# 3. A failing hook: exec_tries runs with backoff (1 s, 2 s), then given up.
rm -rf "$T/spool" "$T/state.db"
cat >"$T/fail.sh" <<HOOK
#!/bin/sh
echo "\$FEEDSPOOL_STORY_ID" >>"$T/fail.log"
exit 3
HOOK
# And one that fails once per story, then succeeds.
cat >"$T/flaky.sh" <<HOOK
#!/bin/sh
echo "\$FEEDSPOOL_STORY_ID" >>"$T/flaky.log"
[ -e "$T/flaky.\$FEEDSPOOL_STORY_ID" ] && exit 0
: >"$T/flaky.\$FEEDSPOOL_STORY_ID"
exit 1
HOOK
chmod +x "$T/fail.sh" "$T/flaky.sh"
CONFIG_EXTRA="exec = $T/fail.sh
exec_tries = 3
fetch_articles = no"
write_config "$T/feedspool.conf" rdf=/feeds/rdf.xml atom=/feeds/atom.xml
sed -i "/^\[atom\]/a exec = $T/flaky.sh" "$T/feedspool.conf"
start=$(date +%s)
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run4.out" 2>"$T/run4.err" ||
	fail "run exited $?: $(cat "$T/run4.err")"
secs=$(( $(date +%s) - start ))
[ "$secs" -ge 2 ] || fail "the retries did not wait: ${secs}s"
for id in $(jq -r 'select(.feed.name == "rdf") | .id' "$T"/spool/new/*); do
	assert_eq 3 "$(grep -c "^$id\$" "$T/fail.log")" "runs of the failing hook for $id"
	grep -q "feed rdf: story $id: hook $T/fail.sh exited 3 (run 3 of 3): giving up" \
	    "$T/run4.err" || fail "no giving up for $id: $(cat "$T/run4.err")"
	grep -q "feed rdf: story $id: hook $T/fail.sh exited 3 (run 1 of 3): again in 1s" \
	    "$T/run4.err" || fail "no retry for $id: $(cat "$T/run4.err")"
done
assert_eq 6 "$(wc -l <"$T/fail.log" | tr -d ' ')" "failing hook runs"
for id in $(jq -r 'select(.feed.name == "atom") | .id' "$T"/spool/new/*); do
	assert_eq 2 "$(grep -c "^$id\$" "$T/flaky.log")" "runs of the flaky hook for $id"
done
grep -q "atom: .*giving up" "$T/run4.err" && fail "the flaky hook was given up"

# 4. A hanging hook is killed at the timeout (its whole process group);
# the stories are all delivered, the run ends.
rm -rf "$T/spool" "$T/state.db"
cat >"$T/hang.sh" <<HOOK
#!/bin/sh
echo "start \$FEEDSPOOL_STORY_ID" >>"$T/hang.log"
sleep 4
echo "late \$FEEDSPOOL_STORY_ID" >>"$T/hang.log"
HOOK
chmod +x "$T/hang.sh"
CONFIG_EXTRA="exec = $T/hang.sh
exec_timeout = 1
exec_tries = 1
exec_max = 1
fetch_articles = no"
write_config "$T/feedspool.conf" world=/feeds/world.xml
start=$(date +%s)
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run5.out" 2>"$T/run5.err" ||
	fail "run exited $?: $(cat "$T/run5.err")"
secs=$(( $(date +%s) - start ))
assert_file_count "$T/spool/new" 3
[ "$secs" -lt 12 ] || fail "a hanging hook held the run for ${secs}s"
assert_eq 3 "$(grep -c '^start ' "$T/hang.log")" "hanging hooks started"
n=$(grep -c "hook $T/hang.sh timed out after 1s (run 1 of 1): giving up" "$T/run5.err")
assert_eq 3 "$n" "timeouts logged"
sleep 4
grep -q '^late ' "$T/hang.log" && fail "a killed hook's child lived on"

# 5. SIGTERM: the daemon stops within its grace period, ending its hooks.
rm -rf "$T/spool" "$T/state.db" "$T/hang.log"
CONFIG_EXTRA="exec = sh -c 'echo \"start \$FEEDSPOOL_STORY_ID\" >>$T/hang.log; sleep 30' hook
exec_timeout = 1h
fetch_articles = no"
write_config "$T/feedspool.conf" world=/feeds/world.xml
"$FEEDSPOOL" run -c "$T/feedspool.conf" >"$T/run6.out" 2>"$T/run6.err" &
pid=$!
i=0
until [ "$(grep -c '^start ' "$T/hang.log" 2>/dev/null)" = 3 ]; do
	i=$((i + 1))
	[ "$i" -le 200 ] || { kill -9 "$pid"; fail "hooks not started: $(cat "$T/run6.err")"; }
	nap
done
start=$(date +%s)
kill -TERM "$pid"
wait "$pid" || fail "daemon exited $? on SIGTERM: $(cat "$T/run6.err")"
secs=$(( $(date +%s) - start ))
[ "$secs" -le 10 ] || fail "SIGTERM took ${secs}s with hooks running"
grep -q "stopping 3 hooks still running" "$T/run6.err" ||
	fail "no word of the hooks ended: $(cat "$T/run6.err")"
# 6. After a crash between the commit of a batch and the rename of its
# files, the next start moves a file from tmp/ into new/: its hook runs
# then, with the feed read from the file.  (The crash is made by hand: a
# delivered row set back to pending without its JSON, its file in tmp/.)
if command -v sqlite3 >/dev/null 2>&1; then
	rm -rf "$T/spool" "$T/state.db" "$T/hook.log"
	CONFIG_EXTRA="exec = $T/hook.sh
fetch_articles = no"
	write_config "$T/feedspool.conf" rdf=/feeds/rdf.xml
	"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run7.out" 2>"$T/run7.err" ||
		fail "run exited $?: $(cat "$T/run7.err")"
	assert_eq 2 "$(wc -l <"$T/hook.log" | tr -d ' ')" "hook runs before the crash"
	f=$(ls "$T"/spool/new/* | head -n 1)
	name=$(basename "$f")
	id=$(jq -r .id "$f")
	sqlite3 "$T/state.db" "UPDATE items SET status = 'pending' WHERE story_id = '$id'" ||
		fail "cannot set the row back to pending"
	mv "$f" "$T/spool/tmp/$name" || fail "mv"
	"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run8.out" 2>"$T/run8.err" ||
		fail "run exited $?: $(cat "$T/run8.err")"
	[ -f "$T/spool/new/$name" ] || fail "the story was not adopted: $(cat "$T/run8.err")"
	assert_eq 3 "$(wc -l <"$T/hook.log" | tr -d ' ')" "hook runs after the restart"
	assert_eq "$id rdf 1:$T/spool/new/$name" "$(tail -n 1 "$T/hook.log")" "the adopted story's hook"
fi
echo PASS
