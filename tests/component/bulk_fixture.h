/*
 * bulk_fixture.h - ReadBulk's SharedBuffers on the host (test_log.c,
 * test_audit.c): a server's buffer_get hook maps a loopback object's cap
 * to host memory by its token, and counts what is held, so a test can
 * check the server never keeps a buffer past the call.
 */
#ifndef TESTS_COMPONENT_BULK_FIXTURE_H
#define TESTS_COMPONENT_BULK_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>
#include <pb.h>

#define BUF_BIG 1u   /* bulk_big: 64 KiB */
#define BUF_SMALL 2u /* bulk_small: its first bulk_small_size bytes */

extern uint8_t bulk_big[65536];
extern uint8_t bulk_small[256];
extern uint32_t bulk_small_size;
extern unsigned bulk_mapped; /* gets without their put */

/* The buffer behind cap (by its loopback token; INVALID_ARGUMENT for any
 * other cap): a capos_bulk_get_fn and its put (capos/bulk.h). */
capos_status_t host_buffer_get(void *arg, capos_cap_t cap, uint8_t **buf, uint32_t *size);
void host_buffer_put(void *arg, uint8_t *buf, uint32_t size);

/* Around one ReadBulk call (each fails the test when it does not hold):
 * bulk_begin makes the caller's cap to buffer `token`, notes the table's
 * count in *used and fills bulk_big with 0xee (nothing stale is read);
 * bulk_end checks the server's copy of the cap is gone, the caller's
 * stays and no buffer is held past the call. */
capos_cap_t bulk_begin(uint64_t token, uint32_t *used);
void bulk_end(capos_cap_t buf, uint32_t used);

/* The records a ReadBulk wrote in the first `bytes` bytes of buffer
 * token: `count` fields `tag` and nothing else, each decoded by the
 * generated decode_buf into recs[i] (`size` bytes each, at most `max`)
 * and by nanopb (`fields`), which must agree. */
void bulk_decode(uint64_t token, uint32_t bytes, uint32_t count, uint32_t tag,
		 const pb_msgdesc_t *fields,
		 bool (*decode_buf)(const uint8_t *buf, uint32_t len, void *msg), void *recs,
		 size_t size, uint32_t max);

#endif
