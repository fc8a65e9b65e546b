/*
 * The bounded retry around IOPort WRITE_STRING (lib/src/port_writer.c),
 * with a fake device: chunks of at most chunk_max bytes, each try from
 * where the last stopped, a refusal ending the write, and the counters.
 * The console server's use of it (slow and dead UARTs through
 * Console.Write) is tests/component/test_console.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <capos/port_writer.h>

struct fake {
	uint8_t out[4096];
	uint32_t len;
	uint32_t tries, pauses;
	uint32_t max_given;   /* the most bytes one try was given */
	uint32_t busy_every;  /* every Nth try takes a third and is busy (0: never) */
	uint32_t refuse_at;   /* the try that answers DENIED after 1 byte (0: none) */
};

static capos_status_t fake_try(void *arg, const uint8_t *data, uint32_t len, uint32_t *written)
{
	struct fake *f = arg;
	f->tries++;
	if (len > f->max_given)
		f->max_given = len;
	uint32_t take = len;
	capos_status_t st = CAPOS_OK;
	if (f->refuse_at && f->tries == f->refuse_at) {
		take = 1;
		st = CAPOS_DENIED;
	} else if (f->busy_every && f->tries % f->busy_every == 0) {
		take = len / 3;
		st = take == len ? CAPOS_OK : CAPOS_WOULD_BLOCK;
	}
	memcpy(f->out + f->len, data, take);
	f->len += take;
	*written = take;
	return st;
}

static void fake_pause(void *arg)
{
	((struct fake *)arg)->pauses++;
}

static void fill(uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13u + i / 251u);
}

static void test_chunks_in_order(void **st)
{
	(void)st;
	static struct fake f;
	memset(&f, 0, sizeof(f));
	f.busy_every = 4;
	struct capos_port_writer w;
	capos_port_writer_init(&w, fake_try, fake_pause, &f);
	assert_int_equal(w.stalls_max, CAPOS_PORT_STALLS_MAX);
	w.chunk_max = 100;
	uint8_t in[3000];
	fill(in, sizeof(in));
	uint32_t n = 0;
	assert_int_equal(capos_port_writer_write(&w, in, sizeof(in), &n), CAPOS_OK);
	assert_int_equal(n, sizeof(in));
	assert_int_equal(f.len, sizeof(in));
	assert_memory_equal(f.out, in, sizeof(in));
	assert_int_equal(f.max_given, 100);
	assert_true(f.pauses > 0);
	assert_int_equal(w.written, sizeof(in));
	assert_int_equal(w.dropped, 0);
	assert_int_equal(w.stalls, 0); /* every busy try took a third */
	/* nothing to write: no try */
	uint32_t tries = f.tries;
	assert_int_equal(capos_port_writer_write(&w, in, 0, &n), CAPOS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f.tries, tries);
}

static void test_refusal_ends_write(void **st)
{
	(void)st;
	static struct fake f;
	memset(&f, 0, sizeof(f));
	f.refuse_at = 2;
	struct capos_port_writer w;
	capos_port_writer_init(&w, fake_try, NULL, &f); /* no pause hook */
	w.chunk_max = 10;
	uint8_t in[50];
	fill(in, sizeof(in));
	uint32_t n = 0;
	assert_int_equal(capos_port_writer_write(&w, in, sizeof(in), &n), CAPOS_DENIED);
	/* one chunk of 10, then the refused try's one byte: not retried */
	assert_int_equal(n, 11);
	assert_int_equal(f.tries, 2);
	assert_memory_equal(f.out, in, 11);
	assert_int_equal(w.dropped, 39);
	assert_int_equal(w.dead, 0); /* refused is not dead: the next write tries fully */
	assert_int_equal(capos_port_writer_write(&w, in, sizeof(in), NULL), CAPOS_OK);
	assert_memory_equal(f.out + 11, in, sizeof(in));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_in_order),
		cmocka_unit_test(test_refusal_ends_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
