/*
 * extract: the main content and the metadata of a news page.
 *
 * In the family of Mozilla Readability and trafilatura: boilerplate
 * (menus, share boxes, newsletters, related links, cookie notes, footers)
 * is dropped by tag and by class/id, paragraph containers are scored by
 * text length, commas and link density, the best one is taken with its
 * qualifying siblings, and the paragraphs that survive a last filter make
 * the text.  libxml2's HTML parser, never the network.
 */
#ifndef FEEDSPOOL_EXTRACT_H
#define FEEDSPOOL_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

struct extract {
	char	*title;		/* og:title, JSON-LD headline, <title>, h1 */
	char	*site_name;	/* og:site_name, JSON-LD publisher.name */
	char	*byline;	/* JSON-LD author(s), meta author, .byline */
	int64_t	 published;	/* seconds since the epoch or FEED_NODATE */
	int64_t	 modified;
	char	*canonical_url;	/* <link rel=canonical>, absolute */
	char	*language;	/* <html lang>, og:locale, content-language */
	char	*text;		/* main text without the headline; paragraphs
				 * separated by one blank line */
	char	*html;		/* the same as clean HTML: structural tags only,
				 * no attributes but href/src/alt, links
				 * absolute */
};

/*
 * Extract one page.  url (may be NULL) is where the page came from, to
 * make links absolute.  html[len] must be '\0', as after a C string or in
 * a struct buf: the page is parsed where it is, not copied.  Returns 0 and
 * sets *out, or -1 with a message in err.  Fields the page does not give
 * are NULL (dates FEED_NODATE); text and html are never NULL, "" when
 * nothing was found.
 *
 * What a page may cost (xmlcap.h): its tree is cut at XMLCAP_TREE bytes,
 * elements nested deeper than XMLCAP_DEPTH are not built (their text
 * joins the deepest one that is) and the parse ends at XMLCAP_STACK open
 * elements; text and html are cut at 1 MiB each.
 */
int	 extract_page(const char *html, size_t len, const char *url,
	    struct extract **out, char *err, size_t errlen);
/* The same with the charset the transport gave (HTTP Content-Type). */
int	 extract_page_charset(const char *html, size_t len, const char *url,
	    const char *charset, struct extract **out, char *err,
	    size_t errlen);
void	 extract_free(struct extract *);

/* The extraction as a JSON object (malloc'd), NULL when out of memory. */
char	*extract_to_json(const struct extract *);

#endif
