/*
 * fuzz_srv_audit: AuditLog (servers/audit/audit_service.c) behind its
 * generated dispatcher; a small log so inputs reach "full". The check: an
 * Append from the named writer gets the next sequence (or LIMIT_EXCEEDED
 * exactly when the log is full, counted), and a Read returns it with the
 * writer's name as its source, whatever the writer claimed. ReadBulk's
 * buffer is host memory behind the caps a record sends (the first a small
 * one, so inputs reach LIMIT_EXCEEDED; others no buffer); no call may
 * keep one past its reply.
 */
#include <string.h>

#include "audit.capos.h"
#include "audit_service.h"
#include "dispatch_fuzz.h"

#define WRITER 5
#define OTHER 6
#define CAPACITY 6

static struct audit_state state;
static capos_AuditRecord storage[CAPACITY];
static const struct capos_client_name sources[] = { { 0x10, "alpha" } };

/* The caps a record sends are loopback objects 0xf00d, 0xf00e, ...
 * (dispatch_fuzz.c): the first two are buffers. */
static uint8_t small_buf[600], big_buf[8192];
static int mapped; /* gets without their put */

static capos_status_t buffer_get(void *arg, capos_cap_t cap, uint8_t **buf, uint32_t *size)
{
	(void)arg;
	uint64_t token = capos_loopback_cap_token(cap);
	if (token != 0xf00du && token != 0xf00eu)
		return CAPOS_INVALID_ARGUMENT;
	*buf = token == 0xf00du ? small_buf : big_buf;
	*size = token == 0xf00du ? sizeof(small_buf) : sizeof(big_buf);
	mapped++;
	return CAPOS_OK;
}

static void buffer_put(void *arg, uint8_t *buf, uint32_t size)
{
	(void)arg;
	(void)buf;
	(void)size;
	mapped--;
}

static void setup(void)
{
	memset(storage, 0, sizeof(storage));
	mapped = 0;
	audit_init(&state, storage, CAPACITY, NULL, NULL, sources, 1);
	audit_set_buffers(&state, buffer_get, buffer_put, NULL);
	capos_loopback_register(WRITER, auditlog_service(&audit_service_ops, &state), 0x10);
	capos_loopback_register(OTHER, auditlog_service(&audit_service_ops, &state), 0x2f);
}

static int check(void)
{
	capos_AuditRecord r = capos_AuditRecord_init_zero;
	capos_AuditAppendResult a = capos_AuditAppendResult_init_zero;
	r.kind = capos_AuditKind_AUDIT_KIND_OTHER;
	strcpy(r.action, "known good");
	strcpy(r.source, "forged");
	size_t before = state.count;
	uint64_t refused = state.refused;
	if (fuzz_expect(mapped == 0, "ReadBulk kept a buffer past its reply"))
		return 1;
	capos_status_t st = auditlog_append(WRITER, &r, &a);
	if (before == CAPACITY)
		return fuzz_expect(st == CAPOS_LIMIT_EXCEEDED && state.refused == refused + 1 &&
					   state.count == CAPACITY,
				   "Append to a full log: not refused and counted");
	int bad = fuzz_expect(st == CAPOS_OK && a.sequence == before + 1,
			      "Append: not the next sequence");
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_AuditReadResult res;
	memset(&res, 0, sizeof(res));
	f.cursor = before + 1;
	bad |= fuzz_expect(auditlog_read(OTHER, &f, &res) == CAPOS_OK && res.records_count == 1 &&
				   res.records[0].sequence == before + 1 &&
				   !strcmp(res.records[0].action, "known good") &&
				   !strcmp(res.records[0].source, "alpha") &&
				   res.last_sequence == before + 1,
			   "Read: not the record just appended");
	return bad;
}

static const capos_AuditRecord rec_login = {
	.kind = capos_AuditKind_AUDIT_KIND_OTHER, .principal = "root", .action = "login",
	.detail = "from the console", .source = "forged", .sequence = 7,
};
static const capos_AuditRecord rec_crash = {
	.kind = capos_AuditKind_AUDIT_KIND_CRASH, .action = "crash", .has_crash = true,
};
static const capos_AuditFilter filt_all = capos_AuditFilter_init_zero;
static const capos_AuditFilter filt_page = { .cursor = 2, .max = 1 };
static const capos_AuditBulkRead bulk_all = capos_AuditBulkRead_init_zero;
static const capos_AuditBulkRead bulk_some = { .cursor = 2, .max = 3, .max_bytes = 200 };
static const capos_AuditBulkRead bulk_tiny = { .max_bytes = 8 };

static const struct fuzz_seed seeds[] = {
	{ 0, &auditlog_append_method, &rec_login, 0 },
	{ 1, &auditlog_append_method, &rec_crash, 0 },
	{ 0, &auditlog_read_method, &filt_all, 0 },
	{ 1, &auditlog_read_method, &filt_page, 0x13 },
	{ 0, &auditlog_append_method, &rec_login, 0 },
	{ 0, &auditlog_append_method, &rec_login, 0 },
	{ 0, &auditlog_append_method, &rec_login, 0 },
	{ 0, &auditlog_append_method, &rec_login, 0 },
	{ 0, &auditlog_read_method, &filt_all, 0 },
	{ 1, &auditlog_read_bulk_method, &bulk_all, 1 },    /* the small buffer */
	{ 0, &auditlog_read_bulk_method, &bulk_all, 2 },    /* the small one sent */
	{ 1, &auditlog_read_bulk_method, &bulk_some, 1 },
	{ 1, &auditlog_read_bulk_method, &bulk_tiny, 1 },   /* LIMIT_EXCEEDED */
	{ 1, &auditlog_read_bulk_method, &bulk_all, 0 },    /* no buffer */
	{ 1, &auditlog_read_bulk_method, &bulk_all, 0x11 }, /* the buffer moved */
};

const struct fuzz_server fuzz_server = {
	.name = "audit",
	.setup = setup,
	.endpoints = { WRITER, OTHER },
	.nendpoints = 2,
	.methods = { &auditlog_append_method, &auditlog_read_method, &auditlog_read_bulk_method,
		     NULL },
	.check = check,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
};
