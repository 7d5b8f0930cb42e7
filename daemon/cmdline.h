/*
 * cmdline: a command of the configuration (exec = ...) split into the
 * argv it is run with, without a shell.
 *
 * Words are separated by blanks (spaces, tabs).  Within a word:
 *   '...'   everything up to the next ' as it is (no escapes);
 *   "..."   everything up to the next unescaped ", where \" and \\ stand
 *           for " and \ (any other backslash is kept);
 *   \C      outside quotes, the character C itself.
 * Nothing else is special: no variables, globs, ';', '|', redirections
 * or ~; a shell is one only when the command names it
 * (sh -c 'jq . "$1"' hook).
 */
#ifndef FEEDSPOOL_CMDLINE_H
#define FEEDSPOOL_CMDLINE_H

#include <stddef.h>

#define CMDLINE_WORDS_MAX	64

/*
 * Split s into a NULL-terminated argv (malloc'd, cmdline_free()).
 * Returns 0; -1 with *why a static reason when s is not a command
 * (empty, an open quote, a backslash at the end, control characters,
 * too many words); -2 when out of memory.
 */
int	 cmdline_split(const char *s, char ***argv, const char **why);
/* A copy of a NULL-terminated argv, or NULL (out of memory). */
char	**cmdline_dup(char *const *argv);
void	 cmdline_free(char **argv);
/* The number of words. */
size_t	 cmdline_count(char *const *argv);

#endif
