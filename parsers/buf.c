/*
 * buf: growable, capped, NUL-terminated byte buffers.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parsers/buf.h"
#include "parsers/swar.h"

void
buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->size = 0;
	b->cap = cap;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for n more bytes plus the terminator. */
static int
buf_grow(struct buf *b, size_t n)
{
	size_t	 need, nsize;
	char	*p;

	if (n > b->cap || b->len > b->cap - n)
		return BUF_TOOBIG;
	need = b->len + n + 1;
	if (need <= b->size)
		return BUF_OK;
	nsize = b->size < 64 ? 64 : b->size;
	while (nsize < need) {
		if (nsize > SIZE_MAX / 2) {
			nsize = need;
			break;
		}
		nsize *= 2;
	}
	if ((p = realloc(b->data, nsize)) == NULL)
		return BUF_NOMEM;
	b->data = p;
	b->size = nsize;
	return BUF_OK;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	int	 rc;

	if ((rc = buf_grow(b, n)) != BUF_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return BUF_OK;
}

int
buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BUF_NOMEM;
	if ((rc = buf_grow(b, (size_t)n)) != BUF_OK)
		return rc;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BUF_NOMEM;
	b->len += (size_t)n;
	return BUF_OK;
}

/*
 * Past the bytes from s[i] that HTML text keeps as they are: up to an
 * '&', '<', '>' or '"'.  A page's text has few of them: sixteen or eight
 * bytes are looked at once.
 */
static size_t
html_plain(const char *s, size_t n, size_t i)
{
	uint64_t	 v;

#ifdef __SSE2__
	const __m128i	 amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<');
	const __m128i	 gt = _mm_set1_epi8('>'), dq = _mm_set1_epi8('"');
	__m128i		 x, stop;
	int		 m;

	for (; n - i >= 16; i += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		stop = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, lt)),
		    _mm_or_si128(_mm_cmpeq_epi8(x, gt), _mm_cmpeq_epi8(x, dq)));
		if ((m = _mm_movemask_epi8(stop)) != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#endif
	for (; n - i >= 8; i += 8) {
		memcpy(&v, s + i, 8);
		if (HAS_ZERO(v ^ (ONES * '&')) | HAS_ZERO(v ^ (ONES * '<')) |
		    HAS_ZERO(v ^ (ONES * '>')) | HAS_ZERO(v ^ (ONES * '"')))
			break;
	}
	for (; i < n; i++)
		if (s[i] == '&' || s[i] == '<' || s[i] == '>' || s[i] == '"')
			break;
	return i;
}

int
buf_add_html(struct buf *b, const char *s, size_t n)
{
	const char	*rep;
	size_t		 i, from = 0;
	int		 rc;

	for (i = 0; (i = html_plain(s, n, i)) < n; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		default:
			rep = "&quot;";
			break;
		}
		if ((rc = buf_add(b, s + from, i - from)) != BUF_OK ||
		    (rc = buf_addstr(b, rep)) != BUF_OK)
			return rc;
		from = i + 1;
	}
	return buf_add(b, s + from, n - from);
}

char *
buf_steal(struct buf *b)
{
	char	*p;

	if (b->data == NULL)
		return strdup("");
	p = b->data;
	b->data = NULL;
	b->len = b->size = 0;
	return p;
}
