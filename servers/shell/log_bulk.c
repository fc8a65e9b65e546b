/*
 * log_bulk.c - the `log` command's ReadBulk path (log_bulk.h).
 */
#include "log_bulk.h"

#include <string.h>

#include <capos/wire.h>

#include "log.capos.h"

capos_status_t sh_log_collect_bulk(capos_cap_t reader, const struct sh_bulk *b,
				   const struct sh_log_opts *o, struct sh_log_tail *t)
{
	/* Records go to the tail 5 at a time, as a LogReader.Read page
	 * carries them: the tail takes pages. */
	static capos_LogReadResult page;
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
		if (out.bytes > b->size)
			return CAPOS_PROTOCOL_ERROR;
		struct capos_wire_in r = { b->base, b->base + out.bytes }, sub;
		page.records_count = 0;
		page.dropped = out.dropped;
		page.below_floor = out.below_floor;
		for (uint32_t i = 0; i < out.count; i++) {
			capos_LogRecord *rec = &page.records[page.records_count++];
			memset(rec, 0, sizeof(*rec));
			if (!capos_wire_get_field(&r, capos_LogReadResult_records_tag, &sub) ||
			    !capos_LogRecord_wire_decode(&sub, rec))
				return CAPOS_PROTOCOL_ERROR;
			if (page.records_count == 5) {
				sh_log_tail_add(t, &page);
				page.records_count = 0;
				page.dropped = 0;
			}
		}
		if (r.p != r.end)
			return CAPOS_PROTOCOL_ERROR; /* more bytes than records */
		sh_log_tail_add(t, &page);
		/* as sh_log_collect: done when the cursor stops moving */
		if (out.next_cursor <= req.filter.cursor)
			break;
		req.filter.cursor = out.next_cursor;
	}
	return CAPOS_OK;
}
