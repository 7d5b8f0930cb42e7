/*
 * test_cmdline: exec = COMMAND split into its argv (daemon/cmdline.c),
 * and what config_load makes of exec, exec_max, exec_timeout, exec_tries
 * globally and per feed, errors with file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/cmdline.h"
#include "daemon/config.h"

/* argv of s, joined as "[a][b]" into out. */
static void
split_ok(const char *s, const char *want)
{
	char		**argv, out[512];
	const char	*why;
	size_t		 i, len = 0;
	int		 n;

	assert_int_equal(cmdline_split(s, &argv, &why), 0);
	out[0] = '\0';
	for (i = 0; argv[i] != NULL; i++) {
		n = snprintf(out + len, sizeof(out) - len, "[%s]", argv[i]);
		assert_true(n > 0 && (size_t)n < sizeof(out) - len);
		len += (size_t)n;
	}
	assert_string_equal(out, want);
	assert_int_equal(cmdline_count(argv), i);
	cmdline_free(argv);
}

static void
split_bad(const char *s, const char *why_part)
{
	char		**argv = (char **)(uintptr_t)1;
	const char	*why;

	assert_int_equal(cmdline_split(s, &argv, &why), -1);
	assert_null(argv);
	assert_non_null(why);
	assert_non_null(strstr(why, why_part));
}

static void
test_split(void **state)
{
	(void)state;
	split_ok("/usr/bin/hook", "[/usr/bin/hook]");
	split_ok("  a \t b  ", "[a][b]");
	split_ok("sh -c 'jq . \"$1\"' hook", "[sh][-c][jq . \"$1\"][hook]");
	split_ok("a 'b c' \"d e\"", "[a][b c][d e]");
	split_ok("a\\ b \\'c \\\\", "[a b]['c][\\]");
	split_ok("\"q\\\"r\\\\s\\n\"", "[q\"r\\s\\n]");
	split_ok("'a\\b'", "[a\\b]");
	split_ok("x'y'\"z\"w", "[xyzw]");
	split_ok("a '' b", "[a][][b]");
	/* Nothing else is special: no shell. */
	split_ok("echo $HOME ; rm -rf / | cat > x &", "[echo][$HOME][;][rm]"
	    "[-rf][/][|][cat][>][x][&]");
	split_ok("a;b `c` ~ *", "[a;b][`c`][~][*]");
}

static void
test_split_errors(void **state)
{
	char		 many[CMDLINE_WORDS_MAX * 2 + 8];
	char		**argv;
	const char	*why;
	size_t		 i;

	(void)state;
	split_bad("", "no command");
	split_bad("   \t ", "no command");
	split_bad("a 'b", "' without its end");
	split_bad("a \"b\\\"", "\" without its end");
	split_bad("a b\\", "backslash at the end");
	split_bad("a\rb", "control characters");
	split_bad("'a\x01'", "control characters");
	for (i = 0; i <= CMDLINE_WORDS_MAX; i++) {
		many[i * 2] = 'a';
		many[i * 2 + 1] = ' ';
	}
	many[i * 2] = '\0';
	split_bad(many, "too many words");
	many[(CMDLINE_WORDS_MAX - 1) * 2 + 1] = '\0';
	assert_int_equal(cmdline_split(many, &argv, &why), 0);
	assert_int_equal(cmdline_count(argv), CMDLINE_WORDS_MAX);
	cmdline_free(argv);
}

static void
test_dup(void **state)
{
	char		**argv, **copy;
	const char	*why;

	(void)state;
	assert_int_equal(cmdline_split("a 'b c' d", &argv, &why), 0);
	assert_non_null(copy = cmdline_dup(argv));
	cmdline_free(argv);
	assert_int_equal(cmdline_count(copy), 3);
	assert_string_equal(copy[1], "b c");
	assert_null(copy[3]);
	cmdline_free(copy);
	cmdline_free(NULL);
}

/* Write text to a fresh file; its path is static. */
static const char *
conf_file(const char *text)
{
	static char	 path[64];
	FILE		*fp;
	int		 fd;

	(void)snprintf(path, sizeof(path), "/tmp/test_cmdline.XXXXXX");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void
test_config(void **state)
{
	struct config			*c;
	const struct config_feed	*a, *b, *n;
	const char			*path;
	char				*errors = NULL;

	(void)state;
	path = conf_file("[feedspool]\n"
	    "exec = /usr/bin/hook 'one two'\n"
	    "exec_max = 2\n"
	    "exec_timeout = 5m\n"
	    "exec_tries = 7\n"
	    "[a]\n"
	    "url = http://example.org/a\n"
	    "[b]\n"
	    "url = http://example.org/b\n"
	    "exec = sh -c 'jq . \"$1\"' hook\n"
	    "[n]\n"
	    "url = http://example.org/n\n"
	    "exec = none\n");
	assert_int_equal(config_load(path, &c, &errors), 0);
	unlink(path);
	assert_null(errors);
	assert_non_null(c->exec);
	assert_int_equal(cmdline_count(c->exec), 2);
	assert_string_equal(c->exec[1], "one two");
	assert_int_equal(c->exec_max, 2);
	assert_int_equal(c->exec_timeout, 300);
	assert_int_equal(c->exec_tries, 7);
	a = config_feed_find(c, "a");
	b = config_feed_find(c, "b");
	n = config_feed_find(c, "n");
	assert_ptr_equal(a->exec, c->exec);
	assert_int_equal(cmdline_count(b->exec), 4);
	assert_string_equal(b->exec[2], "jq . \"$1\"");
	assert_null(n->exec);
	config_free(c);
}

static void
test_config_defaults(void **state)
{
	struct config	*c;
	const char	*path;
	char		*errors = NULL;

	(void)state;
	path = conf_file("[feedspool]\n[a]\nurl = http://example.org/a\n");
	assert_int_equal(config_load(path, &c, &errors), 0);
	unlink(path);
	assert_null(c->exec);
	assert_null(c->feeds[0].exec);
	assert_int_equal(c->exec_max, CONFIG_DEFAULT_EXEC_MAX);
	assert_int_equal(c->exec_timeout, CONFIG_DEFAULT_EXEC_TIMEOUT);
	assert_int_equal(c->exec_tries, CONFIG_DEFAULT_EXEC_TRIES);
	config_free(c);
}

static void
test_config_errors(void **state)
{
	struct config	*c;
	const char	*path;
	char		*errors = NULL, want[256];

	(void)state;
	path = conf_file("[feedspool]\n"
	    "exec = hook 'open\n"
	    "exec_max = 0\n"
	    "exec_timeout = 2h\n"
	    "exec_tries = x\n"
	    "[a]\n"
	    "url = http://example.org/a\n"
	    "exec = \n"
	    "exec = b\n");
	assert_int_equal(config_load(path, &c, &errors), -1);
	unlink(path);
	assert_null(c);
	assert_non_null(errors);
	(void)snprintf(want, sizeof(want), "%s:2: exec: a ' without its end",
	    path);
	assert_non_null(strstr(errors, want));
	(void)snprintf(want, sizeof(want), "%s:3: exec_max: '0' out of range",
	    path);
	assert_non_null(strstr(errors, want));
	(void)snprintf(want, sizeof(want), "%s:4: exec_timeout: '2h' out of "
	    "range", path);
	assert_non_null(strstr(errors, want));
	(void)snprintf(want, sizeof(want), "%s:5: exec_tries: bad number",
	    path);
	assert_non_null(strstr(errors, want));
	(void)snprintf(want, sizeof(want), "%s:8: exec: no command", path);
	assert_non_null(strstr(errors, want));
	(void)snprintf(want, sizeof(want), "%s:9: exec: already set in [a]",
	    path);
	assert_non_null(strstr(errors, want));
	free(errors);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
