/*
 * log_bulk.h - the bulk paths of `log` and `audit`: LogReader.ReadBulk
 * and AuditLog.ReadBulk into a SharedBuffer of the shell's own
 * (docs/servers/log.md, docs/servers/audit.md), the records handed to
 * the same code as the paged path (for `log`, the tail sh_log_collect
 * fills), so the output is the same lines in the same order. Both read
 * the reply's records out of the buffer with sh_bulk_records.
 * Host-tested through the loopback (tests/component/
 * test_shell_commands.c): the buffer comes from the shell's log_buffer
 * hook.
 */
#ifndef SERVERS_SHELL_LOG_BULK_H
#define SERVERS_SHELL_LOG_BULK_H

#include <stdint.h>

#include <capos/abi.h>
#include <capos/wire.h>

#include "commands.h"

/* A SharedBuffer the shell holds (cap) and has mapped at base, size
 * bytes. The cap is sent as a copy with each ReadBulk: the shell keeps it
 * and its mapping. */
struct sh_bulk {
	capos_cap_t cap;
	const uint8_t *base;
	uint32_t size;
};

/* The records a ReadBulk reply put in the buffer: `count` fields `tag`
 * (the result message's repeated record field) filling exactly its first
 * `bytes` bytes, each one's value handed to each() in order. OK, or
 * PROTOCOL_ERROR when the buffer does not hold what the reply says or
 * each() cannot decode one (returns 0). */
typedef int (*sh_bulk_each_fn)(void *ctx, struct capos_wire_in *record);
capos_status_t sh_bulk_records(const struct sh_bulk *b, uint32_t bytes, uint32_t count,
			       uint32_t tag, sh_bulk_each_fn each, void *ctx);

/* ReadBulk from cursor 0 with the options' filter until next_cursor stops
 * moving forward (at most SH_LOG_MAX_PAGES calls), each call's records
 * decoded from the buffer into t (which it starts afresh). Returns the
 * first failing status (UNSUPPORTED: a log server without ReadBulk;
 * PROTOCOL_ERROR: the buffer does not hold what the reply says), else OK. */
capos_status_t sh_log_collect_bulk(capos_cap_t reader, const struct sh_bulk *b,
				   const struct sh_log_opts *o, struct sh_log_tail *t);

#endif
