/*
 * state_fixture: a fresh directory with a state database path in it, for
 * the tests of store/state.c.  Include after cmocka.h and store/state.h.
 */
#ifndef FEEDSPOOL_TEST_STATE_FIXTURE_H
#define FEEDSPOOL_TEST_STATE_FIXTURE_H

#include "tests/unit/tmpdir.h"

struct fixture {
	char	 dir[4096];
	char	 db[4200];
};

static int
setup(void **state)
{
	struct fixture	*fx;
	int		 n;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	if (tmpdir_make(fx->dir, sizeof(fx->dir), "test_state") == -1)
		goto out_free;
	n = snprintf(fx->db, sizeof(fx->db), "%s/state.db", fx->dir);
	if (n < 0 || (size_t)n >= sizeof(fx->db))
		goto out_free;
	*state = fx;
	return 0;

 out_free:
	free(fx);
	return -1;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 rc;

	rc = tmpdir_remove(fx->dir);
	free(fx);
	return rc;
}

static struct state *
open_ok(const char *path)
{
	struct state	*st = NULL;
	char		 err[512] = "";

	if (state_open(path, &st, err, sizeof(err)) == -1)
		fail_msg("state_open %s: %s", path, err);
	assert_non_null(st);
	return st;
}

#endif
