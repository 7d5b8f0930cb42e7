/*
 * jsonio: jansson's allocations counted, its texts checked.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "parsers/buf.h"
#include "parsers/jsonio.h"

/*
 * jansson's allocator functions are the process's: ours call the ones it
 * had, set (under the lock) before ours are.  What failed is counted per
 * thread, since each load or dump allocates in the thread that runs it.
 */
static _Atomic(json_malloc_t)	 prev_malloc;
static _Atomic(json_free_t)	 prev_free;
static pthread_mutex_t		 hook_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local unsigned long failures;

static void *
jsonio_malloc(size_t n)
{
	void	*p;

	if ((p = atomic_load_explicit(&prev_malloc,
	    memory_order_acquire)(n)) == NULL)
		failures++;
	return p;
}

static void
jsonio_free(void *p)
{
	atomic_load_explicit(&prev_free, memory_order_acquire)(p);
}

/*
 * From the first call on (parsers_init's, before any thread), jansson's
 * allocations go through ours; again when someone set others since (the
 * tests that count allocations).
 */
static void
jsonio_hook(void)
{
	json_malloc_t	 m;
	json_free_t	 f;

	json_get_alloc_funcs(&m, &f);
	if (m == jsonio_malloc)
		return;
	pthread_mutex_lock(&hook_lock);
	json_get_alloc_funcs(&m, &f);
	if (m != jsonio_malloc) {
		atomic_store_explicit(&prev_malloc, m, memory_order_release);
		atomic_store_explicit(&prev_free, f, memory_order_release);
		json_set_alloc_funcs(jsonio_malloc, jsonio_free);
	}
	pthread_mutex_unlock(&hook_lock);
}

void
jsonio_init(void)
{
	jsonio_hook();
}

json_t *
jsonio_loadb(const char *s, size_t len, size_t flags, json_error_t *err,
    bool *oom)
{
	json_t		*v;
	unsigned long	 before;

	jsonio_hook();
	before = failures;
	v = json_loadb(s, len, flags, err);
	*oom = failures != before;
	if (*oom) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

struct dump {
	struct buf	 b;
	int		 rc;
};

static int
dump_put(const char *s, size_t n, void *arg)
{
	struct dump	*d = arg;

	if (d->rc == BUF_OK)
		d->rc = buf_add(&d->b, s, n);
	return d->rc == BUF_OK ? 0 : -1;
}

char *
jsonio_dumps(const json_t *v, size_t flags)
{
	struct dump	 d;
	unsigned long	 before;

	jsonio_hook();
	before = failures;
	buf_init(&d.b, SIZE_MAX - 1);
	d.rc = BUF_OK;
	if (json_dump_callback(v, dump_put, &d, flags) == -1 ||
	    d.rc != BUF_OK || failures != before) {
		buf_free(&d.b);
		return NULL;
	}
	return buf_steal(&d.b);
}
