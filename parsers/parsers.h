/*
 * parsers: what the parsers need done once per process, before any thread
 * but the first uses them.
 *
 * Every function of parsers/ (and daemon/story.c on top of them) may run in
 * several threads at once, each on its own document, story or text: their
 * state is the caller's, their tables are const, and what is shared is
 * filled race-free (norm's cache of code points with atomic bits, the
 * language models under pthread_once, a classifier's scratch space taken
 * from a locked pool, exttextcat's own classifier under a lock).
 * libxml2 and jansson keep settings for the whole process, set here.
 */
#ifndef FEEDSPOOL_PARSERS_H
#define FEEDSPOOL_PARSERS_H

/*
 * libxml2 initialised (xmlInitParser: its tables, its locks; not safe to
 * race in libxml2 2.9) and quiet in every thread (its generic error
 * messages to nowhere: errors come through each parse's own handler), and
 * jansson's allocations counted (parsers/jsonio.c).  Call it once from the
 * main thread before starting others; a second call does nothing.
 */
void	 parsers_init(void);

#endif
