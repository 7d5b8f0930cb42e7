/*
 * Unit tests for store/spool.c, on real directories in a fresh temporary
 * directory per test.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/tmpdir.h"

#include "store/spool.h"

struct fixture {
	char	 dir[4096];
	char	 spool[4096];
};

static int
setup(void **state)
{
	struct fixture	*fx;
	int		 n;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	if (tmpdir_make(fx->dir, sizeof(fx->dir), "test_spool") == -1)
		goto out_free;
	n = snprintf(fx->spool, sizeof(fx->spool), "%s/spool", fx->dir);
	if (n < 0 || (size_t)n >= sizeof(fx->spool))
		goto out_free;
	umask(022);
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

static void
path_of(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	int	 n;

	if (c != NULL)
		n = snprintf(buf, len, "%s/%s/%s", a, b, c);
	else
		n = snprintf(buf, len, "%s/%s", a, b);
	assert_true(n >= 0 && (size_t)n < len);
}

static struct spool *
open_ok(const char *dir)
{
	struct spool	*sp = NULL;
	char		 err[512] = "";

	if (spool_open(dir, &sp, err, sizeof(err)) == -1)
		fail_msg("spool_open %s: %s", dir, err);
	assert_non_null(sp);
	return sp;
}

/* Entries of dir/sub other than . and .. */
static int
count_entries(const char *dir, const char *sub)
{
	long	 n = tmpdir_count(dir, sub);

	assert_true(n >= 0);
	return (int)n;
}

static void
assert_file(const char *dir, const char *sub, const char *name,
    const void *want, size_t wantlen)
{
	char		 path[8192], buf[4096];
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	path_of(path, sizeof(path), dir, sub, name);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0644);
	assert_int_equal((size_t)sb.st_size, wantlen);
	assert_true(wantlen <= sizeof(buf));
	assert_true((fd = open(path, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, (ssize_t)wantlen);
	assert_memory_equal(buf, want, wantlen);
}

static void
write_file(const char *path, const char *content)
{
	int	 fd;

	assert_true((fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600))
	    != -1);
	assert_int_equal(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
}

static void
test_open_creates_layout(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	struct stat	 sb;
	char		 deep[4200], path[8192];
	const char	*subs[] = { "tmp", "new", "cur" };
	size_t		 i;

	/* Missing parents are created too. */
	path_of(deep, sizeof(deep), fx->dir, "a/b//c", NULL);
	sp = open_ok(deep);
	spool_close(sp);

	path_of(path, sizeof(path), fx->dir, "a", NULL);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0755);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		path_of(path, sizeof(path), deep, subs[i], NULL);
		assert_int_equal(stat(path, &sb), 0);
		assert_true(S_ISDIR(sb.st_mode));
		assert_int_equal(sb.st_mode & 0777, 0755);
	}

	/* Opening an existing spool again is fine. */
	sp = open_ok(deep);
	spool_close(sp);
}

static void
test_deliver(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	char		 err[512] = "";
	const char	 data[] = "{\"title\":\"caf\xc3\xa9\",\"n\":\0\"x\"}";
	char		 big[4000];

	memset(big, 'z', sizeof(big));
	sp = open_ok(fx->spool);
	assert_int_equal(spool_deliver(sp, "1.aaaa.json", data, sizeof(data),
	    err, sizeof(err)), 0);
	assert_int_equal(spool_deliver(sp, "2.bbbb.json", big, sizeof(big),
	    err, sizeof(err)), 0);
	assert_int_equal(spool_deliver(sp, "3.empty.json", "", 0,
	    err, sizeof(err)), 0);
	spool_close(sp);

	/* Exact bytes, embedded NUL included; nothing left in tmp/. */
	assert_file(fx->spool, "new", "1.aaaa.json", data, sizeof(data));
	assert_file(fx->spool, "new", "2.bbbb.json", big, sizeof(big));
	assert_file(fx->spool, "new", "3.empty.json", "", 0);
	assert_int_equal(count_entries(fx->spool, "new"), 3);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);
	assert_int_equal(count_entries(fx->spool, "cur"), 0);
}

static void
test_tmp_leftovers_removed(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	char		 path[8192], err[512] = "";

	sp = open_ok(fx->spool);
	spool_close(sp);

	path_of(path, sizeof(path), fx->spool, "tmp", "123.dead.json");
	write_file(path, "half a sto");
	path_of(path, sizeof(path), fx->spool, "tmp", ".hidden");
	write_file(path, "x");
	path_of(path, sizeof(path), fx->spool, "new", "keep.json");
	write_file(path, "delivered");
	assert_int_equal(count_entries(fx->spool, "tmp"), 2);

	/* Opening leaves them: the caller's records may claim some. */
	sp = open_ok(fx->spool);
	assert_int_equal(count_entries(fx->spool, "tmp"), 2);
	assert_int_equal(spool_clean_tmp(sp, err, sizeof(err)), 0);
	spool_close(sp);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);
	/* new/ is never touched. */
	assert_int_equal(count_entries(fx->spool, "new"), 1);
}

/*
 * A batch in two halves: durable in tmp/, then published.  One kept after
 * its sync is not removed when given up, and spool_adopt() moves it.
 */
static void
test_batch_keep_adopt(void **state)
{
	struct fixture		*fx = *state;
	struct spool		*sp;
	struct spool_batch	*b;
	char			 err[512] = "";

	sp = open_ok(fx->spool);
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_add(b, "1.aaaa.json", "one", 3, err,
	    sizeof(err)), 0);
	/* Not before it is flushed. */
	assert_int_equal(spool_batch_publish(b, err, sizeof(err)), -1);
	assert_int_equal(spool_batch_sync(b, err, sizeof(err)), 0);
	spool_batch_keep(b);
	spool_batch_free(b);
	assert_int_equal(count_entries(fx->spool, "tmp"), 1);
	assert_int_equal(count_entries(fx->spool, "new"), 0);

	assert_int_equal(spool_adopt(sp, "1.aaaa.json", err, sizeof(err)), 0);
	/* Adopted already, or taken by a reader: nothing to do. */
	assert_int_equal(spool_adopt(sp, "1.aaaa.json", err, sizeof(err)), 0);
	assert_int_equal(spool_adopt(sp, "9.none.json", err, sizeof(err)), 0);
	assert_int_equal(spool_adopt(sp, "../x", err, sizeof(err)), -1);
	assert_int_equal(spool_sync_new(sp, err, sizeof(err)), 0);
	assert_file(fx->spool, "new", "1.aaaa.json", "one", 3);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);

	/* Synced, published in a second step. */
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_add(b, "2.bbbb.json", "two", 3, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_sync(b, err, sizeof(err)), 0);
	assert_int_equal(spool_batch_publish(b, err, sizeof(err)), 0);
	spool_batch_free(b);
	assert_file(fx->spool, "new", "2.bbbb.json", "two", 3);
	spool_close(sp);
}

/* A batch: nothing in new/ before the commit, everything after it. */
static void
test_batch(void **state)
{
	struct fixture		*fx = *state;
	struct spool		*sp;
	struct spool_batch	*b;
	char			 err[512] = "";

	sp = open_ok(fx->spool);
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_commit(b, err, sizeof(err)), 0);
	assert_int_equal(spool_batch_add(b, "1.aaaa.json", "one", 3, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_add(b, "2.bbbb.json", "two!", 4, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_count(b), 2);
	assert_int_equal(count_entries(fx->spool, "new"), 0);
	assert_int_equal(count_entries(fx->spool, "tmp"), 2);
	assert_int_equal(spool_batch_commit(b, err, sizeof(err)), 0);
	spool_batch_free(b);
	assert_file(fx->spool, "new", "1.aaaa.json", "one", 3);
	assert_file(fx->spool, "new", "2.bbbb.json", "two!", 4);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);

	/* One redelivered in a batch replaces its file. */
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_add(b, "1.aaaa.json", "uno", 3, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_commit(b, err, sizeof(err)), 0);
	spool_batch_free(b);
	assert_file(fx->spool, "new", "1.aaaa.json", "uno", 3);
	assert_int_equal(count_entries(fx->spool, "new"), 2);
	spool_close(sp);
}

/* A batch given up (a failed add, or no commit) leaves nothing behind. */
static void
test_batch_abandoned(void **state)
{
	struct fixture		*fx = *state;
	struct spool		*sp;
	struct spool_batch	*b;
	char			 err[512] = "";

	sp = open_ok(fx->spool);
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_add(b, "3.cccc.json", "three", 5, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_add(b, "../evil", "x", 1, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid file name"));
	assert_int_equal(spool_batch_add(b, ".hidden", "x", 1, err,
	    sizeof(err)), -1);
	assert_int_equal(spool_batch_count(b), 1);
	spool_batch_free(b);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);
	assert_int_equal(count_entries(fx->spool, "new"), 0);
	spool_close(sp);
}

/*
 * Files written ahead (by a worker): in tmp/ only, until a batch takes
 * them; published by its commit, removed when it is given up, and one
 * removed by spool_tmp_remove() is gone without a batch.
 */
static void
test_tmp_write_take(void **state)
{
	struct fixture		*fx = *state;
	struct spool		*sp;
	struct spool_batch	*b;
	char			 err[512] = "";

	sp = open_ok(fx->spool);
	assert_int_equal(spool_tmp_write(sp, "1.aaaa.json", "one", 3), 0);
	assert_int_equal(spool_tmp_write(sp, "2.bbbb.json", "two", 3), 0);
	assert_int_equal(spool_tmp_write(sp, "3.cccc.json", "three", 5), 0);
	assert_int_equal(spool_tmp_write(sp, "../evil", "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_file(fx->spool, "tmp", "1.aaaa.json", "one", 3);
	assert_int_equal(count_entries(fx->spool, "tmp"), 3);
	assert_int_equal(count_entries(fx->spool, "new"), 0);

	/* Taken beside one added: one commit for both. */
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_take(b, "1.aaaa.json", err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_add(b, "4.dddd.json", "four", 4, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_batch_count(b), 2);
	assert_int_equal(spool_batch_commit(b, err, sizeof(err)), 0);
	spool_batch_free(b);
	assert_file(fx->spool, "new", "1.aaaa.json", "one", 3);
	assert_file(fx->spool, "new", "4.dddd.json", "four", 4);

	/* Taken by a batch given up: removed with it. */
	assert_non_null(b = spool_batch_new(sp));
	assert_int_equal(spool_batch_take(b, "2.bbbb.json", err,
	    sizeof(err)), 0);
	spool_batch_free(b);
	assert_int_equal(count_entries(fx->spool, "tmp"), 1);

	spool_tmp_remove(sp, "3.cccc.json");
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);
	assert_int_equal(count_entries(fx->spool, "new"), 2);
	spool_close(sp);
}

static void
test_redelivery_replaces(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	char		 err[512] = "", path[8192];

	sp = open_ok(fx->spool);
	assert_int_equal(spool_deliver(sp, "5.cccc.json", "first, longer",
	    13, err, sizeof(err)), 0);
	assert_int_equal(spool_deliver(sp, "5.cccc.json", "second", 6,
	    err, sizeof(err)), 0);
	assert_file(fx->spool, "new", "5.cccc.json", "second", 6);

	/* A tmp/ file of the same name from a crash mid-delivery. */
	path_of(path, sizeof(path), fx->spool, "tmp", "5.cccc.json");
	write_file(path, "stale");
	assert_int_equal(spool_deliver(sp, "5.cccc.json", "third", 5,
	    err, sizeof(err)), 0);
	spool_close(sp);

	assert_file(fx->spool, "new", "5.cccc.json", "third", 5);
	assert_int_equal(count_entries(fx->spool, "new"), 1);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);
}

static void
test_bad_names(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	char		 err[512], longname[300];
	const char	*bad[] = { "", ".", "..", ".hidden", "a/b", "/abs",
	    "../escape", "x/" };
	size_t		 i;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	sp = open_ok(fx->spool);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(spool_deliver(sp, bad[i], "x", 1, err,
		    sizeof(err)), -1);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(spool_deliver(sp, longname, "x", 1, err,
	    sizeof(err)), -1);
	assert_int_equal(spool_deliver(sp, NULL, "x", 1, err,
	    sizeof(err)), -1);
	spool_close(sp);

	assert_int_equal(count_entries(fx->spool, "new"), 0);
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);
	assert_int_equal(count_entries(fx->dir, ""), 1);	/* spool/ */
}

static void
test_open_fails(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	char		 file[4200], under[4300], err[512] = "";

	path_of(file, sizeof(file), fx->dir, "plain", NULL);
	write_file(file, "not a directory");

	/* Below a regular file. */
	path_of(under, sizeof(under), file, "spool", NULL);
	assert_int_equal(spool_open(under, &sp, err, sizeof(err)), -1);
	assert_null(sp);
	assert_non_null(strstr(err, file));
	assert_non_null(strstr(err, strerror(ENOTDIR)));

	/* The regular file itself. */
	err[0] = '\0';
	assert_int_equal(spool_open(file, &sp, err, sizeof(err)), -1);
	assert_null(sp);
	assert_non_null(strstr(err, file));

	err[0] = '\0';
	assert_int_equal(spool_open("", &sp, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
}

/*
 * A failure after the temporary file exists: new/NAME is a directory, so
 * the rename fails.  The temporary file must be gone.
 */
static void
test_deliver_failure_cleans_up(void **state)
{
	struct fixture	*fx = *state;
	struct spool	*sp;
	char		 err[512] = "", path[8192];

	sp = open_ok(fx->spool);
	path_of(path, sizeof(path), fx->spool, "new", "9.dddd.json");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(spool_deliver(sp, "9.dddd.json", "x", 1, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "rename"));
	assert_non_null(strstr(err, "9.dddd.json"));
	assert_non_null(strstr(err, strerror(EISDIR)));
	assert_int_equal(count_entries(fx->spool, "tmp"), 0);

	/* The spool is still usable. */
	assert_int_equal(spool_deliver(sp, "10.eeee.json", "y", 1, err,
	    sizeof(err)), 0);
	spool_close(sp);
	assert_file(fx->spool, "new", "10.eeee.json", "y", 1);
}

static void
test_spool_name(void **state)
{
	char	 buf[64], tiny[8];

	(void)state;
	assert_int_equal(spool_name(buf, sizeof(buf), INT64_C(1700000000123),
	    "0123456789abcdef"), 0);
	assert_string_equal(buf, "1700000000123.0123456789abcdef.json");

	/* "7.a.json" is 8 bytes: it needs 9 with the NUL. */
	assert_int_equal(spool_name(tiny, sizeof(tiny), 7, "a"), -1);
	assert_int_equal(spool_name(buf, 9, 7, "a"), 0);
	assert_string_equal(buf, "7.a.json");
	assert_int_equal(spool_name(buf, 8, 7, "a"), -1);
	assert_int_equal(spool_name(buf, 0, 7, "a"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_layout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_leftovers_removed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_keep_adopt,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_redelivery_replaces,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_failure_cleans_up,
		    setup, teardown),
		cmocka_unit_test(test_spool_name),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_abandoned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tmp_write_take, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
