/*
 * test_idset: the set of story ids against a plain array, through many
 * adds and removes (so the table grows and runs wrap around its end), and
 * what is not a story id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/idset.h"

#define N	3000

static uint64_t
next(uint64_t *x)
{
	uint64_t	 z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
id_of(uint64_t v, char id[17])
{
	(void)snprintf(id, 17, "%016llx", (unsigned long long)v);
}

static void
test_against_array(void **state)
{
	struct idset	 s;
	static uint64_t	 v[N];
	static int	 in[N];
	uint64_t	 x = 7;
	char		 id[17];
	size_t		 i, k, n = 0;

	(void)state;
	memset(&s, 0, sizeof(s));
	/* Few high bits differ: the same home slots, long runs. */
	for (i = 0; i < N; i++)
		v[i] = i % 3 == 0 ? (uint64_t)i : next(&x);
	for (k = 0; k < 20 * N; k++) {
		i = (size_t)(next(&x) % N);
		id_of(v[i], id);
		if (next(&x) % 3 != 0) {
			assert_int_equal(idset_add(&s, id), 0);
			n += !in[i];
			in[i] = 1;
		} else {
			idset_remove(&s, id);
			n -= in[i];
			in[i] = 0;
		}
		if (k % 97 == 0)
			for (i = 0; i < N; i++) {
				id_of(v[i], id);
				assert_int_equal(idset_has(&s, id), in[i]);
			}
	}
	assert_int_equal(s.n, n);
	idset_clear(&s);
	id_of(v[0], id);
	assert_false(idset_has(&s, id));
}

static void
test_not_ids(void **state)
{
	struct idset	 s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(idset_add(&s, "0123456789abcdeF"), -1);
	assert_int_equal(idset_add(&s, "0123456789abcde"), -1);
	assert_int_equal(idset_add(&s, "0123456789abcdef0"), -1);
	assert_int_equal(idset_add(&s, "0123456789abcdef"), 0);
	assert_true(idset_has(&s, "0123456789abcdef"));
	assert_false(idset_has(&s, "0123456789abcdeg"));
	idset_remove(&s, "nonsense");
	assert_int_equal(s.n, 1);
	idset_clear(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_array),
		cmocka_unit_test(test_not_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
