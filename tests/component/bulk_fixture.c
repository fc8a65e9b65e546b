/*
 * bulk_fixture.c - ReadBulk's SharedBuffers on the host (bulk_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>
#include <capos/wire.h>
#include <pb_decode.h>

#include "bulk_fixture.h"

uint8_t bulk_big[65536];
uint8_t bulk_small[256];
uint32_t bulk_small_size;
unsigned bulk_mapped;

capos_status_t host_buffer_get(void *arg, capos_cap_t cap, uint8_t **buf, uint32_t *size)
{
	(void)arg;
	uint64_t token = capos_loopback_cap_token(cap);
	if (token == BUF_BIG) {
		*buf = bulk_big;
		*size = sizeof(bulk_big);
	} else if (token == BUF_SMALL) {
		*buf = bulk_small;
		*size = bulk_small_size;
	} else {
		return CAPOS_INVALID_ARGUMENT;
	}
	bulk_mapped++;
	return CAPOS_OK;
}

void host_buffer_put(void *arg, uint8_t *buf, uint32_t size)
{
	(void)arg;
	(void)buf;
	(void)size;
	bulk_mapped--;
}

capos_cap_t bulk_begin(uint64_t token, uint32_t *used)
{
	capos_cap_t buf = capos_loopback_new_object(token);
	assert_int_not_equal(buf, CAPOS_NO_CAP);
	*used = capos_loopback_caps_used();
	memset(bulk_big, 0xee, sizeof(bulk_big));
	return buf;
}

void bulk_end(capos_cap_t buf, uint32_t used)
{
	assert_int_equal(capos_loopback_caps_used(), used);
	assert_true(capos_loopback_cap_present(buf));
	assert_int_equal(bulk_mapped, 0);
}

void bulk_decode(uint64_t token, uint32_t bytes, uint32_t count, uint32_t tag,
		 const pb_msgdesc_t *fields,
		 bool (*decode_buf)(const uint8_t *buf, uint32_t len, void *msg), void *recs,
		 size_t size, uint32_t max)
{
	static uint8_t check[4096]; /* what nanopb makes of the same bytes */
	const uint8_t *base = token == BUF_BIG ? bulk_big : bulk_small;
	struct capos_wire_in r = { base, base + bytes }, sub;
	uint32_t n = 0;
	assert_true(size <= sizeof(check));
	while (r.p != r.end) {
		assert_true(n < max);
		assert_true(capos_wire_get_field(&r, tag, &sub));
		pb_istream_t is = pb_istream_from_buffer(sub.p, (size_t)(sub.end - sub.p));
		memset(check, 0, size);
		assert_true(pb_decode(&is, fields, check));
		uint8_t *rec = (uint8_t *)recs + (size_t)n * size;
		assert_true(decode_buf(sub.p, (uint32_t)(sub.end - sub.p), rec));
		assert_memory_equal(check, rec, size);
		n++;
	}
	assert_int_equal(n, count);
}
