/*
 * log_bulk.c - the ReadBulk paths' shared reading of the buffer, and the
 * `log` command's (log_bulk.h).
 */
#include "log_bulk.h"

#include <string.h>

#include "log.capos.h"

capos_status_t sh_bulk_records(const struct sh_bulk *b, uint32_t bytes, uint32_t count,
			       uint32_t tag, sh_bulk_each_fn each, void *ctx)
{
	if (bytes > b->size)
		return CAPOS_PROTOCOL_ERROR;
	struct capos_wire_in r = { b->base, b->base + bytes }, sub;
	for (uint32_t i = 0; i < count; i++)
		if (!capos_wire_get_field(&r, tag, &sub) || !each(ctx, &sub))
			return CAPOS_PROTOCOL_ERROR;
	return r.p == r.end ? CAPOS_OK : CAPOS_PROTOCOL_ERROR; /* more bytes than records */
}

/* Records go to the tail 5 at a time, as a LogReader.Read page carries
 * them: the tail takes pages. */
struct log_pages {
	capos_LogReadResult *page;
	struct sh_log_tail *t;
};

static int add_log_record(void *ctx, struct capos_wire_in *in)
{
	struct log_pages *lp = ctx;
	capos_LogRecord *rec = &lp->page->records[lp->page->records_count];
	memset(rec, 0, sizeof(*rec));
	if (!capos_LogRecord_wire_decode(in, rec))
		return 0;
	if (++lp->page->records_count == 5) {
		sh_log_tail_add(lp->t, lp->page);
		lp->page->records_count = 0;
		lp->page->dropped = 0;
	}
	return 1;
}

capos_status_t sh_log_collect_bulk(capos_cap_t reader, const struct sh_bulk *b,
				   const struct sh_log_opts *o, struct sh_log_tail *t)
{
	static capos_LogReadResult page;
	struct log_pages lp = { &page, t };
	capos_LogBulkRead req = capos_LogBulkRead_init_zero;
	req.has_filter = true;
	req.filter.min_level = (capos_LogLevel)o->min_level;
	memcpy(req.filter.source, o->source, sizeof(req.filter.source));
	sh_log_tail_init(t, o->n);
	for (unsigned calls = 0; calls < SH_LOG_MAX_PAGES; calls++) {
		capos_LogBulkResult out;
		struct capos_cap_list send = { .count = 1, .move = 0, .cap = { b->cap } };
		capos_status_t st = logreader_read_bulk(reader, &req, &send, &out);
		if (st != CAPOS_OK)
			return st;
		page.records_count = 0;
		page.dropped = out.dropped;
		page.below_floor = out.below_floor;
		st = sh_bulk_records(b, out.bytes, out.count, capos_LogReadResult_records_tag,
				     add_log_record, &lp);
		if (st != CAPOS_OK)
			return st;
		sh_log_tail_add(t, &page);
		/* as sh_log_collect: done when the cursor stops moving */
		if (out.next_cursor <= req.filter.cursor)
			break;
		req.filter.cursor = out.next_cursor;
	}
	return CAPOS_OK;
}
