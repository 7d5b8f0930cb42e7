/*
 * tmpdir: a fresh directory for one test's real files, and its removal.
 * Header-only: each unit test is a program of its own.
 */
#ifndef FEEDSPOOL_TEST_TMPDIR_H
#define FEEDSPOOL_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int
tmpdir_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* $TMPDIR/NAME.XXXXXX (or under /tmp) made into dir: 0, or -1. */
static int
tmpdir_make(char *dir, size_t len, const char *name)
{
	const char	*tmp = getenv("TMPDIR");
	int		 n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(dir, len, "%s/%s.XXXXXX", tmp, name);
	if (n < 0 || (size_t)n >= len || mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

/* dir and everything below it, links not followed: 0, or -1. */
static int
tmpdir_remove(const char *dir)
{
	return nftw(dir, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
