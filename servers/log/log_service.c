/*
 * log_service.c - LogSink and LogReader (idl/log.proto): a bounded
 * drop-oldest ring with a level floor, badge-derived sources and cursors.
 */
#include <string.h>

#include "log_service.h"

#define LOG_LEVEL_MAX capos_LogLevel_LOG_LEVEL_CRITICAL

static void copy_str(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

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

void log_set_sources(struct log_state *s, const struct log_source *sources, size_t n)
{
	s->sources = sources;
	s->nsources = n;
}

void log_set_forward(struct log_state *s, log_forward_fn fn, void *arg)
{
	s->forward = fn;
	s->forward_arg = arg;
}

void log_source_name(const struct log_state *s, uint64_t badge, char *out, size_t size)
{
	for (size_t i = 0; i < s->nsources; i++) {
		if (s->sources[i].badge == badge && s->sources[i].name) {
			copy_str(out, s->sources[i].name, size);
			return;
		}
	}
	char buf[sizeof("badge-0x") + 16];
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	memcpy(buf, "badge-0x", 8);
	n = 8;
	int shift = 60;
	while (shift > 0 && ((badge >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		buf[n++] = hex[(badge >> shift) & 0xf];
	buf[n] = '\0';
	copy_str(out, buf, size);
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
	copy_str(r->text, req->text, sizeof(r->text));
	r->has_timestamp = true;
	r->timestamp.monotonic_ns = s->clock ? s->clock(s->clock_arg) : 0;
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
