/*
 * charset: decoding feed documents to UTF-8 before libxml2 sees them, so
 * that one function decides the encoding (BOM, HTTP, declaration) and the
 * entity and control-character fixes that follow work on UTF-8 only.
 * iconv does the conversions; windows-1252, the usual guess for text that
 * is not UTF-8, is done here because it must never fail.
 */
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parsers/buf.h"
#include "parsers/charset.h"

#define ENC_NAME_MAX	40

/* windows-1252 0x80-0x9f; the five holes keep their C1 code points. */
static const uint16_t cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

/* The length of the UTF-8 sequence at s[i] (s[i] >= 0x80), 0 when the
 * bytes there are not one. */
static size_t
seq_len(const unsigned char *s, size_t n, size_t i)
{
	size_t		 k, len;
	unsigned char	 lo = 0x80, hi = 0xbf;

	if (s[i] >= 0xc2 && s[i] <= 0xdf)
		len = 2;
	else if (s[i] >= 0xe0 && s[i] <= 0xef) {
		len = 3;
		if (s[i] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[i] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
		len = 4;
		if (s[i] == 0xf0)
			lo = 0x90;
		else if (s[i] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (len > n - i || s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
	return len;
}

bool
charset_is_utf8(const char *str, size_t n)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, len;
	uint64_t		 v, w[4];

	while (i < n) {
		/*
		 * Most of a feed is ASCII: 32 bytes at a time while no byte
		 * has its high bit set, then eight, then one.
		 */
		while (n - i >= 32) {
			memcpy(w, s + i, 32);
			if ((w[0] | w[1] | w[2] | w[3]) &
			    UINT64_C(0x8080808080808080))
				break;
			i += 32;
		}
		while (n - i >= 8) {
			memcpy(&v, s + i, 8);
			if (v & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = seq_len(s, n, i)) == 0)
			return false;
		i += len;
	}
	return true;
}

/*
 * Text that is UTF-8 but for a few stray bytes (a windows-1252 character
 * pasted into a UTF-8 page, a sequence cut short): at least four valid
 * sequences for each byte that is not.  Reading it as windows-1252 would
 * garble every other character; as UTF-8 only the stray bytes are lost.
 */
static bool
mostly_utf8(const char *str, size_t n)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, len, good = 0, bad = 0;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = seq_len(s, n, i)) == 0) {
			bad++;
			i++;
		} else {
			good++;
			i += len;
		}
	}
	return good > 0 && good / 4 >= bad;
}

static bool
has_high(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

static int
add_utf8(struct buf *b, uint32_t c)
{
	char	 u[4];
	size_t	 n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	}
	return buf_add(b, u, n);
}

static int
from_cp1252(const char *s, size_t len, struct buf *b)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, done = 0;
	int			 rc = BUF_OK;

	for (i = 0; i < len && rc == BUF_OK; i++) {
		if (u[i] < 0x80)
			continue;
		if ((rc = buf_add(b, s + done, i - done)) != BUF_OK)
			break;
		rc = add_utf8(b, u[i] < 0xa0 ? cp1252[u[i] - 0x80] : u[i]);
		done = i + 1;
	}
	if (rc == BUF_OK)
		rc = buf_add(b, s + done, len - done);
	return rc;
}

/*
 * Labels as the WHATWG Encoding Standard reads them, for the ones iconv
 * does not know by that name, and for the legacy names whose documents
 * are really in the superset browsers decode them with (gb2312 text holds
 * GBK characters, Shift_JIS text Microsoft's, EUC-KR text Unified Hangul).
 */
static const struct {
	const char	*label;
	const char	*name;		/* for iconv */
} labels[] = {
	{ "unicode-1-1-utf-8", "UTF-8" }, { "unicode11utf8", "UTF-8" },
	{ "unicode20utf8", "UTF-8" }, { "x-unicode20utf8", "UTF-8" },
	{ "chinese", "GB18030" }, { "csgb2312", "GB18030" },
	{ "csiso58gb231280", "GB18030" }, { "gb2312", "GB18030" },
	{ "gb_2312", "GB18030" }, { "gb_2312-80", "GB18030" },
	{ "gbk", "GB18030" }, { "iso-ir-58", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "big5", "BIG5-HKSCS" }, { "cn-big5", "BIG5-HKSCS" },
	{ "csbig5", "BIG5-HKSCS" }, { "x-x-big5", "BIG5-HKSCS" },
	{ "cseucpkdfmtjapanese", "EUC-JP" }, { "x-euc-jp", "EUC-JP" },
	{ "csshiftjis", "CP932" }, { "ms932", "CP932" },
	{ "ms_kanji", "CP932" }, { "shift-jis", "CP932" },
	{ "shift_jis", "CP932" }, { "sjis", "CP932" },
	{ "windows-31j", "CP932" }, { "x-sjis", "CP932" },
	{ "cseuckr", "CP949" }, { "csksc56011987", "CP949" },
	{ "euc-kr", "CP949" }, { "iso-ir-149", "CP949" },
	{ "korean", "CP949" }, { "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601-1989", "CP949" }, { "ksc5601", "CP949" },
	{ "ksc_5601", "CP949" }, { "windows-949", "CP949" },
	{ "dos-874", "CP874" }, { "iso-8859-11", "CP874" },
	{ "iso8859-11", "CP874" }, { "iso885911", "CP874" },
	{ "tis-620", "CP874" }, { "windows-874", "CP874" },
	{ "csiso88598i", "ISO-8859-8" }, { "iso-8859-8-i", "ISO-8859-8" },
	{ "logical", "ISO-8859-8" },
	{ "csisolatin5", "CP1254" }, { "iso-8859-9", "CP1254" },
	{ "iso-ir-148", "CP1254" }, { "iso8859-9", "CP1254" },
	{ "iso88599", "CP1254" }, { "iso_8859-9", "CP1254" },
	{ "iso_8859-9:1989", "CP1254" }, { "l5", "CP1254" },
	{ "latin5", "CP1254" },
	{ "csmacintosh", "MACINTOSH" }, { "mac", "MACINTOSH" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "x-mac-cyrillic", "MAC-CYRILLIC" },
	{ "x-mac-ukrainian", "MAC-CYRILLIC" },
	{ "koi8-ru", "KOI8-U" },
	{ "x-cp1250", "CP1250" }, { "x-cp1251", "CP1251" },
	{ "x-cp1252", "windows-1252" }, { "x-cp1253", "CP1253" },
	{ "x-cp1254", "CP1254" }, { "x-cp1255", "CP1255" },
	{ "x-cp1256", "CP1256" }, { "x-cp1257", "CP1257" },
	{ "x-cp1258", "CP1258" },
};

/* The name to decode label with (the label itself when iconv knows it). */
static const char *
label_name(const char *label)
{
	size_t	 i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcasecmp(label, labels[i].label) == 0)
			return labels[i].name;
	return label;
}

/* One-byte charsets that windows-1252 reads as well or better. */
static bool
is_latin1(const char *enc)
{
	return strcasecmp(enc, "iso-8859-1") == 0 ||
	    strcasecmp(enc, "iso8859-1") == 0 ||
	    strcasecmp(enc, "latin1") == 0 ||
	    strcasecmp(enc, "iso_8859-1") == 0 ||
	    strcasecmp(enc, "us-ascii") == 0 ||
	    strcasecmp(enc, "ascii") == 0 ||
	    strcasecmp(enc, "windows-1252") == 0 ||
	    strcasecmp(enc, "cp1252") == 0;
}

static bool
is_utf8_name(const char *enc)
{
	return strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

static bool
is_wide(const char *enc)
{
	return strncasecmp(enc, "utf-16", 6) == 0 ||
	    strncasecmp(enc, "utf-32", 6) == 0 ||
	    strncasecmp(enc, "ucs-", 4) == 0 ||
	    strncasecmp(enc, "ucs2", 4) == 0 ||
	    strncasecmp(enc, "ucs4", 4) == 0;
}

/* Any of the charsets whose every byte is a character on its own. */
static bool
is_one_byte(const char *enc)
{
	return is_latin1(enc) || strncasecmp(enc, "iso-8859-", 9) == 0 ||
	    strncasecmp(enc, "windows-125", 11) == 0 ||
	    strncasecmp(enc, "cp125", 5) == 0 ||
	    strcasecmp(enc, "cp874") == 0 ||
	    strcasecmp(enc, "macintosh") == 0 ||
	    strcasecmp(enc, "mac-cyrillic") == 0 ||
	    strncasecmp(enc, "koi8", 4) == 0;
}

#define ICONV_UNKNOWN	1

/*
 * Convert with iconv; a byte sequence invalid in enc becomes U+FFFD and
 * sets *guessed.  ICONV_UNKNOWN when iconv does not know enc, else a
 * BUF_* result: a converter that could not be opened for want of memory
 * (or of descriptors) is not an unknown charset, to be guessed at.
 */
static int
from_iconv(const char *enc, const char *s, size_t len, struct buf *b,
    bool *guessed)
{
	iconv_t	 cd;
	char	 out[4096], *ip, *op;
	size_t	 il, ol, r;
	int	 rc = BUF_OK;

	if ((cd = iconv_open("UTF-8", enc)) == (iconv_t)-1)
		return errno == EINVAL ? ICONV_UNKNOWN : BUF_NOMEM;
	ip = (char *)(uintptr_t)s;
	il = len;
	while (il > 0 && rc == BUF_OK) {
		op = out;
		ol = sizeof(out);
		r = iconv(cd, &ip, &il, &op, &ol);
		rc = buf_add(b, out, sizeof(out) - ol);
		if (r != (size_t)-1 || errno == E2BIG || rc != BUF_OK)
			continue;
		/* EILSEQ or a sequence cut short at the end */
		*guessed = true;
		rc = buf_add(b, "\xef\xbf\xbd", 3);
		ip++;
		il--;
	}
	iconv_close(cd);
	return rc;
}

/* The encoding named by an XML declaration at s, into name. */
static bool
declared(const char *s, size_t len, char *name, size_t namelen)
{
	const char	*end, *e, *q;
	size_t		 n;

	if (len < 6 || memcmp(s, "<?xml", 5) != 0)
		return false;
	if ((end = memmem(s, len, "?>", 2)) == NULL)
		return false;
	if ((e = memmem(s, (size_t)(end - s), "encoding", 8)) == NULL)
		return false;
	for (e += 8; e < end && (*e == ' ' || *e == '=' || *e == '\t' ||
	    *e == '\r' || *e == '\n'); e++)
		;
	if (e >= end || (*e != '"' && *e != '\''))
		return false;
	if ((q = memchr(e + 1, *e, (size_t)(end - e - 1))) == NULL)
		return false;
	n = (size_t)(q - e - 1);
	if (n == 0 || n >= namelen)
		return false;
	memcpy(name, e + 1, n);
	name[n] = '\0';
	return true;
}

/* Step 1: a byte order mark, or UTF-16/32 "<?" sniffed (XML 1.0 F.1). */
static const char *
sniff(const char *s, size_t len, size_t *bom)
{
	static const struct {
		const char	*bytes;
		size_t		 n;
		size_t		 bom;
		const char	*enc;
	} sig[] = {
		/* UTF-32LE's mark begins with UTF-16LE's: test it first. */
		{ "\xff\xfe\0\0", 4, 4, "UTF-32LE" },
		{ "\0\0\xfe\xff", 4, 4, "UTF-32BE" },
		{ "\xef\xbb\xbf", 3, 3, "UTF-8" },
		{ "\xff\xfe", 2, 2, "UTF-16LE" },
		{ "\xfe\xff", 2, 2, "UTF-16BE" },
		{ "<\0\0\0", 4, 0, "UTF-32LE" },
		{ "\0\0\0<", 4, 0, "UTF-32BE" },
		{ "<\0?\0", 4, 0, "UTF-16LE" },
		{ "\0<\0?", 4, 0, "UTF-16BE" },
	};
	size_t	 i;

	*bom = 0;
	for (i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
		if (len >= sig[i].n && memcmp(s, sig[i].bytes, sig[i].n) == 0) {
			*bom = sig[i].bom;
			return sig[i].enc;
		}
	return NULL;
}

/*
 * The HTTP charset, NULL when it is not to be trusted: UTF-16 or UTF-32
 * (step 1 would have seen them), UTF-8 for bytes that are not, a one-byte
 * charset for bytes that are UTF-8 beyond ASCII.
 */
static const char *
usable_http(const char *http, const char *s, size_t len, bool utf8)
{
	if (is_wide(http) || (is_utf8_name(http) && !utf8) ||
	    (is_one_byte(http) && utf8 && has_high(s, len)))
		return NULL;
	return http;
}

/* Steps 2-4 for an ASCII-compatible document. */
static const char *
choose(const char *s, size_t len, bool utf8, const char *http, char *decl,
    size_t decllen)
{
	if (http != NULL && *http != '\0' &&
	    (http = usable_http(label_name(http), s, len, utf8)) != NULL)
		return http;
	if (declared(s, len, decl, decllen) && !is_wide(decl))
		return label_name(decl);
	return "UTF-8";
}

/*
 * The bytes s[0..n) (past any byte order mark) in enc as UTF-8, into
 * *data and *len as charset_utf8() says; utf8 tells whether they are
 * valid UTF-8.
 */
static int
decode(const char *s, size_t n, const char *enc, bool utf8, size_t maxlen,
    const char **data, size_t *len, char **owned, bool *guessed)
{
	struct buf	 b;
	int		 rc;

	if (is_utf8_name(enc) || (is_latin1(enc) && !has_high(s, n))) {
		if (utf8) {
			*data = s;
			*len = n;
			return 0;
		}
		/* Declared UTF-8, written in windows-1252: read, flagged;
		 * UTF-8 with a few stray bytes: those replaced, flagged. */
		*guessed = true;
		if (!mostly_utf8(s, n))
			enc = "windows-1252";
		else
			enc = "UTF-8";
	}
	/* Each byte becomes at most 3 (windows-1252, UTF-16 and iconv's
	 * one-byte charsets alike). */
	if (n > SIZE_MAX / 3)
		return -1;
	buf_init(&b, maxlen);
	if (is_latin1(enc))
		rc = from_cp1252(s, n, &b);
	else if ((rc = from_iconv(enc, s, n, &b, guessed)) ==
	    ICONV_UNKNOWN) {
		/* A charset nobody knows: the usual suspects. */
		*guessed = true;
		if (utf8) {
			buf_free(&b);
			*data = s;
			*len = n;
			return 0;
		}
		rc = from_cp1252(s, n, &b);
	}
	if (rc != BUF_OK) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*owned = buf_steal(&b);
	*data = *owned;
	return 0;
}

int
charset_utf8(const char **data, size_t *len, const char *http,
    size_t maxlen, char **owned, bool *guessed)
{
	char		 decl[ENC_NAME_MAX];
	const char	*s = *data, *enc;
	size_t		 n = *len, bom;
	bool		 utf8;

	*owned = NULL;
	*guessed = false;
	enc = sniff(s, n, &bom);
	s += bom;
	n -= bom;
	/* One pass over the bytes tells most of what is needed. */
	utf8 = (enc == NULL || is_utf8_name(enc)) && charset_is_utf8(s, n);
	if (enc == NULL)
		enc = choose(s, n, utf8, http, decl, sizeof(decl));
	return decode(s, n, enc, utf8, maxlen, data, len, owned, guessed);
}

/* The first place needle (lower case) is in s[0..len), in any case. */
static const char *
find_ci(const char *s, size_t len, const char *needle)
{
	size_t	 n = strlen(needle), i, k;

	for (i = 0; i + n <= len; i++) {
		for (k = 0; k < n && (s[i + k] | 0x20) == needle[k]; k++)
			;
		if (k == n)
			return s + i;
	}
	return NULL;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/*
 * The charset a <meta> of the page's head names: <meta charset="x">, or
 * <meta http-equiv=... content="text/html; charset=x">.  Browsers look in
 * the first 1024 bytes, then again while they parse the head; heads grown
 * by scripts (an archive's player) put it further, so the whole head is
 * searched, up to 64 KiB.
 */
static bool
meta_charset(const char *s, size_t len, char *name, size_t namelen)
{
	const char	*m, *end, *c, *v, *e;
	size_t		 n;

	if (len > 65536)
		len = 65536;
	if ((m = find_ci(s, len, "<body")) != NULL)
		len = (size_t)(m - s);
	for (m = s; (m = find_ci(m, len - (size_t)(m - s), "<meta")) != NULL;
	    m = end) {
		if ((end = memchr(m, '>', len - (size_t)(m - s))) == NULL)
			return false;
		if ((c = find_ci(m, (size_t)(end - m), "charset")) == NULL)
			continue;
		for (v = c + 7; v < end && is_blank(*v); v++)
			;
		if (v == end || *v != '=')
			continue;
		for (v++; v < end && (is_blank(*v) || *v == '"' ||
		    *v == '\''); v++)
			;
		for (e = v; e < end && !is_blank(*e) && *e != '"' &&
		    *e != '\'' && *e != ';' && *e != '/'; e++)
			;
		if ((n = (size_t)(e - v)) == 0 || n >= namelen)
			continue;
		memcpy(name, v, n);
		name[n] = '\0';
		return true;
	}
	return false;
}

int
charset_html_utf8(const char **data, size_t *len, const char *http,
    size_t maxlen, char **owned)
{
	char		 meta[ENC_NAME_MAX];
	const char	*s = *data, *enc;
	size_t		 n = *len, bom;
	bool		 utf8, guessed = false;

	*owned = NULL;
	enc = sniff(s, n, &bom);
	s += bom;
	n -= bom;
	utf8 = (enc == NULL || is_utf8_name(enc)) && charset_is_utf8(s, n);
	if (enc == NULL && http != NULL && *http != '\0')
		enc = usable_http(label_name(http), s, n, utf8);
	if (enc == NULL && meta_charset(s, n, meta, sizeof(meta)) &&
	    !is_wide(meta))
		enc = label_name(meta);
	/* A page that is plainly UTF-8 beyond ASCII is, whatever it says of
	 * a one-byte charset; with nothing said, not UTF-8 is windows-1252. */
	if (enc == NULL || (is_one_byte(enc) && utf8 && has_high(s, n)))
		enc = "UTF-8";	/* not UTF-8 after all: see decode() */
	return decode(s, n, enc, utf8, maxlen, data, len, owned, &guessed);
}
