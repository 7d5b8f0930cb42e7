/*
 * tail: `feedspool tail [--follow] [--json] [SPOOL]`, the stories waiting
 * in the spool's new/, oldest first (by mtime, then name), one line each;
 * with --follow, then each story as it arrives (inotify), until SIGINT,
 * SIGTERM or the reader of stdout goes away.  A consumer's view: it only
 * reads, never moves or changes a file.
 */
#ifndef FEEDSPOOL_TAIL_H
#define FEEDSPOOL_TAIL_H

extern const char tail_usage[];

/* The exit status: 0, 1 for usage, 2 when the spool cannot be read. */
int	 tail_main(int argc, char **argv, const char *config);

#endif
