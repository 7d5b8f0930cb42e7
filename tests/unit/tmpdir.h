/*
 * tmpdir: a fresh directory for one test's real files, and its removal.
 * Header-only: each unit test is a program of its own.
 */
#ifndef FEEDSPOOL_TEST_TMPDIR_H
#define FEEDSPOOL_TEST_TMPDIR_H

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Entries of dir/sub other than . and .., or -1. */
static inline long
tmpdir_count(const char *dir, const char *sub)
{
	char		 path[8400];
	DIR		*d;
	struct dirent	*de;
	long		 n = 0;
	int		 len;

	len = snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (len < 0 || (size_t)len >= sizeof(path) ||
	    (d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

#endif
