/*
 * langfp: libexttextcat's n-gram classifier (textcat_ClassifyFull with
 * TCPROP_UTF8AWARE) recomputed in one pass over all its models.
 *
 * exttextcat builds the text's fingerprint (its 400 commonest n-grams of
 * 1 to 5 characters, ranked) and then merges it with each model's sorted
 * list in turn: 164 merges of two lists of 400.  Here every model's
 * n-grams go into one table once, n-gram -> (model, rank) ..., so a text
 * costs its fingerprint and one look-up per n-gram of it.  The fingerprint
 * is built as exttextcat builds it (the same buffer preparation, the same
 * hash table order and heap, hence the same ranks among equal counts), so
 * every model gets exactly exttextcat's score and the candidates come out
 * as textcat_ClassifyFull reports them, names and order.
 */
#ifndef FEEDSPOOL_LANGFP_H
#define FEEDSPOOL_LANGFP_H

#include <stddef.h>

/* exttextcat reports at most this many candidates (MAXCANDIDATES). */
#define LANGFP_MAXCAND	5

struct langfp;

/*
 * The models listed in conf (exttextcat's fpdb.conf: "file name" lines),
 * their files under dir (ending in '/').  NULL when a file cannot be read,
 * when out of memory, or when the list or a model is of a kind this
 * module does not reproduce (quotes or escapes in conf, an n-gram twice in
 * one model): the caller then keeps exttextcat.
 */
struct langfp	*langfp_load(const char *conf, const char *dir);
void		 langfp_free(struct langfp *);

/*
 * The n-grams of the model file at path in rank order, as exttextcat's
 * fp_Read keeps them (the first MAXNGRAMS lines of at most 1023 bytes,
 * each trimmed and cut at its first space or tab, but those longer than
 * MAXNGRAMSIZE): cb is called with each and its length.  -1 when the file
 * cannot be read or cb returned -1; langfp_load reads its models so.
 */
int		 langfp_model(const char *path,
		    int (*cb)(void *, const char *, size_t), void *arg);

/*
 * The candidates of text (len bytes, NUL-terminated) best first into
 * names (room for LANGFP_MAXCAND; the names live as long as the models):
 * their count, 0 when exttextcat would answer "unknown" (no candidate, or
 * more than LANGFP_MAXCAND), -2 for an empty text ("short"), -1 when out
 * of memory.  Safe to call from several threads at once on one struct
 * langfp: each call takes scratch space of its own from the models' pool
 * (some 45 KB each, kept until langfp_free).
 */
int		 langfp_classify(struct langfp *, const char *text, size_t len,
		    const char **names);

#endif
