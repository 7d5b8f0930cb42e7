/*
 * extract_out: the chosen elements as paragraphs of text and clean HTML,
 * through a last paragraph filter in the manner of jusText: link lists,
 * lone dates, "Share", "Read more" and copyright lines go.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/date.h"
#include "parsers/extract_int.h"

#define BLOCK_MAX	(1024 * 1024)
#define KEEP_TIMES	4	/* paragraphs kept, times the output caps */
#define KICKER_MAX	80	/* longer lines above the headline stay */
#define TAIL_MAX	60	/* a heading opening the tail is short */
#define TAIL_AFTER	250	/* and follows this much of the article */
#define PROSE_MIN	80	/* a paragraph the article goes on with */
#define CAPTION_MAX	200	/* a caption with a credit is no longer */
#define CREDIT_MAX	45	/* bytes of a credit, its mark included */
#define CREDIT_LINE_MIN	20	/* shorter lines are a credit alone */
#define PROMO_MAX	160	/* a call to subscribe or follow is short */

/* Elements that group paragraphs in the HTML, outermost first. */
enum group { G_QUOTE, G_FIGURE, G_TABLE, G_ROW, G_LIST, G_COUNT };

struct block {
	struct buf	 text;
	struct buf	 html;
	size_t		 chars;
	size_t		 links;	/* characters inside <a> */
	size_t		 imgs;
	bool		 space;		/* a space is due before more text */
	const char	*tag;		/* p, h2, li, td, ... */
	xmlNode		*elem;		/* the block element it comes from */
	xmlNode		*group[G_COUNT];
};

/* A paragraph that passed the filter, waiting for its context. */
struct para {
	char		*text;
	char		*html;
	size_t		 chars;
	const char	*tag;
	xmlNode		*box;		/* the element around its block */
	xmlNode		*group[G_COUNT];
	bool		 heading;	/* or a short line ending in ':' */
	bool		 caption;	/* of a figure: HTML only */
	bool		 tail;		/* opens the page's tail */
	bool		 boxhead;	/* opens a box of links or notes */
	bool		 drop;
};

struct render {
	struct ectx	*c;
	struct block	 b;
	struct para	*paras;
	size_t		 npara;
	size_t		 paracap;
	struct buf	*text;
	struct buf	*html;
	xmlNode		*open[G_COUNT];	/* groups open in the HTML output */
	const char	*opentag[G_COUNT];
	size_t		 nopen;
	int		 linkdepth;
	int		 err;
	size_t		 kept;		/* bytes of the paragraphs kept */
	size_t		 keep_max;
	bool		 full;		/* kept enough: the walk stops */
};

static const char *const group_tags[G_COUNT] = {
	"blockquote", "figure", "table", "tr", "ul"
};

/* Short lines that are boilerplate on their own (lower case, trimmed). */
static const char *const boiler_lines[] = {
	"share", "share this", "share this article", "share this story",
	"share on facebook", "share on twitter", "share on x", "tweet",
	"print", "email", "e-mail", "read more", "read also", "see also",
	"related", "related articles", "related stories", "advertisement",
	"anzeige", "werbung", "sign up", "subscribe", "follow us", "comments",
	"newsletter", "top", "back to top", "click here", "more", "weiterlesen",
	"mehr", "mehr zum thema", "teilen", "drucken", "lire aussi",
	"lire la suite", "partager", "publicité", "copy link", "facebook",
	"twitter", "whatsapp", "linkedin", "pinterest", "reddit", "menu",
	"home", "search", "suche", "login", "log in", "loading", "gefällt mir",
	"wird geladen", "kontakt", "contact", "reklama", "advertising",
	"publicidad", "pubblicità", "tags", "schlagworte", "drucken",
	"zurück", "back", "next", "previous", "weiter", "like this",
	"diesen artikel teilen", "artikel teilen", "teilen sie dies mit",
	"bild anzeigen", "beitragsbild", NULL
};

/* Starts of short boilerplate lines. */
static const char *const boiler_starts[] = {
	"©", "(c) ", "copyright", "read more", "read also", "see also",
	"related:", "lesen sie auch", "lesen sie mehr", "mehr zum thema",
	"sign up for", "subscribe to", "follow us", "share this", "click here",
	"photo:", "foto:", "image:", "bild:", "credit:", "lire aussi",
	"voir aussi", "all rights reserved", "source:", "quelle:", "źródło:",
	"fuente:", "getty images", "reuters", "dpa", "afp", "bloggern gefällt",
	"gefällt mir", "teilen mit", "zum newsletter", "newsletter abonnieren",
	"jetzt abonnieren", "subscribe now", "follow the", "folge uns",
	"folgen sie uns", "auch auf", NULL
};

/*
 * Headings that open what follows an article: related links, comments,
 * the author box.  From one of them on, nothing is the article any more.
 */
static const char *const tail_starts[] = {
	"related", "more from", "more stories", "more on this", "read next",
	"you may also like", "you might also like", "recommended for you",
	"most popular", "most read", "popular posts", "latest news",
	"latest articles", "latest stories", "trending", "comments",
	"leave a comment", "leave a reply", "post a comment",
	"about the author", "tags:", "filed under", "recent posts",
	"ähnliche beiträge", "ähnliche artikel", "verwandte artikel",
	"verwandte beiträge", "auch interessant", "das könnte sie auch",
	"das könnte dich auch", "weitere artikel", "weitere beiträge",
	"neueste artikel", "neueste beiträge", "am meisten gelesen",
	"meistgelesen", "meist gelesen", "kommentare", "kommentar verfassen",
	"kommentar schreiben", "über den autor", "über die autorin",
	"schlagworte", "teilen sie dies mit", "teilen mit", "beliebte beiträge",
	"letzte kommentare", "schon gelesen", "à lire aussi",
	"sur le même sujet", "articles similaires", "commentaires",
	"les plus lus", "noticias relacionadas", "notas relacionadas",
	"contenido relacionado", "te puede interesar", "lo más leído",
	"más noticias", "zobacz także", "czytaj także", "czytaj też",
	"komentarze", "articoli correlati", "leggi anche", "no comments",
	"keine kommentare", "schreibe einen kommentar",
	"hinterlasse einen kommentar", "laisser un commentaire",
	"deja un comentario", "dodaj komentarz", "themen im artikel",
	"themen in diesem artikel", NULL
};

/*
 * Headings that open a box of links or notes, which the article may go
 * on after: the heading and the short lines after it go, up to the next
 * heading or paragraph of prose.
 */
static const char *const box_starts[] = {
	"further reading", "explore further", "see also", "more on this topic",
	"weitere informationen", "weiterführende informationen",
	"weiterführende links", "zum weiterlesen", "mehr zum thema",
	"verwandte themen", "à découvrir", "voir aussi", "leia também",
	"veja também", "inne artykuły", "mehr zu ", "more about",
	"more information", "weiterführend", "zusatzinformationen",
	"quellen", "sources", "related links", "useful links",
	"nützliche links", "links zum thema", NULL
};

/*
 * Starts of the words of a call to subscribe, follow or install, at the
 * end of an article: "Follow us on Twitter", "Siguenos en Telegram",
 * "Get the latest news with our app", "Zapraszamy do subskrypcji".
 */
static const char *const promo_starts[] = {
	"newsletter", "subscri", "abonn", "suscri", "subskryp", "telegram",
	"whatsapp", "instagram", "facebook", "twitter", "youtube", NULL
};

/* Whole words of such a call. */
static const char *const promo_words[] = {
	"app", "apps", NULL
};

/* Words a date line may be made of, besides numbers. */
static const char *const date_words[] = {
	"jan", "january", "feb", "february", "mar", "march", "apr", "april",
	"may", "jun", "june", "jul", "july", "aug", "august", "sep", "sept",
	"september", "oct", "october", "nov", "november", "dec", "december",
	"januar", "februar", "märz", "mai", "juni", "juli", "oktober",
	"dezember", "janvier", "février", "mars", "avril", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre", "mon",
	"monday", "tue", "tuesday", "wed", "wednesday", "thu", "thursday",
	"fri", "friday", "sat", "saturday", "sun", "sunday", "montag",
	"dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
	"am", "pm", "um", "uhr", "at", "on", "updated", "published", "posted",
	"veröffentlicht", "aktualisiert", "stand", "le", "à", "h", "utc",
	"gmt", "cet", "cest", "mez", "mesz", "est", "edt", "pst", "de", "of",
	"the", "min", "read", "ago", "publiziert", "erschienen", "datum",
	"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	"agosto", "septiembre", "octubre", "noviembre", "diciembre",
	"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
	"lipca", "sierpnia", "września", "października", "listopada",
	"grudnia", NULL
};

static void
add(struct render *r, struct buf *b, const char *s, size_t n)
{
	int	 rc;

	if (r->err == BUF_OK && (rc = buf_add(b, s, n)) != BUF_OK)
		r->err = rc;
}

static void
adds(struct render *r, struct buf *b, const char *s)
{
	add(r, b, s, strlen(s));
}

/* HTML-escaped text. */
static void
add_escaped(struct render *r, struct buf *b, const char *s, size_t n)
{
	int	 rc;

	if (r->err == BUF_OK && (rc = buf_add_html(b, s, n)) != BUF_OK)
		r->err = rc;
}

/* The space owed before the next word, written before markup opens. */
static void
pending_space(struct render *r)
{
	struct block	*b = &r->b;

	if (b->space && b->text.len > 0) {
		add(r, &b->text, " ", 1);
		add(r, &b->html, " ", 1);
		b->chars++;
		if (r->linkdepth > 0)
			b->links++;
	}
	b->space = false;
}

/*
 * One text node into the current paragraph, white space collapsed.  A
 * no-break space is a character of the text here (French puts one inside
 * guillemets); the normaliser decides what becomes of it.
 */
static void
add_text(struct render *r, const unsigned char *s)
{
	struct block	*b = &r->b;
	size_t		 n;

	while (*s != '\0') {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' ||
		    *s == '\f' || *s == '\v') {
			b->space = true;
			s++;
			continue;
		}
		/* a soft hyphen is a hint for line breaking, not text */
		if (s[0] == 0xc2 && s[1] == 0xad) {
			s += 2;
			continue;
		}
		pending_space(r);
		for (n = 0; s[n] != '\0' && s[n] > ' ' &&
		    !(s[n] == 0xc2 && s[n + 1] == 0xad);
		    n++)
			if ((s[n] & 0xc0) != 0x80) {
				b->chars++;
				if (r->linkdepth > 0)
					b->links++;
			}
		add(r, &b->text, (const char *)s, n);
		add_escaped(r, &b->html, (const char *)s, n);
		s += n;
	}
}

/*
 * Do the n bytes of s equal the lower-case pat, ignoring case in ASCII
 * and in the letters of Latin-1 (UTF-8 C3 80-9E, "Ü" as "ü"), so that
 * "Über den Autor" and "À lire aussi" match as "about the author" does?
 */
static bool
same_folded(const char *s, const char *pat, size_t n)
{
	const unsigned char	*a = (const unsigned char *)s;
	const unsigned char	*b = (const unsigned char *)pat;
	size_t			 i;
	unsigned char		 c;

	for (i = 0; i < n; i++) {
		c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (i > 0 && a[i - 1] == 0xc3 && c >= 0x80 && c <= 0x9e &&
		    c != 0x97)
			c = (unsigned char)(c + 0x20);
		if (c != b[i])
			return false;
	}
	return true;
}

static bool
in_list(const char *s, size_t len, const char *const *list, bool prefix)
{
	size_t	 i, n;

	for (i = 0; list[i] != NULL; i++) {
		n = strlen(list[i]);
		if ((prefix ? len >= n : len == n) && same_folded(s, list[i], n))
			return true;
	}
	return false;
}

/* A line made only of a date, a time and their little words. */
static bool
date_line(const char *s, size_t len)
{
	char	 w[32];
	size_t	 i, n;
	bool	 digits = false;
	int64_t	 t;

	if (len > 60)
		return false;
	if (date_parse(s, &t) == 0)
		return true;
	for (i = 0; i < len;) {
		if (isdigit((unsigned char)s[i]))
			digits = true;
		if (!isalpha((unsigned char)s[i]) &&
		    ((unsigned char)s[i] < 0x80 || s[i] == '\0')) {
			i++;
			continue;
		}
		for (n = 0; i + n < len && (isalpha((unsigned char)s[i + n]) ||
		    (unsigned char)s[i + n] >= 0x80); n++)
			;
		/* "·" and other punctuation outside ASCII end up here too */
		if (n >= sizeof(w) || (n > 2 && (unsigned char)s[i] >= 0x80 &&
		    (unsigned char)s[i] == 0xc2))
			return false;
		memcpy(w, s + i, n);
		w[n] = '\0';
		if (!(n == 2 && (unsigned char)w[0] == 0xc2) &&
		    !in_list(w, n, date_words, false))
			return false;
		i += n;
	}
	return digits;
}

/* Marks after which a caption names its photographer or agency. */
static const char *const credit_marks[] = {
	"©", "foto:", "photo:", "bild:", "credit:", "fotos:", "photos:",
	"crédits photos", "fotocredit:", "bildquelle:", NULL
};

/*
 * A caption written as a paragraph: a short line that ends in a credit
 * ("... in Bremen. © CAE", "... | Foto: Andina").  The credit is short and
 * the line stops with it (no sentence after it); a credit at the start
 * is boiler_starts' case.
 */
static bool
credit_line(const char *s, size_t len)
{
	size_t	 i, rest;

	if (len < CREDIT_LINE_MIN)
		return false;
	for (i = len; i-- > 0;) {
		if (!in_list(s + i, len - i, credit_marks, true))
			continue;
		rest = len - i;
		return i > 0 && rest <= CREDIT_MAX &&
		    memmem(s + i, rest, ". ", 2) == NULL;
	}
	return false;
}

/* The paragraph filter: is the current paragraph boilerplate? */
static bool
boilerplate(struct render *r)
{
	struct block	*b = &r->b;
	const char	*s = b->text.data;
	size_t		 len = b->text.len;

	if (b->chars == 0)
		return b->imgs == 0;
	if (r->c->headline != NULL && strcmp(s, r->c->headline) == 0)
		return true;
	if (b->links * 5 > b->chars * 2)
		return true;
	if (b->chars < 50 && b->links * 10 > b->chars * 3)
		return true;
	if (b->chars <= CAPTION_MAX && credit_line(s, len))
		return true;
	if (b->chars > 100)
		return false;
	while (len > 0 && strchr(" .:!?»>›→|-", s[len - 1]) != NULL)
		len--;
	if (in_list(s, len, boiler_lines, false) ||
	    in_list(s, len, boiler_starts, true))
		return true;
	if (b->chars < 80 && (strstr(s, "All rights reserved") != NULL ||
	    strstr(s, "all rights reserved") != NULL ||
	    strstr(s, "Alle Rechte vorbehalten") != NULL))
		return true;
	return date_line(s, len);
}

static const char *
group_tag(enum group g, xmlNode *n)
{
	if (g == G_LIST && extract_is(n, "ol"))
		return "ol";
	return group_tags[g];
}

/* Close and open the grouping elements so the HTML nests this block. */
static void
open_groups(struct render *r, xmlNode *const *group)
{
	xmlNode	*want[G_COUNT];
	size_t	 nwant = 0, i, same;
	int	 g, gw[G_COUNT];

	for (g = 0; g < G_COUNT; g++)
		if (group[g] != NULL) {
			gw[nwant] = g;
			want[nwant++] = group[g];
		}
	for (same = 0; same < r->nopen && same < nwant &&
	    r->open[same] == want[same]; same++)
		;
	while (r->nopen > same) {
		r->nopen--;
		adds(r, r->html, "</");
		adds(r, r->html, r->opentag[r->nopen]);
		adds(r, r->html, ">");
	}
	for (i = same; i < nwant; i++) {
		adds(r, r->html, "<");
		r->opentag[r->nopen] = group_tag(gw[i], want[i]);
		adds(r, r->html, r->opentag[r->nopen]);
		adds(r, r->html, ">");
		r->open[r->nopen++] = want[i];
	}
}

static bool
heading_like(const struct block *b)
{
	if (b->tag[0] == 'h' && b->tag[1] >= '2' && b->tag[1] <= '6')
		return true;
	return b->chars > 0 && b->chars < 50 &&
	    b->text.data[b->text.len - 1] == ':';
}

/* End the current paragraph: filter it, keep it for its context. */
static void
flush(struct render *r)
{
	struct block	*b = &r->b;
	struct para	*p, *np;
	size_t		 ncap;
	bool		 tail, boxhead;

	if (r->err != BUF_OK || r->full || (b->chars == 0 && b->imgs == 0))
		goto reset;
	/* a tail heading is kept, out of the output, for cut_tail() */
	tail = b->chars > 0 && b->chars <= TAIL_MAX &&
	    in_list(b->text.data, b->text.len, tail_starts, true);
	/* so is a box heading, for drop_boxes() */
	boxhead = !tail && b->chars > 0 && b->chars <= TAIL_MAX &&
	    in_list(b->text.data, b->text.len, box_starts, true);
	if (!tail && !boxhead && boilerplate(r))
		goto reset;
	if (r->npara == r->paracap) {
		ncap = r->paracap == 0 ? 64 : r->paracap * 2;
		if (ncap > SIZE_MAX / sizeof(*np) ||
		    (np = reallocarray(r->paras, ncap, sizeof(*np))) == NULL) {
			r->err = BUF_NOMEM;
			goto reset;
		}
		r->paras = np;
		r->paracap = ncap;
	}
	p = &r->paras[r->npara];
	memset(p, 0, sizeof(*p));
	p->chars = b->chars;
	p->tag = b->tag;
	p->box = b->elem != NULL ? b->elem->parent : NULL;
	p->heading = heading_like(b);
	p->tail = p->drop = tail;
	p->boxhead = boxhead;
	p->caption = b->group[G_FIGURE] != NULL ||
	    strcmp(b->tag, "figcaption") == 0;
	memcpy(p->group, b->group, sizeof(p->group));
	r->kept += b->text.len + b->html.len;
	p->text = buf_steal(&b->text);
	p->html = buf_steal(&b->html);
	if (p->text == NULL || p->html == NULL) {
		free(p->text);
		free(p->html);
		r->err = BUF_NOMEM;
		goto reset;
	}
	r->npara++;
	r->full = r->kept > r->keep_max;
reset:
	buf_reset(&b->text);
	buf_reset(&b->html);
	b->chars = b->links = b->imgs = 0;
	b->space = false;
}

/*
 * Paragraphs judged by their neighbours, as jusText does: a heading with
 * no text after it introduced something the filter removed (a list of
 * related links, share buttons), so it goes too.
 */
static void
judge_context(struct render *r)
{
	bool	 content = false;
	size_t	 i;

	for (i = r->npara; i-- > 0;) {
		if (r->paras[i].drop)
			continue;
		if (!r->paras[i].heading && r->paras[i].chars > 0)
			content = true;
		else if (r->paras[i].heading && !content)
			r->paras[i].drop = true;
	}
}

/* Prose: a paragraph long enough to be the article's. */
static bool
prose(const struct para *p)
{
	return !p->drop && !p->heading && p->chars >= PROSE_MIN &&
	    p->box != NULL;
}

/* Does a paragraph before i sit in box, as the article's prose? */
static bool
article_box(const struct render *r, size_t i, const xmlNode *box)
{
	while (i-- > 0)
		if (prose(&r->paras[i]) && r->paras[i].box == box)
			return true;
	return false;
}

/*
 * The paragraph after a tail heading at i where the article goes on: prose
 * in the same element as prose before the heading, when the heading is
 * not, so the "Most read" box was set into the article, not after it.  0
 * when there is none.
 */
static size_t
article_resumes(const struct render *r, size_t i)
{
	size_t	 j;

	/* a tail heading among the article's paragraphs ends it */
	if (r->paras[i].box == NULL || article_box(r, i, r->paras[i].box))
		return 0;
	for (j = i + 1; j < r->npara; j++)
		if (prose(&r->paras[j]) &&
		    article_box(r, i, r->paras[j].box))
			break;
	if (j == r->npara)
		return 0;
	/* the article's own headings just before it stay */
	while (j > i + 1 && r->paras[j - 1].box == r->paras[j].box &&
	    !r->paras[j - 1].tail)
		j--;
	return j;
}

/* A box heading and its short lines go; prose or a heading ends the box. */
static void
drop_boxes(struct render *r)
{
	size_t	 i, j;

	for (i = 0; i < r->npara; i++) {
		if (!r->paras[i].boxhead)
			continue;
		r->paras[i].drop = true;
		for (j = i + 1; j < r->npara && !r->paras[j].heading &&
		    !prose(&r->paras[j]); j++)
			r->paras[j].drop = true;
		i = j - 1;
	}
}

/*
 * Everything from a heading that opens the page's tail on goes, unless
 * the article resumes after it: then only the box the heading opens.
 */
static void
cut_tail(struct render *r)
{
	struct para	*p;
	size_t		 i, j, end, before = 0;

	for (i = 0; i < r->npara; i++) {
		p = &r->paras[i];
		if (!p->tail || before < TAIL_AFTER) {
			if (!p->drop)
				before += p->chars;
			continue;
		}
		if ((end = article_resumes(r, i)) == 0)
			end = r->npara;
		for (j = i; j < end; j++)
			r->paras[j].drop = true;
		if (end == r->npara)
			return;
		i = end - 1;
	}
}

static bool
word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* A paragraph that goes into the text. */
static bool
text_para(const struct para *p)
{
	return !p->drop && p->chars > 0 && !p->caption;
}

/* Does a word of the paragraph's text start or make a promo word? */
static bool
promo_line(const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i++) {
		if (i > 0 && word_byte((unsigned char)s[i - 1]))
			continue;
		if (in_list(s + i, len - i, promo_starts, true))
			return true;
		for (n = 0; i + n < len && word_byte((unsigned char)s[i + n]);
		    n++)
			;
		if (in_list(s + i, n, promo_words, false))
			return true;
	}
	return false;
}

/*
 * The short calls to subscribe, follow the site or install its app that
 * end an article go, from the last paragraph up to the first that is
 * not one.  Only at the end: within the article "said on Twitter" is
 * the story.
 */
static void
drop_promos(struct render *r)
{
	struct para	*p;
	size_t		 i, first;

	/* the article's first paragraph stays: a short post may be a tweet */
	for (first = 0; first < r->npara; first++)
		if (text_para(&r->paras[first]))
			break;
	for (i = r->npara; i-- > first + 1;) {
		p = &r->paras[i];
		if (!text_para(p))
			continue;
		if (p->chars > PROMO_MAX || !promo_line(p->text, strlen(p->text)))
			return;
		p->drop = true;
	}
}

static void
write_paras(struct render *r)
{
	struct para	*p;
	xmlNode		*none[G_COUNT];
	size_t		 i;

	for (i = 0; i < r->npara; i++) {
		p = &r->paras[i];
		if (p->drop)
			continue;
		if (p->chars > 0 && !p->caption) {
			if (r->text->len > 0)
				add(r, r->text, "\n\n", 2);
			adds(r, r->text, p->text);
		}
		open_groups(r, p->group);
		adds(r, r->html, "<");
		adds(r, r->html, p->tag);
		adds(r, r->html, ">");
		adds(r, r->html, p->html);
		adds(r, r->html, "</");
		adds(r, r->html, p->tag);
		adds(r, r->html, ">");
	}
	memset(none, 0, sizeof(none));
	open_groups(r, none);
}

static void
add_attr(struct render *r, const char *name, const xmlChar *v)
{
	if (v == NULL)
		return;
	adds(r, &r->b.html, " ");
	adds(r, &r->b.html, name);
	adds(r, &r->b.html, "=\"");
	add_escaped(r, &r->b.html, (const char *)v, strlen((const char *)v));
	adds(r, &r->b.html, "\"");
}

static void
add_url_attr(struct render *r, const char *name, const xmlChar *v)
{
	char	*abs;

	if (v == NULL)
		return;
	/* javascript: and friends are not links worth keeping */
	if (xmlStrncasecmp(v, (const xmlChar *)"javascript:", 11) == 0)
		return;
	if ((abs = extract_resolve(r->c, v)) == NULL) {
		r->err = BUF_NOMEM;
		return;
	}
	add_attr(r, name, (const xmlChar *)abs);
	free(abs);
}

static void walk(struct render *, xmlNode *, int);

/* Paragraph tag for a block element. */
static const char *
block_tag(const xmlNode *n, const char *cur)
{
	const char	*name = (const char *)n->name;

	if (name[0] == 'h' && name[1] >= '2' && name[1] <= '6' &&
	    name[2] == '\0')
		return name;
	if (strcmp(name, "h1") == 0)
		return "h2";
	if (strcmp(name, "li") == 0 || strcmp(name, "dt") == 0 ||
	    strcmp(name, "dd") == 0)
		return "li";
	if (strcmp(name, "pre") == 0 || strcmp(name, "td") == 0 ||
	    strcmp(name, "th") == 0 || strcmp(name, "figcaption") == 0)
		return name;
	if (strcmp(name, "p") == 0)
		return "p";
	/* a div inside a list item or a cell stays part of it */
	return strcmp(cur, "li") == 0 || strcmp(cur, "td") == 0 ||
	    strcmp(cur, "th") == 0 ? cur : "p";
}

static void
walk_block(struct render *r, struct xnode *x, int depth)
{
	struct block	 saved = r->b;
	enum group	 g = G_COUNT;

	flush(r);
	switch (x->kind) {
	case XK_QUOTE:
		g = G_QUOTE;
		break;
	case XK_FIGURE:
		g = G_FIGURE;
		break;
	case XK_TABLE:
		g = G_TABLE;
		r->b.group[G_ROW] = NULL;
		break;
	case XK_ROW:
		g = G_ROW;
		break;
	case XK_LIST:
		g = G_LIST;
		break;
	default:
		r->b.tag = block_tag(x->n, r->b.tag);
		r->b.elem = x->n;
		break;
	}
	if (g != G_COUNT)
		r->b.group[g] = x->n;
	walk(r, x->n->children, depth + 1);
	flush(r);
	memcpy(r->b.group, saved.group, sizeof(r->b.group));
	r->b.tag = saved.tag;
	r->b.elem = saved.elem;
}

static void
walk_inline(struct render *r, struct xnode *x, int depth)
{
	const char	*tag = (const char *)x->n->name;

	switch (x->kind) {
	case XK_BR:
		flush(r);
		return;
	case XK_IMG:
		/* the text has no image: its space stays owed to the text */
		if (r->b.space && r->b.html.len > 0)
			adds(r, &r->b.html, " ");
		adds(r, &r->b.html, "<img");
		add_url_attr(r, "src", extract_attr(x->n, "src"));
		add_attr(r, "alt", extract_attr(x->n, "alt"));
		adds(r, &r->b.html, ">");
		r->b.imgs++;
		return;
	case XK_LINK:
		pending_space(r);
		adds(r, &r->b.html, "<a");
		add_url_attr(r, "href", extract_attr(x->n, "href"));
		adds(r, &r->b.html, ">");
		r->linkdepth++;
		walk(r, x->n->children, depth + 1);
		r->linkdepth--;
		adds(r, &r->b.html, "</a>");
		return;
	case XK_INLINE:
		pending_space(r);
		adds(r, &r->b.html, "<");
		adds(r, &r->b.html, tag);
		adds(r, &r->b.html, ">");
		walk(r, x->n->children, depth + 1);
		adds(r, &r->b.html, "</");
		adds(r, &r->b.html, tag);
		adds(r, &r->b.html, ">");
		return;
	default:
		walk(r, x->n->children, depth + 1);
		return;
	}
}

/*
 * Short lines above the headline are its kicker, the section, the date:
 * the article starts below it.
 */
static void
before_headline(struct render *r)
{
	size_t	 i;

	flush(r);
	for (i = 0; i < r->npara; i++)
		if (r->paras[i].chars < KICKER_MAX)
			r->paras[i].drop = true;
}

/* One node of the chosen part of the page. */
static void
walk_one(struct render *r, xmlNode *n, int depth)
{
	struct xnode	*x;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			add_text(r, n->content);
		return;
	}
	if ((x = xn(n)) == NULL || (x->flags & r->c->drop) != 0)
		return;
	if ((x->flags & XN_HEADLINE) != 0) {
		before_headline(r);
		return;
	}
	if (x->kind == XK_OTHER || x->kind == XK_LINK ||
	    x->kind == XK_INLINE || x->kind == XK_IMG || x->kind == XK_BR)
		walk_inline(r, x, depth);
	else
		walk_block(r, x, depth);
}

static void
walk(struct render *r, xmlNode *n, int depth)
{
	if (depth > EXTRACT_DEPTH)
		return;
	for (; n != NULL && r->err == BUF_OK && !r->full; n = n->next)
		walk_one(r, n, depth);
}

int
extract_render(struct ectx *c, xmlNode **roots, size_t nroots,
    struct buf *text, struct buf *html)
{
	struct render	 r;
	size_t		 i;
	int		 rc = 0;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.text = text;
	r.html = html;
	r.b.tag = "p";
	/*
	 * Paragraphs are kept up to a few times what the output can hold:
	 * enough for the filters that look ahead (the tail, a heading's
	 * context), not a copy of a page's every line.
	 */
	r.keep_max = text->cap > SIZE_MAX / 8 || html->cap > SIZE_MAX / 8 ?
	    SIZE_MAX : KEEP_TIMES * (text->cap + html->cap);
	buf_init(&r.b.text, BLOCK_MAX);
	buf_init(&r.b.html, BLOCK_MAX);
	for (i = 0; i < nroots; i++)
		walk_one(&r, roots[i], 0);
	flush(&r);
	judge_context(&r);
	cut_tail(&r);
	drop_boxes(&r);
	drop_promos(&r);
	write_paras(&r);
	if (r.err == BUF_NOMEM)
		rc = -1;
	for (i = 0; i < r.npara; i++) {
		free(r.paras[i].text);
		free(r.paras[i].html);
	}
	free(r.paras);
	buf_free(&r.b.text);
	buf_free(&r.b.html);
	return rc;
}

/* One line of plain text, white space collapsed, as a paragraph. */
static void
plain_line(struct render *r, const char *s, size_t n)
{
	size_t	 i, w;

	buf_reset(&r->b.text);
	for (i = 0; i < n;) {
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (w = 0; i + w < n && !isspace((unsigned char)s[i + w]); w++)
			;
		if (r->b.text.len > 0)
			add(r, &r->b.text, " ", 1);
		add(r, &r->b.text, s + i, w);
		i += w;
	}
	if (r->err != BUF_OK || r->b.text.len == 0)
		return;
	if (r->text->len > 0)
		add(r, r->text, "\n\n", 2);
	add(r, r->text, r->b.text.data, r->b.text.len);
	adds(r, r->html, "<p>");
	add_escaped(r, r->html, r->b.text.data, r->b.text.len);
	adds(r, r->html, "</p>");
}

/*
 * The article as the page's JSON-LD gives it (articleBody): plain text,
 * its lines the paragraphs.  What does not fit the outputs is cut.
 */
int
extract_render_plain(const char *s, struct buf *text, struct buf *html)
{
	struct render	 r;
	const char	*nl;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.text = text;
	r.html = html;
	buf_init(&r.b.text, BLOCK_MAX);
	buf_reset(text);
	buf_reset(html);
	for (; *s != '\0' && r.err == BUF_OK; s = *nl == '\0' ? nl : nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		plain_line(&r, s, (size_t)(nl - s));
	}
	rc = r.err == BUF_NOMEM ? -1 : 0;
	buf_free(&r.b.text);
	return rc;
}
