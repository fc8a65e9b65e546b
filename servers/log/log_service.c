/*
 * log_service.c - LogSink and LogReader (idl/log.proto): a bounded
 * drop-oldest ring with a level floor, badge-derived sources and cursors.
 */
#include <stdio.h>
#include <string.h>

#include "log_service.h"

#define LOG_LEVEL_MAX capos_LogLevel_LOG_LEVEL_CRITICAL

void log_init(struct log_state *s, uint32_t capacity, capos_LogLevel floor,
	      log_clock_fn clock, void *clock_arg)
{
	memset(s, 0, sizeof(*s));
	if (capacity == 0)
		capacity = LOG_RING_DEFAULT;
	if (capacity > LOG_RING_MAX)
		capacity = LOG_RING_MAX;
	s->capacity = capacity;
	s->next_seq = 1;
	s->floor = floor;
	s->clock = clock;
	s->clock_arg = clock_arg;
}

void log_set_sources(struct log_state *s, const struct capos_client_name *sources, size_t n)
{
	s->sources = sources;
	s->nsources = n;
}

void log_set_forward(struct log_state *s, log_forward_fn fn, void *arg)
{
	s->forward = fn;
	s->forward_arg = arg;
}

capos_LogLevel log_floor_from_number(uint64_t level)
{
	return level > (uint64_t)LOG_LEVEL_MAX ? LOG_LEVEL_MAX : (capos_LogLevel)level;
}

void log_source_name(const struct log_state *s, uint64_t badge, char *out, size_t size)
{
	capos_client_name_of(s->sources, s->nsources, badge, out, size);
}

const char *log_level_name(capos_LogLevel level)
{
	static const char *const names[] = { "trace", "debug", "info",
					     "warning", "error", "critical" };
	if ((int)level < 0 || (int)level > (int)LOG_LEVEL_MAX)
		return "?";
	return names[level];
}

/* Appends src to buf[*len] (room for size - 1 bytes), control characters
 * (and DEL) as '?'. */
static void put_clean(char *buf, size_t *len, size_t size, const char *src)
{
	for (; *src && *len + 1 < size; src++) {
		unsigned char c = (unsigned char)*src;
		buf[(*len)++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
}

static void put_raw(char *buf, size_t *len, size_t size, const char *src)
{
	for (; *src && *len + 1 < size; src++)
		buf[(*len)++] = *src;
}

size_t log_format_line(const capos_LogRecord *r, char *buf, size_t size)
{
	size_t len = 0;
	if (size == 0)
		return 0;
	/* Keep room for the line ending whatever the text's length. */
	size_t body = size > 3 ? size - 2 : 1;
	put_raw(buf, &len, body, "[");
	put_raw(buf, &len, body, log_level_name(r->level));
	put_raw(buf, &len, body, "] ");
	put_clean(buf, &len, body, r->source);
	put_raw(buf, &len, body, ": ");
	put_clean(buf, &len, body, r->text);
	put_raw(buf, &len, size, "\r\n");
	buf[len] = '\0';
	return len;
}

static capos_status_t do_write(void *ctx, struct capos_rpc_request *rq,
			       const capos_LogRecord *req, capos_LogWriteResult *resp)
{
	struct log_state *s = ctx;
	if ((int)req->level < 0 || (int)req->level > (int)LOG_LEVEL_MAX)
		return CAPOS_INVALID_ARGUMENT;
	if (req->level < s->floor) {
		s->dropped_at_sink++;
		resp->accepted = false;
		resp->sequence = 0;
		return CAPOS_OK;
	}
	uint32_t slot;
	if (s->count == s->capacity) { /* drop the oldest */
		slot = s->head;
		s->head = (s->head + 1) % s->capacity;
		s->overwritten++;
	} else {
		slot = (s->head + s->count) % s->capacity;
		s->count++;
	}
	capos_LogRecord *r = &s->ring[slot];
	memset(r, 0, sizeof(*r));
	r->level = req->level;
	log_source_name(s, rq->badge, r->source, sizeof(r->source));
	snprintf(r->text, sizeof(r->text), "%s", req->text);
	r->has_timestamp = true; /* zero (UNTRUSTED wall part) without a clock */
	if (s->clock)
		s->clock(s->clock_arg, &r->timestamp);
	r->sequence = s->next_seq++;
	resp->accepted = true;
	resp->sequence = r->sequence;
	if (s->forward)
		s->forward(s->forward_arg, r);
	return CAPOS_OK;
}

static capos_status_t do_read(void *ctx, struct capos_rpc_request *rq,
			      const capos_LogFilter *req, capos_LogReadResult *resp)
{
	struct log_state *s = ctx;
	(void)rq;
	const uint64_t oldest = s->next_seq - s->count; /* == next_seq when empty */
	const uint64_t want = req->cursor ? req->cursor : 1;
	/* Every record in [want, oldest) was overwritten (the floor's drops
	 * never get a sequence). */
	resp->dropped = want < oldest ? oldest - want : 0;
	resp->below_floor = s->dropped_at_sink;
	uint64_t seq = want < oldest ? oldest : want;
	/* The response bound: max_count records of their largest size fit
	 * the message body (idl/log.options). */
	const uint32_t room = (uint32_t)(sizeof(resp->records) / sizeof(resp->records[0]));
	const uint32_t limit = (req->max == 0 || req->max > room) ? room : req->max;
	resp->records_count = 0;
	while (seq < s->next_seq && resp->records_count < limit) {
		const capos_LogRecord *r =
			&s->ring[(s->head + (uint32_t)(seq - oldest)) % s->capacity];
		seq++;
		if (r->level < req->min_level)
			continue;
		if (req->source[0] && strcmp(r->source, req->source) != 0)
			continue;
		resp->records[resp->records_count++] = *r;
	}
	/* The sequence after the last examined record; a cursor past the end
	 * stays where it is. */
	resp->next_cursor = seq;
	return CAPOS_OK;
}

const struct logsink_ops log_sink_ops = {
	.write = do_write,
};

const struct logreader_ops log_reader_ops = {
	.read = do_read,
};
