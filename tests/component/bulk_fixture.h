/*
 * bulk_fixture.h - ReadBulk's SharedBuffers on the host (test_log.c,
 * test_audit.c): a server's buffer_get hook maps a loopback object's cap
 * to host memory by its token, and counts what is held, so a test can
 * check the server never keeps a buffer past the call.
 */
#ifndef TESTS_COMPONENT_BULK_FIXTURE_H
#define TESTS_COMPONENT_BULK_FIXTURE_H

#include <stdint.h>

#include <capos/abi.h>

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

#endif
