/*
 * log: one line per message on stderr, prefixed with the syslog level in
 * angle brackets (<3> error ... <7> debug), which journald turns into the
 * message's priority when the daemon runs under systemd.  On a terminal,
 * for a person, the line starts with the time and the level's name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

static enum log_level	 log_max = LOG_LVL_INFO;
static int		 log_forced;	/* -v or -q: the config's is ignored */
static int		 log_tty = -1;	/* unknown yet */

static const char *const log_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info",
	"debug"
};

/* "2026-12-01 12:00:00 warning: " for a person at a terminal. */
static void
log_human_prefix(enum log_level lvl, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	size_t		 n = 0;

	if (localtime_r(&now, &tm) != NULL)
		n = strftime(buf, len, "%Y-%m-%d %H:%M:%S ", &tm);
	(void)snprintf(buf + n, len - n, "%s: ",
	    (unsigned)lvl < sizeof(log_names) / sizeof(log_names[0]) ?
	    log_names[lvl] : "log");
}

void
log_setlevel(enum log_level lvl)
{
	log_max = lvl;
	log_forced = 1;
}

void
log_setdefault(enum log_level lvl)
{
	if (!log_forced)
		log_max = lvl;
}

static void
log_vwrite(enum log_level lvl, const char *errstr, const char *fmt,
    va_list ap)
{
	char	 msg[2048], prefix[64];
	int	 n;

	if (lvl > log_max)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	/* A message longer than msg is cut; say so rather than hide it. */
	if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	if (log_tty == -1)
		log_tty = isatty(STDERR_FILENO) == 1;
	if (log_tty)
		log_human_prefix(lvl, prefix, sizeof(prefix));
	else
		(void)snprintf(prefix, sizeof(prefix), "<%d>", (int)lvl);
	/* One fprintf per line, so lines of concurrent writers do not mix. */
	if (errstr != NULL)
		fprintf(stderr, "%s%s: %s\n", prefix, msg, errstr);
	else
		fprintf(stderr, "%s%s\n", prefix, msg);
	fflush(stderr);
}

#define LOG_FUNC(name, lvl)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
								\
	va_start(ap, fmt);					\
	log_vwrite(lvl, NULL, fmt, ap);				\
	va_end(ap);						\
}

LOG_FUNC(log_err, LOG_LVL_ERR)
LOG_FUNC(log_warnx, LOG_LVL_WARNING)
LOG_FUNC(log_notice, LOG_LVL_NOTICE)
LOG_FUNC(log_info, LOG_LVL_INFO)
LOG_FUNC(log_debug, LOG_LVL_DEBUG)

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}
