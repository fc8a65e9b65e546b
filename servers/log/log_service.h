/*
 * log_service.h - the log server's logic (idl/log.proto), free of system
 * calls, so the same code serves on the target and in host component tests.
 *
 * A bounded drop-oldest ring of records. Each accepted record gets the next
 * sequence number (1, 2, 3, ...), a timestamp from the clock callback, and
 * a source name derived from the caller's badge (what the writer put in
 * `source` is ignored: a component cannot forge another's name). Records
 * below the level floor are not kept.
 */
#ifndef SERVERS_LOG_SERVICE_H
#define SERVERS_LOG_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <capos/bulk.h>
#include <capos/client_names.h>

#include "log.capos.h"

#define LOG_RING_DEFAULT 64u
#define LOG_RING_MAX 256u

#define LOG_SOURCE_NAME_MAX 32u /* with the NUL: LogRecord.source's bound */
/* The console line log_format_line makes for forwarding, with "\r\n" and
 * NUL: at most one Console.Write (ConsoleWrite.data holds 1024 bytes). A
 * record of printable text always fits whole; one whose escapes (up to 4
 * bytes each) would not is cut before the first escape that does not fit. */
#define LOG_LINE_MAX 1024u


/* Fills *out (zeroed by the caller) with the time now: monotonic_ns
 * always, the wall part with its provenance when there is a wall clock.
 * The target reads the clock server or the kernel, tests a fake. */
typedef void (*log_clock_fn)(void *arg, capos_Timestamp *out);
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
	const struct capos_client_name *sources;
	size_t nsources;
	struct capos_bulk_source bulk; /* ReadBulk's buffer; get NULL: UNSUPPORTED */
};

/* capacity 0: LOG_RING_DEFAULT; above LOG_RING_MAX: LOG_RING_MAX. */
void log_init(struct log_state *s, uint32_t capacity, capos_LogLevel floor,
	      log_clock_fn clock, void *clock_arg);
/* The table is borrowed, not copied: it must outlive the state. */
void log_set_sources(struct log_state *s, const struct capos_client_name *sources, size_t n);
void log_set_forward(struct log_state *s, log_forward_fn fn, void *arg);
/* How ReadBulk reaches the caller's SharedBuffer (capos/bulk.h: the
 * target maps it, tests hand out host memory). */
void log_set_buffers(struct log_state *s, capos_bulk_get_fn get, capos_bulk_put_fn put,
		     void *arg);

/* ReadBulk's work (idl/log.proto): the records at or after f->cursor that
 * pass f, oldest first, into buf[size] as LogReadResult.records fields, as
 * many as fit and f->max allows (0: no limit). CAPOS_OK with *out filled,
 * or CAPOS_LIMIT_EXCEEDED when the first record to return does not fit
 * (*out then says nothing). */
capos_status_t log_read_bulk(const struct log_state *s, const capos_LogFilter *f,
			     uint8_t *buf, uint32_t size, capos_LogBulkResult *out);

/* The level floor for a manifest's log_level number: above CRITICAL is
 * CRITICAL (the most severe records stay visible whatever the number). */
capos_LogLevel log_floor_from_number(uint64_t level);

/* The source name for a badge: the table's name, or "badge:<decimal>" -
 * a ':' never appears in a component name ([A-Za-z0-9_-]), so an unknown
 * badge cannot pass for a component. */
void log_source_name(const struct log_state *s, uint64_t badge, char *out, size_t size);

/* "trace", "debug", "info", "warning", "error", "critical"; "?" else. */
const char *log_level_name(capos_LogLevel level);

/* The console line for a record: "[level] source: text\r\n". Source and
 * text are escaped with capos_escape_text (capos/escape.h): control
 * characters, ESC, C1 controls (U+0080-U+009F, and single bytes 0x80-0x9f)
 * and anything that is not UTF-8 are shown as \n, \xHH and the like, so
 * a record can neither end its line early and forge another one nor
 * drive the terminal. Always NUL-terminated (size > 0); returns the
 * length written. */
size_t log_format_line(const capos_LogRecord *r, char *buf, size_t size);

extern const struct logsink_ops log_sink_ops;
extern const struct logreader_ops log_reader_ops;

#endif
