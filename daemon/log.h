/*
 * log: messages to stderr with the <N> level prefix that journald reads.
 */
#ifndef FEEDSPOOL_LOG_H
#define FEEDSPOOL_LOG_H

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARNING = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7
};

/*
 * Messages above level are dropped (default LOG_LVL_INFO).  The command
 * line's (-v, -q) is set with log_setlevel() and wins over the
 * configuration's log_level, set (at start and each reload) with
 * log_setdefault().
 */
void	 log_setlevel(enum log_level);
void	 log_setdefault(enum log_level);
void	 log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
