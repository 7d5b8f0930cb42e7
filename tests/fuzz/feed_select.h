/*
 * feed_select: how fuzz_feed reads its first input byte, shared with the
 * unit test that replays the crash fixtures in tests/fixtures/fuzz/.
 * Bit 7 gives a base URL; the byte modulo the table size picks a charset.
 */
#ifndef FEEDSPOOL_FEED_SELECT_H
#define FEEDSPOOL_FEED_SELECT_H

#include <stddef.h>

#define FEED_SELECT_BASE	"https://example.org/dir/feed.xml"

static const char *const feed_select_charsets[] = {
	NULL, "", "utf-8", "iso-8859-1", "windows-1252", "utf-16",
	"koi8-r", "no-such-charset",
};

static inline const char *
feed_select_base(unsigned char sel)
{
	return (sel & 0x80) ? FEED_SELECT_BASE : NULL;
}

static inline const char *
feed_select_charset(unsigned char sel)
{
	return feed_select_charsets[sel % (sizeof(feed_select_charsets) /
	    sizeof(feed_select_charsets[0]))];
}

#endif
