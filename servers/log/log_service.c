/*
 * log_service.c - LogSink and LogReader (idl/log.proto): a bounded
 * drop-oldest ring with a level floor, badge-derived sources and cursors.
 */
#include <stdio.h>
#include <string.h>

#include <capos/escape.h>

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

void log_set_buffers(struct log_state *s, capos_bulk_get_fn get, capos_bulk_put_fn put,
		     void *arg)
{
	s->bulk = (struct capos_bulk_source){ get, put, arg };
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

/* Appends src to buf[*len] (room for size - 1 bytes) escaped for the
 * terminal (capos_escape_text): controls, ESC, C1 and bytes that are not
 * UTF-8 become visible text, never obeyed, and are cut whole. */
static void put_escaped(char *buf, size_t *len, size_t size, const char *src)
{
	if (*len + 1 < size)
		*len += capos_escape_text(buf + *len, size - *len, src, strlen(src));
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
	put_escaped(buf, &len, body, r->source);
	put_raw(buf, &len, body, ": ");
	put_escaped(buf, &len, body, r->text);
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

/* Where a read from `cursor` starts: the first sequence to examine, and
 * how many records in between the ring had already overwritten (the
 * floor's drops never get a sequence). */
static uint64_t read_start(const struct log_state *s, uint64_t cursor, uint64_t *dropped)
{
	const uint64_t oldest = s->next_seq - s->count; /* == next_seq when empty */
	const uint64_t want = cursor ? cursor : 1;
	*dropped = want < oldest ? oldest - want : 0;
	return want < oldest ? oldest : want;
}

static const capos_LogRecord *ring_at(const struct log_state *s, uint64_t seq)
{
	const uint64_t oldest = s->next_seq - s->count;
	return &s->ring[(s->head + (uint32_t)(seq - oldest)) % s->capacity];
}

static bool passes(const capos_LogRecord *r, const capos_LogFilter *f)
{
	if (r->level < f->min_level)
		return false;
	return !f->source[0] || strcmp(r->source, f->source) == 0;
}

static capos_status_t do_read(void *ctx, struct capos_rpc_request *rq,
			      const capos_LogFilter *req, capos_LogReadResult *resp)
{
	struct log_state *s = ctx;
	(void)rq;
	uint64_t seq = read_start(s, req->cursor, &resp->dropped);
	resp->below_floor = s->dropped_at_sink;
	/* The response bound: max_count records of their largest size fit
	 * the message body (idl/log.options). */
	const uint32_t room = (uint32_t)(sizeof(resp->records) / sizeof(resp->records[0]));
	const uint32_t limit = (req->max == 0 || req->max > room) ? room : req->max;
	resp->records_count = 0;
	while (seq < s->next_seq && resp->records_count < limit) {
		const capos_LogRecord *r = ring_at(s, seq);
		seq++;
		if (passes(r, req))
			resp->records[resp->records_count++] = *r;
	}
	/* The sequence after the last examined record; a cursor past the end
	 * stays where it is. */
	resp->next_cursor = seq;
	return CAPOS_OK;
}

static bool encode_record(struct capos_wire_out *w, const void *rec)
{
	return capos_LogRecord_wire_encode(w, rec);
}

capos_status_t log_read_bulk(const struct log_state *s, const capos_LogFilter *f,
			     uint8_t *buf, uint32_t size, capos_LogBulkResult *out)
{
	*out = (capos_LogBulkResult)capos_LogBulkResult_init_zero;
	uint64_t seq = read_start(s, f->cursor, &out->dropped);
	out->below_floor = s->dropped_at_sink;
	const uint32_t limit = f->max ? f->max : UINT32_MAX;
	struct capos_wire_out w = { buf, buf + size };
	while (seq < s->next_seq && out->count < limit) {
		const capos_LogRecord *r = ring_at(s, seq);
		if (!passes(r, f)) {
			seq++;
			continue;
		}
		/* As LogReadResult.records; one that does not fit is the
		 * next call's first. */
		if (!capos_bulk_put_record(&w, capos_LogReadResult_records_tag, encode_record, r)) {
			if (out->count == 0)
				return CAPOS_LIMIT_EXCEEDED;
			break;
		}
		out->count++;
		seq++;
	}
	out->next_cursor = seq;
	out->bytes = (uint32_t)(w.p - buf);
	return CAPOS_OK;
}

/* ReadBulk's call, for capos_bulk_serve. */
struct bulk_call {
	const struct log_state *s;
	const capos_LogFilter *filter;
	capos_LogBulkResult *resp;
};

static capos_status_t fill(void *ctx, uint8_t *buf, uint32_t size)
{
	struct bulk_call *c = ctx;
	return log_read_bulk(c->s, c->filter, buf, size, c->resp);
}

static capos_status_t do_read_bulk(void *ctx, struct capos_rpc_request *rq,
				   const capos_LogBulkRead *req, struct capos_cap_list *caps_in,
				   capos_LogBulkResult *resp)
{
	struct log_state *s = ctx;
	struct bulk_call c = { s, &req->filter, resp };
	(void)rq;
	return capos_bulk_serve(&s->bulk, caps_in, req->max_bytes, fill, &c);
}

const struct logsink_ops log_sink_ops = {
	.write = do_write,
};

const struct logreader_ops log_reader_ops = {
	.read = do_read,
	.read_bulk = do_read_bulk,
};
