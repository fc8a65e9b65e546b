/*
 * bulk_fixture.c - ReadBulk's SharedBuffers on the host (bulk_fixture.h).
 */
#include <capos/transport.h>

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
