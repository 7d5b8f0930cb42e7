/*
 * feedcmd: the sub-commands that change the list of feeds: add (with
 * discovery from a web page), remove, import-opml and export-opml.
 *
 * They never edit the main configuration file: each feed they add is one
 * file in the directory of its `include` pattern (a DIR, then "*SUFFIX"),
 * and only such files are removed.  Each returns the exit status.
 */
#ifndef FEEDSPOOL_FEEDCMD_H
#define FEEDSPOOL_FEEDCMD_H

extern const char feedcmd_usage_add[];
extern const char feedcmd_usage_remove[];
extern const char feedcmd_usage_import[];
extern const char feedcmd_usage_export[];

struct buf;

int	 feedcmd_add(int argc, char **argv, const char *config);
int	 feedcmd_remove(int argc, char **argv, const char *config);
int	 feedcmd_import_opml(int argc, char **argv, const char *config);
int	 feedcmd_export_opml(int argc, char **argv, const char *config);
/*
 * The whole of a file, or of stdin for "-", into b (at most its cap):
 * 0, or -1 with the reason on stderr.
 */
int	 feedcmd_read_input(const char *path, struct buf *b);

#endif
