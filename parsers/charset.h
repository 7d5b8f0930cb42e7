/*
 * charset: a feed document's bytes as UTF-8, whatever it was written in.
 */
#ifndef FEEDSPOOL_CHARSET_H
#define FEEDSPOOL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * On entry *data and *len are the document as received, http the charset
 * of the HTTP Content-Type (may be NULL).  On return they are its text as
 * UTF-8: inside the original bytes (past a byte order mark) or in *owned,
 * which the caller frees.  The encoding is the first of (RFC 7303 3):
 *   1. a byte order mark (UTF-8, UTF-16, UTF-32), or the "<?" of an XML
 *      declaration spelled in UTF-16 or UTF-32 without one;
 *   2. the HTTP charset, unless it names UTF-8 and the bytes are not, or
 *      names a one-byte charset and the bytes are UTF-8 beyond ASCII;
 *   3. the encoding of the XML declaration;
 *   4. UTF-8.
 * ISO-8859-1 and US-ASCII are read as their superset windows-1252, as web
 * browsers do.  Bytes that are not UTF-8 in a document that is (or claims
 * to be) are read as windows-1252 and *guessed is set, unless they are
 * UTF-8 but for a few stray bytes (four valid sequences for each invalid
 * byte), which become U+FFFD; *guessed is set whenever bytes invalid in
 * the chosen charset are replaced by U+FFFD.
 * Returns 0, or -1 when out of memory or the text would exceed maxlen.
 */
int	 charset_utf8(const char **data, size_t *len, const char *http,
	    size_t maxlen, char **owned, bool *guessed);

/*
 * The same for a web page: a byte order mark; the HTTP charset (on the
 * same terms); the charset of a <meta> in its head (up to 64 KiB); else UTF-8
 * when the bytes are, windows-1252 when not.  A page plainly UTF-8 beyond
 * ASCII is read as UTF-8 whatever one-byte charset it claims.  Charset
 * labels are read as browsers read them (WHATWG: gb2312 is GBK, Shift_JIS
 * is Microsoft's, ISO-8859-9 is windows-1254 ...).
 */
int	 charset_html_utf8(const char **data, size_t *len, const char *http,
	    size_t maxlen, char **owned);

/* Whether s[0..n) is well-formed UTF-8. */
bool	 charset_is_utf8(const char *s, size_t n);

#endif
