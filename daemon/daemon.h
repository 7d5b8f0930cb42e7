/*
 * daemon: the event loop.  libevent watches curl's sockets and one timer
 * (hiperfifo-shaped), the scheduler decides which feed is polled when, and
 * each finished poll is ingested into the state store and the spool.
 */
#ifndef FEEDSPOOL_DAEMON_H
#define FEEDSPOOL_DAEMON_H

struct daemon_opts {
	const char	*config;	/* path of the configuration file */
	const char	*spool;		/* overrides the config's spool */
	const char	*state;		/* overrides the config's state */
	int		 once;		/* poll every feed once, then exit */
	int		 json;		/* once: report as JSON lines */
};

/* Exit status for the process. */
#define DAEMON_EXIT_OK		0
#define DAEMON_EXIT_CONFIG	1	/* the configuration is not usable */
#define DAEMON_EXIT_STORE	2	/* the spool or the state is not usable */

int	 daemon_run(const struct daemon_opts *);

#endif
