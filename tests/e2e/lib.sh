# Helpers for the end-to-end tests, sourced by tests/e2e/*.sh:
#
#	. "$(dirname "$0")/lib.sh"
#
# The environment gives FEEDSPOOL (the daemon binary) and FIXTURE_SERVER
# (build/.../tests/fixture-server).  Every test gets its own temporary
# directory $T, removed on exit together with a server it started.
# Exit status: 0 pass, 1 fail, 77 skipped.
#
# start_server [ARGS]	fixture server on $SITE_ROOT (default tests/fixtures/site), 120 s,
#			port file $T/port, request log $T/requests.log; sets
#			SERVER_PID, PORT and BASE (http://127.0.0.1:PORT)
# stop_server		SIGTERM and wait; fails if the server did not exit 0
# write_config FILE NAME=URL ...
#			[feedspool] with spool $T/spool, state $T/state.db,
#			interval 1m, a user_agent, host_gap $HOST_GAP (0: the
#			feeds and pages of a test all live on 127.0.0.1, and
#			a gap would make it wait for nothing; set HOST_GAP
#			empty for the daemon's default), the lines of
#			$CONFIG_EXTRA; then one [NAME] section per feed, a URL
#			starting with / is taken relative to $BASE
# fail MSG		print "FAIL: MSG", exit 1
# skip MSG		print "SKIP: MSG", exit 77
# assert_eq EXPECTED ACTUAL [WHAT]
# assert_file_count DIR N	exactly N entries (not dot files) in DIR
# count_log PATTERN	print how many request log lines match (grep -E)
# wait_for TEST TENTHS	until the shell test TEST holds (1 after TENTHS
#			tenths of a second); fails if $DAEMON_PID dies
# small_fs DIR OPTIONS	a tmpfs mounted with OPTIONS on DIR (in the test's
#			own mount namespace); at exit $DAEMON_PID, if set, is
#			killed and DIR unmounted before the usual clean-up

set -u

# (A script of a test's own, outside tests/e2e, sets E2E_DIR before.)
: "${E2E_DIR:=$(cd "$(dirname "$0")" && pwd)}"
TOP_DIR=$(cd "$E2E_DIR/../.." && pwd)
FIXTURES="$TOP_DIR/tests/fixtures"
: "${FEEDSPOOL:=$TOP_DIR/feedspool}"
: "${FIXTURE_SERVER:=$TOP_DIR/build/rel/tests/fixture-server}"
: "${CONFIG_EXTRA:=}"
: "${HOST_GAP=0}"

SERVER_PID=
PORT=
BASE=
T=$(mktemp -d "${TMPDIR:-/tmp}/feedspool-e2e.XXXXXX") || {
	echo "FAIL: cannot make a temporary directory" >&2
	exit 1
}

# Every story a test leaves in a spool (new/, or cur/ where a consumer
# moved it) must validate against etc/story.schema.json: one python
# process for all of them.  Prints the file and the error of each one
# that does not.
validate_stories() {
	vs_list=$T/.stories
	find "$T" \( -path '*/new/*.json' -o -path '*/cur/*.json*' \) -type f \
	    >"$vs_list" 2>/dev/null
	[ -s "$vs_list" ] || return 0
	command -v python3 >/dev/null 2>&1 ||
	    { echo "FAIL: no python3 to validate the stories" >&2; return 1; }
	tr '\n' '\0' <"$vs_list" | xargs -0 python3 \
	    "$E2E_DIR/story_schema.py" "$TOP_DIR/etc/story.schema.json" >&2 ||
	    { echo "FAIL: stories that do not validate (above)" >&2; return 1; }
}

e2e_cleanup() {
	e2e_rc=$?
	if [ "$e2e_rc" -eq 0 ] && ! validate_stories; then
		e2e_rc=1
	fi
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
	rm -rf "$T"
	exit "$e2e_rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# A short pause; POSIX sleep takes whole seconds only.
nap() {
	sleep 0.1 2>/dev/null || sleep 1
}

# Wait (up to $2 tenths of a second) until the shell test $1 holds; the
# daemon of $DAEMON_PID dying meanwhile fails the test, with $T/err's end.
wait_for() {
	wf_i=0
	until eval "$1"; do
		kill -0 "$DAEMON_PID" 2>/dev/null ||
			fail "the daemon died: $(tail -n 5 "$T/err")"
		wf_i=$((wf_i + 1))
		[ "$wf_i" -le "$2" ] || return 1
		nap
	done
}
small_fs() {
	mkdir -p "$1" || fail "mkdir $1"
	mount -t tmpfs -o "$2" tmpfs "$1" || fail "cannot mount a tmpfs on $1"
	SMALL_FS=$1
	DAEMON_PID=
	trap small_fs_cleanup EXIT
}
small_fs_cleanup() {
	if [ -n "${DAEMON_PID:-}" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	umount "$SMALL_FS" 2>/dev/null
	e2e_cleanup
}

start_server() {
	[ -x "$FIXTURE_SERVER" ] || fail "no fixture server at $FIXTURE_SERVER"
	[ -z "$SERVER_PID" ] || fail "start_server: a server is running"
	rm -f "$T/port"
	"$FIXTURE_SERVER" --root "${SITE_ROOT:-$FIXTURES/site}" --port-file "$T/port" \
	    --log "$T/requests.log" --lifetime 120 "$@" \
	    >"$T/server.out" 2>"$T/server.err" &
	SERVER_PID=$!
	i=0
	while [ ! -s "$T/port" ]; do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			SERVER_PID=
			cat "$T/server.err" >&2
			fail "fixture server exited at start-up"
		fi
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "fixture server not up after 10 s"
		nap
	done
	PORT=$(cat "$T/port")
	BASE="http://127.0.0.1:$PORT"
}

stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID"
	rc=$?
	SERVER_PID=
	if [ "$rc" -ne 0 ]; then
		cat "$T/server.err" >&2
		fail "fixture server exited with status $rc"
	fi
}

write_config() {
	wc_file=$1
	shift
	{
		echo "[feedspool]"
		echo "spool = $T/spool"
		echo "state = $T/state.db"
		echo "interval = 1m"
		echo "user_agent = https://example.org/feedspool-e2e"
		[ -z "$HOST_GAP" ] || echo "host_gap = $HOST_GAP"
		[ -z "$CONFIG_EXTRA" ] || printf '%s\n' "$CONFIG_EXTRA"
		for wc_feed in "$@"; do
			wc_name=${wc_feed%%=*}
			wc_url=${wc_feed#*=}
			case $wc_url in
			/*)	wc_url="$BASE$wc_url" ;;
			esac
			echo
			echo "[$wc_name]"
			echo "url = $wc_url"
		done
	} >"$wc_file" || fail "cannot write $wc_file"
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

assert_file_count() {
	[ -d "$1" ] || fail "$1: no such directory"
	afc_n=$(find "$1" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
	afc_n=$((afc_n + 0))
	[ "$afc_n" -eq "$2" ] || fail "$1: expected $2 files, found $afc_n"
}

count_log() {
	if [ -f "$T/requests.log" ]; then
		grep -cE -- "$1" "$T/requests.log"
	else
		echo 0
	fi
}
