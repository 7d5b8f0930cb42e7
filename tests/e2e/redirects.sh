# End to end: a feed reached through permanent redirects (301) is reported
# as moved, in the log once and by `feedspool status` until its url is
# changed; temporary redirects (302) are not a move.
. "$(dirname "$0")/lib.sh"

CONFIG_EXTRA="fetch_articles = no"
start_server
write_config "$T/feedspool.conf" moved=/moved/2/feeds/world.xml \
    temp=/redirect/1/feeds/atom.xml

"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run1.out" 2>"$T/run1.err" ||
	fail "first run exited $?: $(cat "$T/run1.err")"
assert_file_count "$T/spool/new" 5
grep -q "feed moved: moved permanently to <$BASE/feeds/world.xml>" "$T/run1.err" ||
	fail "no notice of the move: $(cat "$T/run1.err")"
grep -q "feed temp: moved" "$T/run1.err" && fail "a 302 taken for a move"

"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status1.out" ||
	fail "status: exit $?: $(cat "$T/status1.out")"
grep -q "^ *moved permanently to $BASE/feeds/world.xml: update its url" "$T/status1.out" ||
	fail "status does not say where the feed moved: $(cat "$T/status1.out")"
assert_eq 1 "$(grep -c 'moved permanently' "$T/status1.out")" "moved lines in status"

# Polled again (a 304 at the end of the redirects): still moved, said once.
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run2.out" 2>"$T/run2.err" ||
	fail "second run exited $?: $(cat "$T/run2.err")"
grep -q "feed moved: moved permanently" "$T/run2.err" && fail "the move was logged again"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status2.out"
grep -q "moved permanently to $BASE/feeds/world.xml" "$T/status2.out" ||
	fail "the move was forgotten after a 304"

# The operator updates the url: the note goes.
sed -i "s|/moved/2/feeds/world.xml|/feeds/world.xml|" "$T/feedspool.conf"
"$FEEDSPOOL" run -c "$T/feedspool.conf" --once >"$T/run3.out" 2>"$T/run3.err" ||
	fail "third run exited $?: $(cat "$T/run3.err")"
"$FEEDSPOOL" status -c "$T/feedspool.conf" >"$T/status3.out"
grep -q "moved permanently" "$T/status3.out" && fail "still moved: $(cat "$T/status3.out")"
assert_file_count "$T/spool/new" 5
stop_server
exit 0
