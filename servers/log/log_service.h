/*
 * log_service.h - the log server's logic (idl/log.proto), free of system
 * calls, so the same code serves on the target and in host component tests.
 *
 * A bounded drop-oldest ring of records. Each accepted record gets the next
 * sequence number (1, 2, 3, ...), a monotonic timestamp from the clock
 * callback, and a source name derived from the caller's badge (what the
 * writer put in `source` is ignored: a component cannot forge another's
 * name). Records below the level floor are not kept.
 */
#ifndef SERVERS_LOG_SERVICE_H
#define SERVERS_LOG_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "log.capos.h"

#define LOG_RING_DEFAULT 64u
#define LOG_RING_MAX 256u

/* One entry of the badge -> name table (the name is what readers see). */
struct log_source {
	uint64_t badge;
	const char *name;
};

/* Monotonic nanoseconds; the target passes the TSC clock, tests a fake. */
typedef uint64_t (*log_clock_fn)(void *arg);
/* Called for each accepted record, after it is in the ring. */
typedef void (*log_forward_fn)(void *arg, const capos_LogRecord *rec);

struct log_state {
	capos_LogRecord ring[LOG_RING_MAX];
	uint32_t capacity;  /* 1..LOG_RING_MAX */
	uint32_t head;      /* index of the oldest held record */
	uint32_t count;     /* records held */
	uint64_t next_seq;  /* the sequence the next accepted record gets */
	uint64_t overwritten;     /* records lost to drop-oldest */
	uint64_t dropped_at_sink; /* records below the floor */
	capos_LogLevel floor;
	log_clock_fn clock;
	void *clock_arg;
	log_forward_fn forward;
	void *forward_arg;
	const struct log_source *sources;
	size_t nsources;
};

/* capacity 0: LOG_RING_DEFAULT; above LOG_RING_MAX: LOG_RING_MAX. */
void log_init(struct log_state *s, uint32_t capacity, capos_LogLevel floor,
	      log_clock_fn clock, void *clock_arg);
/* The table is borrowed, not copied: it must outlive the state. */
void log_set_sources(struct log_state *s, const struct log_source *sources, size_t n);
void log_set_forward(struct log_state *s, log_forward_fn fn, void *arg);

/* The source name for a badge: the table's name, or "badge-0x<hex>". */
void log_source_name(const struct log_state *s, uint64_t badge, char *out, size_t size);

extern const struct logsink_ops log_sink_ops;
extern const struct logreader_ops log_reader_ops;

#endif
