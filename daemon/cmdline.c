/*
 * cmdline: split a configured command into its argv, see cmdline.h.
 * One pass: each word is built in a buffer as long as the input (a word
 * never grows by unquoting), then copied out.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

size_t
cmdline_count(char *const *argv)
{
	size_t	 n = 0;

	while (argv != NULL && argv[n] != NULL)
		n++;
	return n;
}

void
cmdline_free(char **argv)
{
	size_t	 i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

char **
cmdline_dup(char *const *argv)
{
	char	**v;
	size_t	 i, n = cmdline_count(argv);

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(argv[i])) == NULL) {
			cmdline_free(v);
			return NULL;
		}
	return v;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One word from *sp into w (room for strlen(*sp) + 1): 0 with *sp past
 * it, or -1 with *why set.
 */
static int
cmdline_word(const char **sp, char *w, const char **why)
{
	const char	*s = *sp;
	size_t		 len = 0;
	char		 q;

	while (*s != '\0' && !is_blank(*s)) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*why = "control characters";
			return -1;
		}
		if (*s == '\\') {
			if (*++s == '\0') {
				*why = "a backslash at the end";
				return -1;
			}
			w[len++] = *s++;
			continue;
		}
		if (*s != '\'' && *s != '"') {
			w[len++] = *s++;
			continue;
		}
		q = *s++;
		while (*s != q) {
			if (*s == '\0') {
				*why = q == '"' ? "a \" without its end" :
				    "a ' without its end";
				return -1;
			}
			if ((unsigned char)*s < 0x20 || *s == 0x7f) {
				*why = "control characters";
				return -1;
			}
			if (q == '"' && *s == '\\' &&
			    (s[1] == '"' || s[1] == '\\'))
				s++;
			w[len++] = *s++;
		}
		s++;
	}
	w[len] = '\0';
	*sp = s;
	return 0;
}

int
cmdline_split(const char *s, char ***argvp, const char **why)
{
	char	**argv = NULL, *w = NULL;
	size_t	 n = 0;
	int	 rc = -2;

	*argvp = NULL;
	*why = NULL;
	if ((argv = calloc(CMDLINE_WORDS_MAX + 1, sizeof(*argv))) == NULL ||
	    (w = malloc(strlen(s) + 1)) == NULL)
		goto out;
	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		if (n == CMDLINE_WORDS_MAX) {
			*why = "too many words (at most 64)";
			rc = -1;
			goto out;
		}
		if (cmdline_word(&s, w, why) == -1) {
			rc = -1;
			goto out;
		}
		if ((argv[n++] = strdup(w)) == NULL)
			goto out;
	}
	if (n == 0) {
		*why = "no command";
		rc = -1;
		goto out;
	}
	*argvp = argv;
	argv = NULL;
	rc = 0;
out:
	cmdline_free(argv);
	free(w);
	return rc;
}
