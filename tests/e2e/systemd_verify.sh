#!/bin/sh
# systemd-analyze verify on systemd/feedspool.service, with @BINDIR@ and
# @SYSCONFDIR@ replaced as `make install` does, ExecStart pointing at the
# FEEDSPOOL binary (or /bin/true when it is not built).  Only complaints
# about our unit count; exit 77 when systemd-analyze is missing or cannot
# run here.
. "$(dirname "$0")/lib.sh"

unit="$TOP_DIR/systemd/feedspool.service"
[ -f "$unit" ] || fail "no $unit"
command -v systemd-analyze >/dev/null 2>&1 ||
    skip "systemd-analyze is not installed"

mkdir -p "$T/bin" "$T/etc/feedspool" "$T/units" || fail "mkdir in $T"
case $FEEDSPOOL in
/*)	exe=$FEEDSPOOL ;;
*)	exe="$PWD/$FEEDSPOOL" ;;
esac
if [ ! -x "$exe" ]; then
	echo "note: no $FEEDSPOOL, checking with /bin/true as the binary" >&2
	exe=/bin/true
fi
ln -s "$exe" "$T/bin/feedspool" || fail "ln -s $exe"
: >"$T/etc/feedspool/feedspool.conf"
sed -e "s|@BINDIR@|$T/bin|g" -e "s|@SYSCONFDIR@|$T/etc|g" "$unit" \
    >"$T/units/feedspool.service" || fail "sed $unit"
grep -q '@[A-Z]*@' "$T/units/feedspool.service" &&
    fail "placeholders left after substitution"

# Does systemd-analyze work here at all?  (It may need /run/systemd or a
# writable runtime directory.)
cat >"$T/units/e2e-probe.service" <<UNIT
[Service]
Type=oneshot
ExecStart=/bin/true
UNIT
if ! SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
    "$T/units/e2e-probe.service" >"$T/probe.out" 2>&1; then
	if ! grep -q 'e2e-probe' "$T/probe.out"; then
		cat "$T/probe.out" >&2
		skip "systemd-analyze verify cannot run in this environment"
	fi
fi

SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
    "$T/units/feedspool.service" >"$T/verify.out" 2>&1
rc=$?
# Complaints about other units of the host are not ours.
grep -i 'feedspool' "$T/verify.out" >"$T/ours.out"
if [ -s "$T/ours.out" ]; then
	cat "$T/ours.out" >&2
	fail "systemd-analyze verify reports problems with feedspool.service"
fi
if [ "$rc" -ne 0 ]; then
	echo "note: systemd-analyze exited $rc about other units:" >&2
	cat "$T/verify.out" >&2
fi
# The sandbox's exposure, where this systemd can judge a unit file alone
# (--offline, systemd 250 and later).
if SYSTEMD_LOG_LEVEL=warning systemd-analyze security --offline=yes \
    "$T/units/feedspool.service" >"$T/security.out" 2>&1; then
	level=$(sed -n 's/.*Overall exposure level for feedspool.service: \([0-9.]*\).*/\1/p' "$T/security.out")
	[ -n "$level" ] || fail "no exposure level in: $(tail -n 2 "$T/security.out")"
	awk -v l="$level" 'BEGIN { exit !(l <= 1.2) }' ||
		fail "exposure $level, above 1.2: $(grep '✗' "$T/security.out" | head -n 5)"
	echo "exposure $level"
else
	echo "note: systemd-analyze security --offline cannot run here" >&2
fi
echo "PASS: systemd_verify"
