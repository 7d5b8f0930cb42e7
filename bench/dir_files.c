/*
 * dir_files: read a directory's files for a benchmark.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/dir_files.h"
#include "parsers/buf.h"

static int
dir_file(const char *path, size_t max, dir_file_fn fn, void *arg)
{
	struct buf	 b;
	FILE		*f;
	char		 chunk[65536], *s;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) != BUF_OK)
			break;
	fclose(f);
	if (b.len == 0) {
		buf_free(&b);
		return 0;
	}
	n = b.len;
	if ((s = buf_steal(&b)) == NULL || fn(arg, s, n) == -1) {
		free(s);
		return -1;
	}
	return 0;
}

int
dir_files(const char *dir, size_t max, dir_file_fn fn, void *arg)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[PATH_MAX];
	int		 r;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		r = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (r < 0 || (size_t)r >= sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (dir_file(path, max, fn, arg) == -1) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}
