# The man pages: `make install-man DESTDIR=...` (part of `make install`)
# puts them under share/man; `mandoc -Tlint` finds nothing at warning level
# or above; `man -l` renders them without a warning; feedspool(1) names
# every sub-command and option of the usage texts, feedspool.conf(5) every
# key config.c knows.  Without mandoc or man, that check is skipped (77
# when neither is installed: scripts/deps installs mandoc).
. "$(dirname "$0")/lib.sh"

pages="man1/feedspool.1 man5/feedspool.conf.5 man5/feedspool-spool.5"
make --no-print-directory -s -C "$TOP_DIR" install-man DESTDIR="$T/root" \
    PREFIX=/usr >"$T/make.out" 2>&1 || fail "make install-man: $(cat "$T/make.out")"
for p in $pages; do
	[ -f "$T/root/usr/share/man/$p" ] || fail "not installed: share/man/$p"
done
m1="$T/root/usr/share/man/man1/feedspool.1"
m5="$T/root/usr/share/man/man5/feedspool.conf.5"

# Every command of `feedspool --help`, and every option of its --help.
cmds=$("$FEEDSPOOL" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$cmds" ] || fail "no commands in feedspool --help"
for c in $cmds; do
	grep -q "^\.Cm $c\$" "$m1" || fail "feedspool(1) lacks the command $c"
	"$FEEDSPOOL" "$c" --help >"$T/usage" 2>&1 || fail "feedspool $c --help"
	for o in $(grep -o -- '--[a-z][a-z-]*' "$T/usage" | sort -u); do
		[ "$o" = --help ] && continue
		grep -q -- "Fl \\\\${o#-}" "$m1" || fail "feedspool(1) lacks $c's option $o"
	done
done

# Every key of config.c's tables, and include.
keys=$(sed -n 's/^[	 ]*\(\[FK_[A-Z_]*\] = \)\{0,1\}{ "\([a-z_]*\)", K_.*/\2/p' \
    "$TOP_DIR/daemon/config.c" | sort -u)
[ "$(echo "$keys" | wc -l)" -gt 20 ] || fail "cannot read the keys of config.c: $keys"
for k in $keys include header username password password_file proxy; do
	grep -q "Cm $k\\b" "$m5" || fail "feedspool.conf(5) lacks the key $k"
done

checked=0
if command -v mandoc >/dev/null 2>&1; then
	for p in $pages; do
		out=$(mandoc -Tlint -W warning "$T/root/usr/share/man/$p" 2>&1) ||
			fail "mandoc -Tlint $p: $out"
		[ -z "$out" ] || fail "mandoc -Tlint $p: $out"
	done
	checked=$((checked + 1))
else
	echo "mandoc not installed: no lint (scripts/deps installs it)" >&2
fi
if command -v man >/dev/null 2>&1; then
	for p in $pages; do
		MANWIDTH=80 man --warnings -l "$T/root/usr/share/man/$p" \
		    >"$T/page.txt" 2>"$T/man.err" || fail "man -l $p: $(cat "$T/man.err")"
		[ ! -s "$T/man.err" ] || fail "man -l $p warns: $(cat "$T/man.err")"
		grep -q '^NAME' "$T/page.txt" || fail "man -l $p: no NAME section"
	done
	checked=$((checked + 1))
fi
[ "$checked" -gt 0 ] || skip "neither mandoc nor man is installed: the pages were not rendered"
exit 0
