/*
 * dir_files: the regular, not hidden files of a directory read whole, for
 * the benchmarks that also run on a corpus of the user's.
 */
#ifndef FEEDSPOOL_DIR_FILES_H
#define FEEDSPOOL_DIR_FILES_H

#include <stddef.h>

/* Takes data (malloc'd, NUL-terminated, len bytes): 0, or -1 to stop. */
typedef int	(*dir_file_fn)(void *arg, char *data, size_t len);

/*
 * Every file of dir up to max bytes (longer ones are cut there, empty ones
 * skipped) handed to fn.  Returns 0 (also when dir does not exist), or -1.
 */
int	 dir_files(const char *dir, size_t max, dir_file_fn fn, void *arg);

#endif
